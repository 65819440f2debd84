"""A run's manifest: what went in (data, licences, weights, code, parameters), what came out, and statuses.

``decide_status`` is the one rule for an attribute's status: *supported* needs
enough positives from enough sources, a validation ROC-AUC of at least
``SUPPORTED_MIN_AUC``, and a default threshold that reached its precision target;
anything short of that is *experimental*, with the reason spelled out.
Imports ``model`` and ``training``'s data modules.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from model.artifact import library_versions
from model.attributes import Status
from training.dataset import Corpus
from training.fit import Head, TrainParams
from training.loaders import PRIMARY_ATTRIBUTE, SHARED_SOURCES
from training.loaders.sources import SOURCE_INFO
from training.thresholds import Preset

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
    attribute: str,
    head: Head | None,
    skipped: str | None,
    pooled: Mapping[str, Any] | None,
    default: Preset | None = None,
) -> tuple[Status, str]:
    """Return an attribute's status and the reason, from its data, validation metrics and threshold."""
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
    if default is not None and not default.reached:
        gaps.append(f"no threshold reaches the default rule's target ({default.rule})")
    if gaps:
        return Status.EXPERIMENTAL, f"{'; '.join(gaps)}: {evidence}"
    return Status.SUPPORTED, evidence


USER_LICENCE = "given by the user"


def source_summary(
    corpus: Corpus, evaluation_only: Sequence[str] = (), shared: bool = True
) -> dict[str, dict[str, Any]]:
    """Return per source: rows loaded, in training and validation, its licence, and whether it trained.

    With ``shared`` (the run read the shared sets) every shared set is listed, and why a set
    went unused; without, only what the run was given.
    """
    summary: dict[str, dict[str, Any]] = {}
    for name, count in corpus.loaded.items():
        summary[name] = {"loaded": count, "train": 0, "validation": 0}
    for record, is_val in zip(corpus.records, corpus.validation, strict=True):
        entry = summary.setdefault(record.source, {"loaded": 0, "train": 0, "validation": 0})
        entry["validation" if is_val else "train"] += 1
    for name, entry in summary.items():
        info = SOURCE_INFO.get(name.split(":")[0])  # "folder:part" is derived from that folder's files
        entry["licence"] = info.licence if info else USER_LICENCE
        entry["commercial_use_ok"] = info.commercial_use_ok if info else None
    for name in SHARED_SOURCES if shared else ():
        if name not in summary:
            info = SOURCE_INFO[name]
            why = info.default_excluded or "not selected for this run"
            use = "evaluation only (false positives)" if name in evaluation_only else "not used"
            summary[name] = {
                "loaded": 0,
                "train": 0,
                "validation": 0,
                "licence": info.licence,
                "commercial_use_ok": info.commercial_use_ok,
                "excluded": f"{use}: {why}",
            }
    return summary


def build_manifest(
    *,
    corpus: Corpus,
    params: TrainParams,
    commit: str,
    data_root: str | None,
    described: dict[str, dict[str, Any]],
    thresholds: dict[str, float],
    evaluation: dict[str, Any],
    baselines: dict[str, Any],
    combiners: dict[str, Any],
    combine_summary: dict[str, Any],
    split: dict[str, int],
    evaluation_only: Sequence[str],
    seconds: float,
    command: str | None = None,
) -> dict[str, Any]:
    """Return the manifest of a run (``model.artifact.save_artifact`` adds the artifact's own hash)."""
    files = [asdict(f) for f in corpus.files]
    params_dict = params.as_dict()
    version_seed = json.dumps({"files": files, "params": params_dict, "code": commit}, sort_keys=True)
    version = datetime.now(UTC).strftime("%Y.%m.%d") + "-" + hashlib.sha256(version_seed.encode()).hexdigest()[:8]
    return {
        "version": version,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "libraries": library_versions(),
        "git_commit": commit,
        "normalizer": "model.normalize v1",
        "parameters": params_dict,
        "data": {
            "root": data_root,
            "files": files,
            "sources": source_summary(corpus, evaluation_only, shared=data_root is not None),
            "primary_attribute": {s: PRIMARY_ATTRIBUTE.get(s) for s in corpus.sources()},
            "merged_duplicates": {f"{a} <- {b}": n for (a, b), n in sorted(corpus.merged.items())},
            "label_conflicts_dropped": dict(corpus.conflicts),
            "validation_fraction": params.validation_fraction,
            "split_seed": params.seed,
            "split": split,
        },
        "attributes": described,
        "thresholds": thresholds,
        "combiners": {"summary": combine_summary, "by_attribute": combiners},
        "metrics": {"validation": evaluation["metrics"], **baselines},
        "evaluation": {k: v for k, v in evaluation.items() if k != "metrics"},
        "training_seconds": round(seconds, 1),
        "command": command,
    }
