"""``X-Coral-Signature``: check that a body was signed with one of the configured secrets, in constant time.

Coral signs the raw body it sends with every active secret of the phase and joins
the results: ``sha256=<hex>,sha256=<hex>`` (see the package docstring for the
source). A request is genuine when any presented signature equals the HMAC-SHA256
of the body under any configured secret (``TOXICITY_CORAL_SECRETS``), so both
sides can rotate a secret without dropping a comment.

Every pair is compared with ``hmac.compare_digest`` and none is skipped once one
matches, so the time taken does not tell which secret or signature matched. The
work is bounded: one HMAC per configured secret (at most ``CORAL_MAX_SECRETS``)
over a body already capped by ``TOXICITY_MAX_BODY_BYTES``, and at most
``MAX_SIGNATURES`` signatures in the header.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from functools import lru_cache

from service.core.errors import ApiError

HEADER = "X-Coral-Signature"
PREFIX = "sha256="
MAX_SIGNATURES = 16
WWW_AUTHENTICATE = {"WWW-Authenticate": f'{HEADER} realm="coral"'}


@lru_cache(maxsize=8)
def secrets_of(setting: str) -> tuple[bytes, ...]:
    """Return the secrets of ``TOXICITY_CORAL_SECRETS`` as bytes (empty: the route is off)."""
    return tuple(dict.fromkeys(s.strip().encode("utf-8") for s in setting.split(",") if s.strip()))


def sign(body: bytes, secrets: Sequence[bytes]) -> str:
    """Return the header value Coral sends for ``body``: one ``sha256=<hex>`` per secret, comma-separated."""
    return ",".join(PREFIX + hmac.new(s, body, hashlib.sha256).hexdigest() for s in secrets)


def verify(header: str | None, body: bytes, secrets: Sequence[bytes]) -> None:
    """Return if ``header`` holds a signature of ``body`` under one of ``secrets``; else raise a 401."""
    if header is None or not header.strip():
        raise _refused(
            "signature_missing",
            f"{HEADER} is missing: Coral signs each request with the phase's signing secret (sha256=<hex>)",
        )
    presented = [p.strip().lower() for p in header.split(",", MAX_SIGNATURES) if p.strip()]
    if len(presented) > MAX_SIGNATURES:
        raise _refused(
            "signature_invalid",
            f"{HEADER} holds more than {MAX_SIGNATURES} signatures; the limit is {MAX_SIGNATURES}",
            MAX_SIGNATURES,
        )
    expected = [PREFIX.encode() + hmac.new(s, body, hashlib.sha256).hexdigest().encode() for s in secrets]
    found = False
    for signature in presented:
        given = signature.encode("latin-1", "replace")  # headers arrive as latin-1; a non-ASCII one never matches
        for wanted in expected:
            found |= hmac.compare_digest(given, wanted)
    if not found:
        raise _refused(
            "signature_invalid",
            f"{HEADER} matches no configured secret (TOXICITY_CORAL_SECRETS) for this body: "
            f"expected {PREFIX}<64 hex digits> of the HMAC-SHA256 of the raw body",
        )


def _refused(code: str, message: str, limit: int | None = None) -> ApiError:
    return ApiError.one(401, code, message, HEADER, limit, headers=WWW_AUTHENTICATE)
