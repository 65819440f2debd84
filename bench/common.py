"""Helpers shared by the benchmarks: timing child processes, medians, tables, JSON output."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
SHARED_DATA = ROOT.parent / "shared" / "data"


def machine() -> dict[str, Any]:
    """Describe the machine a figure was measured on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
    }


def _memory_kb(pid: int) -> int:
    """Return a process's proportional set size (shared pages split between sharers), else RSS."""
    try:
        for name in ("smaps_rollup", "status"):
            for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
                if line.startswith(("Pss:", "VmRSS:")):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def parent_map() -> dict[int, int]:
    """Return every live process id -> its parent's id, from ``/proc``."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return parents


def children(pid: int) -> list[int]:
    """Return the direct children of ``pid`` (uvicorn's workers)."""
    return [child for child, parent in parent_map().items() if parent == pid]


def rss_mb(pid: int) -> float:
    """Return the resident set size of one process in MB (0 once it has exited)."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0.0
    for line in lines:
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def worker_pids(server_pid: int | None) -> list[int]:
    """Return the processes that serve requests: uvicorn's workers, else the server itself."""
    if server_pid is None:
        return []
    kids = [p for p in children(server_pid) if rss_mb(p) > 50]
    return kids or [server_pid]


def _tree_rss_mb(root: int) -> float:
    """Return the memory in MB of ``root`` and every process descended from it.

    PSS is used, so pages that forked workers share copy-on-write count once.
    """
    parents = parent_map()
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += _memory_kb(pid)
        todo.extend(child for child, parent in parents.items() if parent == pid)
    return total / 1024


def run_child(cmd: Sequence[str], **kwargs: Any) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Run ``cmd``; return wall seconds, its peak RSS in MB and the result.

    The peak is the larger of ``wait4``'s peak RSS for the process itself and the
    summed PSS of its whole process tree, sampled so that worker processes (training
    fits its vectorisers and folds in parallel processes) are counted. Reading PSS
    walks every mapped page: about 80 ms of CPU for a 3 GB tree. The sampler therefore
    waits ten times as long as its last reading took (at least 0.1 s), so it takes at
    most a tenth of one core from what it measures.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)
    peak = 0.0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        pause = 0.1
        while not stop.wait(pause):
            began = time.thread_time()
            peak = max(peak, _tree_rss_mb(proc.pid))
            pause = max(0.1, 10 * (time.thread_time() - began))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    stop.set()
    sampler.join()
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    out, err = proc.stdout.read() if proc.stdout else "", proc.stderr.read() if proc.stderr else ""
    result = subprocess.CompletedProcess(cmd, proc.returncode, out, err)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{err[-2000:]}")
    return seconds, max(peak, usage.ru_maxrss / 1024), result


def median_of(values: Sequence[float]) -> float:
    """Return the median."""
    return statistics.median(values)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Return a markdown table."""

    def cell(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:,.2f}" if abs(v) < 1000 else f"{v:,.0f}"
        return str(v)

    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def write_json(name: str, payload: dict[str, Any]) -> Path:
    """Write results to ``bench/results/<name>.json`` and return the path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), **payload}, indent=2) + "\n")
    return path


def has_data(data: Path) -> bool:
    """Say on stderr what is missing when the shared data folder is absent."""
    if data.is_dir():
        return True
    print(f"the benchmarks need the shared data in {data}", file=sys.stderr)
    return False


def python() -> str:
    """Return the interpreter running the benchmark (the project's venv)."""
    return sys.executable
