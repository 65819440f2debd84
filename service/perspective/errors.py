"""Google's error shape for the Perspective routes, with Perspective's own messages.

::

    {"error": {"code": 400, "message": "Comment must be non-empty.", "status": "INVALID_ARGUMENT",
               "details": [{"@type": "type.googleapis.com/google.commentanalyzer.v1alpha1.Error",
                            "errorType": "COMMENT_EMPTY"}]}}

Clients match on these messages, so they are Perspective's, word for word.
"""

from __future__ import annotations

from typing import Any

from service.errors import ApiError, Problem, register_renderer

ERROR_TYPE = "type.googleapis.com/google.commentanalyzer.v1alpha1.Error"
ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"

COMMENT_EMPTY = "Comment must be non-empty."
COMMENT_TOO_LONG = "Comment text too long."
NO_REQUESTED_ATTRIBUTES = "Missing requested_attributes"
LANGUAGE_DETECTION_FAILED = "Unable to detect language"

STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    413: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


def is_perspective_path(path: str) -> bool:
    """Return whether a request path belongs to the Perspective API."""
    return "/v1alpha1/" in path or "/$discovery/" in path


def invalid(error_type: str, message: str, field: str | None = None) -> ApiError:
    """Return a 400 INVALID_ARGUMENT error of a Perspective error type."""
    return ApiError(400, [Problem(error_type, message, field)])


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
    if code == "API_KEY_INVALID":
        details: list[dict[str, Any]] = [{"@type": ERROR_INFO, "reason": "API_KEY_INVALID", "domain": "googleapis.com"}]
    else:
        error_type = code if code.isupper() else code.upper()
        details = [{"@type": ERROR_TYPE, "errorType": error_type}]
    body = {"error": {"code": status, "message": message, "status": STATUS.get(status, "UNKNOWN"), "details": details}}
    return status, body


register_renderer(is_perspective_path, google_body)
