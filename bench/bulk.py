"""Bulk scoring benchmark: ``toxicity score`` per core against in-process batches, in the same run.

Both score the same synthetic comments (written here, never copied from the
shared data): word salad of 5 to 120 words with insults, some non-ASCII, "&",
URLs and several sentences, so every path of the scorer is taken.

* in process: ``model.probabilities`` in batches of 1,000 on texts already in
  memory, this process pinned to one core (as ``bench/inproc.py``);
* bulk: ``python -m bulk score in.csv out.csv --workers N`` (N = the cores), run on
  ``--rows`` and on twice as many rows; the difference is the throughput without
  the fixed start-up (the model loaded by the command and by each worker), which
  is reported on its own.

Per core is counted two ways: rows per CPU-second of every process of the command
(the reader, the workers), against rows per CPU-second in process; and rows per
second of wall time divided by N. The first is the target's figure (bulk at least
80 % of in process): it does not move when other work shares the machine. A third
row compares bulk with N in-process scorers running side by side, one a core: the
ceiling of any N-process design, since scorers running at once slow each other.

    python bench/bulk.py [--rows 100000] [--workers N]
    python bench/bulk.py --write big.csv --megabytes 1024     # just write a file of synthetic comments
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, table, write_json
from bulk.run import default_workers

TARGET = 0.8
VOCABULARY = (
    "the a you are is this that article idiot stupid great thanks for writing people government really think "
    "should would never always good bad pathetic moron love hate shut up why how what when city council vote "
    "tax school police news story comment agree disagree nonsense brilliant terrible awful nice point made "
    "clear wrong right obviously clearly maybe perhaps loser clown fool trash garbage kill die hurt"
)
WORDS = VOCABULARY.split()
EXTRAS = ("café", "naïve", "Straße", "😀", "R&D", "Q&A", "http://example.org/a", "www.example.com", "—")


def synthetic(n: int | None, seed: int = 24) -> Iterator[str]:
    """Yield ``n`` synthetic comments (forever with None), the same for the same seed."""
    r = random.Random(seed)
    i = 0
    while n is None or i < n:
        words = [r.choice(WORDS) for _ in range(r.choice((5, 10, 20, 40, 60, 120)))]
        if r.random() < 0.2:
            words.insert(r.randrange(len(words)), r.choice(EXTRAS))
        text = " ".join(words).capitalize()
        if r.random() < 0.4:
            cut = r.randrange(1, len(text))
            text = text[:cut].rstrip() + ". " + text[cut:].lstrip().capitalize()
        yield text + r.choice((".", "!", "?", "... ok"))
        i += 1


def write_csv(path: Path, rows: int | None = None, megabytes: float | None = None) -> int:
    """Write ``id,body`` rows of synthetic comments (``rows`` of them, or about ``megabytes``); return the count."""
    limit = int(megabytes * (1 << 20)) if megabytes else None
    n = 0
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "body"])
        for text in synthetic(rows):
            w.writerow([f"c{n}", text])
            n += 1
            if limit is not None and n % 10_000 == 0 and f.tell() >= limit:
                break
    return n


def in_process(texts: list[str], cpu: int | None = None, start_at: float | None = None) -> dict[str, float]:
    """Score ``texts`` in batches of 1,000 pinned to one core; return rows per second and per CPU-second."""
    from model import load_model

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {max(os.sched_getaffinity(0)) if cpu is None else cpu})
    model = load_model()
    model.warm_up()
    model.probabilities(texts[:1000])
    if start_at is not None:  # processes measured side by side start together
        time.sleep(max(0.0, start_at - time.time()))
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(texts), 1000):
        model.probabilities(texts[i : i + 1000])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"rows": len(texts), "per_s": len(texts) / wall, "per_cpu_s": len(texts) / cpu}


def side_by_side(rows: int, n: int) -> dict[str, float]:
    """Run ``in_process`` in ``n`` processes at once, one a core; return their mean rows per (CPU-)second.

    The ceiling of any design with ``n`` scoring processes: on this VM two processes
    scoring at once slow each other (they share the L3 cache the kernel's tables live in).
    """
    start_at = time.time() + 15
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else list(range(n))
    me = str(Path(__file__).resolve())
    runs = [
        subprocess.Popen(
            [sys.executable, me, "--rows", str(rows), "--one", str(cpus[i % len(cpus)]), "--start-at", str(start_at)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(n)
    ]
    results = [json.loads(run.communicate()[0].strip().splitlines()[-1]) for run in runs]
    return {key: sum(r[key] for r in results) / n for key in ("per_s", "per_cpu_s")}


def bulk(src: Path, out: Path, workers: int) -> tuple[float, float]:
    """Run ``python -m bulk score`` on ``src``; return its wall and CPU seconds (every process it started)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    command = [sys.executable, "-m", "bulk", "score", str(src), str(out), "--id-column", "id", "--text-column", "body"]
    subprocess.run([*command, "--workers", str(workers), "--quiet"], cwd=ROOT, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def run(rows: int, workers: int) -> dict[str, Any]:
    """Measure bulk on ``rows`` and ``2 * rows`` and in process on ``rows``; return the figures."""
    with tempfile.TemporaryDirectory(prefix="bench-bulk-") as tmp:
        folder = Path(tmp)
        small, large = folder / "small.csv", folder / "large.csv"
        write_csv(small, rows)
        write_csv(large, 2 * rows)
        wall_1, cpu_1 = bulk(small, folder / "small-out.csv", workers)
        wall_2, cpu_2 = bulk(large, folder / "large-out.csv", workers)
        mb = large.stat().st_size / 1e6
    inproc = in_process(list(synthetic(rows)))
    together = side_by_side(rows, workers)
    marginal_wall, marginal_cpu = max(wall_2 - wall_1, 1e-9), max(cpu_2 - cpu_1, 1e-9)
    out: dict[str, Any] = {
        "rows": rows,
        "workers": workers,
        "large_file_mb": mb,
        "in_process": inproc,
        "bulk_per_s": rows / marginal_wall,
        "bulk_per_s_per_core": rows / marginal_wall / workers,
        "bulk_per_cpu_s": rows / marginal_cpu,
        "startup_wall_s": wall_1 - marginal_wall,
        "startup_cpu_s": cpu_1 - marginal_cpu,
    }
    out["in_process_side_by_side"] = together
    out["ratio_cpu"] = out["bulk_per_cpu_s"] / inproc["per_cpu_s"]
    out["ratio_wall"] = out["bulk_per_s_per_core"] / inproc["per_s"]
    out["ratio_cpu_side_by_side"] = out["bulk_per_cpu_s"] / together["per_cpu_s"]
    return out


def markdown(r: dict[str, Any]) -> str:
    """Return the bulk table."""
    inproc = r["in_process"]
    rows = [
        [
            "rows per CPU-second (every process of the command)",
            f"{r['bulk_per_cpu_s']:,.0f}",
            f"{inproc['per_cpu_s']:,.0f}",
            f"{r['ratio_cpu']:.0%}",
            f">= {TARGET:.0%}",
        ],
        [
            f"rows/s of wall time per core ({r['workers']} workers)",
            f"{r['bulk_per_s_per_core']:,.0f}",
            f"{inproc['per_s']:,.0f}",
            f"{r['ratio_wall']:.0%}",
            "",
        ],
        [
            f"rows per CPU-second, against {r['workers']} in-process scorers running side by side",
            f"{r['bulk_per_cpu_s']:,.0f}",
            f"{r['in_process_side_by_side']['per_cpu_s']:,.0f}",
            f"{r['ratio_cpu_side_by_side']:.0%}",
            "",
        ],
        ["rows/s in all", f"{r['bulk_per_s']:,.0f}", "", "", ""],
        ["start-up (model loads), wall / CPU s", f"{r['startup_wall_s']:.1f} / {r['startup_cpu_s']:.1f}", "", "", ""],
    ]
    heads = [f"toxicity score, CSV, {r['rows']:,} more rows", "bulk", "in process, batches of 1,000", "ratio", "target"]
    return table(heads, rows)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--workers", type=int, default=default_workers(), help="default: every core")
    p.add_argument("--write", type=Path, help="only write a CSV of synthetic comments here")
    p.add_argument("--megabytes", type=float, default=1024.0)
    p.add_argument("--one", type=int, help=argparse.SUPPRESS)  # side_by_side's child: in process on this CPU
    p.add_argument("--start-at", type=float, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.one is not None:
        print(json.dumps(in_process(list(synthetic(args.rows)), args.one, args.start_at)))
        return 0
    if args.write is not None:
        n = write_csv(args.write, megabytes=args.megabytes)
        print(f"wrote {n:,} rows, {args.write.stat().st_size / 1e6:,.0f} MB, to {args.write}")
        return 0
    result = run(args.rows, args.workers)
    print(markdown(result))
    print(f"wrote {write_json('bulk', result)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
