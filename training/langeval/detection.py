"""``python -m training.langeval.detection``: how well ``model.language_id`` detects each language.

    python -m training.langeval.detection [--data-dir ../shared/data-multilingual]
        [--english-data ../shared/data] [--english-sample 3000] [--json OUT.json]

On validation rows only (the split of ``training.langeval``: the English model's
split, so the same rows the per-language heads are measured on; never an official
test split), per language: the share detected as that language, as another, and
unsure (the service then assumes the fallback language). On a sample of English
validation rows: the share sure-detected as something else, per detected language
(those comments would lose their English score). Also the Hinglish rule alone, and
what reading only ``WINDOW`` characters from each end of a long comment changes.
Prints markdown; texts are never printed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from model.hinglish import hinglish
from model.language_id import Detector
from model.languages import WINDOW

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = ROOT.parent / "shared" / "data-multilingual"
ENGLISH_DATA = ROOT.parent / "shared" / "data"
LONG = 2 * WINDOW + 800
"""Characters of the long comments built for the window check (consecutive rows joined)."""


def validation_texts(
    data_dir: Path, english_dir: Path | None, english_sample: int, seed: int = 0
) -> dict[str, list[str]]:
    """Return validation texts per language: the multilingual split's, and a sample of English's."""
    from training.dataset import build_corpus, shared_loaders
    from training.loaders.multilingual import multilingual_loaders

    corpus = build_corpus(multilingual_loaders(data_dir, include_excluded=True), validation_fraction=0.2, seed=seed)
    out: dict[str, list[str]] = {}
    for record in corpus.part(True)[0]:
        out.setdefault(record.language, []).append(record.text)
    if english_dir is not None and english_sample > 0:
        english = [r.text for r in build_corpus(shared_loaders(english_dir)).part(True)[0] if r.text.strip()]
        random.Random(seed).shuffle(english)
        out["en"] = english[:english_sample]
    return out


def outcome(detector: Detector, text: str, language: str, window_chars: int = WINDOW) -> str:
    """Return ``self``, ``unsure`` or the tag detected for one text of ``language``."""
    best = detector.detect(text, window_chars=window_chars).best
    return "unsure" if best is None else "self" if best == language else best


def confusion(detector: Detector, texts: Mapping[str, Sequence[str]]) -> dict[str, Counter[str]]:
    """Return, per language, how its texts were detected (``self``, ``unsure`` or another tag)."""
    return {lang: Counter(outcome(detector, t, lang) for t in rows) for lang, rows in texts.items()}


def joined(texts: Sequence[str], size: int = LONG, count: int = 300) -> list[str]:
    """Return up to ``count`` long comments, each consecutive ``texts`` joined until ``size`` characters."""
    out: list[str] = []
    current: list[str] = []
    length = -1  # of the current texts joined by spaces
    for text in texts:
        current.append(text.strip())
        length += len(current[-1]) + 1
        if length >= size:
            out.append(" ".join(current))
            current, length = [], -1
            if len(out) == count:
                break
    return out


def window_check(detector: Detector, texts: Mapping[str, Sequence[str]]) -> dict[str, dict[str, float]]:
    """Return, per language, detection of long comments read whole against read through the window."""
    out: dict[str, dict[str, float]] = {}
    for lang, rows in texts.items():
        long = joined(rows)
        if not long:
            continue
        whole = [outcome(detector, t, lang, window_chars=len(t)) for t in long]
        part = [outcome(detector, t, lang) for t in long]
        out[lang] = {
            "comments": len(long),
            "self_whole": whole.count("self") / len(long),
            "self_window": part.count("self") / len(long),
            "agree": sum(a == b for a, b in zip(whole, part, strict=True)) / len(long),
        }
    return out


def measure(texts: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """Return every figure of the report."""
    detector = Detector()
    table = confusion(detector, texts)
    rule = {lang: sum(hinglish(t) > 0 for t in rows) / max(1, len(rows)) for lang, rows in texts.items()}
    return {
        "rows": {lang: sum(c.values()) for lang, c in table.items()},
        "confusion": {lang: dict(c) for lang, c in table.items()},
        "hinglish_rule": rule,
        "window": window_check(detector, texts),
    }


def markdown(figures: Mapping[str, Any]) -> str:
    """Render the figures as markdown tables."""
    lines = [
        "| language | rows | detected as itself | as another | unsure | detected instead (up to 10) |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for lang, counts in figures["confusion"].items():
        n = figures["rows"][lang]
        others = {k: v for k, v in counts.items() if k not in ("self", "unsure")}
        top = ", ".join(f"{k} {v}" for k, v in sorted(others.items(), key=lambda kv: -kv[1])[:10])
        lines.append(
            f"| {lang} | {n:,} | {counts.get('self', 0) / n:.1%} | {sum(others.values()) / n:.1%} "
            f"| {counts.get('unsure', 0) / n:.1%} | {top} |"
        )
    lines += ["", "The Hinglish rule alone (``model.hinglish``), share of rows it claims:", ""]
    lines += [f"- {lang}: {share:.2%}" for lang, share in figures["hinglish_rule"].items()]
    lines += ["", f"Long comments ({LONG:,} characters and more, consecutive rows joined), whole vs window:", ""]
    lines += [
        "| language | comments | itself, read whole | itself, window | same outcome |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for lang, w in figures["window"].items():
        lines.append(
            f"| {lang} | {w['comments']:.0f} | {w['self_whole']:.1%} | {w['self_window']:.1%} | {w['agree']:.1%} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the measurement and print its report."""
    p = argparse.ArgumentParser(prog="python -m training.langeval.detection", description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    p.add_argument("--english-data", type=Path, default=ENGLISH_DATA)
    p.add_argument("--english-sample", type=int, default=3000, help="English validation rows (0 to skip)")
    p.add_argument("--json", type=Path, help="also write every figure here")
    args = p.parse_args(argv)
    if not args.data_dir.is_dir():
        print(f"error: no multilingual data in {args.data_dir}", file=sys.stderr)
        return 2
    if not 0 <= args.english_sample <= 100_000:
        print(f"error: --english-sample {args.english_sample} is outside [0, 100000]", file=sys.stderr)
        return 2
    english = args.english_data if args.english_data.is_dir() else None
    if english is None:
        print(f"note: no English data in {args.english_data}; English is left out", file=sys.stderr)
    figures = measure(validation_texts(args.data_dir, english, args.english_sample))
    print(markdown(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
