"""Where the pairs below the naive baseline come from: the text the features see, or the fit.

For each attribute asked, one head is fitted on exactly the shipped model's
training rows and weights (``training.fit.plan_tasks`` over
``training.pipeline.training_rows``), with the naive baseline's vectoriser
settings, once on the raw text and once on the normalised text. Everything but
the text is then equal, so a gap between the two columns is what normalisation
costs on that source, and a gap between the raw column and the naive baseline is
what the rows and weights cost.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from model.normalize import normalize_head, normalize_tail
from training.baseline import NAIVE_CHAR, NAIVE_WORD
from training.fit import TrainParams, plan_tasks
from training.pipeline import training_rows
from training.records import Record, normalized
from training.studies import heads


def texts_as(name: str) -> Callable[[str], str]:
    """Return the text preparation named in ``PREPARATIONS``."""
    return PREPARATIONS[name]


PREPARATIONS: dict[str, Callable[[str], str]] = {
    "raw": str,
    "normalised": normalized,
    "head": normalize_head,
    "tail": lambda t: normalize_tail(t.lower()),
}
"""The raw text; the whole normaliser; its first stages only (entities, invisible characters, folding, lower case,
URL placeholder); its last stages only, on lower-cased text (mention placeholder, leetspeak, spaced letters,
repeats, whitespace)."""


def compare(
    train: Sequence[Record],
    keys: Sequence[str],
    report: Sequence[Record],
    attributes: Sequence[str],
    preparations: Sequence[str] = ("raw", "normalised"),
    params: TrainParams | None = None,
) -> dict[str, dict[str, dict[str, float]]]:
    """Return ``{preparation: {attribute: {source: ROC-AUC}}}`` of heads fitted on the shipped rows and weights."""
    params = params or TrainParams()
    rows, row_keys, _ = training_rows(list(train), list(keys), params)
    tasks, _ = plan_tasks(rows, row_keys, attributes, params)
    out: dict[str, dict[str, dict[str, float]]] = {}
    for name in preparations:
        prep = texts_as(name)
        texts = [prep(r.text) for r in rows]
        shown = [prep(r.text) for r in report]
        word = TfidfVectorizer(**NAIVE_WORD).fit(texts)
        char = TfidfVectorizer(**NAIVE_CHAR).fit(texts)
        x = sp.hstack([word.transform(texts), char.transform(texts)], format="csr")
        x_report = sp.hstack([word.transform(shown), char.transform(shown)], format="csr")
        for task in tasks:
            head = heads.fit(x[task.rows], task.y, task.weight, 1.0, params.seed)
            z = np.asarray(x_report @ head.coef_[0])
            out.setdefault(name, {})[task.attribute] = heads.per_source_auc(report, task.attribute, z)
    return out
