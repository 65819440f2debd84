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
import re
import time
from typing import TYPE_CHECKING

from fastapi.routing import iter_route_contexts  # FastAPI 0.165+: also the routes of included routers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.logs import _direct_handler, access

if TYPE_CHECKING:  # importing prometheus_client here would fix its storage before `python -m service` chose it
    from fastapi import FastAPI

    from service.core.metrics import Metrics

COMMENTS_KEY = "comments"  # routes set request.state.comments
ATTRIBUTES_KEY = "attributes"  # and request.state.attributes, the attributes they scored, once scored
CLIENT_CLOSED = 499  # the client disconnected before the response started


class AccessLog:
    """ASGI middleware writing one access line per HTTP request."""

    def __init__(self, app: ASGIApp, metrics: Metrics, routes: RouteTable | None = None) -> None:
        self.app = app
        self.metrics = metrics
        self.routes = routes or []

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
            template = getattr(scope.get("route"), "path", None) or route_template(self.routes, scope)
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


RouteTable = list[tuple[re.Pattern[str], frozenset[str], str]]


def route_table(app: FastAPI) -> RouteTable:
    """Return (path pattern, methods, template) for every API route of ``app``, included routers' too."""
    table: RouteTable = []
    for context in iter_route_contexts(app.router.routes):
        pattern, methods, path = getattr(context, "path_regex", None), context.methods, context.path
        if pattern is not None and methods and path:
            table.append((pattern, frozenset(methods), path))
    return table


def route_template(table: RouteTable, scope: Scope) -> str | None:
    """Return the template of the route this request's method and path match, or None.

    For requests answered before routing ran: a body refused by ``BodyGuard`` (not
    JSON, too large, too slow) or a request over its rate limit still counts under
    its route. Only requests that match no route (404, 405) stay unmatched.
    """
    path, method = scope.get("path", ""), scope.get("method", "")
    for pattern, methods, template in table:
        if method in methods and pattern.match(path):
            return template
    return None


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
