"""The ``toxicity`` command: ``train``, ``evaluate``, ``card``; ``retrain``, ``feedback``, ``score`` from elsewhere.

``retrain`` and ``feedback`` are ``training/retrain_cli.py``; ``score`` (bulk scoring) is ``bulk/cli.py``.

Both read the files given with ``--table``, ``--jigsaw-2018`` or
``--civil-comments-2019``. Without such files they read the shared data sets
(``../shared/data`` by default, minus the sets ``training.loaders.sources`` leaves
out by default); with them, the shared sets only when asked (``--with-shared``, or
the sources named with ``--source``), less any ``--exclude-source``. Progress goes
to stderr; runs are deterministic for the same data and ``--seed``.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from model.attributes import ATTRIBUTE_NAMES
from model.errors import ToxicityError
from training.errors import TrainingError
from training.loaders.sources import default_excluded

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = PROJECT_ROOT.parent / "shared" / "data"


def _label_mapping(values: Sequence[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for value in values:
        attribute, sep, column = value.partition("=")
        if not sep or not column:
            raise argparse.ArgumentTypeError(f"--label {value!r}: expected ATTRIBUTE=column")
        if attribute not in ATTRIBUTE_NAMES:
            raise argparse.ArgumentTypeError(
                f"--label {value!r}: unknown attribute; known: {', '.join(ATTRIBUTE_NAMES)}"
            )
        mapping[attribute] = column
    return mapping


def _add_data_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("data")
    g.add_argument(
        "--data-dir",
        type=Path,
        default=DEFAULT_DATA,
        help="folder of shared data sets (default: %(default)s)",
    )
    g.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="NAME",
        help="use only these shared sources (repeatable); a source named here is used even if it is "
        "left out by default",
    )
    g.add_argument(
        "--exclude-source",
        action="append",
        default=[],
        metavar="NAME",
        help="leave this shared source out (repeatable)",
    )
    g.add_argument(
        "--with-shared",
        action="store_true",
        help="also read the shared data sets when files are given (without files they are read anyway)",
    )
    g.add_argument("--no-shared", action="store_true", help="do not read the shared data sets")
    g.add_argument(
        "--table",
        action="append",
        type=Path,
        default=[],
        help="a CSV, TSV or JSONL file of labelled comments (repeatable)",
    )
    g.add_argument("--text-column", default="text", help="text column of --table files (default: %(default)s)")
    g.add_argument(
        "--label",
        action="append",
        default=[],
        metavar="ATTRIBUTE=COLUMN",
        help="label column of --table files (repeatable)",
    )
    g.add_argument(
        "--threshold",
        type=float,
        default=0.5,
        help="fractional labels at or above this are positive (default: %(default)s)",
    )
    g.add_argument("--jigsaw-2018", action="append", type=Path, default=[], help="a Jigsaw 2018 train.csv")
    g.add_argument(
        "--civil-comments-2019",
        action="append",
        type=Path,
        default=[],
        help="a Civil Comments 2019 train.csv",
    )
    g.add_argument("--seed", type=int, default=0, help="split and solver seed (default: %(default)s)")
    g.add_argument(
        "--validation-fraction",
        type=float,
        default=0.2,
        help="held-out share per source (default: %(default)s)",
    )


def _corpus(args: argparse.Namespace, validation_fraction: float, seed: int) -> Any:
    from training.dataset import build_corpus, shared_loaders
    from training.loaders import load_civil_comments_2019, load_jigsaw_2018, load_table
    from training.records import Record

    sources = []
    if _reads_shared(args):
        if args.source or args.data_dir.is_dir():
            sources = shared_loaders(args.data_dir, args.source or None, args.exclude_source)
        elif args.data_dir != DEFAULT_DATA:
            raise TrainingError(f"--data-dir {args.data_dir} is not a folder")
    extra: list[tuple[str, Iterator[Record], list[Path]]] = []
    labels = _label_mapping(args.label)
    if args.table and not labels:
        raise TrainingError("--table needs at least one --label ATTRIBUTE=COLUMN")
    for path in args.table:
        extra.append(
            (
                path.name,
                load_table(path, text_column=args.text_column, labels=labels, threshold=args.threshold),
                [path],
            )
        )
    extra += [(p.name, load_jigsaw_2018(p), [p]) for p in args.jigsaw_2018]
    extra += [(p.name, load_civil_comments_2019(p), [p]) for p in args.civil_comments_2019]
    if not sources and not extra:
        raise TrainingError(
            f"no training data: {args.data_dir} not found and no --table, --jigsaw-2018 or --civil-comments-2019 given"
        )
    root = args.data_dir if sources else None
    return build_corpus(sources, extra, validation_fraction=validation_fraction, seed=seed, data_root=root)


def _user_files(args: argparse.Namespace) -> bool:
    return bool(args.table or args.jigsaw_2018 or args.civil_comments_2019)


def _reads_shared(args: argparse.Namespace) -> bool:
    """Return whether the shared sets are read: without user files by default, with them only when asked."""
    if args.no_shared:
        return False
    return bool(args.source or args.with_shared or not _user_files(args))


def _progress(quiet: bool) -> Any:
    return None if quiet else (lambda message: print(message, file=sys.stderr, flush=True))


def cmd_train(args: argparse.Namespace) -> int:
    """Train a model and write its artifact."""
    from training.fit import TrainParams
    from training.pipeline import train

    if not 0.0 < args.validation_fraction < 1.0:
        raise TrainingError("--validation-fraction must be between 0 and 1")
    from training.langeval.designs import Caps
    from training.languages.options import languages_for, split_sources

    params = TrainParams(seed=args.seed, validation_fraction=args.validation_fraction, n_jobs=args.jobs)
    say = _progress(args.quiet)
    args.multilingual_sources = split_sources(args)
    languages, notices = languages_for(args, _reads_shared(args), Caps(seed=args.seed), say)
    if say:
        say("loading data")
    corpus = _corpus(args, params.validation_fraction, params.seed)
    root = None
    if _reads_shared(args) and args.data_dir.is_dir():
        root = os.path.relpath(args.data_dir.resolve(), PROJECT_ROOT)
    result = train(
        corpus,
        params,
        args.out,
        progress=say,
        baseline=not args.no_baseline,
        data_root=root,
        evaluation_only=_evaluation_only(args, corpus),
        command=getattr(args, "command_line", None),
        languages=languages,
    )
    print(_summary(result.manifest))
    subs = [e["bytes"] for e in (result.manifest.get("languages") or {}).values() if "bytes" in e]
    size = result.manifest["artifact"]["bytes"] + sum(subs)
    print(f"artifact: {args.out} ({size / 1e6:.1f} MB with {len(subs)} language sub-models), {result.seconds:.1f} s")
    for notice in notices:
        print(notice, file=sys.stderr)
    untrained = not_trained(result.manifest)
    if untrained:
        print(untrained, file=sys.stderr)
    return 0


def not_trained(manifest: dict[str, Any]) -> str:
    """Return the end-of-run notice naming each attribute the run could not train, and why ("" if none)."""
    missing = {
        name: entry.get("reason", "")
        for name, entry in manifest["attributes"].items()
        if name not in manifest.get("thresholds", {})
    }
    if not missing:
        return ""
    bar = "!" * 72
    lines = [bar, f"WARNING: {len(missing)} attribute(s) NOT TRAINED; the model will not score them:"]
    lines += [f"  {name}: {reason}" for name, reason in missing.items()]
    lines += ["Add labelled rows for them (see --label), or ignore this if you did not ask for them.", bar]
    return "\n".join(lines)


def _evaluation_only(args: argparse.Namespace, corpus: Any) -> dict[str, list[Any]]:
    """Return the left-out shared sources a run measures false positives on (never trains on)."""
    from training.evaluate import NEWS_COMMENT_SOURCES
    from training.loaders import SHARED_SOURCES

    out: dict[str, list[Any]] = {}
    if not _reads_shared(args) or not args.data_dir.is_dir():
        return out
    used = set(corpus.sources())
    for name in NEWS_COMMENT_SOURCES:
        folder = args.data_dir / name
        if name not in used and name in SHARED_SOURCES and folder.is_dir():
            out[name] = list(SHARED_SOURCES[name](folder))
    return out


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Score a dataset with an artifact and report metrics per attribute and source."""
    import numpy as np

    from model import load_model
    from training.metrics import evaluate_table

    model = load_model(args.model)
    data = model.manifest.get("data", {})
    fraction = data.get("validation_fraction", 0.2) if args.split != "all" else 0.2
    seed = data.get("split_seed", 0)
    corpus = _corpus(args, fraction, seed)
    if args.split == "all":
        records = corpus.records
    elif args.split in ("report", "tune"):
        from training.evaluate import split_tuning

        tune_fraction = model.manifest.get("parameters", {}).get("tune_fraction", 0.5)
        val_records, val_keys = corpus.part(True)
        tune, held = split_tuning(val_records, val_keys, seed, tune_fraction)
        records = held if args.split == "report" else tune
    else:
        records, _ = corpus.part(args.split == "validation")
    say = _progress(args.quiet)
    if say:
        say(f"scoring {len(records)} comments ({args.split} split)")
    probs = model.probabilities([r.text for r in records]) if records else np.zeros((0, len(model.attributes)))
    table = evaluate_table(records, probs, model.attributes, {a: model.info[a].threshold for a in model.attributes})
    report = {"model": model.version, "split": args.split, "metrics": table}
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(_summary({"metrics": {"validation": table}}))
    return 0


