"""Soak test: a fixed-rate mix of real requests for a long time, watching errors, latency and memory.

Open-loop load: request ``i`` is due at ``start + i / rate`` whatever happened to
the earlier ones, so a slow server is not hidden by a client that waits for it
(``wrk`` is closed-loop, and ``wrk2``'s ``-R`` is not packaged). Latency is
measured from the moment a request was *due*, so client-side queueing counts
against the server. The client is asyncio (uvloop when installed) speaking raw
HTTP/1.1 keep-alive over a pool of connections; the pool grows on demand up to
``--max-inflight``, and a request due while that many are outstanding is not
sent and counts as an ``overload`` error. Nothing runs past ``--duration`` plus
``--drain`` seconds.

Every ``--report-every`` seconds it prints, for that window: requests completed,
errors (non-2xx, socket errors, timeouts, overload), p50/p99/max latency, and the
RSS of each worker process (``/proc/<pid>/status`` VmRSS). At the end: totals,
achieved rate, RSS at the start and the end and the growth, written to
``bench/results/soak.json``. Bodies are real comments from the shared data's
validation split (``bench/texts.py``).

    python bench/soak.py                       # 600 s at 1000 req/s, 2 workers, default mix
    python bench/soak.py --duration 60 --rate 500 --mix score=80,batch100=0,analyze=20
    python bench/soak.py --url http://127.0.0.1:8000 --server-pid 1234
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import resource
import signal
import sys
import tempfile
import time
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import SHARED_DATA, has_data, rss_mb, worker_pids, write_json
from bench.http_load import server
from bench.texts import validation_texts

KINDS = ("score", "batch100", "analyze")
PATHS = {"score": "/v1/score", "batch100": "/v1/score", "analyze": "/v1alpha1/comments:analyze"}
DEFAULT_MIX = "score=70,batch100=2,analyze=28"
KEEP_ALIVE_S = 4.0  # reuse idle connections younger than this: uvicorn closes them after 5 s


def parse_mix(text: str) -> dict[str, float]:
    """Read ``score=70,batch100=2,analyze=28`` into weights."""
    mix: dict[str, float] = {}
    for part in text.split(","):
        name, _, weight = part.partition("=")
        name = name.strip()
        if name not in KINDS:
            raise argparse.ArgumentTypeError(f"unknown request kind {name!r}; choose from {', '.join(KINDS)}")
        mix[name] = float(weight)
        if mix[name] < 0:
            raise argparse.ArgumentTypeError(f"weight of {name} is negative")
    if sum(mix.values()) <= 0:
        raise argparse.ArgumentTypeError("the mix has no positive weight")
    return mix


def request_bodies(kind: str, texts: Sequence[str], count: int = 2000) -> list[bytes]:
    """Return JSON bodies of one kind, from real comments in a fixed order."""
    if kind == "batch100":
        return [
            json.dumps({"comments": [{"text": t, "id": str(j)} for j, t in enumerate(texts[i : i + 100])]}).encode()
            for i in range(0, min(len(texts), 100 * 200) - 99, 100)
        ]
    if kind == "analyze":
        return [
            json.dumps(
                {
                    "comment": {"text": t},
                    "requestedAttributes": {"TOXICITY": {}, "INSULT": {}},
                    "languages": ["en"],
                    "doNotStore": True,
                }
            ).encode()
            for t in texts[:count]
        ]
    return [json.dumps({"comments": [{"text": t}]}).encode() for t in texts[:count]]


def raw_requests(kind: str, bodies: Sequence[bytes], host: str) -> list[bytes]:
    """Return whole HTTP/1.1 requests, ready to write."""
    head = f"POST {PATHS[kind]} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
    return [f"{head}Content-Length: {len(b)}\r\n\r\n".encode() + b for b in bodies]


def percentile(values: Sequence[float], q: float) -> float | None:
    """Return the ``q`` quantile (nearest rank) of ``values``, or None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


@dataclass
class Window:
    """Figures for one reporting window."""

    completed: int = 0
    ok: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    latencies_ms: array = field(default_factory=lambda: array("d"))  # type: ignore[type-arg]
    by_kind: Counter[str] = field(default_factory=Counter)


class Connection:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.idle_since = 0.0

    async def roundtrip(self, raw: bytes) -> int:
        """Send one request and read its whole response; return the status."""
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length = None
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        if length is None:
            raise ConnectionError("response without Content-Length")
        await self.reader.readexactly(length)
        return status

    def close(self) -> None:
        """Close the socket."""
        self.writer.close()


