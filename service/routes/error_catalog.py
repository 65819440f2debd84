"""One example of each error status a route documents, made by the builders that make the real error.

``example_error(status, path, settings)`` returns the ``ApiError`` the service
raises for that status on that path, built by the same function the raising code
calls (with the configured limits), so the OpenAPI document
(``service.routes.openapi_doc``) shows what a client really gets. The document
renders it for the path, in the native shape or Google's. ``None`` means no
example is known for that status and path; a test keeps that from happening for a
documented status.
"""

from __future__ import annotations

from collections.abc import Callable

import orjson
from starlette.types import Receive, Scope, Send

from service.coral import routes as coral
from service.core.auth import (
    ADMIN_ROLE,
    admin_forbidden,
    suggestions_disabled,
    unauthenticated,
)
from service.core.errors import ApiError, not_ready
from service.core.scoring import check_texts
from service.middleware.body_guard import _bad_json, _too_large, _too_slow
from service.middleware.rate_limit import RateLimit
from service.openai import routes as openai
from service.perspective import errors as perr
from service.perspective.analyze import not_supported
from service.perspective.discovery import host_not_allowed
from service.perspective.errors import is_perspective_path
from service.perspective.routes import discovery_not_found
from service.perspective.suggest import quota_exceeded, store_full
from service.routes.admin import reload_refused
from service.settings import Settings

BAD_BODY = b'{"comments": [{"text": "hello"}'


def _raised(check: Callable[[], object]) -> ApiError:
    """Return the ``ApiError`` that calling ``check`` raises."""
    try:
        check()
    except ApiError as err:
        return err
    raise AssertionError(f"{check} raised nothing")


def _not_json() -> ApiError:
    try:
        orjson.loads(BAD_BODY)
    except orjson.JSONDecodeError as exc:
        return _bad_json(BAD_BODY, exc)
    raise AssertionError("the example body parsed")


def _bad_request(path: str, settings: Settings) -> ApiError:
    if "$discovery" in path:
        return host_not_allowed("attacker.example", {"localhost", "127.0.0.1", "[::1]"})
    if path.endswith("comments:analyze"):
        return not_supported("THREAT", "de")  # a comment's language that does not score an attribute
    if is_perspective_path(path):
        return perr.invalid("COMMENT_EMPTY", perr.COMMENT_EMPTY, "comment.text")
    return _not_json()


def _rate_limited(path: str, settings: Settings) -> ApiError:
    if path.endswith("comments:suggestscore"):
        return quota_exceeded("client address", settings.suggest_per_minute, 1)
    rate = settings.rate_limit_per_second or 5.0  # the example shows a limit even where none is set
    limiter = RateLimit(_no_app, rate=rate, burst=settings.rate_limit_burst, keys=())
    return limiter._error(path, 1)


async def _no_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Stand behind the example rate limiter, which never passes a request on."""


def example_error(status: int, path: str, settings: Settings) -> ApiError | None:
    """Return the error ``path`` answers with ``status``, or None when there is no such example."""
    contract = {openai.PATH: openai.example_error, coral.PATH: coral.example_error}.get(path)
    if contract is not None and (own := contract(status, settings)) is not None:
        return own  # the adapter's own error for this status; the rest (413, 429, ...) are everyone's
    perspective = is_perspective_path(path)
    admin = path.startswith("/v1/admin/")
    if status == 400:
        if perspective and not path.endswith(("comments:analyze", "comments:suggestscore", "/rest")):
            return None
        return _bad_request(path, settings)
    if status == 401:
        return unauthenticated(ADMIN_ROLE if admin else "API key")
    if status == 403:
        if admin:
            return admin_forbidden()
        return suggestions_disabled() if perspective else None
    if status == 404 and "$discovery" in path:
        return discovery_not_found("v2")
    if status == 408:
        return _too_slow(1024, "4096", settings.body_read_timeout_seconds)
    if status == 409 and admin:
        return reload_refused("artifact sha256 does not match its manifest", "2026.12.04-53fc2d54")
    if status == 413:
        return _too_large(settings.max_body_bytes + 1, settings.max_body_bytes)
    if status == 422 and not perspective:
        return _raised(lambda: check_texts(["x" * (settings.max_text_bytes + 1)], "comments[{i}].text", settings))
    if status == 429:
        return _rate_limited(path, settings)
    if status == 503:
        return not_ready()
    if status == 507:
        return store_full(settings.suggestions_max_bytes, settings.suggestions_max_bytes)
    return None
