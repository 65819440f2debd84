"""Per-key rate limits: a token bucket per API key, or per client address when no keys are set.

Only the APIs are limited (``/v1/...`` and the Perspective ``.../v1alpha1/...``);
health probes, the docs, ``/openapi.json``, ``/metrics`` and the discovery document
never are. Over the limit, the answer is 429 with ``Retry-After`` (whole seconds,
rounded up) in the API's own error shape.

Buckets live in each worker process, so with ``TOXICITY_WORKERS=N`` a client can
get up to N times the rate; see the README. The table is bounded: past
``MAX_BUCKETS`` the least recently used bucket is dropped (it has been idle longest,
so it is usually full again anyway).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from service.core.auth import matches, presented_key
from service.core.errors import ApiError, render
from service.perspective.errors import is_perspective_path

MAX_BUCKETS = 65_536  # about 10 MB of (tokens, time) pairs and keys at most


class TokenBuckets:
    """Token buckets by key, refilled at ``rate`` per second up to ``burst``."""

    def __init__(
        self, rate: float, burst: int, max_buckets: int = MAX_BUCKETS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.max_buckets = max_buckets
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last update); insertion order is LRU

    def take(self, key: str) -> float:
        """Take one token for ``key``; return 0 if granted, else the seconds until one is available."""
        now = self.clock()
        entry = self._buckets.pop(key, None)
        tokens = self.burst if entry is None else min(self.burst, entry[0] + (now - entry[1]) * self.rate)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / self.rate
        self._buckets[key] = (tokens, now)  # re-inserted: now the most recently used
        if len(self._buckets) > self.max_buckets:
            del self._buckets[next(iter(self._buckets))]
        return wait

    def __len__(self) -> int:
        return len(self._buckets)


def bucket_key(scope: Scope, keys: tuple[bytes, ...]) -> str:
    """Return whom a request counts against: ``key:<key>`` for a valid API key, else ``addr:<client address>``.

    The suggestion quota (``service.perspective.suggest``) counts with the same key.
    """
    if keys:
        candidate = presented_key(scope, is_perspective_path(scope["path"]))
        if matches(candidate, keys):
            return f"key:{candidate}"
    client = scope.get("client")
    return f"addr:{client[0] if client else 'unknown'}"


def is_limited(path: str) -> bool:
    """Return whether requests to ``path`` count against the rate limit."""
    return path.startswith("/v1/") or "/v1alpha1/" in path


class RateLimit:
    """ASGI middleware answering 429 once a key or address has used up its bucket."""

    def __init__(self, app: ASGIApp, rate: float, burst: int, keys: tuple[bytes, ...]) -> None:
        self.app = app
        self.buckets = TokenBuckets(rate, burst)
        self.keys = keys
        self.per = "API key" if keys else "client address"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http" or not is_limited(scope["path"]):
            await self.app(scope, receive, send)
            return
        wait = self.buckets.take(self._who(scope))
        if wait <= 0.0:
            await self.app(scope, receive, send)
            return
        retry = max(1, math.ceil(wait))
        response = render(scope["path"], self._error(scope["path"], retry))
        await response(scope, receive, send)

    def _who(self, scope: Scope) -> str:
        """Return the bucket key: a valid API key when keys are set, else the client address."""
        return bucket_key(scope, self.keys)

    def _error(self, path: str, retry: int) -> ApiError:
        rate, burst = self.buckets.rate, int(self.buckets.burst)
        headers = {"Retry-After": str(retry)}
        if is_perspective_path(path):
            message = (
                f"Quota exceeded for quota metric 'Requests' and limit 'Requests per second per {self.per}' "
                f"of service 'commentanalyzer.googleapis.com': {rate:g} per second, bursts of {burst}. "
                f"Retry after {retry} s."
            )
            return ApiError.one(429, "RATE_LIMIT_EXCEEDED", message, None, rate, headers)
        message = (
            f"rate limit exceeded: {rate:g} requests per second per {self.per}, bursts of {burst} "
            f"(TOXICITY_RATE_LIMIT_PER_SECOND, TOXICITY_RATE_LIMIT_BURST); retry after {retry} s"
        )
        return ApiError.one(429, "rate_limited", message, None, rate, headers)
