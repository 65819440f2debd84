"""Score the small requests that start in the same event-loop turn with one model call.

``ScoreBatcher`` is what ``scoring.run_scoring`` awaits for a request small enough
to score on the event loop; one instance per app, on ``app.state.batcher``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from model import ToxicityModel

Rows = list[dict[str, float]]
"""What ``ToxicityModel.score`` returns: one ``{attribute: probability}`` per text."""


@dataclass(slots=True)
class _Ask:
    model: ToxicityModel
    texts: Sequence[str]
    attributes: tuple[str, ...]
    future: asyncio.Future[Rows]


class ScoreBatcher:
    """Scores the small requests that start in the same event-loop turn with one model call.

    Under load a worker's event loop starts many requests per turn: every connection
    with a complete request has its task stepped before the loop polls the sockets
    again, and nothing in a small scoring request waits on I/O before it is scored.
    Each request asks ``score`` and waits. The first ask of a turn schedules the batch
    with ``call_soon``, which queues it behind the request tasks already queued, so it
    runs once every request started in that turn has asked. It then makes one
    ``model.score`` call per (model, attributes) for all of them and hands each request
    its own rows. Nothing waits on a timer.

    One call instead of one per request shares the kernel's per-call work and its cache
    misses: after each request's framework work the vocabulary tables and weights are
    cold again. The work on the loop is the same the requests did inline one by one,
    so a batch stalls the loop no longer than they did. A request whose client went
    away (its future cancelled) is not scored. If a call fails, its requests are scored
    one by one, so one failing request fails only itself.

    Waiting for the batch costs a request two more loop turns, which is only worth
    paying when other requests join it. After ``SOLO_LIMIT`` batches in a row that
    held one request each (a client at a time), the next ``DIRECT_ASKS`` asks are
    scored at once, without waiting; then batching is tried again.
    """

    SOLO_LIMIT = 64
    DIRECT_ASKS = 1024

    def __init__(self) -> None:
        self._open: list[_Ask] | None = None  # the asks of the turn whose batch is scheduled
        self._open_loop: asyncio.AbstractEventLoop | None = None
        self._solo = 0  # batches in a row of one ask
        self._direct = 0  # asks still to score at once

    def score(self, model: ToxicityModel, texts: Sequence[str], attributes: Sequence[str]) -> asyncio.Future[Rows]:
        """Return a future of ``model.score(texts, attributes)``, scored with this turn's batch."""
        loop = asyncio.get_running_loop()
        ask = _Ask(model, texts, tuple(attributes), loop.create_future())
        if self._direct > 0:
            self._direct -= 1
            _answer(ask)
            return ask.future
        asks = self._open
        if asks is None or self._open_loop is not loop:
            asks = self._open = []
            self._open_loop = loop
            loop.call_soon(self._run, asks)
        asks.append(ask)
        return ask.future

    def _run(self, asks: list[_Ask]) -> None:
        if self._open is asks:
            self._open = None
        if len(asks) > 1:
            self._solo = 0
        else:
            self._solo += 1
            if self._solo >= self.SOLO_LIMIT:
                self._solo = 0
                self._direct = self.DIRECT_ASKS
        groups: dict[tuple[int, tuple[str, ...]], list[_Ask]] = {}
        for ask in asks:
            if not ask.future.done():  # cancelled: nobody is waiting
                groups.setdefault((id(ask.model), ask.attributes), []).append(ask)
        for group in groups.values():
            if len(group) == 1:
                _answer(group[0])
                continue
            texts = [text for ask in group for text in ask.texts]
            try:
                rows = group[0].model.score(texts, group[0].attributes)
            except Exception:  # noqa: BLE001 - each request then gets its own result or error
                for ask in group:
                    _answer(ask)
                continue
            start = 0
            for ask in group:
                end = start + len(ask.texts)
                ask.future.set_result(rows[start:end])
                start = end


def _answer(ask: _Ask) -> None:
    """Score one ask on its own; its future gets the rows or the error."""
    try:
        rows = ask.model.score(ask.texts, ask.attributes)
    except Exception as exc:  # noqa: BLE001 - raised in the request's own task
        ask.future.set_exception(exc)
    else:
        ask.future.set_result(rows)
