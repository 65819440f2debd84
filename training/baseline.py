"""The naive baseline: plain ``TfidfVectorizer`` + ``LogisticRegression``, one source at a time.

No normalisation, default settings, raw text; fitted on each source's training
split and scored on the same source's validation split, in the same run as the
real model, so the two columns of the report are comparable.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from training.metrics import binary_metrics
from training.records import Record


def run_baseline(
    train: Sequence[Record], validation: Sequence[Record], attributes: Sequence[str], seed: int, n_jobs: int = 1
) -> dict[str, dict[str, dict[str, Any]]]:
    """Return ``{attribute: {source: metrics}}`` for every (source, attribute) pair it can fit.

    Pairs are independent, so with ``n_jobs`` > 1 they fit in parallel processes
    (scikit-learn's vectoriser is pure Python); results do not depend on it.
    """
    tasks = []
    for source in sorted({r.source for r in train}):
        for attribute in attributes:
            tr = [r for r in train if r.source == source and attribute in r.labels]
            va = [r for r in validation if r.source == source and attribute in r.labels]
            y_tr = np.array([r.labels[attribute] for r in tr])
            y_va = np.array([r.labels[attribute] for r in va])
            if len(set(y_tr.tolist())) < 2 or len(set(y_va.tolist())) < 2:
                continue
            tasks.append((attribute, source, [r.text for r in tr], y_tr, [r.text for r in va], y_va))
    results = Parallel(n_jobs=max(1, n_jobs))(delayed(_fit_one)(t[2], t[3], t[4], t[5], seed) for t in tasks)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for (attribute, source, *_), metrics in zip(tasks, results, strict=True):
        out.setdefault(attribute, {})[source] = metrics
    return out


def _fit_one(
    train_texts: list[str], y_tr: np.ndarray, val_texts: list[str], y_va: np.ndarray, seed: int
) -> dict[str, Any]:
    vectorizer = TfidfVectorizer()
    model = LogisticRegression(max_iter=1000, random_state=seed)
    model.fit(vectorizer.fit_transform(train_texts), y_tr)
    p = model.predict_proba(vectorizer.transform(val_texts))[:, 1]
    return binary_metrics(y_va, p, 0.5)
