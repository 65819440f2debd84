"""Google's error shape for the Perspective routes, with Perspective's own messages.

::

    {"error": {"code": 400, "message": "Comment must be non-empty.", "status": "INVALID_ARGUMENT",
               "details": [{"@type": "type.googleapis.com/google.commentanalyzer.v1alpha1.Error",
                            "errorType": "COMMENT_EMPTY"}]}}

Clients match on these messages, so they are Perspective's, word for word.
"""

from __future__ import annotations

from typing import Any

from service.core.errors import ApiError, Problem, register_renderer

ERROR_TYPE = "type.googleapis.com/google.commentanalyzer.v1alpha1.Error"
ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"
BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"

COMMENT_EMPTY = "Comment must be non-empty."
COMMENT_TOO_LONG = "Comment text too long."
NO_REQUESTED_ATTRIBUTES = "Missing requested_attributes"
LANGUAGE_DETECTION_FAILED = "Unable to detect language"

STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    408: "DEADLINE_EXCEEDED",  # the request body did not arrive in time (TOXICITY_BODY_READ_TIMEOUT_SECONDS)
    413: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    507: "RESOURCE_EXHAUSTED",
}


def is_perspective_path(path: str) -> bool:
    """Return whether a request path belongs to the Perspective API."""
    return "/v1alpha1/" in path or "/$discovery/" in path


def invalid(
    error_type: str, message: str, field: str | None = None, limit: Any = None, detail: str | None = None
) -> ApiError:
    """Return a 400 INVALID_ARGUMENT error of a Perspective error type.

    ``detail`` (with the ``limit``) goes into a ``google.rpc.BadRequest`` field
    violation, so the message itself stays Perspective's word for word.
    """
    return ApiError(400, [Problem(error_type, message, field, limit, detail)])


def google_body(err: ApiError) -> tuple[int, dict[str, Any]]:
    """Render any error in Google's shape; schema problems become 400 INVALID_ARGUMENT."""
    status = 400 if err.status == 422 else err.status
    first = err.problems[0] if err.problems else Problem("INTERNAL", "Internal error.")
    code = first.code
    message = first.message
    if code == "invalid_json" or code == "invalid_utf8":
        message = f"Invalid JSON payload received. {first.message}"
    elif code == "unknown_field":
        message = (
            f'Invalid JSON payload received. Unknown name "{(first.field or "").split(".")[-1]}": Cannot find field.'
        )
    elif err.status == 422 and not code.isupper():
        message = f"Invalid value at '{first.field}': {first.message}"
    if code in ("API_KEY_INVALID", "RATE_LIMIT_EXCEEDED"):
        details: list[dict[str, Any]] = [{"@type": ERROR_INFO, "reason": code, "domain": "googleapis.com"}]
    else:
        error_type = code if code.isupper() else code.upper()
        details = [{"@type": ERROR_TYPE, "errorType": error_type}]
    if status in (400, 413) and isinstance(first.limit, int | float) and not isinstance(first.limit, bool):
        # Name the broken limit where Google clients look for field-level detail; the message stays Perspective's.
        description = first.detail or f"{first.field or 'request'}: the limit is {first.limit}"
        details.append({"@type": BAD_REQUEST, "fieldViolations": [{"field": first.field, "description": description}]})
    body = {"error": {"code": status, "message": message, "status": STATUS.get(status, "UNKNOWN"), "details": details}}
    return status, body


register_renderer(is_perspective_path, google_body)
