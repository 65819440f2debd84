"""One training run end to end: corpus -> features -> heads -> evaluation -> artifact.

The split comes first, so the vectorisers, hyper-parameter search and calibration
only ever see training rows; every reported metric is on the held-out validation
split, next to the naive baseline fitted on the same splits in the same run.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from model.artifact import library_versions, save_artifact
from model.attributes import ATTRIBUTE_NAMES, BY_NAME, Status
from model.features import Featurizer
from model.scorer import AttributeInfo, ToxicityModel
from training.baseline import run_baseline
from training.dataset import Corpus
from training.fit import Head, TrainParams, fit_heads
from training.loaders import PRIMARY_ATTRIBUTE
from training.metrics import evaluate_table, labels_and_scores
from training.records import normalized
from training.report import render_card, render_plots

# An attribute is "supported" only with this much evidence; otherwise "experimental".
SUPPORTED_MIN_POSITIVES = 1000
SUPPORTED_MIN_SOURCES = 2
SUPPORTED_MIN_AUC = 0.80
PROXY_ATTRIBUTES = {
    "SEVERE_TOXICITY": (
        "no source labels severity; trained on a proxy (explicit hate, threats and identity "
        "attacks that every annotator called toxic, versus mild, profane-only or non-toxic "
        "comments)"
    ),
}


class Clock:
    """Print progress lines with the elapsed time."""

    def __init__(self, printer: Callable[[str], None] | None) -> None:
        self.start = time.perf_counter()
        self.printer = printer

    def __call__(self, message: str) -> None:
        """Report one step."""
        if self.printer:
            self.printer(f"[{time.perf_counter() - self.start:7.1f}s] {message}")

    @property
    def elapsed(self) -> float:
        """Seconds since the run started."""
        return time.perf_counter() - self.start


@dataclass(slots=True)
class TrainResult:
    """What a run produced: the model, its manifest and where it was written."""

    model: ToxicityModel
    manifest: dict[str, Any]
    metrics: dict[str, Any]
    baseline: dict[str, Any]
    out_dir: Path | None
    seconds: float
    extra: dict[str, Any] = field(default_factory=dict)


def git_commit() -> str:
    """Return the code's git commit (with ``-dirty`` if modified), or ``unknown``."""
    root = Path(__file__).resolve().parents[1]
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", "model", "training"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{sha}-dirty" if dirty else sha


def decide_status(
    attribute: str, head: Head | None, skipped: str | None, pooled: dict[str, Any] | None
) -> tuple[Status, str]:
    """Return an attribute's status and the reason, from its data and validation metrics."""
    if head is None:
        return Status.UNSUPPORTED, skipped or "no training labels"
    auc = (pooled or {}).get("roc_auc", float("nan"))
    n_sources = len(head.per_source)
    evidence = f"{head.positives} positive training labels from {n_sources} source(s), validation ROC-AUC {auc:.3f}"
    if attribute in PROXY_ATTRIBUTES:
        return Status.EXPERIMENTAL, f"{PROXY_ATTRIBUTES[attribute]}; {evidence}"
    gaps = []
    if head.positives < SUPPORTED_MIN_POSITIVES:
        gaps.append(f"fewer than {SUPPORTED_MIN_POSITIVES} positive labels")
    if n_sources < SUPPORTED_MIN_SOURCES:
        gaps.append(f"fewer than {SUPPORTED_MIN_SOURCES} sources")
    if not auc >= SUPPORTED_MIN_AUC:
        gaps.append(f"validation ROC-AUC below {SUPPORTED_MIN_AUC}")
    if gaps:
        return Status.EXPERIMENTAL, f"{'; '.join(gaps)}: {evidence}"
    return Status.SUPPORTED, evidence


def _source_summary(corpus: Corpus) -> dict[str, dict[str, int]]:
    summary: dict[str, dict[str, int]] = {}
    for name, count in corpus.loaded.items():
        summary[name] = {"loaded": count, "train": 0, "validation": 0}
    for record, is_val in zip(corpus.records, corpus.validation, strict=True):
        entry = summary.setdefault(record.source, {"loaded": 0, "train": 0, "validation": 0})
        entry["validation" if is_val else "train"] += 1
    return summary


