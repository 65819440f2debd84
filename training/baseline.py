"""The naive baseline: plain ``TfidfVectorizer`` + ``LogisticRegression``, one source at a time.

No normalisation, default settings, raw text; fitted on each source's training
split and scored on the same source's validation split, in the same run as the
real model, so the two columns of the report are comparable.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from training.metrics import binary_metrics
from training.records import Record


def run_baseline(
    train: Sequence[Record], validation: Sequence[Record], attributes: Sequence[str], seed: int
) -> dict[str, dict[str, dict[str, Any]]]:
    """Return ``{attribute: {source: metrics}}`` for every (source, attribute) pair it can fit."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    sources = sorted({r.source for r in train})
    for source in sources:
        for attribute in attributes:
            tr = [r for r in train if r.source == source and attribute in r.labels]
            va = [r for r in validation if r.source == source and attribute in r.labels]
            y_tr = np.array([r.labels[attribute] for r in tr])
            y_va = np.array([r.labels[attribute] for r in va])
            if len(set(y_tr.tolist())) < 2 or len(set(y_va.tolist())) < 2:
                continue
            vectorizer = TfidfVectorizer()
            model = LogisticRegression(max_iter=1000, random_state=seed)
            model.fit(vectorizer.fit_transform([r.text for r in tr]), y_tr)
            p = model.predict_proba(vectorizer.transform([r.text for r in va]))[:, 1]
            out.setdefault(attribute, {})[source] = binary_metrics(y_va, p, 0.5)
    return out
