"""The three model designs compared per language and attribute, each fitted and scored on the same split.

- ``per_language``: design (a). Per language, one featuriser (``model.features``:
  word and character TF-IDF of the normalised text) and one logistic regression
  per attribute, as the English model is built, but fitted on that language only.
- ``shared``: design (b). One featuriser over every language's training texts and
  one head per attribute over every row that labels it, optionally with one
  indicator column per language so a head can shift its bias per language.
- ``per_language`` with ``lowered`` text: the ablation (a0), design (a) without
  ``model.normalize`` (lower-casing only), to show what the normaliser does to
  each language's scores.
- ``naive``: design (c), the issue's naive per-language baseline: character
  TF-IDF + logistic regression with scikit-learn's defaults on the raw text
  (``training.baseline.NAIVE_CHAR``), no normalisation, no weights.

(a) and (b) use the records' training weights and the same ``C``; every design
reports, per (language, attribute), the ROC-AUC on that language's validation
rows. Chinese, Japanese and Korean get character n-grams from length 1 (a single
character is often a word), Arabic the default 2 to 5 within words.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import joblib
import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from model.features import FeatureParams, Featurizer
from training.baseline import NAIVE_CHAR
from training.records import Record, normalized

CHAR_RANGES = {"zh": (1, 3), "ja": (1, 3), "ko": (1, 4)}
"""Character n-gram ranges of the languages written without spaces between words (or, Korean, agglutinating)."""


@dataclass(frozen=True, slots=True)
class Caps:
    """Feature and fit settings shared by the designs (the runtime and the artifact's size follow them)."""

    word_max_features: int = 50_000
    char_max_features: int = 100_000
    shared_word_max_features: int = 150_000
    shared_char_max_features: int = 250_000
    c: float = 1.0
    seed: int = 0


Scores = dict[str, dict[str, Any]]
"""Attribute -> ``{"auc": float | None, "train": rows, "val": rows, "val_positives": n}``."""


SMALL_SET = 2_000
"""Below this many training rows a language keeps terms seen once (Japanese has about 200 rows, each one phrase)."""


def language_params(language: str, caps: Caps, rows: int) -> FeatureParams:
    """Return the featuriser settings of one language's heads, for ``rows`` training rows."""
    min_df = 1 if rows < SMALL_SET else 2
    params = FeatureParams(
        word_min_df=min_df,
        word_max_features=caps.word_max_features,
        char_min_df=min_df,
        char_max_features=caps.char_max_features,
    )
    if language in CHAR_RANGES:
        params = replace(params, char_ngram_range=CHAR_RANGES[language])
    return params


def shared_params(caps: Caps) -> FeatureParams:
    """Return the shared featuriser's settings: character n-grams from length 1 for the scripts without spaces."""
    return FeatureParams(
        word_min_df=2,
        word_max_features=caps.shared_word_max_features,
        char_ngram_range=(1, 5),
        char_min_df=2,
        char_max_features=caps.shared_char_max_features,
    )


def labelled(records: Sequence[Record], attribute: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the indices, labels and weights of the records that label ``attribute``."""
    rows = [i for i, r in enumerate(records) if attribute in r.labels]
    y = np.array([records[i].labels[attribute] for i in rows], dtype=np.int64)
    w = np.array([records[i].weight_of(attribute) for i in rows], dtype=np.float64)
    return np.array(rows, dtype=np.int64), y, w


def _auc(y: np.ndarray, p: np.ndarray) -> float | None:
    return float(roc_auc_score(y, p)) if 0 < y.sum() < len(y) else None


def fit_head(x: sp.csr_matrix, y: np.ndarray, w: np.ndarray, caps: Caps) -> LogisticRegression:
    """Return design (a)'s head: a liblinear logistic regression with ``caps.c``, weighted by ``w``."""
    model = LogisticRegression(C=caps.c, solver="liblinear", dual=True, max_iter=5000, random_state=caps.seed)
    return model.fit(x, y, sample_weight=w)


def _score_heads(
    x: tuple[sp.csr_matrix, sp.csr_matrix], train: Sequence[Record], val: Sequence[Record], attributes: Sequence[str],
    caps: Caps,
) -> tuple[Scores, dict[str, np.ndarray]]:  # fmt: skip
    """Fit one weighted head per attribute on ``x[0]`` and score it on ``x[1]``; return scores and coefficients."""
    x_tr, x_va = x
    scores: Scores = {}
    coefs: dict[str, np.ndarray] = {}
    for attribute in attributes:
        rows, y, w = labelled(train, attribute)
        vrows, vy, _ = labelled(val, attribute)
        entry: dict[str, Any] = {"train": len(rows), "val": len(vrows), "val_positives": int(vy.sum()), "auc": None}
        if 0 < y.sum() < len(y):
            head = fit_head(x_tr[rows], y, w, caps)
            coefs[attribute] = head.coef_.ravel()
            if len(vrows):
                entry["auc"] = _auc(vy, head.predict_proba(x_va[vrows])[:, 1])
        scores[attribute] = entry
    return scores, coefs


def payload_bytes(featurizer: Featurizer, coefs: dict[str, np.ndarray]) -> int:
    """Return the compressed size of a featuriser and its heads, stored as the artifact stores them."""
    buffer = io.BytesIO()
    joblib.dump({"featurizer": featurizer.to_payload(), "heads": coefs}, buffer, compress=("zlib", 6))
    return buffer.tell()


def lowered(text: str) -> str:
    """Return ``text`` lower-cased with whitespace collapsed and nothing else: the normaliser ablation's input."""
    return " ".join(text.lower().split())


def per_language(
    language: str,
    train: Sequence[Record],
    val: Sequence[Record],
    attributes: Sequence[str],
    caps: Caps,
    normal: Callable[[str], str] = normalized,
) -> tuple[Scores, int]:
    """Design (a) for one language: return its scores and the compressed size of its featuriser and heads.

    ``normal`` is the text's normal form: ``model.normalize`` for the design, ``lowered``
    for the ablation that shows what the normaliser gains or costs per language.
    """
    featurizer, x_tr = fit_features(language, train, caps, normal)
    x_va = featurizer.transform([normal(r.text) for r in val])
    scores, coefs = _score_heads((x_tr, x_va), train, val, attributes, caps)
    return scores, payload_bytes(featurizer, coefs)


def fit_features(
    language: str, train: Sequence[Record], caps: Caps, normal: Callable[[str], str] = normalized
) -> tuple[Featurizer, sp.csr_matrix]:
    """Return design (a)'s featuriser for one language, fitted on its training rows, and their matrix."""
    params = language_params(language, caps, len(train))
    return Featurizer.fit([normal(r.text) for r in train], params)


def naive(
    language: str, train: Sequence[Record], val: Sequence[Record], attributes: Sequence[str], caps: Caps
) -> Scores:
    """Design (c) for one language: character TF-IDF + logistic regression on the raw text."""
    vectorizer = TfidfVectorizer(**NAIVE_CHAR)
    x_tr = vectorizer.fit_transform([r.text for r in train])
    x_va = vectorizer.transform([r.text for r in val])
    scores: Scores = {}
    for attribute in attributes:
        rows, y, _ = labelled(train, attribute)
        vrows, vy, _ = labelled(val, attribute)
        entry: dict[str, Any] = {"train": len(rows), "val": len(vrows), "val_positives": int(vy.sum()), "auc": None}
        if 0 < y.sum() < len(y) and len(vrows):
            head = LogisticRegression(max_iter=2000, random_state=caps.seed, solver="liblinear").fit(x_tr[rows], y)
            entry["auc"] = _auc(vy, head.predict_proba(x_va[vrows])[:, 1])
        scores[attribute] = entry
    return scores


def _indicators(records: Sequence[Record], languages: Sequence[str]) -> sp.csr_matrix:
    column = {lang: i for i, lang in enumerate(languages)}
    cols = [column[r.language] for r in records]
    ones = np.ones(len(records))
    return sp.csr_matrix((ones, (np.arange(len(records)), cols)), shape=(len(records), len(languages)))


def shared(
    train: Sequence[Record], val: Sequence[Record], attributes: Sequence[str], caps: Caps, n_jobs: int = 1
) -> tuple[dict[str, Scores], dict[str, Scores], int]:
    """Design (b): return scores per language without and with language indicators, and the model's size.

    The size is that of the variant without indicators (they add a handful of
    coefficients per head).
    """
    featurizer, x_tr = Featurizer.fit([normalized(r.text) for r in train], shared_params(caps), n_jobs=n_jobs)
    x_va = featurizer.transform([normalized(r.text) for r in val])
    languages = sorted({r.language for r in [*train, *val]})
    x_tr_ind = sp.hstack([x_tr, _indicators(train, languages)], format="csr")
    x_va_ind = sp.hstack([x_va, _indicators(val, languages)], format="csr")
    jobs = [(a, x_tr, x_va) for a in attributes] + [(a, x_tr_ind, x_va_ind) for a in attributes]
    fitted = Parallel(n_jobs=max(1, n_jobs))(delayed(_shared_head)(a, xt, train, caps) for a, xt, _ in jobs)
    plain: dict[str, Scores] = {}
    indicated: dict[str, Scores] = {}
    coefs: dict[str, np.ndarray] = {}
    for (attribute, _, xv), head, target in zip(
        jobs, fitted, [plain] * len(attributes) + [indicated] * len(attributes), strict=True
    ):
        if head is not None and target is plain:
            coefs[attribute] = head.coef_.ravel()
        for language in languages:
            vrows = [i for i, r in enumerate(val) if r.language == language and attribute in r.labels]
            lang_train = sum(1 for r in train if r.language == language and attribute in r.labels)
            vy = np.array([val[i].labels[attribute] for i in vrows], dtype=np.int64)
            entry: dict[str, Any] = {
                "train": lang_train,
                "val": len(vrows),
                "val_positives": int(vy.sum()),
                "auc": None,
            }
            if head is not None and lang_train and vrows:
                entry["auc"] = _auc(vy, head.predict_proba(xv[vrows])[:, 1])
            target.setdefault(language, {})[attribute] = entry
    return plain, indicated, payload_bytes(featurizer, coefs)


def _shared_head(attribute: str, x_tr: sp.csr_matrix, train: Sequence[Record], caps: Caps) -> LogisticRegression | None:
    rows, y, w = labelled(train, attribute)
    return fit_head(x_tr[rows], y, w, caps) if 0 < y.sum() < len(y) else None