class Soak:
    """The open-loop load generator and its bookkeeping."""

    def __init__(self, args: argparse.Namespace, requests: dict[str, list[bytes]]) -> None:
        self.args = args
        self.requests = requests
        parts = urlsplit(args.url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.kinds = [k for k, w in args.mix.items() if w > 0]
        self.weights = [args.mix[k] for k in self.kinds]
        self.rng = random.Random(args.seed)
        self.cursor: Counter[str] = Counter()
        self.idle: list[Connection] = []
        self.in_flight = 0
        self.opened = 0
        self.retried = 0
        self.sent = 0
        self.window = Window()
        self.total = Window()
        self.tasks: set[asyncio.Task[None]] = set()

    async def one(self, kind: str, raw: bytes, due: float) -> None:
        """Send one request due at ``due`` and record what happened."""
        loop = asyncio.get_running_loop()
        error: str | None = None
        status = 0
        conn = self.reuse(loop.time())
        try:
            if conn is not None:
                try:
                    status = await asyncio.wait_for(conn.roundtrip(raw), self.args.timeout)
                except (ConnectionError, asyncio.IncompleteReadError) as exc:
                    # The server closed a kept-alive connection before reading this request (nothing came
                    # back), as HTTP clients assume and retry; anything else is a real error.
                    if isinstance(exc, asyncio.IncompleteReadError) and exc.partial:
                        raise
                    conn.close()
                    conn = None
                    self.retried += 1
            if conn is None:
                conn = await self.connect()
                status = await asyncio.wait_for(conn.roundtrip(raw), self.args.timeout)
        except TimeoutError:
            error = "timeout"
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ValueError):
            error = "socket"
        finally:
            self.in_flight -= 1
        if error is None and conn is not None:
            conn.idle_since = loop.time()
            self.idle.append(conn)
        elif conn is not None:
            conn.close()
        if error is None and not 200 <= status < 300:
            error = f"http_{status}"
        latency = (loop.time() - due) * 1000
        for w in (self.window, self.total):
            w.completed += 1
            w.by_kind[kind] += 1
            if error is None:
                w.ok += 1
                w.latencies_ms.append(latency)
            else:
                w.errors[error] += 1

    def reuse(self, now: float) -> Connection | None:
        """Return the most recently used idle connection, closing any the server may have dropped by now."""
        while self.idle:
            conn = self.idle.pop()
            if now - conn.idle_since < KEEP_ALIVE_S:
                return conn
            conn.close()
        return None

    async def connect(self) -> Connection:
        """Open a new keep-alive connection."""
        reader, writer = await asyncio.open_connection(self.host, self.port, limit=1 << 22)
        self.opened += 1
        return Connection(reader, writer)

    def launch(self, due: float) -> None:
        """Start the request due at ``due``, or count it as overload."""
        kind = self.rng.choices(self.kinds, self.weights)[0] if len(self.kinds) > 1 else self.kinds[0]
        self.sent += 1
        if self.in_flight >= self.args.max_inflight:
            for w in (self.window, self.total):
                w.completed += 1
                w.by_kind[kind] += 1
                w.errors["overload"] += 1
            return
        pool = self.requests[kind]
        raw = pool[self.cursor[kind] % len(pool)]
        self.cursor[kind] += 1
        self.in_flight += 1
        task = asyncio.get_running_loop().create_task(self.one(kind, raw, due))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def schedule(self, start: float, end: float) -> None:
        """Launch requests at the fixed rate until ``end``."""
        loop = asyncio.get_running_loop()
        rate = self.args.rate
        i = 0
        while True:
            now = loop.time()
            due = start + i / rate
            while due <= now and due < end:
                self.launch(due)
                i += 1
                due = start + i / rate
            if due >= end:
                return
            await asyncio.sleep(due - loop.time())

    def close(self) -> None:
        """Close every idle connection."""
        for conn in self.idle:
            conn.close()
        self.idle.clear()