def train(
    corpus: Corpus,
    params: TrainParams,
    out_dir: Path | None = None,
    *,
    progress: Callable[[str], None] | None = None,
    baseline: bool = True,
    data_root: str | None = None,
) -> TrainResult:
    """Fit, evaluate and (if ``out_dir``) write a model artifact from ``corpus``."""
    clock = Clock(progress)
    commit = git_commit()  # at the start: the code that trains, not whatever changed since
    train_records, train_keys = corpus.part(False)
    val_records, _ = corpus.part(True)
    clock(f"corpus: {len(train_records)} training and {len(val_records)} validation comments")

    train_texts = [normalized(r.text) for r in train_records]
    val_texts = [normalized(r.text) for r in val_records]
    clock("normalised texts")
    featurizer, x_train = Featurizer.fit(train_texts, params.features, n_jobs=params.n_jobs)
    clock(f"fitted vectorisers: {featurizer.n_word} word and {featurizer.n_features - featurizer.n_word} char features")

    heads, skipped = fit_heads(x_train, train_records, train_keys, ATTRIBUTE_NAMES, params, clock)
    del x_train
    attributes = [h.attribute for h in heads]
    if not attributes:
        raise ValueError(f"no attribute has enough labels to train: {skipped}")
    coef = np.column_stack([h.coef for h in heads])
    intercept = np.array([h.intercept for h in heads])
    calibrators = [h.calibrator for h in heads]
    thresholds = {h.attribute: h.threshold for h in heads}
    placeholder = {
        a: AttributeInfo(a, BY_NAME[a].definition, Status.EXPERIMENTAL, "", thresholds[a]) for a in attributes
    }
    model = ToxicityModel(featurizer, attributes, coef, intercept, calibrators, placeholder)

    val_probs = (
        model.calibrate(np.asarray(featurizer.transform(val_texts) @ coef) + intercept)
        if val_records
        else np.zeros((0, len(attributes)))
    )
    metrics = evaluate_table(val_records, val_probs, attributes, thresholds)
    clock("evaluated on the validation split")
    base = run_baseline(train_records, val_records, ATTRIBUTE_NAMES, params.seed, params.n_jobs) if baseline else {}
    if baseline:
        clock("fitted the naive baseline per source")

    by_name = {h.attribute: h for h in heads}
    described: dict[str, dict[str, Any]] = {}
    for name in ATTRIBUTE_NAMES:
        head = by_name.get(name)
        status, reason = decide_status(name, head, skipped.get(name), metrics.get(name, {}).get("all"))
        entry: dict[str, Any] = {
            "definition": BY_NAME[name].definition,
            "status": status.value,
            "reason": reason,
        }
        if head is not None:
            entry.update(
                threshold=head.threshold,
                calibration=head.calibrator.kind,
                hyperparameters={"C": head.c, "alpha": head.alpha},
                defining_sources=head.defining_sources,
                cv_macro_roc_auc=round(head.cv_objective, 4),
                training_labels={
                    "n": head.n_train,
                    "positives": head.positives,
                    "by_source": head.per_source,
                },
            )
        described[name] = entry
    model.info = {
        a: AttributeInfo(
            a, BY_NAME[a].definition, Status(described[a]["status"]), described[a]["reason"], thresholds[a]
        )
        for a in attributes
    }

    files = [asdict(f) for f in corpus.files]
    params_dict = params.as_dict()
    version_seed = json.dumps({"files": files, "params": params_dict, "code": commit}, sort_keys=True)
    version = datetime.now(UTC).strftime("%Y.%m.%d") + "-" + hashlib.sha256(version_seed.encode()).hexdigest()[:8]
    manifest: dict[str, Any] = {
        "version": version,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "libraries": library_versions(),
        "git_commit": commit,
        "normalizer": "model.normalize v1",
        "parameters": params_dict,
        "data": {
            "root": data_root,
            "files": files,
            "sources": _source_summary(corpus),
            "primary_attribute": {s: PRIMARY_ATTRIBUTE.get(s) for s in corpus.sources()},
            "merged_duplicates": {f"{a} <- {b}": n for (a, b), n in sorted(corpus.merged.items())},
            "label_conflicts_dropped": dict(corpus.conflicts),
            "validation_fraction": params.validation_fraction,
            "split_seed": params.seed,
        },
        "attributes": described,
        "thresholds": thresholds,
        "metrics": {"validation": metrics, "naive_baseline": base},
        "training_seconds": round(clock.elapsed, 1),
    }
    model.manifest = manifest
    out: Path | None = None
    if out_dir is not None:
        curves = labels_and_scores(val_records, val_probs, attributes)
        plots = render_plots(curves)
        card = render_card(manifest, plot_names=sorted(plots))
        files_out = {"MODEL_CARD.md": card.encode("utf-8"), **{f"plots/{k}": v for k, v in plots.items()}}
        manifest = save_artifact(out_dir, _payload(model), manifest, files_out)
        model.manifest = manifest
        out = out_dir
        clock(f"wrote artifact to {out_dir}")
    return TrainResult(model, manifest, metrics, base, out, clock.elapsed)


def _payload(model: ToxicityModel) -> dict[str, Any]:
    return {
        "attributes": list(model.attributes),
        **model.featurizer.to_payload(),
        "coef": model.coef,
        "intercept": model.intercept,
        "calibrators": [c.to_dict() for c in model.calibrators],
    }
