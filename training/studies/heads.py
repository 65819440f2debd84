"""What the studies do with a refitted head: fit it on a task, choose its cut on the tuning half, measure it.

``training.studies.threats`` and ``training.studies.variants`` refit one head several
ways and compare them the same way: per-source ROC-AUC on the report half (sources
with at least ``MIN_CLASS`` of each class, through ``training.metrics.evaluate_table``),
the lowest cut reaching precision 0.8 on the tuning half (the default preset's rule),
that cut's recall there, and the share of each probe set at or above it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from sklearn.linear_model import LogisticRegression

from training.metrics import evaluate_table
from training.records import Record
from training.thresholds import lowest_reaching

MIN_CLASS = 5
"""A source is compared for an attribute only with this many report positives and negatives."""
PRECISION = 0.8
"""The default preset's precision target, which picks each head's cut on the tuning half."""


def fit(x: sp.csr_matrix, y: NDArray[np.int64], weight: NDArray[np.float64], c: float, seed: int) -> LogisticRegression:
    """Return a head fitted as ``training.fit`` fits one (liblinear's dual solver)."""
    head = LogisticRegression(C=c, solver="liblinear", dual=True, max_iter=5000, random_state=seed)
    return head.fit(x, y, sample_weight=weight)


def labelled(records: Sequence[Record], attribute: str) -> tuple[list[Record], NDArray[np.int64]]:
    """Return the records that label ``attribute``, and their labels."""
    known = [r for r in records if attribute in r.labels]
    return known, np.array([r.labels[attribute] for r in known], dtype=np.int64)


def _table(records: Sequence[Record], attribute: str, z: NDArray[np.float64]) -> dict[str, dict[str, Any]]:
    """Return ``evaluate_table``'s figures of ``z`` per source and ``all`` (its threshold is unused here)."""
    return evaluate_table(records, np.asarray(z).reshape(-1, 1), [attribute], {attribute: 0.0}).get(attribute, {})


def _by_source(table: Mapping[str, Mapping[str, Any]]) -> dict[str, float]:
    return {
        source: float(m["roc_auc"])
        for source, m in table.items()
        if source != "all" and m["positives"] >= MIN_CLASS and m["n"] - m["positives"] >= MIN_CLASS
    }


def per_source_auc(records: Sequence[Record], attribute: str, z: NDArray[np.float64]) -> dict[str, float]:
    """Return ROC-AUC of ``z`` per source of ``records`` with at least ``MIN_CLASS`` of each class."""
    return _by_source(_table(records, attribute, z))


def measure(
    attribute: str,
    y_tune: NDArray[np.int64],
    z_tune: NDArray[np.float64],
    report: Sequence[Record],
    z_report: NDArray[np.float64],
    z_probes: Mapping[str, NDArray[np.float64]],
) -> dict[str, Any]:
    """Return a head's figures: ROC-AUC on every labelled report row and per source, its cut's recall, probes flagged.

    ``z_tune`` scores the tuning rows that label ``attribute`` (labels ``y_tune``),
    ``z_report`` every report row, ``z_probes`` each probe set.
    """
    cut = lowest_reaching(z_tune, y_tune, PRECISION)
    limit = np.inf if cut is None else cut
    table = _table(report, attribute, z_report)
    return {
        "roc_auc_all": float(table["all"]["roc_auc"]),
        "roc_auc": _by_source(table),
        "recall_at_precision_0.8": float(np.mean(z_tune[y_tune == 1] >= limit)),
        "flagged": {name: float(np.mean(z >= limit)) for name, z in z_probes.items()},
    }
