"""``toxicity retrain`` and ``toxicity feedback export``: the CLI of moderators' feedback.

``retrain`` reads the base corpus as ``toxicity train`` does (the same data flags),
adds the accepted decisions of ``--feedback`` (a suggestion store, or its CSV or JSON
Lines export) and runs ``training.retrain``: the candidate goes to ``--candidate``
(default ``<out>.candidate``), and to ``--out`` only if the gate promotes it; the
command prints the gate's margins (``--auc-margin``, ``--brier-margin``,
``--agreement-margin``) before it trains and the deciding rule after. The exit
code is 0 when promoted, 3 when the gate refused, 2 on an error.

``feedback export`` copies a store's rows (by status) to a CSV or JSON Lines file a
site keeps outside the service; ``retrain --feedback`` reads that file, and
``feedback import`` adds it to a store again (skipping suggestions already there).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from training.cli import PROJECT_ROOT, _add_data_args, _corpus, _progress
from training.errors import TrainingError

REFUSED = 3
"""Exit code of a retrain whose candidate the gate refused."""


def cmd_retrain(args: argparse.Namespace) -> int:
    """Retrain with accepted feedback, compare with the base, gate the promotion."""
    from model import load_model
    from training.feedback import accepted_records, read_feedback
    from training.fit import TrainParams
    from training.gate import Margins
    from training.retrain import retrain

    if not 0.0 < args.validation_fraction < 1.0:
        raise TrainingError("--validation-fraction must be between 0 and 1")
    for flag in ("auc", "brier", "agreement"):
        if not getattr(args, f"{flag}_margin") >= 0.0:
            raise TrainingError(f"--{flag}-margin must be 0 or more")
    if not args.feedback_weight > 0.0:
        raise TrainingError("--feedback-weight must be positive")
    say = _progress(args.quiet)
    margins = Margins(roc_auc=args.auc_margin, brier=args.brier_margin, agreement=args.agreement_margin)
    print(f"gate: {margins.describe()}", flush=True)
    feedback, skipped = accepted_records(read_feedback(args.feedback), args.feedback_weight)
    if say:
        left = ", ".join(f"{n} {why}" for why, n in sorted(skipped.items())) or "none"
        say(f"feedback: {len(feedback)} accepted comments from {args.feedback} (left out: {left})")
    base = load_model(args.base)
    params = TrainParams(seed=args.seed, validation_fraction=args.validation_fraction, n_jobs=args.jobs)
    corpus = _corpus(args, params.validation_fraction, params.seed)
    candidate = args.candidate or args.out.with_name(f"{args.out.name}.candidate")
    result = retrain(
        corpus,
        feedback,
        base,
        params,
        candidate,
        args.out,
        margins=margins,
        force=args.force,
        progress=say,
        command=getattr(args, "command_line", None),
        feedback_files=[args.feedback],
    )
    print(f"candidate: {result.candidate}")
    print(result.decision.rule)
    if result.promoted_to is not None:
        print(f"promoted to {result.promoted_to}; reload the service (POST /v1/admin/reload or SIGHUP)")
        return 0
    return REFUSED


def cmd_feedback_export(args: argparse.Namespace) -> int:
    """Write a store's rows of one status to CSV or JSON Lines."""
    from training.feedback import read_store, write_feedback

    rows = [r for r in read_store(args.store) if args.status == "all" or r.status == args.status]
    write_feedback(rows, args.out)
    print(f"{len(rows)} rows to {args.out}")
    return 0


def cmd_feedback_import(args: argparse.Namespace) -> int:
    """Add an exported file's rows to a suggestion store."""
    from training.feedback import import_feedback, read_feedback

    rows = read_feedback(args.file)
    added = import_feedback(rows, args.store)
    print(f"{added} suggestions added to {args.store} ({len(rows)} rows read)")
    return 0


def add_commands(sub: Any) -> None:
    """Add ``retrain`` and ``feedback`` to the ``toxicity`` parser's subcommands."""
    r = sub.add_parser("retrain", help="retrain with accepted feedback; promote the candidate if the gate allows")
    _add_data_args(r)
    r.add_argument("--feedback", type=Path, required=True, help="a suggestion store, or its .csv/.jsonl export")
    r.add_argument("--base", type=Path, default=None, help="the base artifact (default: the shipped model)")
    r.add_argument(
        "--out",
        type=Path,
        default=PROJECT_ROOT / "artifacts" / "model",
        help="where a promoted candidate goes, e.g. TOXICITY_MODEL_PATH (default: %(default)s)",
    )
    r.add_argument("--candidate", type=Path, default=None, help="the candidate's folder (default: <out>.candidate)")
    gate = "on the shared validation rows, per attribute, pooled and per source"
    r.add_argument(
        "--auc-margin",
        "--margin",
        type=float,
        default=0.005,
        help=f"most ROC-AUC the candidate may lose {gate} (default: %(default)s)",
    )
    r.add_argument(
        "--brier-margin",
        type=float,
        default=0.005,
        help=f"most Brier score the candidate may gain {gate} (default: %(default)s)",
    )
    r.add_argument(
        "--agreement-margin",
        type=float,
        default=0.005,
        help=f"most agreement at the default thresholds the candidate may lose {gate}, "
        "or one row in a smaller part (default: %(default)s)",
    )
    r.add_argument("--force", action="store_true", help="promote even if the gate refuses")
    r.add_argument("--feedback-weight", type=float, default=5.0, help="weight of one decision (default: %(default)s)")
    r.add_argument("--jobs", type=int, default=2, help="parallel fits (default: %(default)s)")
    r.add_argument("--quiet", action="store_true", help="no progress output")
    r.set_defaults(func=cmd_retrain)
    f = sub.add_parser("feedback", help="export or import a suggestion store's rows as CSV or JSON Lines")
    fsub = f.add_subparsers(dest="action", required=True)
    e = fsub.add_parser("export", help="write the store's rows of one status to a .csv or .jsonl file")
    e.add_argument("--store", type=Path, required=True, help="the suggestion store (TOXICITY_SUGGESTIONS_DB)")
    e.add_argument("--out", type=Path, required=True, help="a .csv or .jsonl file")
    e.add_argument(
        "--status", choices=("accepted", "rejected", "pending", "all"), default="accepted", help="default: accepted"
    )
    e.set_defaults(func=cmd_feedback_export)
    i = fsub.add_parser("import", help="add a .csv or .jsonl export's rows to a suggestion store")
    i.add_argument("--store", type=Path, required=True, help="the suggestion store (TOXICITY_SUGGESTIONS_DB)")
    i.add_argument("file", type=Path, help="a .csv or .jsonl export")
    i.set_defaults(func=cmd_feedback_import)
