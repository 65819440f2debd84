"""Errors at the HTTP edge: one JSON shape per API, mapped in one place.

Native API (``/v1/...``)::

    {"error": {"status": 422, "code": "comment_too_long",
               "message": "comments[0].text is 25000 bytes of UTF-8; the limit is 20480",
               "field": "comments[0].text", "limit": 20480, "details": [...]}}

``details`` lists every problem found when there is more than one. The Perspective
API (``/v1alpha1/...``) uses Google's shape instead; see ``service.perspective``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from model.errors import InputError, ModelNotReady
from service.core.schemas import UNION_TAGS

log = logging.getLogger("toxicity.errors")


@dataclass(slots=True)
class Problem:
    """One thing wrong with a request."""

    code: str
    message: str
    field: str | None = None
    limit: Any = None
    detail: str | None = None  # a longer explanation where the message must stay fixed (Perspective's)


@dataclass(slots=True)
class ApiError(Exception):
    """An error response: an HTTP status and the problems behind it."""

    status: int
    problems: list[Problem] = field(default_factory=list)
    headers: dict[str, str] | None = None

    @classmethod
    def one(
        cls,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        limit: Any = None,
        headers: dict[str, str] | None = None,
    ) -> ApiError:
        """Return an error with a single problem."""
        return cls(status, [Problem(code, message, field, limit)], headers)

    def __str__(self) -> str:
        return "; ".join(p.message for p in self.problems)


def native_body(err: ApiError) -> dict[str, Any]:
    """Render an error in the native API's shape."""
    first = err.problems[0] if err.problems else Problem("error", "request failed")
    body: dict[str, Any] = {
        "status": err.status,
        "code": first.code,
        "message": first.message,
        "field": first.field,
        "limit": first.limit,
    }
    if len(err.problems) > 1:
        body["details"] = [
            {"code": p.code, "message": p.message, "field": p.field, "limit": p.limit} for p in err.problems
        ]
    return {"error": body}


# Google-shaped rendering is registered by the Perspective module; the path decides.
# A renderer returns the HTTP status and the body.
Renderer = Callable[[ApiError], tuple[int, dict[str, Any]]]
_renderers: list[tuple[Callable[[str], bool], Renderer]] = []


def register_renderer(matches: Callable[[str], bool], renderer: Renderer) -> None:
    """Render errors for paths where ``matches(path)`` with ``renderer``."""
    _renderers.append((matches, renderer))


def render(path: str, err: ApiError) -> JSONResponse:
    """Return the error response for a request path."""
    for matches, renderer in _renderers:
        if matches(path):
            status, body = renderer(err)
            return JSONResponse(body, status_code=status, headers=err.headers)
    return JSONResponse(native_body(err), status_code=err.status, headers=err.headers)


def field_path(loc: Sequence[Any]) -> str:
    """Turn pydantic's ``("body", "comments", 0, "text")`` into ``comments[0].text``."""
    out = ""
    for part in loc:
        if (part == "body" and not out) or part in UNION_TAGS:
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "body"


_LIMIT_KEYS = ("le", "ge", "lt", "gt", "max_length", "min_length", "expected")
_CODES = {
    "missing": "missing_field",
    "extra_forbidden": "unknown_field",
    "json_invalid": "invalid_json",
}


def validation_problems(errors: Sequence[dict[str, Any]]) -> list[Problem]:
    """Convert pydantic/FastAPI validation errors to problems naming field and limit."""
    problems = []
    for e in errors:
        ctx = e.get("ctx") or {}
        limit = next((ctx[k] for k in _LIMIT_KEYS if k in ctx), None)
        where = field_path(e.get("loc", ()))
        kind = str(e.get("type", "invalid"))
        if kind == "json_invalid":
            problems.append(
                Problem("invalid_json", f"body is not valid JSON: {ctx.get('error', e.get('msg'))}", "body")
            )
            continue
        message = f"{where}: {e.get('msg', 'invalid value')}"
        problems.append(Problem(_CODES.get(kind, kind), message, where, _jsonable(limit)))
    return problems or [Problem("invalid_request", "request is invalid")]


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def install(app: FastAPI) -> None:
    """Register the exception handlers that turn every error into the right shape."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return render(request.url.path, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = validation_problems(exc.errors())
        status = 400 if problems[0].code == "invalid_json" else 422
        return render(request.url.path, ApiError(status, problems))

    @app.exception_handler(InputError)
    async def _input(request: Request, exc: InputError) -> JSONResponse:
        code = _snake(type(exc).__name__)
        return render(request.url.path, ApiError.one(422, code, exc.message, exc.field, exc.limit))

    @app.exception_handler(ModelNotReady)
    async def _not_ready(request: Request, exc: ModelNotReady) -> JSONResponse:
        return render(request.url.path, not_ready(str(exc)))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        message = str(exc.detail) if exc.detail else code
        if exc.status_code == 404:
            message = f"no route {request.method} {request.url.path}"
        return render(request.url.path, ApiError(exc.status_code, [Problem(code, message)], dict(exc.headers or {})))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Log the type and route only: the exception text could quote a comment.
        log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path)
        return render(request.url.path, ApiError.one(500, "internal", "internal error; the request was not scored"))


def _snake(name: str) -> str:
    """``CommentTooLong`` -> ``comment_too_long``."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def not_ready(message: str = "") -> ApiError:
    """Return the 503 of a request that arrived before the model loaded."""
    return ApiError.one(503, "model_not_ready", message or "model is not loaded yet")
