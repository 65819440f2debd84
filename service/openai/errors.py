"""OpenAI's error shape on ``/v1/moderations``, with the status codes its client maps to exception classes.

::

    {"error": {"message": "input[1] is 25000 bytes of UTF-8; the limit is 20480 (TOXICITY_MAX_TEXT_BYTES)",
               "type": "invalid_request_error", "param": "input[1]", "code": "input_too_long"}}

Every error the core, the middleware and the routes raise on this path is rendered
here (registered with ``core.errors``, as ``service.perspective.errors`` is). OpenAI
answers every invalid request with 400, which its client raises as
``BadRequestError``, so a schema problem (422 elsewhere) and a body over the size
cap (413 elsewhere) are 400 here too; the message still names the field and the
limit. 401 is ``AuthenticationError``, 429 ``RateLimitError`` (``"type":
"requests"``, as OpenAI's), 503 ``InternalServerError``.
"""

from __future__ import annotations

import re
from typing import Any

from service.core.errors import ApiError, Problem, register_renderer
from service.openai.schemas import BRANCHES

PATH = "/v1/moderations"
MAX_LISTED = 5  # problems named in one message; the count of the rest follows

# The native API's codes where OpenAI's vocabulary says it better; others pass through.
CODES = {
    "comment_empty": "input_empty",
    "comment_too_long": "input_too_long",
    "batch_too_large": "too_many_inputs",
    "body_too_large": "request_too_large",
    "rate_limited": "rate_limit_exceeded",
    "unknown_field": "unknown_parameter",
}
_BRANCH = re.compile(rf"\.(?:{'|'.join(BRANCHES)})(?=[.\[:]|$)")


def is_openai_path(path: str) -> bool:
    """Return whether a request path is the OpenAI moderation route."""
    return path in (PATH, PATH + "/")


def invalid(code: str, message: str, param: str | None, limit: Any = None) -> ApiError:
    """Return a 400 ``invalid_request_error`` naming ``param``."""
    return ApiError(400, [Problem(code, message, param, limit)])


def _clean(text: str) -> str:
    """Drop the union branch names pydantic puts in locations: ``input.string_array[2]`` -> ``input[2]``."""
    return _BRANCH.sub("", text)


def _message(problem: Problem) -> str:
    if problem.code == "unknown_field" and problem.field:
        return f"Unrecognized request argument supplied: {problem.field.split('.')[-1]}"
    return _clean(problem.message)


def openai_body(err: ApiError) -> tuple[int, dict[str, Any]]:
    """Render any error in OpenAI's shape; invalid requests become 400 ``invalid_request_error``."""
    status = 400 if err.status in (413, 422) else err.status
    problems = err.problems or [Problem("internal", "internal error")]
    first = problems[0]
    message = "; ".join(_message(p) for p in problems[:MAX_LISTED])
    if len(problems) > MAX_LISTED:
        message += f"; and {len(problems) - MAX_LISTED} more problems"
    if status >= 500:
        kind = "server_error"
    elif status == 429:
        kind = "requests"
    else:
        kind = "invalid_request_error"
    param = None if first.field in (None, "body") else _clean(first.field)
    body = {"error": {"message": message, "type": kind, "param": param, "code": CODES.get(first.code, first.code)}}
    return status, body


register_renderer(is_openai_path, openai_body)
