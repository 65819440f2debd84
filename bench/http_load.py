"""HTTP benchmark with a real load generator: ``wrk`` (Debian) driving POST bodies from Lua.

For each worker count it starts the service (``python -m service``, shipped
model, shipped defaults) and, side by side, the framework ceiling
(``bench/ceiling.py``: FastAPI returning a constant on the same uvicorn), then
loads each scenario at each concurrency in ``--repeat`` rounds: a ceiling window,
then a service window, each ``--seconds`` long, after a warm-up. A figure is the
median of its windows; the ratio to the ceiling is the median of the rounds'
ratios, so each service window is compared with a ceiling window taken just
before it on the same (shared, drifting) machine. The request bodies are real
comments from the shared data's validation split, cycled in a fixed order.

The ``coral`` scenario posts them as Coral's external moderation phase does: the
comment as HTML in Coral's request, serialised with two-space indentation and
signed (``X-Coral-Signature``) with a secret the service is started with. Coral
gives the phase 200 ms by default, so its p99 at 16 connections is the figure to
watch (target: under 20 ms).

    python bench/http_load.py [--workers 1 2] [--connections 1 16 64] [--scenarios score batch100 analyze coral]
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, SHARED_DATA, has_data, median_of, python, rss_mb, table, worker_pids, write_json
from bench.texts import validation_texts
from service.coral.signature import sign

LUA = """
local requests = {}
local n = 0
local i = 0
init = function(args)
  local headers = {["Content-Type"] = "application/json"}
  for line in io.lines(args[1]) do
    requests[#requests + 1] = wrk.format("POST", nil, headers, line)
  end
  n = #requests
end
request = function()
  i = i % n + 1
  return requests[i]
end
"""

# Coral's bodies hold newlines (two-space indentation): each line of the file is "<signature>\t<body>",
# the body's newlines written as \1, which JSON never holds unescaped.
LUA_SIGNED = r"""
local requests = {}
local n = 0
local i = 0
init = function(args)
  for line in io.lines(args[1]) do
    local tab = string.find(line, "\t", 1, true)
    local body = string.gsub(string.sub(line, tab + 1), "\1", "\n")
    local headers = {["Content-Type"] = "application/json", ["X-Coral-Signature"] = string.sub(line, 1, tab - 1)}
    requests[#requests + 1] = wrk.format("POST", nil, headers, body)
  end
  n = #requests
end
request = function()
  i = i % n + 1
  return requests[i]
end
"""
CORAL_SECRET = "bench-coral-signing-secret-0123456789"

SCENARIOS: dict[str, tuple[str, str]] = {
    # name: (path, description)
    "score": ("/v1/score", "POST /v1/score, 1 comment"),
    "batch100": ("/v1/score", "POST /v1/score, 100 comments"),
    "analyze": ("/v1alpha1/comments:analyze", "comments:analyze (Coral's request)"),
    "coral": ("/integrations/coral/moderation", "Coral moderation phase (signed, HTML)"),
    "ceiling": ("/v1/score", "constant FastAPI endpoint (ceiling)"),
}


def bodies(scenario: str, texts: Sequence[str], count: int = 2000) -> list[str]:
    """Return request bodies for a scenario, one JSON document per line."""
    if scenario == "batch100":
        return [
            json.dumps({"comments": [{"text": t} for t in texts[i : i + 100]]})
            for i in range(0, min(len(texts), 100 * 200) - 99, 100)
        ]
    if scenario == "analyze":
        return [
            json.dumps(
                {
                    "comment": {"text": t},
                    "doNotStore": True,
                    "requestedAttributes": {"TOXICITY": {}},
                    "languages": ["en"],
                }
            )
            for t in texts[:count]
        ]
    if scenario == "coral":
        return [coral_line(t, i) for i, t in enumerate(texts[:count])]
    return [json.dumps({"comments": [{"text": t}]}) for t in texts[:count]]


def coral_line(text: str, i: int) -> str:
    """Return one signed Coral request as a line of the ``LUA_SIGNED`` file."""
    request = {
        "tenant": {"id": "bench-tenant", "domain": "news.example.org"},
        "action": "NEW",
        "comment": {"body": f"<p>{html.escape(text)}</p>", "parentID": None},
        "author": {"id": f"user-{i % 97}", "role": "COMMENTER"},
        "story": {"id": f"story-{i % 13}", "url": f"https://news.example.org/story-{i % 13}/"},
        "site": {"id": "bench-site"},
    }
    raw = json.dumps(request, indent=2, ensure_ascii=False).encode()
    return f"{sign(raw, [CORAL_SECRET.encode()])}\t{raw.decode().replace(chr(10), chr(1))}"


@dataclass
class Result:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def _ms(value: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s)", value)
    if not m:
        raise ValueError(f"cannot read wrk latency {value!r}")
    return float(m.group(1)) * UNITS[m.group(2)]


def parse_wrk(out: str) -> Result:
    """Read requests/s, p50, p99 and errors from ``wrk --latency`` output."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    errors = 0
    if m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out):
        errors += int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors += sum(int(g) for g in m.groups())
    return Result(rps, p50, p99, errors)


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 120.0) -> float:
    """Poll ``/readyz`` until it answers 200; return the seconds it took."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=1) as r:
                if r.status == 200:
                    return time.perf_counter() - start
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} not ready after {timeout} s")


def serving_rss_mb(proc: subprocess.Popen[bytes]) -> float:
    """RSS of one serving process: the worker when uvicorn forks workers, else the process itself."""
    return max(rss_mb(p) for p in worker_pids(proc.pid))


def check_workers(proc: subprocess.Popen[bytes], workers: int, log: Path) -> None:
    """Raise unless ``workers`` processes still serve: a figure labelled 2 workers must come from 2."""
    serving = len(worker_pids(proc.pid)) if proc.poll() is None else 0
    if workers > 1 and serving < workers:
        raise RuntimeError(f"{serving} of {workers} workers are serving; see {log}")


@contextmanager
def server(kind: str, workers: int, log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes], float]]:
    """Start the service or the ceiling app; yield its URL, process and seconds to ready."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOXICITY_")}
    env["PYTHONPATH"] = str(ROOT)
    if kind == "service":
        env.update(
            TOXICITY_HOST="127.0.0.1",
            TOXICITY_PORT=str(port),
            TOXICITY_WORKERS=str(workers),
            TOXICITY_SUGGESTIONS_DB=str(log.parent / f"suggestions-{port}.sqlite3"),
            TOXICITY_CORAL_SECRETS=CORAL_SECRET,
        )
        cmd = [python(), "-m", "service"]
    else:
        cmd = [python(), "-m", "uvicorn", "bench.ceiling:app", "--host", "127.0.0.1", "--port", str(port)]
        cmd += ["--workers", str(workers), "--no-access-log", "--log-level", "warning"]
        cmd += ["--no-proxy-headers"]  # as python -m service runs uvicorn
    with log.open("ab") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        ready = wait_ready(url, proc)
        if workers > 1:  # every worker must be up, not just the first to answer
            deadline = time.monotonic() + 60
            while len(worker_pids(proc.pid)) < workers and time.monotonic() < deadline:
                time.sleep(0.1)
        yield url, proc, ready
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wrk(url: str, script: Path, body_file: Path, connections: int, seconds: float) -> Result:
    """Run one wrk window and return its figures."""
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency", "--timeout", "10s"]
    cmd += ["-s", str(script), url, "--", str(body_file)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    return parse_wrk(done.stdout)


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Run every server, scenario and concurrency; return the figures."""
    texts = validation_texts(args.data, limit=20_000)
    work = Path(tempfile.mkdtemp(prefix="bench-http-"))
    script = work / "post.lua"
    script.write_text(LUA)
    signed = work / "signed.lua"
    signed.write_text(LUA_SIGNED)
    files = {}
    for name in SCENARIOS:
        files[name] = work / f"{name}.jsonl"
        files[name].write_text("\n".join(bodies(name, texts)) + "\n")
    rows: list[dict[str, Any]] = []
    extra: dict[str, Any] = {}
    scenarios = [s for s in args.scenarios if s != "ceiling"]
    for workers in args.workers:
        # Both servers stay up (an idle one costs nothing) so that every service window
        # is paired with a ceiling window measured just before it: the machine's drift
        # then cancels in the ratio instead of landing between two blocks of windows.
        with (
            server("ceiling", workers, work / f"ceiling-{workers}.log") as (top_url, _, _),
            server("service", workers, work / f"service-{workers}.log") as (url, proc, ready),
        ):
            extra[f"ready_seconds_{workers}w"] = ready
            top = top_url + SCENARIOS["ceiling"][0]
            wrk(top, script, files["ceiling"], max(args.connections), args.warmup)
            tops: dict[int, list[Result]] = {c: [] for c in args.connections}
            served = []
            for scenario in scenarios:
                target = url + SCENARIOS[scenario][0]
                lua = signed if scenario == "coral" else script
                wrk(target, lua, files[scenario], max(args.connections), args.warmup)
                for c in args.connections:
                    pairs = []
                    for _ in range(args.repeat):
                        pairs.append(
                            (
                                wrk(top, script, files["ceiling"], c, args.seconds),
                                wrk(target, lua, files[scenario], c, args.seconds),
                            )
                        )
                    tops[c] += [t for t, _ in pairs]
                    served.append(
                        _row(
                            scenario,
                            workers,
                            c,
                            [w for _, w in pairs],
                            median_of([w.requests_per_s / t.requests_per_s for t, w in pairs]),
                        )
                    )
                    print(_line(served[-1]), flush=True)
                check_workers(proc, workers, work / f"service-{workers}.log")
            for c in args.connections:
                rows.append(_row("ceiling", workers, c, tops[c], 1.0))
                print(_line(rows[-1]), flush=True)
            rows += served
            extra[f"worker_rss_mb_{workers}w"] = serving_rss_mb(proc)
    shutil.rmtree(work, ignore_errors=True)
    return {"rows": rows, **extra}


def _row(scenario: str, workers: int, connections: int, windows: Sequence[Result], ratio: float) -> dict[str, Any]:
    """Return one table row: medians of the windows, and the median of the paired ratios."""
    return {
        "scenario": scenario,
        "workers": workers,
        "connections": connections,
        "requests_per_s": median_of([w.requests_per_s for w in windows]),
        "p50_ms": median_of([w.p50_ms for w in windows]),
        "p99_ms": median_of([w.p99_ms for w in windows]),
        "errors": sum(w.errors for w in windows),
        "ratio_to_ceiling": ratio,
    }


def coral_p99(rows: Sequence[dict[str, Any]], connections: int = 16) -> list[tuple[int, float, float]]:
    """Return ``(workers, Coral route p99 ms, ceiling p99 ms)`` at ``connections``, per worker count measured."""
    ceiling = {r["workers"]: r["p99_ms"] for r in rows if (r["scenario"], r["connections"]) == ("ceiling", connections)}
    return [
        (r["workers"], r["p99_ms"], ceiling.get(r["workers"], float("nan")))
        for r in rows
        if r["scenario"] == "coral" and r["connections"] == connections
    ]


def _line(r: dict[str, Any]) -> str:
    return (
        f"  {r['scenario']:<9} workers={r['workers']} c={r['connections']:<3} "
        f"{r['requests_per_s']:>9.0f} req/s  p50 {r['p50_ms']:.2f} ms  p99 {r['p99_ms']:.2f} ms  errors {r['errors']}"
    )


def markdown(rows: Sequence[dict[str, Any]]) -> str:
    """Return the HTTP table."""
    out = []
    for r in rows:
        out.append(
            [
                SCENARIOS[r["scenario"]][1],
                r["workers"],
                r["connections"],
                r["requests_per_s"],
                r["p50_ms"],
                r["p99_ms"],
                f"{r['ratio_to_ceiling']:.2f}",
                r["errors"],
            ]
        )
    return table(["request", "workers", "conns", "req/s", "p50 ms", "p99 ms", "x ceiling", "errors"], out)


def parser() -> argparse.ArgumentParser:
    """Return the command-line parser."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    p.add_argument("--connections", type=int, nargs="+", default=[1, 16, 64])
    default = ["score", "batch100", "analyze", "coral"]
    p.add_argument("--scenarios", nargs="+", choices=sorted(SCENARIOS), default=default)
    p.add_argument("--seconds", type=int, default=5, help="length of one measured window")
    p.add_argument("--repeat", type=int, default=3, help="windows per figure; the median is reported")
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--data", type=Path, default=SHARED_DATA)
    return p


def main() -> int:
    args = parser().parse_args()
    if not shutil.which("wrk"):
        print("needs wrk: apt-get install wrk", file=sys.stderr)
        return 2
    if not has_data(args.data):
        return 2
    result = run(args)
    print()
    print(markdown(result["rows"]))
    for workers, p99, top in coral_p99(result["rows"]):
        print(f"Coral route, {workers} worker(s), 16 conns: p99 {p99:.2f} ms (target < 20 ms; ceiling {top:.2f} ms)")
    path = write_json("http", {**result, "args": {k: str(v) for k, v in vars(args).items()}})
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
