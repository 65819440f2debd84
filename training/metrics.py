"""Evaluation metrics: ROC-AUC, PR-AUC, F1 at a threshold, and calibration error.

Expected calibration error (ECE) uses ten equal-width probability bins, each
weighted by its share of comments: ``sum_b n_b / n * |mean(y_b) - mean(p_b)|``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import average_precision_score, f1_score, roc_auc_score

from training.records import Record

BINS = 10


def reliability(y: NDArray[np.int64], p: NDArray[np.float64], bins: int = BINS) -> list[dict[str, float]]:
    """Return per-bin mean predicted probability, observed positive rate and count."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1], right=False), 0, bins - 1)
    out = []
    for b in range(bins):
        mask = which == b
        if mask.any():
            out.append(
                {
                    "bin": b,
                    "mean_p": float(p[mask].mean()),
                    "rate": float(y[mask].mean()),
                    "n": int(mask.sum()),
                }
            )
    return out


def ece(y: NDArray[np.int64], p: NDArray[np.float64], bins: int = BINS) -> float:
    """Return the expected calibration error of ``p`` against ``y``."""
    n = len(y)
    return float(sum(b["n"] / n * abs(b["rate"] - b["mean_p"]) for b in reliability(y, p, bins)))


def binary_metrics(y: NDArray[np.int64], p: NDArray[np.float64], threshold: float) -> dict[str, Any]:
    """Return n, positives and, when both classes occur, ROC-AUC, PR-AUC, F1 and ECE."""
    out: dict[str, Any] = {"n": len(y), "positives": int(y.sum())}
    if 0 < y.sum() < len(y):
        out["roc_auc"] = round(float(roc_auc_score(y, p)), 4)
        out["pr_auc"] = round(float(average_precision_score(y, p)), 4)
    if len(y):
        out["f1"] = round(float(f1_score(y, (p >= threshold).astype(int), zero_division=0)), 4)
        out["ece"] = round(ece(y, p), 4)
    return out


def evaluate_table(
    records: Sequence[Record],
    probs: NDArray[np.float64],
    attributes: Sequence[str],
    thresholds: dict[str, float],
) -> dict[str, dict[str, dict[str, Any]]]:
    """Return ``{attribute: {source or "all": metrics}}`` for records where the label is known."""
    table: dict[str, dict[str, dict[str, Any]]] = {}
    for j, attribute in enumerate(attributes):
        rows: dict[str, list[int]] = defaultdict(list)
        for i, record in enumerate(records):
            if attribute in record.labels:
                rows[record.source].append(i)
                rows["all"].append(i)
        if not rows:
            continue
        table[attribute] = {}
        for source in sorted(rows, key=lambda s: (s == "all", s)):
            idx = np.array(rows[source])
            y = np.array([records[i].labels[attribute] for i in idx])
            table[attribute][source] = binary_metrics(y, probs[idx, j], thresholds[attribute])
    return table


def labels_and_scores(
    records: Sequence[Record], probs: NDArray[np.float64], attributes: Sequence[str]
) -> dict[str, tuple[NDArray[np.int64], NDArray[np.float64]]]:
    """Return pooled ``(y, p)`` per attribute, for plots."""
    out = {}
    for j, attribute in enumerate(attributes):
        idx = [i for i, r in enumerate(records) if attribute in r.labels]
        if idx:
            y = np.array([records[i].labels[attribute] for i in idx])
            out[attribute] = (y, probs[np.array(idx), j])
    return out
