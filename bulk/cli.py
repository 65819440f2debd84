"""``toxicity score INPUT OUTPUT --text-column NAME --id-column NAME``: the command's arguments.

``training/cli.py`` adds this subcommand to ``toxicity`` with ``add_command``;
``python -m bulk score ...`` runs it without the training part. A ``BulkError``
(or a bad argument) prints one line and exits 2; an interrupted run exits 130
and keeps what it committed for ``--resume``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bulk.errors import BulkError
from bulk.formats import FORMAT_NAMES
from model.errors import ToxicityError

EPILOG = """\
examples:
  toxicity score comments.csv.gz scores.csv.gz --id-column id --text-column body
  toxicity score archive.parquet scores.parquet --id-column id --text-column text --preset balanced
  toxicity score dump.jsonl scores.csv --id-column id --text-column text --resume   # after an interruption

Formats by name: .csv, .jsonl (.ndjson), .parquet; csv and jsonl may end in .gz, .bz2 or .zst.
Bad rows go to the rejects (default NAME.rejects.jsonl beside OUTPUT) with their row, id and reason;
NAME.summary.json says rows = scored + rejected, rejects by reason, flagged per attribute, seconds.
"""


def _bounded(low: int, high: int, what: str) -> Any:
    def parse(value: str) -> int:
        try:
            n = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be a whole number, not {value!r}") from None
        if not low <= n <= high:
            raise argparse.ArgumentTypeError(f"{what} must be between {low:,} and {high:,}, not {n:,}")
        return n

    return parse


def configure(p: argparse.ArgumentParser) -> None:
    """Add the score command's arguments to ``p``."""
    p.add_argument("input", type=Path, metavar="INPUT", help="comments to score (.csv, .jsonl, .parquet)")
    p.add_argument("output", type=Path, metavar="OUTPUT", help="scores, in INPUT's format unless named otherwise")
    p.add_argument("--id-column", required=True, metavar="NAME", help="the column (or JSON key) holding row ids")
    p.add_argument("--text-column", required=True, metavar="NAME", help="the column (or JSON key) holding text")
    p.add_argument("--rejects", type=Path, metavar="PATH", help="bad rows (JSONL); default NAME.rejects.jsonl")
    p.add_argument("--output-format", choices=FORMAT_NAMES, help="OUTPUT's format when its name does not say it")
    p.add_argument(
        "--workers",
        type=_bounded(0, 256, "--workers"),
        metavar="N",
        help="worker processes (default: every core; 0: score in this process)",
    )
    p.add_argument(
        "--chunk-rows",
        type=_bounded(100, 1_000_000, "--chunk-rows"),
        default=10_000,
        metavar="N",
        help="rows per chunk, the unit of work and of --resume (default %(default)s)",
    )
    p.add_argument(
        "--max-text-bytes",
        type=_bounded(1, 1_048_576, "--max-text-bytes"),
        default=20_480,
        metavar="N",
        help="longest text in bytes of UTF-8, as the service's TOXICITY_MAX_TEXT_BYTES (default %(default)s)",
    )
    flags = p.add_mutually_exclusive_group()
    flags.add_argument("--preset", choices=("balanced", "high_precision", "high_recall"), help="add `flagged`")
    flags.add_argument("--profile", metavar="NAME", help="add `flagged` by this profile of --profiles-file")
    p.add_argument("--profiles-file", type=Path, metavar="PATH", help="profiles TOML (TOXICITY_PROFILES_FILE's form)")
    p.add_argument("--model", type=Path, metavar="DIR", help="model artifact folder (default: the shipped model)")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run of the same INPUT and OUTPUT")
    p.add_argument("--overwrite", action="store_true", help="replace OUTPUT and the rejects if they exist")
    p.add_argument("--quiet", action="store_true", help="no progress bar (the summary line is still printed)")
    p.set_defaults(func=cmd_score)


def add_command(sub: Any) -> None:
    """Register ``score`` on an ``add_subparsers`` object (the ``toxicity`` command's)."""
    p = sub.add_parser(
        "score",
        help="score a CSV, JSONL or Parquet file of comments (bulk, every core)",
        description="Score every comment of INPUT into OUTPUT, in chunks, with one worker process per core.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    configure(p)


def cmd_score(args: argparse.Namespace) -> int:
    """Run ``toxicity score``; return the exit status."""
    from bulk.run import Options, run

    if args.id_column == args.text_column:
        print("toxicity score: --id-column and --text-column must be two columns", file=sys.stderr)
        return 2
    if args.profiles_file is not None and args.profile is None:
        print("toxicity score: --profiles-file is used only with --profile NAME", file=sys.stderr)
        return 2
    opts = Options(
        input=args.input,
        output=args.output,
        id_column=args.id_column,
        text_column=args.text_column,
        rejects=args.rejects,
        output_format=args.output_format,
        workers=args.workers,
        chunk_rows=args.chunk_rows,
        max_text_bytes=args.max_text_bytes,
        preset=args.preset,
        profile=args.profile,
        profiles_file=args.profiles_file,
        model_path=args.model,
        resume=args.resume,
        overwrite=args.overwrite,
        quiet=args.quiet,
    )
    try:
        run(opts)
    except (BulkError, ToxicityError, OSError) as exc:  # OSError: a folder not writable, a disk full
        print(f"toxicity score: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ntoxicity score: interrupted; committed chunks are kept: rerun with --resume", file=sys.stderr)
        return 130
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``python -m bulk score ...``."""
    parser = argparse.ArgumentParser(prog="python -m bulk")
    sub = parser.add_subparsers(dest="command", required=True)
    add_command(sub)
    args = parser.parse_args(argv)
    return int(args.func(args))
