"""Optional API keys, compared in constant time.

Keys come from ``TOXICITY_API_KEYS`` (comma-separated) and ``TOXICITY_API_KEYS_FILE``
(one per line). With none configured the API is open. The native API takes
``Authorization: Bearer <key>`` or ``X-API-Key: <key>``; the Perspective API takes
``?key=``, as Google's clients send it. Health probes and the docs stay open.
"""

from __future__ import annotations

import hmac
from pathlib import Path

from fastapi import Request
from starlette.datastructures import Headers, QueryParams
from starlette.types import Scope

from service.core.errors import ApiError
from service.settings import Settings


class KeysFileError(ValueError):
    """A keys file that cannot be read."""


def load_keys(settings: Settings) -> tuple[bytes, ...]:
    """Return every configured key as bytes (empty: the API is open)."""
    keys = [k.strip() for k in settings.api_keys.split(",") if k.strip()]
    if settings.api_keys_file is not None:
        keys += _read_file(settings.api_keys_file)
    return tuple(k.encode("utf-8") for k in dict.fromkeys(keys))


def _read_file(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KeysFileError(f"cannot read TOXICITY_API_KEYS_FILE {path}: {exc}") from None
    return [line.split("#", 1)[0].strip() for line in text.splitlines() if line.split("#", 1)[0].strip()]


def matches(candidate: str | None, keys: tuple[bytes, ...]) -> bool:
    """Return whether ``candidate`` is one of ``keys``, in time independent of which."""
    if candidate is None:
        return False
    given = candidate.encode("utf-8", "surrogatepass")
    found = False
    for key in keys:
        found |= hmac.compare_digest(given, key)
    return found


def presented_key(scope: Scope, perspective: bool) -> str | None:
    """Return the key a request presents.

    Perspective requests send ``?key=``; native ones ``Authorization: Bearer``, else
    ``X-API-Key``. The rate limiter and the routes' checks both read it here, so they
    agree on which key a request carries.
    """
    if perspective:
        return QueryParams(scope.get("query_string", b"")).get("key")
    headers = Headers(scope=scope)
    authorization = headers.get("authorization", "")
    return authorization[7:].strip() if authorization[:7].lower() == "bearer " else headers.get("x-api-key")


async def native_key(request: Request) -> None:
    """Require a key on the native API when keys are configured."""
    keys: tuple[bytes, ...] = request.app.state.api_keys
    if not keys:
        return
    if not matches(presented_key(request.scope, perspective=False), keys):
        raise ApiError.one(
            401,
            "unauthenticated",
            "a valid API key is required: send Authorization: Bearer <key> or X-API-Key: <key>",
            "authorization",
            headers={"WWW-Authenticate": 'Bearer realm="toxicity"'},
        )


PERSPECTIVE_KEY_MESSAGE = "API key not valid. Please pass a valid API key."


async def perspective_key(request: Request) -> None:
    """Require ``?key=`` on the Perspective API when keys are configured."""
    keys: tuple[bytes, ...] = request.app.state.api_keys
    if keys and not matches(presented_key(request.scope, perspective=True), keys):
        raise ApiError.one(400, "API_KEY_INVALID", PERSPECTIVE_KEY_MESSAGE, "key")


async def suggest_key(request: Request) -> None:
    """Apply ``TOXICITY_SUGGEST_REQUIRE_KEY`` to ``comments:suggestscore``.

    Unset, a suggestion needs a key exactly when keys are configured, as scoring
    does. ``false`` opens suggestions even then; ``true`` needs a key, and with no
    keys configured refuses every suggestion (403) rather than leave the store open.
    """
    keys: tuple[bytes, ...] = request.app.state.api_keys
    required: bool | None = request.app.state.settings.suggest_require_key
    if required is False or (required is None and not keys):
        return
    if not keys:
        raise ApiError.one(
            403,
            "SUGGESTIONS_DISABLED",
            "Suggestions are disabled: TOXICITY_SUGGEST_REQUIRE_KEY is true but no API keys are configured "
            "(TOXICITY_API_KEYS, TOXICITY_API_KEYS_FILE).",
            "key",
        )
    if not matches(presented_key(request.scope, perspective=True), keys):
        raise ApiError.one(400, "API_KEY_INVALID", PERSPECTIVE_KEY_MESSAGE, "key")
