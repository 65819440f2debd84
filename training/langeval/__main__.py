"""``python -m training.langeval``: the multilingual design comparison, written to a report outside the repository.

    python -m training.langeval --out /tmp/langeval.md [--data-dir ../shared/data-multilingual] [--n-jobs 2]

Writes ``OUT`` (markdown) and ``OUT`` with the suffix ``.json`` (every figure).
Bad arguments and missing data end with a message naming the problem and exit
status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from training.langeval.designs import Caps

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = ROOT.parent / "shared" / "data-multilingual"
ENGLISH_ARTIFACT = ROOT / "model" / "default" / "model.joblib"
MAX_FEATURES = 1_000_000
"""The largest vocabulary cap accepted (one block)."""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= MAX_FEATURES:
        raise argparse.ArgumentTypeError(f"{value} is outside [1, {MAX_FEATURES}]")
    return value


def build_parser() -> argparse.ArgumentParser:
    """Return the command's argument parser."""
    caps = Caps()
    p = argparse.ArgumentParser(prog="python -m training.langeval", description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, required=True, help="markdown report to write (the JSON goes next to it)")
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA, help=f"the sets' folder (default {DEFAULT_DATA})")
    p.add_argument("--n-jobs", type=int, choices=range(1, 9), default=2, metavar="1-8", help="processes (default 2)")
    p.add_argument("--seed", type=int, default=caps.seed, help="split seed (default 0, the English model's)")
    p.add_argument("--word-max-features", type=_positive_int, default=caps.word_max_features)
    p.add_argument("--char-max-features", type=_positive_int, default=caps.char_max_features)
    p.add_argument("--shared-word-max-features", type=_positive_int, default=caps.shared_word_max_features)
    p.add_argument("--shared-char-max-features", type=_positive_int, default=caps.shared_char_max_features)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the comparison; return the exit status."""
    args = build_parser().parse_args(argv)
    out: Path = args.out.resolve()
    problem = None
    if not (args.data_dir / "PROVENANCE.md").is_file():
        problem = f"--data-dir {args.data_dir}: no PROVENANCE.md there, so not the multilingual data folder"
    elif out.is_relative_to(ROOT):
        problem = f"--out {args.out}: inside the repository {ROOT}; reports of the data are not committed"
    elif out.suffix != ".md" or not out.parent.is_dir():
        problem = f"--out {args.out}: needs a .md file in an existing folder"
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    from training.langeval.report import render
    from training.langeval.run import measure

    caps = Caps(
        word_max_features=args.word_max_features,
        char_max_features=args.char_max_features,
        shared_word_max_features=args.shared_word_max_features,
        shared_char_max_features=args.shared_char_max_features,
        seed=args.seed,
    )
    result = measure(args.data_dir, caps, n_jobs=args.n_jobs)
    english = ENGLISH_ARTIFACT.stat().st_size if ENGLISH_ARTIFACT.is_file() else None
    result["english_artifact_bytes"] = english
    out.with_suffix(".json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    out.write_text(render(result, english), encoding="utf-8")
    print(f"wrote {out} and {out.with_suffix('.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
