"""Optional API keys, compared in constant time, in two roles: scoring and operator.

Scoring keys come from ``TOXICITY_API_KEYS`` (comma-separated) and
``TOXICITY_API_KEYS_FILE`` (one per line); with none configured the scoring API is
open. Operator keys (``TOXICITY_ADMIN_KEYS``, ``TOXICITY_ADMIN_KEYS_FILE``) are a
separate list: only they open the operator routes (``require_admin``), which are
disabled while none is configured. A key in both lists may do both.

The native API takes ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``; the
Perspective API takes ``?key=``, as Google's discovery client sends it, or the
``X-Goog-Api-Key`` header, as google-auth's API-key credentials send it. Health
probes and the docs stay open.
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
    """Return every configured scoring key as bytes (empty: the API is open)."""
    return _keys(settings.api_keys, settings.api_keys_file, "TOXICITY_API_KEYS_FILE")


def load_admin_keys(settings: Settings) -> tuple[bytes, ...]:
    """Return every configured operator key as bytes (empty: operator routes are disabled)."""
    return _keys(settings.admin_keys, settings.admin_keys_file, "TOXICITY_ADMIN_KEYS_FILE")


def _keys(listed: str, path: Path | None, setting: str) -> tuple[bytes, ...]:
    keys = [k.strip() for k in listed.split(",") if k.strip()]
    if path is not None:
        keys += _read_file(path, setting)
    return tuple(k.encode("utf-8") for k in dict.fromkeys(keys))


def _read_file(path: Path, setting: str) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KeysFileError(f"cannot read {setting} {path}: {exc}") from None
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

    Perspective requests send ``?key=``, else ``X-Goog-Api-Key``; native ones
    ``Authorization: Bearer``, else ``X-API-Key``. The rate limiter and the routes'
    checks both read it here, so they agree on which key a request carries.
    """
    if perspective:
        key = QueryParams(scope.get("query_string", b"")).get("key")
        return key if key is not None else Headers(scope=scope).get("x-goog-api-key")
    headers = Headers(scope=scope)
    authorization = headers.get("authorization", "")
    return authorization[7:].strip() if authorization[:7].lower() == "bearer " else headers.get("x-api-key")


async def native_key(request: Request) -> None:
    """Require a key on the native API when keys are configured."""
    keys: tuple[bytes, ...] = request.app.state.api_keys
    if not keys:
        return
    if not matches(presented_key(request.scope, perspective=False), keys):
        raise unauthenticated()


def unauthenticated(role: str = "API key") -> ApiError:
    """Return the 401 of a request without a valid key of ``role``."""
    return ApiError.one(
        401,
        "unauthenticated",
        f"a valid {role} is required: send Authorization: Bearer <key> or X-API-Key: <key>",
        "authorization",
        headers={"WWW-Authenticate": 'Bearer realm="toxicity"'},
    )


async def require_admin(request: Request) -> None:
    """Require an operator key (``TOXICITY_ADMIN_KEYS``): the guard of every operator route.

    403 while no operator key is configured, 403 for a scoring key, 401 for no key or
    an unknown one.
    """
    admin: tuple[bytes, ...] = request.app.state.admin_keys
    if not admin:
        raise admin_disabled()
    candidate = presented_key(request.scope, perspective=False)
    if matches(candidate, admin):
        return
    if matches(candidate, request.app.state.api_keys):
        raise admin_forbidden()
    raise unauthenticated(ADMIN_ROLE)


ADMIN_ROLE = "operator key (TOXICITY_ADMIN_KEYS)"


def admin_disabled() -> ApiError:
    """Return the 403 of an operator route while no operator key is configured."""
    return ApiError.one(
        403,
        "admin_disabled",
        "operator routes are disabled because no operator keys are configured (TOXICITY_ADMIN_KEYS or "
        "TOXICITY_ADMIN_KEYS_FILE); configure one, or send SIGHUP to reload the model",
        "authorization",
    )


def admin_forbidden() -> ApiError:
    """Return the 403 of an operator route called with a scoring key."""
    return ApiError.one(
        403,
        "forbidden",
        "this key may score comments but not call operator routes; they need a key listed in "
        "TOXICITY_ADMIN_KEYS (or TOXICITY_ADMIN_KEYS_FILE)",
        "authorization",
    )


PERSPECTIVE_KEY_MESSAGE = "API key not valid. Please pass a valid API key."


async def perspective_key(request: Request) -> None:
    """Require ``?key=`` (or ``X-Goog-Api-Key``) on the Perspective API when keys are configured."""
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
        raise suggestions_disabled()
    if not matches(presented_key(request.scope, perspective=True), keys):
        raise ApiError.one(400, "API_KEY_INVALID", PERSPECTIVE_KEY_MESSAGE, "key")


def suggestions_disabled() -> ApiError:
    """Return the 403 of a suggestion while TOXICITY_SUGGEST_REQUIRE_KEY is true and no keys exist."""
    return ApiError.one(
        403,
        "SUGGESTIONS_DISABLED",
        "Suggestions are disabled: TOXICITY_SUGGEST_REQUIRE_KEY is true but no API keys are configured "
        "(TOXICITY_API_KEYS, TOXICITY_API_KEYS_FILE).",
        "key",
    )