def cmd_card(args: argparse.Namespace) -> int:
    """Render an artifact's model card again from its manifest (and a peer's results)."""
    from training.card import render_card

    manifest_path = args.model / "manifest.json"
    if not manifest_path.is_file():
        raise TrainingError(f"{manifest_path} not found: --model must be an artifact folder")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    peer = None
    if args.peer is not None:
        if not args.peer.is_file():
            raise TrainingError(f"--peer {args.peer} not found; run python bench/peer.py --model {args.model} first")
        peer = json.loads(args.peer.read_text(encoding="utf-8"))
        if peer.get("model") != manifest.get("version"):
            raise TrainingError(
                f"--peer {args.peer} compared model {peer.get('model')}, not this artifact's {manifest.get('version')}"
            )
    plots = sorted(p.name for p in (args.model / "plots").glob("*.png"))
    (args.model / "MODEL_CARD.md").write_text(render_card(manifest, plots, peer), encoding="utf-8")
    print(f"wrote {args.model / 'MODEL_CARD.md'}")
    return 0


def _summary(manifest: dict[str, Any]) -> str:
    rows = ["attribute         source                       n      ROC-AUC  PR-AUC  F1     ECE    baseline-AUC"]
    base = manifest.get("metrics", {}).get("naive_baseline", {})
    for attribute, by_source in manifest["metrics"]["validation"].items():
        for source, m in by_source.items():
            b = base.get(attribute, {}).get(source, {}).get("roc_auc")
            cells = [m.get(k) for k in ("roc_auc", "pr_auc", "f1", "ece")]
            shown = "  ".join(f"{v:.4f}" if isinstance(v, float) else "  —   " for v in cells)
            rows.append(f"{attribute:<17} {source:<28} {m['n']:<6} {shown}  {b if b is not None else '—'}")
    return "\n".join(rows)