def cpu_seconds(pids: Sequence[int]) -> float:
    """Return user+system CPU seconds of ``pids`` from ``/proc/<pid>/stat``."""
    total = 0.0
    tick = 100.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def summarise(w: Window, seconds: float) -> dict[str, Any]:
    """Return a window's figures as JSON-ready values."""
    lat = w.latencies_ms
    return {
        "completed": w.completed,
        "ok": w.ok,
        "errors": sum(w.errors.values()),
        "errors_by_kind": dict(w.errors),
        "rate_per_s": w.completed / seconds if seconds else 0.0,
        "ok_rate_per_s": w.ok / seconds if seconds else 0.0,
        "p50_ms": percentile(lat, 0.50),
        "p90_ms": percentile(lat, 0.90),
        "p99_ms": percentile(lat, 0.99),
        "p999_ms": percentile(lat, 0.999),
        "max_ms": max(lat) if lat else None,
        "by_kind": dict(w.by_kind),
    }


def _fmt(v: float | None) -> str:
    return "   -" if v is None else f"{v:7.1f}"


async def drive(args: argparse.Namespace, requests: dict[str, list[bytes]], server_pid: int | None) -> dict[str, Any]:
    """Run the load and the reporter; return every figure."""
    soak = Soak(args, requests)
    loop = asyncio.get_running_loop()
    pids = worker_pids(server_pid)
    rss_start = {pid: rss_mb(pid) for pid in pids}
    cpu_start = cpu_seconds(pids)
    usage_start = resource.getrusage(resource.RUSAGE_SELF)
    windows: list[dict[str, Any]] = []
    start = loop.time() + 0.05
    end = start + args.duration
    print(
        f"soak: {args.rate:g} req/s for {args.duration:g} s, mix {args.mix}, "
        f"workers {pids or 'unknown'} RSS {', '.join(f'{v:.0f}' for v in rss_start.values()) or '-'} MB",
        flush=True,
    )
    print("   t(s)  done/s   ok/s  errors  p50 ms  p99 ms  max ms  in-flight  conns  load  worker RSS MB", flush=True)

    async def report() -> None:
        last = start
        while True:
            await asyncio.sleep(max(0.0, last + args.report_every - loop.time()))
            now = loop.time()
            w, soak.window = soak.window, Window()
            row = summarise(w, now - last)
            row["t_s"] = round(now - start, 1)
            row["in_flight"] = soak.in_flight
            row["connections"] = soak.opened
            row["worker_rss_mb"] = {str(pid): round(rss_mb(pid), 1) for pid in pids}
            row["loadavg_1m"] = float(Path("/proc/loadavg").read_text().split()[0])  # other work on the machine
            windows.append(row)
            rss = " ".join(f"{v:.0f}" for v in row["worker_rss_mb"].values()) or "-"
            print(
                f"{row['t_s']:7.1f} {row['rate_per_s']:7.0f} {row['ok_rate_per_s']:6.0f} {row['errors']:7d} "
                f"{_fmt(row['p50_ms'])} {_fmt(row['p99_ms'])} {_fmt(row['max_ms'])} {soak.in_flight:10d} "
                f"{soak.opened:6d} {row['loadavg_1m']:5.1f}  {rss}",
                flush=True,
            )
            last = now
            if now >= end and not soak.tasks:
                return

    reporter = loop.create_task(report())
    await soak.schedule(start, end)
    if soak.tasks:
        _, pending = await asyncio.wait(set(soak.tasks), timeout=args.drain)
        for task in pending:
            task.cancel()
        unfinished = len(pending)
    else:
        unfinished = 0
    elapsed = loop.time() - start
    await asyncio.sleep(0)
    reporter.cancel()
    soak.close()
    rss_end = {pid: rss_mb(pid) for pid in pids}
    cpu_end = cpu_seconds(pids)
    usage_end = resource.getrusage(resource.RUSAGE_SELF)
    client_cpu = (usage_end.ru_utime - usage_start.ru_utime) + (usage_end.ru_stime - usage_start.ru_stime)
    total = summarise(soak.total, args.duration)
    total["unfinished"] = unfinished
    total["errors"] += unfinished
    total["sent"] = soak.sent
    first_window_rss = windows[0]["worker_rss_mb"] if windows else {}
    rss = {
        "start_mb": {str(k): round(v, 1) for k, v in rss_start.items()},
        "after_first_window_mb": first_window_rss,
        "end_mb": {str(k): round(v, 1) for k, v in rss_end.items()},
        "start_total_mb": round(sum(rss_start.values()), 1),
        "end_total_mb": round(sum(rss_end.values()), 1),
        "growth_pct": round(100 * (sum(rss_end.values()) / sum(rss_start.values()) - 1), 2) if rss_start else None,
        "growth_after_first_window_pct": (
            round(100 * (sum(rss_end.values()) / sum(first_window_rss.values()) - 1), 2) if first_window_rss else None
        ),
    }
    return {
        "total": total,
        "elapsed_s": round(elapsed, 2),
        "rss": rss,
        "server_cpu_pct": round(100 * (cpu_end - cpu_start) / elapsed, 1) if pids else None,
        "client_cpu_pct": round(100 * client_cpu / elapsed, 1),
        "connections_opened": soak.opened,
        "stale_connection_retries": soak.retried,
        "windows": windows,
    }


