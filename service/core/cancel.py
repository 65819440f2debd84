"""Heavy work in the thread pool: a few at a time, and stopped when the client goes away.

Explanations and span annotations cost far more than a score (a 20 KB comment's
explanation is a few hundred milliseconds of Python, holding the GIL), and run in
the thread pool so the event loop stays free. Two things bound them:

- ``HeavySlots`` lets ``TOXICITY_MAX_HEAVY_REQUESTS`` of them compute at once per
  worker; the others wait on the event loop, costing nothing. Each busy thread
  takes the GIL from the loop for up to 5 ms at a time, so forty at once (the pool's
  size) would make every small request and ``/healthz`` wait their turn behind them.
- ``Cancel`` is set when the client disconnects. Uvicorn does not cancel a request
  whose client went away, so without it the work would run to the end for nobody;
  the work checks it between comments and stops with ``ClientGone``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.types import Receive


class ClientGone(Exception):
    """The client disconnected: the rest of the request's work was skipped."""


class Cancel:
    """A flag the event loop sets and the worker thread checks."""

    __slots__ = ("_event",)

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        """Ask the work to stop."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """Return whether the work was asked to stop."""
        return self._event.is_set()

    def check(self) -> None:
        """Raise ``ClientGone`` once the work was asked to stop."""
        if self._event.is_set():
            raise ClientGone


NEVER = Cancel()
"""A flag nobody sets, for work done on the event loop."""

SERVER_RECEIVE = "toxicity.receive"
"""Scope key where ``BodyGuard`` leaves the server's own ``receive``, past the body it read.

Watching that one, not the request's (which replays the body once), leaves the
body for whoever reads it later: FastAPI does when ``HotRoutes`` hands it a request.
"""


async def _watch(receive: Receive, cancel: Cancel) -> None:
    """Set ``cancel`` when the ASGI server reports the client gone.

    The body was read already (``BodyGuard`` replays it once), so the next message
    the server has for this request is ``http.disconnect``.
    """
    while (await receive())["type"] != "http.disconnect":
        pass
    cancel.set()


@asynccontextmanager
async def watching(receive: Receive) -> AsyncIterator[Cancel]:
    """Yield a ``Cancel`` that is set if the client disconnects before the block ends."""
    cancel = Cancel()
    task = asyncio.create_task(_watch(receive, cancel))
    try:
        yield cancel
    finally:
        task.cancel()


class HeavySlots:
    """At most ``size`` heavy requests compute at once; the rest wait in arrival order."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._semaphore: asyncio.Semaphore | None = None

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one slot for the block."""
        if self._semaphore is None:  # made on first use, inside the serving event loop
            self._semaphore = asyncio.Semaphore(self.size)
        async with self._semaphore:
            yield
