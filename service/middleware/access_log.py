"""The access log: one JSON line per request, and the request metrics, from one middleware.

The access line carries a request id, method, route template, status, latency and
the number of comments; never the body, never the query string (it can hold an
API key). It goes through the handler ``service.logs.configure`` installs. The same
middleware records the request metrics (``service.core.metrics``), so they cost no
extra layer on the hot routes.

A client that goes away before its answer starts (mid-body, or while it waits) is
logged and counted with status 499 (``CLIENT_CLOSED``, nginx's convention), not as
a server error: nothing failed on our side, and no one should be paged for it.
"""

from __future__ import annotations

import random
import time
from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.logs import _direct_handler, access

if TYPE_CHECKING:  # importing prometheus_client here would fix its storage before `python -m service` chose it
    from service.core.metrics import Metrics

COMMENTS_KEY = "comments"  # routes set request.state.comments
ATTRIBUTES_KEY = "attributes"  # and request.state.attributes, the attributes they scored, once scored
CLIENT_CLOSED = 499  # the client disconnected before the response started


class AccessLog:
    """ASGI middleware writing one access line per HTTP request."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        request_id = _request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id  # uvicorn copies the state per request
        status = 500
        started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                started = True
                if status != CLIENT_CLOSED:  # an answer to a client that left reaches no one
                    status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        async def receive_wrapper() -> Message:
            nonlocal status
            message = await receive()
            if message["type"] == "http.disconnect" and not started:
                status = CLIENT_CLOSED
            return message

        try:
            await self.app(scope, receive_wrapper, send_wrapper)
        finally:
            elapsed = time.perf_counter() - start
            template = getattr(scope.get("route"), "path", None)
            state = scope.get("state", {})
            comments = state.get(COMMENTS_KEY, 0)
            self.metrics.observe_request(scope["method"], template, status, elapsed)
            if ATTRIBUTES_KEY in state:
                self.metrics.scored(state[ATTRIBUTES_KEY], comments)
            fields = {
                "request_id": request_id,
                "method": scope.get("method"),
                "route": template or scope.get("path"),
                "status": status,
                "latency_ms": round(elapsed * 1000, 3),
                "comments": comments,
            }
            handler = _direct_handler()
            if handler is not None:
                handler.write_access(fields)
            else:
                access.info("request", extra={"fields": fields})


def _request_id(scope: Scope) -> str:
    for key, value in scope.get("headers", ()):
        if key == b"x-request-id":
            candidate = str(value.decode("latin-1"))[:64]
            if candidate.isprintable():
                return candidate
    # A correlation id, not a secret: 128 bits from the module's Mersenne Twister (seeded
    # from os.urandom, re-seeded in forked children). secrets.token_hex(16) makes a system
    # call per request: 0.6 against 0.3 us in a loop, and 2 % of a busy worker's samples.
    return f"{random.getrandbits(128):032x}"
