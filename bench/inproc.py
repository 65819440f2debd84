"""In-process scoring benchmark: the shipped model's fast path against the textbook pipeline.

Both score the same real comments (the shared data's validation split, natural
lengths) in the same run, pinned to one core:

* one comment per call, µs per comment (and p50/p99 of a call);
* batches of 1,000, comments per second;
* what sentence scoring costs: batches of typical comments and of 2 KB comments
  (consecutive validation comments joined), scored whole only (one kernel call a
  comment, as before long comments were split) and as the model scores them
  (whole and sentence by sentence); the ratio is the cost, target at most 1.5
  for typical comments;
* the worst case: 20 KB strings built to make text handling backtrack
  (``bench/adversarial.py``), per stage, against ordinary 20 KB comments.

The textbook pipeline (``bench/textbook.py``: word (1, 2) + char_wb (2, 5) TF-IDF,
``LogisticRegression``) is fitted in this run on the shared training split, and
scores one attribute; the shipped model scores all six. A figure is the median
of ``--repeat`` passes. The scores of the fast path are also checked against the
scikit-learn reference on the same comments.

    python bench/inproc.py [--comments 3000] [--repeat 3] [--earlier-model DIR]

``--earlier-model`` also scores the same typical comments in batches with another
artifact (for instance the model this one replaced, from git history), so a
change of model is measured against the same texts in the same run.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import adversarial
from bench.common import SHARED_DATA, has_data, median_of, table, write_json
from bench.texts import validation_texts

TARGETS = {"single_us": 50.0, "batch_per_s": 60_000.0, "sentence_cost_typical": 1.5, "worst_case_ms": 1000.0}


def joined(texts: Sequence[str], size: int = 2048, count: int = 2000) -> list[str]:
    """Return up to ``count`` comments of about ``size`` bytes, each consecutive ``texts`` joined by spaces."""
    out: list[str] = []
    current: list[str] = []
    length = 0
    for t in texts:
        current.append(t.strip())
        length += len(t.encode()) + 1
        if length >= size:
            out.append(" ".join(current)[:size])
            current, length = [], 0
            if len(out) == count:
                break
    return out


def pin_one_core() -> int | None:
    """Run this process on one CPU so batch figures are single-core; return it."""
    if hasattr(os, "sched_setaffinity"):
        cpu = max(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return cpu
    return None


def single(score: Callable[[list[str]], Any], texts: Sequence[str]) -> dict[str, float]:
    """Score one comment per call; return µs per comment and call percentiles."""
    calls = []
    start = time.perf_counter()
    for t in texts:
        t0 = time.perf_counter()
        score([t])
        calls.append(time.perf_counter() - t0)
    total = time.perf_counter() - start
    calls.sort()
    return {
        "us_per_comment": total / len(texts) * 1e6,
        "p50_us": calls[len(calls) // 2] * 1e6,
        "p99_us": calls[int(len(calls) * 0.99)] * 1e6,
    }


def batched(score: Callable[[list[str]], Any], texts: Sequence[str], size: int = 1000) -> float:
    """Score in batches of ``size``; return comments per second."""
    start = time.perf_counter()
    for i in range(0, len(texts) - size + 1, size):
        score(list(texts[i : i + size]))
    done = (len(texts) // size) * size
    return done / (time.perf_counter() - start)


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Measure both pipelines; return the figures."""
    import numpy as np

    from bench.textbook import fit_textbook, shared_training_toxicity
    from model import load_model

    cpu = pin_one_core()
    texts = validation_texts(args.data, limit=args.comments + args.batch_comments)
    one, many = texts[: args.comments], texts[args.comments :]
    print(f"fitting the textbook pipeline on the shared training split (pinned to CPU {cpu}) ...", flush=True)
    t0 = time.perf_counter()
    book = fit_textbook(*shared_training_toxicity(args.data))
    print(f"  fitted in {time.perf_counter() - t0:.0f} s", flush=True)
    model = load_model()
    model.warm_up()
    pipelines: dict[str, Callable[[list[str]], Any]] = {
        "fast": model.probabilities,
        "textbook": book.predict_proba,
    }
    for score in pipelines.values():  # warm both: imports, first-call set-up, caches
        score(list(one[:50]))
        score(list(many[:1000]))
    out: dict[str, Any] = {"cpu": cpu, "comments_single": len(one), "comments_batch": len(many)}
    for name, score in pipelines.items():
        singles = [single(score, one) for _ in range(args.repeat)]
        batches = [batched(score, many) for _ in range(args.repeat)]
        out[name] = {
            "single_us": median_of([s["us_per_comment"] for s in singles]),
            "single_p50_us": median_of([s["p50_us"] for s in singles]),
            "single_p99_us": median_of([s["p99_us"] for s in singles]),
            "batch_per_s": median_of(batches),
        }
        print(f"  {name}: {out[name]}", flush=True)
    fast = model.fast()
    assert fast is not None, model.fast_path_error
    out["sentences"] = {}
    for label, sample in (("typical", list(many)), ("2 KB", joined(many))):
        size = min(1000, len(sample))
        whole = median_of([batched(fast.probabilities, sample, size) for _ in range(args.repeat)])
        combined = median_of([batched(model.probabilities, sample, size) for _ in range(args.repeat)])
        out["sentences"][label] = {"comments": len(sample), "whole_per_s": whole, "combined_per_s": combined}
        out["sentences"][label]["cost"] = whole / combined
        print(f"  sentences, {label}: {out['sentences'][label]}", flush=True)
    if args.earlier_model is not None:
        earlier = load_model(args.earlier_model)
        earlier.warm_up()
        typical = list(many)
        then = median_of([batched(earlier.probabilities, typical) for _ in range(args.repeat)])
        now = median_of([batched(model.probabilities, typical) for _ in range(args.repeat)])
        out["earlier_model"] = {"version": earlier.version, "per_s": then, "this_per_s": now, "cost": then / now}
        print(f"  earlier model {earlier.version}: {out['earlier_model']}", flush=True)
    out["worst_case"] = adversarial.run(joined(many, size=20_000, count=20))
    ref = model.reference_probabilities(list(many[:2000]))
    out["max_abs_diff_vs_scikit_learn"] = float(np.abs(model.probabilities(list(many[:2000])) - ref).max())
    out["single_speedup"] = out["textbook"]["single_us"] / out["fast"]["single_us"]
    out["batch_speedup"] = out["fast"]["batch_per_s"] / out["textbook"]["batch_per_s"]
    return out


