"""Prometheus metrics, recorded by the access-log middleware and read at ``GET /metrics``.

With several workers each process writes its samples to files in
``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's multiprocess mode) and a scrape,
whichever worker answers it, sums them all. ``python -m service`` sets that
variable before any worker starts; it must be set before ``prometheus_client`` is
first imported, since the library picks its storage then. Without it (tests, a
bare ``uvicorn service.main:app``) each app has its own in-memory registry.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import multiprocess as prom_multiprocess
from prometheus_client import values as prom_values
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4  # what every Prometheus version parses; the library serves it by default
UNMATCHED = "unmatched"  # requests that match no route (404, 405): never the raw path, a scanner's playground
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})  # others count as "other"

FLUSH_SECONDS = 0.1  # how long request samples may wait in a worker (Metrics.observe_request)
# Single comments score in well under a millisecond; batches and explanations take longer.
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def multiprocess_enabled() -> bool:
    """Return whether samples go to ``PROMETHEUS_MULTIPROC_DIR`` files."""
    return bool(os.environ.get(MULTIPROC_ENV))


class Metrics:
    """The service's metrics and their exposition."""

    def __init__(self) -> None:
        self.multiprocess = multiprocess_enabled()
        if self.multiprocess and prom_values.ValueClass is prom_values.MutexValue:
            raise RuntimeError(
                f"{MULTIPROC_ENV} was set after prometheus_client was imported; set it before the process starts"
            )
        self.registry = CollectorRegistry()
        if self.multiprocess:
            # Samples live in the shared files; the collector reads every worker's.
            prom_multiprocess.MultiProcessCollector(self.registry)  # type: ignore[no-untyped-call]  # untyped upstream
        own = None if self.multiprocess else self.registry
        self.requests = Counter(
            "toxicity_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=own,
        )
        self.latency = Histogram(
            "toxicity_http_request_duration_seconds",
            "Time from receiving a request to the end of its response, by method, route template and status.",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=own,
        )
        self.comments = Counter(
            "toxicity_comments_scored",
            "Comments scored, per attribute.",
            ["attribute"],
            registry=own,
        )
        self.model_info = Gauge(
            "toxicity_model_info",
            "The model version being served (value 1).",
            ["version"],
            registry=own,
            multiprocess_mode="livemax",  # 1 while any live worker serves that version
        )
        self.model_loads = Counter(
            "toxicity_model_loads",
            "Model loads at start-up and reloads, by outcome.",
            ["outcome"],
            registry=own,
        )
        # Request samples wait here until flush() (see observe_request); the lock guards the swap.
        self._lock = threading.Lock()
        self._pending: dict[tuple[str, str, int], list[float]] = {}
        self._pending_scored: dict[tuple[str, ...], int] = {}
        self._flush_on: asyncio.AbstractEventLoop | None = None  # the loop a flush is scheduled on

    def observe_request(self, method: str, route: str | None, status: int, seconds: float) -> None:
        """Count one answered request and its latency; ``route`` is the template, None if unrouted.

        Requests and scored comments are recorded in bulk: kept in this process and
        written to the metrics at most ``FLUSH_SECONDS`` later, by a callback on the
        running event loop (at once when there is none). In multiprocess mode every
        sample is a locked write to a memory-mapped file; nine of them per scored
        request were about 5 % of a busy worker's time, and recording in bulk runs
        that code once per flush instead of once per request. A scrape flushes its own
        process first, so it misses nothing of the worker that answers it, and at most
        the last ``FLUSH_SECONDS`` of the others.
        """
        if route is None:
            route = UNMATCHED
        if method not in METHODS:
            method = "other"  # the method is the client's to choose: keep the label set bounded
        key = (method, route, status)
        with self._lock:
            latencies = self._pending.get(key)
            if latencies is None:
                self._pending[key] = [seconds]
            else:
                latencies.append(seconds)
        self._flush_soon()

    def scored(self, attributes: Iterable[str], comments: int) -> None:
        """Count ``comments`` scored for each attribute (recorded in bulk, as requests are)."""
        key = tuple(attributes)
        with self._lock:
            self._pending_scored[key] = self._pending_scored.get(key, 0) + comments
        self._flush_soon()

    def _flush_soon(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop in this thread: nothing would run a callback
            self.flush()
            return
        # One callback per loop; a loop that ended before its callback ran is not waited for.
        if self._flush_on is not loop:
            self._flush_on = loop
            loop.call_later(FLUSH_SECONDS, self.flush)

    def flush(self) -> None:
        """Write the samples recorded since the last flush."""
        with self._lock:
            pending, self._pending = self._pending, {}
            scored, self._pending_scored = self._pending_scored, {}
            self._flush_on = None
        # labels() runs once per flush, not once per request.
        for (method, route, status), latencies in pending.items():
            self.requests.labels(method, route, str(status)).inc(len(latencies))
            histogram = self.latency.labels(method, route, str(status))
            for seconds in latencies:
                histogram.observe(seconds)
        for names, comments in scored.items():
            for name in names:
                self.comments.labels(name).inc(comments)

    def model_loaded(self, version: str, previous: str | None = None) -> None:
        """Record a successful load and switch the info metric to ``version``."""
        if previous is not None and previous != version:
            # In multiprocess mode remove() would leave the sample in this worker's file; zero it instead.
            self.model_info.labels(previous).set(0)
        self.model_info.labels(version).set(1)
        self.model_loads.labels("success").inc()

    def model_load_failed(self) -> None:
        """Record a load that failed."""
        self.model_loads.labels("failure").inc()

    def exposition(self) -> bytes:
        """Return every metric in the Prometheus text format, summed over workers."""
        self.flush()
        return generate_latest(self.registry)

    def worker_exiting(self) -> None:
        """Write pending samples, then drop this worker's live gauges from the shared files (multiprocess mode)."""
        self.flush()
        if self.multiprocess:
            prom_multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]  # untyped upstream
