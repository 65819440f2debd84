"""The naive baselines: plain ``TfidfVectorizer`` + ``LogisticRegression``, per source and pooled.

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


NAIVE_WORD = {"ngram_range": (1, 2), "min_df": 2, "max_features": 200_000, "sublinear_tf": True}
NAIVE_CHAR = {"analyzer": "char_wb", "ngram_range": (2, 5), "min_df": 2, "max_features": 200_000, "sublinear_tf": True}


def _fit_vectorizer(settings: dict[str, Any], texts: list[str]) -> TfidfVectorizer:
    return TfidfVectorizer(**settings).fit(texts)


def _fit_pooled_head(x: Any, y: np.ndarray, seed: int) -> LogisticRegression:
    return LogisticRegression(max_iter=2000, random_state=seed, solver="liblinear").fit(x, y)


def run_pooled_baseline(
    train: Sequence[Record], validation: Sequence[Record], attributes: Sequence[str], seed: int, n_jobs: int = 1
) -> dict[str, dict[str, dict[str, Any]]]:
    """Return ``{attribute: {source or "all": metrics}}`` of the naive pooled model.

    The naive model the issue tracker measures against: word 1-2-gram and
    character 2-5-gram TF-IDF on the raw text (no normalisation), fitted on every
    source's training rows together, and one plain logistic regression per
    attribute on the rows that label it; no source weighting, no augmentation,
    no calibration (its F1 is at 0.5).
    """
    import scipy.sparse as sp

    texts = [r.text for r in train]
    word, char = Parallel(n_jobs=min(2, max(1, n_jobs)))(
        delayed(_fit_vectorizer)(s, texts) for s in (NAIVE_WORD, NAIVE_CHAR)
    )
    x_train = sp.hstack([word.transform(texts), char.transform(texts)], format="csr")
    val_texts = [r.text for r in validation]
    x_val = sp.hstack([word.transform(val_texts), char.transform(val_texts)], format="csr")
    jobs = []
    for attribute in attributes:
        rows = np.array([i for i, r in enumerate(train) if attribute in r.labels], dtype=np.int64)
        y = np.array([train[i].labels[attribute] for i in rows])
        if len(rows) and 0 < y.sum() < len(y):
            jobs.append((attribute, rows, y))
    heads = Parallel(n_jobs=max(1, n_jobs))(delayed(_fit_pooled_head)(x_train[rows], y, seed) for _, rows, y in jobs)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for (attribute, _, _), head in zip(jobs, heads, strict=True):
        p = head.predict_proba(x_val)[:, 1]
        by_source: dict[str, list[int]] = {}
        for i, r in enumerate(validation):
            if attribute in r.labels:
                by_source.setdefault(r.source, []).append(i)
                by_source.setdefault("all", []).append(i)
        out[attribute] = {}
        for source in sorted(by_source, key=lambda s: (s == "all", s)):
            idx = np.array(by_source[source])
            y_val = np.array([validation[i].labels[attribute] for i in idx])
            out[attribute][source] = binary_metrics(y_val, p[idx], 0.5)
    return out