def markdown(r: dict[str, Any]) -> str:
    """Return the in-process table."""
    fast, book = r["fast"], r["textbook"]
    rows = [
        [
            "1 comment per call, µs per comment",
            fast["single_us"],
            book["single_us"],
            f"{r['single_speedup']:.1f}x faster",
            f"<= {TARGETS['single_us']:g} µs",
        ],
        ["1 comment per call, p99 of a call (µs)", fast["single_p99_us"], book["single_p99_us"], "", ""],
        [
            "batches of 1,000, comments/s (one core)",
            fast["batch_per_s"],
            book["batch_per_s"],
            f"{r['batch_speedup']:.1f}x faster",
            f">= {TARGETS['batch_per_s']:,.0f}/s",
        ],
        ["max |fast - scikit-learn| probability", f"{r['max_abs_diff_vs_scikit_learn']:.1e}", "", "", "<= 1e-6"],
    ]
    main = table(["in process", "fast path (6 attributes)", "textbook (1 attribute)", "ratio", "target"], rows)
    costs = [
        [
            f"{label} ({f['comments']:,} comments, batches of up to 1,000)",
            f"{f['whole_per_s']:,.0f}",
            f"{f['combined_per_s']:,.0f}",
            f"{f['cost']:.2f}x",
            f"<= {TARGETS['sentence_cost_typical']:g}x" if label == "typical" else "",
        ]
        for label, f in r.get("sentences", {}).items()
    ]
    if "earlier_model" in r:
        e = r["earlier_model"]
        costs.append(
            [
                f"typical comments: earlier model {e['version']} / this one, comments/s",
                f"{e['per_s']:,.0f}",
                f"{e['this_per_s']:,.0f}",
                f"{e['cost']:.2f}x",
                f"<= {TARGETS['sentence_cost_typical']:g}x",
            ]
        )
    heads = ["sentence scoring", "whole only, comments/s", "whole and sentences, comments/s", "cost", "target"]
    if costs:
        main += "\n\n" + table(heads, costs)
    worst = [
        [
            f"worst case, {stage}",
            f"{w['ordinary_ms']:.1f}",
            f"{w['worst_ms']:.1f} ({w['worst']})",
            f"{w['ratio']:.1f}x",
            f"< {TARGETS['worst_case_ms']:g} ms",
        ]
        for stage, w in r.get("worst_case", {}).items()
    ]
    if worst:
        heads = ["20 KB text, CPU per call", "ordinary comment, ms", "slowest adversarial text, ms", "ratio", "target"]
        main += "\n\n" + table(heads, worst)
    return main


def parser() -> argparse.ArgumentParser:
    """Return the command-line parser."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--comments", type=int, default=3000, help="comments scored one per call")
    p.add_argument("--batch-comments", type=int, default=10_000, help="comments scored in batches of 1,000")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--data", type=Path, default=SHARED_DATA)
    p.add_argument("--earlier-model", type=Path, default=None, help="another artifact to score the same batches")
    return p


def main() -> int:
    args = parser().parse_args()
    if not has_data(args.data):
        return 2
    result = run(args)
    print()
    print(markdown(result))
    print(f"wrote {write_json('inproc', result)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