def excluded_sources_help() -> str:
    """Return the help paragraph naming the shared sources left out by default, and why."""
    lines = ["shared sources left out unless named with --source:"]
    lines += [f"  {name}: {reason}" for name, reason in default_excluded().items()]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    """Return the ``toxicity`` argument parser."""
    parser = argparse.ArgumentParser(prog="toxicity", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    # The epilog lists one excluded source per line; the raw formatter keeps those lines.
    epilog, raw = excluded_sources_help(), argparse.RawDescriptionHelpFormatter
    t = sub.add_parser("train", help="train a model and write its artifact", epilog=epilog, formatter_class=raw)
    _add_data_args(t)
    t.add_argument(
        "--out",
        type=Path,
        default=PROJECT_ROOT / "artifacts" / "model",
        help="artifact folder (default: %(default)s)",
    )
    t.add_argument("--jobs", type=int, default=2, help="parallel fits (default: %(default)s)")
    t.add_argument("--no-baseline", action="store_true", help="skip the naive baseline")
    t.add_argument("--quiet", action="store_true", help="no progress output")
    from training.languages.options import add_arguments

    add_arguments(t)
    t.set_defaults(func=cmd_train)
    e = sub.add_parser("evaluate", help="evaluate an artifact against a dataset", epilog=epilog, formatter_class=raw)
    _add_data_args(e)
    e.add_argument("--model", type=Path, default=None, help="artifact folder (default: the shipped model)")
    e.add_argument(
        "--split",
        choices=("report", "tune", "validation", "train", "all"),
        default="report",
        help="which rows to score: the report half of the artifact's own validation split of these "
        "sources (default: what its card reports), the tuning half (which fitted its combiners and "
        "thresholds), the whole validation split, the training split, or all rows (for data the "
        "model never saw)",
    )
    e.add_argument("--json", type=Path, help="also write the metrics as JSON here")
    e.add_argument("--quiet", action="store_true", help="no progress output")
    e.set_defaults(func=cmd_evaluate)
    c = sub.add_parser(
        "card",
        help="render an artifact's MODEL_CARD.md again from its manifest, optionally beside a peer",
        description="Rewrite MODEL_CARD.md from the artifact's manifest.json (every figure of the model is "
        "the training run's); with --peer, add the columns bench/peer.py measured for alt-profanity-check.",
    )
    c.add_argument("--model", type=Path, required=True, help="artifact folder")
    c.add_argument("--peer", type=Path, help="bench/peer.py's results (bench/results/peer.json)")
    c.set_defaults(func=cmd_card)
    from training.retrain_cli import add_commands  # here: it imports this module's data flags

    add_commands(sub)
    from bulk.cli import add_command  # bulk scoring needs only the model: its own part, bulk/

    add_command(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    words = list(sys.argv[1:] if argv is None else argv)
    args.command_line = shlex.join(["toxicity", *words])
    try:
        return int(args.func(args))
    except (TrainingError, ToxicityError, FileNotFoundError, ValueError, argparse.ArgumentTypeError) as exc:
        print(f"toxicity {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