def parser() -> argparse.ArgumentParser:
    """Return the command-line parser."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", help="target this running server instead of starting one")
    p.add_argument("--server-pid", type=int, help="with --url: the server's pid, to read its workers' RSS")
    p.add_argument("--workers", type=int, default=2, help="TOXICITY_WORKERS of the server it starts")
    p.add_argument("--duration", type=float, default=600.0, help="seconds of load")
    p.add_argument("--rate", type=float, default=1000.0, help="requests per second, fixed (open loop)")
    p.add_argument("--mix", type=parse_mix, default=parse_mix(DEFAULT_MIX), help=f"weights (default {DEFAULT_MIX})")
    p.add_argument("--report-every", type=float, default=10.0, help="seconds per reporting window")
    p.add_argument("--max-inflight", type=int, default=256, help="most outstanding requests (and connections)")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds before a request counts as timed out")
    p.add_argument("--drain", type=float, default=10.0, help="seconds to wait for outstanding requests at the end")
    p.add_argument("--seed", type=int, default=0, help="seed of the request-kind choice")
    p.add_argument("--data", type=Path, default=SHARED_DATA)
    p.add_argument("--out", default="soak", help="name of the JSON file in bench/results/")
    return p


def main() -> int:
    args = parser().parse_args()
    if not has_data(args.data):
        return 2
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass

    # SIGTERM (and SIGINT, which background shells ignore) unwind normally, so the server it started is stopped.
    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    texts = validation_texts(args.data, limit=20_000)
    bodies = {kind: request_bodies(kind, texts) for kind in KINDS}
    work = Path(tempfile.mkdtemp(prefix="bench-soak-"))
    hard_stop = args.duration + args.drain + 30

    def run(url: str, pid: int | None) -> dict[str, Any]:
        args.url = url
        parts = urlsplit(url)
        host = f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)
        requests = {kind: raw_requests(kind, b, host) for kind, b in bodies.items()}
        return asyncio.run(asyncio.wait_for(drive(args, requests, pid), hard_stop))

    started = time.time()
    if args.url:
        result = run(args.url, args.server_pid)
        result["server"] = {"url": args.url}
    else:
        log = work / "server.log"
        with server("service", args.workers, log) as (url, proc, ready):
            result = run(url, proc.pid)
            result["server"] = {"workers": args.workers, "ready_seconds": round(ready, 2), "log": str(log)}
        errors = [line for line in log.read_text(errors="replace").splitlines() if '"level": "error"' in line]
        result["server"]["error_log_lines"] = len(errors)
    total = result["total"]
    rss = result["rss"]
    print()
    print(
        f"sent {total['sent']}, completed {total['completed']}, ok {total['ok']}, errors {total['errors']} "
        f"{total['errors_by_kind'] or ''}; achieved {total['rate_per_s']:.1f} req/s "
        f"(ok {total['ok_rate_per_s']:.1f}/s) over {args.duration:g} s"
    )
    print(
        f"latency ms: p50 {_fmt(total['p50_ms'])} p90 {_fmt(total['p90_ms'])} p99 {_fmt(total['p99_ms'])} "
        f"p99.9 {_fmt(total['p999_ms'])} max {_fmt(total['max_ms'])}"
    )
    print(
        f"worker RSS MB: start {rss['start_total_mb']} end {rss['end_total_mb']} growth {rss['growth_pct']} % "
        f"(after the first window: {rss['growth_after_first_window_pct']} %); "
        f"CPU server {result['server_cpu_pct']} % client {result['client_cpu_pct']} % (of one core)"
    )
    args_out = {
        k: (v if isinstance(v, int | float | str | dict) or v is None else str(v)) for k, v in vars(args).items()
    }
    path = write_json(args.out, {**result, "args": args_out, "wall_s": round(time.time() - started, 1)})
    print(f"wrote {path}")
    return 1 if total["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
