"""Language benchmark: what detection costs next to scoring, and scoring in English and German.

Detection (``model.language_id``) runs on every comment sent without a language, so
its cost is measured against scoring the same comments, in the same run, pinned to
one core:

* detection, µs per comment, on typical English comments (the shared data's
  validation split, natural lengths), on typical comments of every language of the
  multilingual validation split, and on 2 KB comments (consecutive comments joined);
  next to scoring the same comments one per call and in batches of 1,000: the ratio
  is the cost detection adds;
* the bound: detection of 100 KB comments against 2 KB ones (it reads at most
  ``2 * WINDOW`` characters, so the ratio should stay near 1);
* scoring throughput in batches of 1,000: the English model on English comments and
  the German sub-model (``model.languages.get("de").model``) on German validation
  comments, and their ratio. Skipped, with the reason, when the artifact has no
  German model.

    python bench/language.py [--model DIR] [--comments 2000] [--repeat 3]

``--model`` defaults to ``TOXICITY_MODEL_PATH``, else the shipped model.
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

from bench.common import ROOT, SHARED_DATA, has_data, median_of, table, write_json
from bench.inproc import batched, joined, pin_one_core
from bench.texts import validation_texts

MULTILINGUAL = ROOT.parent / "shared" / "data-multilingual"
TARGETS = {"bound_ratio": 2.0}
"""Detecting a 100 KB comment costs at most twice a 2 KB one: the window bounds it. Detection's
cost next to scoring is reported without a target: nearly all of it is py3langid's own
(its byte walk in Python and its naive-Bayes product, ``model.language_id``'s docstring)."""


def paired_us(
    one: Callable[[str], Any], first: Sequence[str], two: Callable[[str], Any], second: Sequence[str]
) -> tuple[float, float]:
    """Call ``one`` on ``first[i]`` then ``two`` on ``second[i]``, for each i; return µs per call of each.

    Alternating the two sides one call at a time lets both see the same machine: this VM's
    speed drifts within seconds when other work runs.
    """
    a = b = 0.0
    for x, y in zip(first, second, strict=True):
        t0 = time.perf_counter()
        one(x)
        t1 = time.perf_counter()
        two(y)
        b += time.perf_counter() - t1
        a += t1 - t0
    return a / len(first) * 1e6, b / len(second) * 1e6


def multilingual_texts(folder: Path, per_language: int) -> dict[str, list[str]]:
    """Return up to ``per_language`` validation comments per language of the multilingual sets."""
    from training.langeval.detection import validation_texts as split

    return {lang: rows[:per_language] for lang, rows in split(folder, None, 0).items()}


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Measure detection and scoring; return the figures."""
    from model import load_model
    from model.language_id import Detector

    cpu = pin_one_core()
    model = load_model(args.model)
    model.warm_up()
    detector = Detector()
    detector.load()
    english = validation_texts(args.data, limit=args.comments + 10_000)
    typical, batch = english[: args.comments], english[args.comments :]
    others = multilingual_texts(args.multilingual, 300) if args.multilingual.is_dir() else {}
    mixed = [t for rows in others.values() for t in rows]
    samples = {"typical English": typical, "2 KB English": joined(batch, count=args.comments // 4)}
    if mixed:
        samples["typical, every language"] = mixed
    out: dict[str, Any] = {"cpu": cpu, "model": str(args.model or "shipped"), "detection": {}}
    score_one = lambda t: model.probabilities([t])  # noqa: E731 - the scorer as one request calls it
    for label, texts in samples.items():
        detector.detect(texts[0])
        score_one(texts[0])
        pairs = [paired_us(detector.detect, texts, score_one, texts) for _ in range(args.repeat)]
        detect, single = median_of([a for a, _ in pairs]), median_of([b for _, b in pairs])
        size = min(1000, len(texts))
        in_batches = 1e6 / median_of([batched(model.probabilities, texts, size) for _ in range(args.repeat)])
        out["detection"][label] = {
            "comments": len(texts),
            "detect_us": detect,
            "score_single_us": single,
            "score_batch_us": in_batches,
            "cost_single": detect / single,
            "cost_batch": detect / in_batches,
        }
        print(f"  {label}: {out['detection'][label]}", flush=True)
    two_kb = samples["2 KB English"][:200]
    huge = [(t * (102_400 // max(1, len(t)) + 1))[:102_400] for t in two_kb]
    pairs = [paired_us(detector.detect, two_kb, detector.detect, huge) for _ in range(args.repeat)]
    small, large = median_of([a for a, _ in pairs]), median_of([b for _, b in pairs])
    out["bound"] = {"comments": len(two_kb), "detect_2kb_us": small, "detect_100kb_us": large, "ratio": large / small}
    out["throughput"] = throughput(model, batch, others.get("de", []), args.repeat)
    return out


def throughput(model: Any, english: Sequence[str], german: Sequence[str], repeat: int) -> dict[str, Any]:
    """Return comments per second in batches for English and, when the artifact has one, German."""
    size = min(1000, len(english))
    result: dict[str, Any] = {
        "en": {
            "comments": len(english),
            "per_s": median_of([batched(model.probabilities, english, size) for _ in range(repeat)]),
        }
    }
    catalogue = getattr(model, "languages", None)
    entry = catalogue.get("de") if catalogue is not None else None
    if entry is None or entry.model is None:
        result["de"] = {"skipped": "the artifact has no German model (train one, or pass --model)"}
    elif not german:
        result["de"] = {"skipped": f"no German validation comments ({MULTILINGUAL} is absent)"}
    else:
        german_model = entry.model
        german_model.warm_up()
        texts = list(german) * max(1, 3000 // len(german))
        size = min(1000, len(texts))
        per_s = median_of([batched(german_model.probabilities, texts, size) for _ in range(repeat)])
        result["de"] = {"comments": len(texts), "per_s": per_s, "ratio_to_en": per_s / result["en"]["per_s"]}
    print(f"  throughput: {result}", flush=True)
    return result


def markdown(r: dict[str, Any]) -> str:
    """Return the figures as markdown tables."""
    rows = [
        [
            f"{label} ({f['comments']:,})",
            f"{f['detect_us']:.0f}",
            f"{f['score_single_us']:.0f}",
            f"{f['score_batch_us']:.0f}",
            f"{f['cost_single']:.2f}x / {f['cost_batch']:.2f}x",
        ]
        for label, f in r["detection"].items()
    ]
    heads = ["comments", "detect, µs", "score alone, µs", "score in batches, µs", "detect / score (alone / batches)"]
    out = table(heads, rows)
    b = r["bound"]
    bound = [
        [
            f"detection of 100 KB vs 2 KB ({b['comments']})",
            f"{b['detect_100kb_us']:.0f} µs",
            f"{b['detect_2kb_us']:.0f} µs",
            f"{b['ratio']:.2f}x",
            f"<= {TARGETS['bound_ratio']:g}x",
        ]
    ]
    out += "\n\n" + table(["bound", "100 KB", "2 KB (baseline)", "ratio", "target"], bound)
    t = r["throughput"]
    lines = [["English model, English comments", f"{t['en']['per_s']:,.0f}", "1.00x (baseline)"]]
    de = t["de"]
    lines.append(
        ["German model, German comments", de["skipped"], ""]
        if "skipped" in de
        else ["German model, German comments", f"{de['per_s']:,.0f}", f"{de['ratio_to_en']:.2f}x"]
    )
    return out + "\n\n" + table(["scoring in batches of 1,000", "comments/s", "vs English"], lines)


def parser() -> argparse.ArgumentParser:
    """Return the command-line parser."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", type=Path, default=os.environ.get("TOXICITY_MODEL_PATH") or None)
    p.add_argument("--comments", type=int, default=2000, help="typical comments per sample")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--data", type=Path, default=SHARED_DATA)
    p.add_argument("--multilingual", type=Path, default=MULTILINGUAL)
    return p


def main() -> int:
    args = parser().parse_args()
    if not has_data(args.data):
        return 2
    if not 100 <= args.comments <= 100_000:
        print(f"--comments {args.comments} is outside [100, 100000]", file=sys.stderr)
        return 2
    result = run(args)
    print()
    print(markdown(result))
    print(f"wrote {write_json('language', result)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
