"""Read request bodies safely: cap the size while reading, then parse JSON once.

``BodyGuard`` is plain ASGI middleware in front of every route. For requests with
a body it

1. refuses a ``Content-Length`` above the cap at once (413), and otherwise counts
   bytes as they arrive and stops reading at the cap (413), so an oversized body
   is never buffered whole, let alone parsed;
2. gives the whole body ``TOXICITY_BODY_READ_TIMEOUT_SECONDS`` to arrive, counted
   from the end of the headers, and answers 408 (closing the connection) after
   that, so a client sending one byte at a time cannot hold a request open;
3. requires UTF-8 (400, naming the byte offset) and parses JSON with orjson, whose
   nesting limit (1024) turns a 10,000-level document into a 400 instead of a
   ``RecursionError``;
4. hands the parsed value to the route through the scope (``JSONRoute``), so the
   body is parsed once, whatever ``Content-Type`` the client sent.
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from fastapi import Request
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.core.cancel import SERVER_RECEIVE
from service.core.errors import ApiError, render

PARSED = "toxicity.json"


class BodyGuard:
    """Cap, decode and parse JSON request bodies before any route sees them."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, read_timeout: float = 5.0) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.read_timeout = read_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        limit = self.max_body_bytes
        declared = _header(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            if declared.isdigit():
                await self._fail(scope, send, _too_large(int(declared), limit))
            else:
                await self._fail(scope, send, ApiError.one(400, "invalid_header", "Content-Length is not a number"))
            return
        chunks: list[bytes] = []
        size = 0
        # One deadline for the whole body (not per chunk): a byte a second would renew a per-chunk one.
        # A bare timer that cancels this task: asyncio.timeout() cost 3.8 us a request under uvloop, this 0.7.
        task = asyncio.current_task()
        expired = False

        def expire() -> None:
            nonlocal expired
            expired = True
            if task is not None:
                task.cancel()

        timer = asyncio.get_running_loop().call_later(self.read_timeout, expire)
        try:
            while size <= limit:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return  # the access log records the client leaving (499)
                chunk = message.get("body", b"")
                size += len(chunk)
                chunks.append(chunk)
                if not message.get("more_body", False):
                    break
        except asyncio.CancelledError:
            if not expired or task is None:
                raise  # cancelled from outside (shutdown): not ours to answer
            task.uncancel()
            await self._fail(scope, send, _too_slow(size, declared, self.read_timeout))
            return
        finally:
            timer.cancel()
        if size > limit:
            await self._fail(scope, send, _too_large(size, limit, partial=True))
            return
        body = b"".join(chunks)
        if body:
            try:
                scope[PARSED] = orjson.loads(body)
            except orjson.JSONDecodeError as exc:
                await self._fail(scope, send, _bad_json(body, exc))
                return
            # The route reads JSON whatever the client called it.
            scope["headers"] = [(k, v) for k, v in scope["headers"] if k != b"content-type"] + [
                (b"content-type", b"application/json")
            ]
        scope[SERVER_RECEIVE] = receive  # watched for a disconnect by heavy work (core.cancel)
        await self.app(scope, replay_body(body, receive), send)

    async def _fail(self, scope: Scope, send: Send, err: ApiError) -> None:
        response = render(scope.get("path", ""), err)
        await response(scope, _never_receive, send)


def replay_body(body: bytes, receive: Receive) -> Receive:
    """Return a ``receive`` that hands the app ``body`` whole once, then passes on to ``receive``."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _never_receive() -> Message:
    return {"type": "http.disconnect"}


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1").strip())
    return None


def _too_large(size: int, limit: int, partial: bool = False) -> ApiError:
    got = f"more than {limit}" if partial else str(size)
    return ApiError.one(
        413,
        "body_too_large",
        f"request body is {got} bytes; the limit is {limit} bytes (TOXICITY_MAX_BODY_BYTES)",
        "body",
        limit,
    )


def _too_slow(size: int, declared: str | None, seconds: float) -> ApiError:
    of = f" of {declared}" if declared is not None else ""
    # The rest of the body may still be on its way: close the connection rather than read it.
    return ApiError.one(
        408,
        "body_read_timeout",
        f"request body not received within {seconds:g} s (TOXICITY_BODY_READ_TIMEOUT_SECONDS); got {size}{of} bytes",
        "body",
        seconds,
        headers={"Connection": "close"},
    )


def _bad_json(body: bytes, exc: orjson.JSONDecodeError) -> ApiError:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as bad:
        return ApiError.one(
            400,
            "invalid_utf8",
            f"body is not valid UTF-8: byte {bad.start} (0x{body[bad.start]:02x}) is invalid",
            "body",
        )
    message = str(exc.msg) if hasattr(exc, "msg") else str(exc)
    if "depth" in message.lower() or "recursion" in message.lower():
        return ApiError.one(400, "invalid_json", "body is nested too deeply; the limit is 1024 levels", "body", 1024)
    return ApiError.one(400, "invalid_json", f"body is not valid JSON: {message} (character {exc.pos})", "body")


class JSONRequest(Request):
    """A request whose ``json()`` is what ``BodyGuard`` already parsed."""

    async def json(self) -> Any:
        """Return the parsed body."""
        if PARSED in self.scope:
            return self.scope[PARSED]
        return await super().json()


class JSONRoute(APIRoute):
    """Route class that serves handlers a ``JSONRequest``."""

    def get_route_handler(self):  # type: ignore[no-untyped-def]
        """Wrap FastAPI's handler so it sees the already-parsed body."""
        handler = super().get_route_handler()

        async def wrapped(request: Request) -> Any:
            return await handler(JSONRequest(request.scope, request.receive))

        return wrapped
