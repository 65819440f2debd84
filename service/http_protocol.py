"""uvicorn's HTTP/1.1 protocol (httptools) with a deadline on request headers.

uvicorn times a connection only between requests (``timeout_keep_alive``): one
that connects and sends nothing, or sends its headers a byte at a time, is kept
open for ever, and enough of them exhaust the process's file descriptors (a
"slowloris"). ``HeaderDeadlineProtocol`` gives each request's headers
``TOXICITY_HEADER_READ_TIMEOUT_SECONDS``, counted from the connection's start for
the first request and from the first byte of each later one. Past it, a client
that sent nothing is disconnected, and one that sent part of its headers gets a
plain ``408`` and is disconnected. The body's own deadline is
``middleware.body_guard``'s, once the app has the request.

**Graceful shutdown without dropped requests.** When a worker is retired (SIGTERM,
or SIGHUP to the supervisor, which starts a new worker and then retires an old one),
uvicorn closes every connection that is not answering a request at that moment. A
client that has just connected, or is reusing a keep-alive connection, may already
have its request on the wire: it gets "server disconnected" and nothing else. Here an
idle connection is given ``SHUTDOWN_GRACE_SECONDS`` for a request to arrive; one that
does is answered with ``connection: close``, and a connection still idle after the
grace is closed as before. A request whose headers are arriving is let finish.

``python -m service`` hands uvicorn this class by its import path, so every worker
process imports it (and reads the setting) itself.
"""

from __future__ import annotations

import asyncio
from functools import cache

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from service.settings import Settings

IMPORT_PATH = "service.http_protocol:HeaderDeadlineProtocol"
SHUTDOWN_GRACE_SECONDS = 1.0
"""How long an idle connection of a retiring worker waits for a request already on its way."""


@cache
def header_timeout() -> float:
    """Return ``TOXICITY_HEADER_READ_TIMEOUT_SECONDS``, read once per process."""
    return Settings().header_read_timeout_seconds


def timeout_response(seconds: float) -> bytes:
    """Return the raw 408 answer to headers that took too long."""
    body = f"request headers not received within {seconds:g} s (TOXICITY_HEADER_READ_TIMEOUT_SECONDS)\n".encode()
    head = (
        "HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    ).encode()
    return head + body


class HeaderDeadlineProtocol(HttpToolsProtocol):
    """``HttpToolsProtocol`` that closes connections whose request headers arrive too slowly."""

    _deadline: asyncio.TimerHandle | None = None
    _reading_headers = False  # part of a request's headers has arrived
    _retiring = False  # the worker is shutting down: answer what arrives, then close

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Start the first request's deadline as the connection opens."""
        super().connection_made(transport)  # type: ignore[arg-type]  # uvicorn narrows it to Transport
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        """Drop the deadline with the connection."""
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        """Time a later request's headers from their first byte (the first request's run from connecting)."""
        self._reading_headers = True
        if self._deadline is None:
            self._arm()
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        """Stop the clock: the body has its own deadline, in the app."""
        self._reading_headers = False
        self._disarm()
        super().on_headers_complete()
        if self._retiring and self.cycle is not None:
            self.cycle.keep_alive = False  # answer it with "connection: close", then close

    def shutdown(self) -> None:
        """Start a graceful shutdown that does not drop a request the client has already sent."""
        self._retiring = True
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.keep_alive = False  # as uvicorn: finish this response, then close
            return
        if not self._reading_headers:
            self.loop.call_later(min(SHUTDOWN_GRACE_SECONDS, header_timeout()), self._close_if_idle)
        # Headers already arriving finish (their deadline still runs); on_headers_complete marks the close.

    def _close_if_idle(self) -> None:
        if self.transport.is_closing() or self._reading_headers:
            return
        if self.cycle is not None and not self.cycle.response_complete:
            return  # a request came in the grace: its response closes the connection
        self.transport.close()

    def _arm(self) -> None:
        self._deadline = self.loop.call_later(header_timeout(), self._expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            self._arm()  # a pipelined request is still being answered: never cut its response short
            return
        if self._reading_headers:
            self.transport.write(timeout_response(header_timeout()))
        self.transport.close()
