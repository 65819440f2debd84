"""The whole benchmark suite in one command (``make bench``): training, in-process, language, bulk, HTTP.

Each part runs as its own process (the in-process part pins itself to one core)
and writes ``bench/results/<part>.json``; this script then prints one markdown
report with every figure next to the baseline measured in the same run, and
writes ``bench/results/summary.json`` and ``bench/results/summary.md``.

    python bench/run.py [--skip train] [--quick]

``--quick`` shortens every part (one repeat, 2-second HTTP windows) for a smoke run;
published figures come from the default settings.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import RESULTS, ROOT, SHARED_DATA, has_data, machine, python, table

PARTS = ("train", "inproc", "language", "bulk", "http")


def command(part: str, quick: bool, data: Path) -> list[str]:
    """Return the command line of one part."""
    if part == "train":
        return [python(), str(ROOT / "bench" / "train.py"), "--data", str(data), "--loads", "3" if quick else "5"]
    if part == "inproc":
        extra = ["--repeat", "1", "--comments", "1000", "--batch-comments", "3000"] if quick else []
        return [python(), str(ROOT / "bench" / "inproc.py"), "--data", str(data), *extra]
    if part == "language":  # detection next to scoring, English and German throughput
        return [
            python(),
            str(ROOT / "bench" / "language.py"),
            "--data",
            str(data),
            *(["--repeat", "1"] if quick else []),
        ]
    if part == "bulk":  # synthetic comments: bulk and in-process batches on the same texts, in this run
        return [python(), str(ROOT / "bench" / "bulk.py"), *(["--rows", "20000"] if quick else [])]
    extra = ["--repeat", "1", "--seconds", "2", "--warmup", "1"] if quick else []
    return [python(), str(ROOT / "bench" / "http_load.py"), "--data", str(data), *extra]


def load(part: str) -> dict[str, Any] | None:
    """Return a part's JSON results, if it wrote any."""
    path = RESULTS / f"{part}.json"
    return json.loads(path.read_text()) if path.is_file() else None


def report(results: dict[str, Any], seconds: dict[str, float]) -> str:
    """Return the markdown report of every part that ran."""
    from bench.bulk import markdown as bulk_table
    from bench.http_load import coral_p99
    from bench.http_load import markdown as http_table
    from bench.inproc import markdown as inproc_table
    from bench.language import markdown as language_table

    m = machine()
    out = [f"Measured {m['date']} on {m['cores']} cores ({m['cpu']}), Python {m['python']}.", ""]
    if (train := results.get("train")) is not None:
        f = train["figures"]
        rows = [
            ["training on all shared data", f"{f['train_seconds']:.0f} s", "<= 180 s"],
            ["training peak RSS", f"{f['train_peak_rss_mb']:.0f} MB", "<= 4096 MB"],
            ["textbook fit, TOXICITY only (same run)", f"{f['textbook_train_seconds']:.0f} s", ""],
            [
                "artifact size (fresh / shipped)",
                f"{f['artifact_mb']:.1f} / {f['shipped_artifact_mb']:.1f} MB",
                "<= 25 MB",
            ],
            ["cold load of the shipped model", f"{f['cold_load_seconds']:.2f} s", "<= 2 s"],
        ]
        out += ["### Training and loading", "", table(["figure", "value", "target"], rows), ""]
    if (inproc := results.get("inproc")) is not None:
        out += ["### In process (one core)", "", inproc_table(inproc), ""]
    if (language := results.get("language")) is not None:
        out += ["### Language detection and scoring per language (one core)", "", language_table(language), ""]
    if (bulk := results.get("bulk")) is not None:
        out += ["### Bulk scoring (toxicity score), per core", "", bulk_table(bulk), ""]
    if (http := results.get("http")) is not None:
        out += ["### HTTP (wrk, 127.0.0.1)", "", http_table(http["rows"]), ""]
        coral = [
            [f"Coral moderation phase, {w} worker(s), 16 conns: p99", f"{p99:.2f} ms", f"{top:.2f} ms", "< 20 ms"]
            for w, p99, top in coral_p99(http["rows"])
        ]
        if coral:  # Coral gives the phase 200 ms by default
            out += [table(["figure", "value", "ceiling's p99, same run", "target"], coral), ""]
        extra = [
            [k.replace("_", " "), f"{v:.2f}" if isinstance(v, float) else v]
            for k, v in sorted(http.items())
            if k.startswith(("ready_seconds", "worker_rss_mb"))
        ]
        out += [table(["service figure", "value"], extra), ""]
    out += ["Wall time per part: " + ", ".join(f"{k} {v:.0f} s" for k, v in seconds.items()), ""]
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip", nargs="*", choices=PARTS, default=[])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--data", type=Path, default=SHARED_DATA)
    args = parser.parse_args()
    if not has_data(args.data):
        return 2
    results: dict[str, Any] = {}
    seconds: dict[str, float] = {}
    failed = []
    for part in PARTS:
        if part in args.skip:
            continue
        print(f"== {part}: {' '.join(command(part, args.quick, args.data))}", flush=True)
        start = time.perf_counter()
        done = subprocess.run(command(part, args.quick, args.data), cwd=ROOT, check=False)
        seconds[part] = time.perf_counter() - start
        if done.returncode != 0:
            failed.append(part)
            continue
        results[part] = load(part)
    text = report(results, seconds)
    print("\n" + text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "summary.md").write_text(text)
    (RESULTS / "summary.json").write_text(json.dumps({"machine": machine(), **results}, indent=2) + "\n")
    if failed:
        print(f"failed parts: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
