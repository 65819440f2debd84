"""Features: TF-IDF over word n-grams and character n-grams of the normalised text.

Two scikit-learn ``TfidfVectorizer``s are fitted at training time and stored in
the artifact; their outputs are concatenated, word block first. Both see text
that ``model.normalize`` has already lower-cased and folded, so neither lower-cases
again. Each block is L2-normalised on its own, as a ``FeatureUnion`` would do.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.feature_extraction.text import TfidfVectorizer

# Words of one character count ("u r an idiot"), unlike scikit-learn's default pattern.
WORD_TOKEN_PATTERN = r"(?u)\b\w+\b"


@dataclass(frozen=True, slots=True)
class FeatureParams:
    """Vectoriser settings recorded in the manifest."""

    word_ngram_range: tuple[int, int] = (1, 2)
    word_min_df: int = 2
    word_max_features: int = 150_000
    char_ngram_range: tuple[int, int] = (2, 5)
    char_min_df: int = 3
    char_max_features: int = 250_000
    sublinear_tf: bool = True

    def as_dict(self) -> dict[str, object]:
        """Return the settings as plain JSON-able values."""
        return asdict(self)


def make_vectorizers(params: FeatureParams) -> tuple[TfidfVectorizer, TfidfVectorizer]:
    """Return unfitted word and char vectorisers for ``params``."""
    word = TfidfVectorizer(
        lowercase=False,
        token_pattern=WORD_TOKEN_PATTERN,
        ngram_range=params.word_ngram_range,
        min_df=params.word_min_df,
        max_features=params.word_max_features,
        sublinear_tf=params.sublinear_tf,
        dtype=np.float64,
    )
    char = TfidfVectorizer(
        lowercase=False,
        analyzer="char_wb",
        ngram_range=params.char_ngram_range,
        min_df=params.char_min_df,
        max_features=params.char_max_features,
        sublinear_tf=params.sublinear_tf,
        dtype=np.float64,
    )
    return word, char


def _fit_transform(vec: TfidfVectorizer, texts: list[str]) -> tuple[TfidfVectorizer, sp.csr_matrix]:
    return vec, vec.fit_transform(texts)


class Featurizer:
    """Turn normalised texts into the model's sparse feature matrix."""

    def __init__(self, word: TfidfVectorizer, char: TfidfVectorizer) -> None:
        self._terms: list[str] | None = None
        self.word = word
        self.char = char
        self.n_word = len(word.vocabulary_)
        self.n_features = self.n_word + len(char.vocabulary_)

    @classmethod
    def fit(cls, texts: Sequence[str], params: FeatureParams, n_jobs: int = 1) -> tuple[Featurizer, sp.csr_matrix]:
        """Fit both vectorisers on normalised ``texts``; return the featurizer and their matrix.

        With ``n_jobs`` > 1 the two vectorisers fit in separate processes: their
        analysers are pure Python, so threads would wait on each other. The result
        is the same either way.
        """
        word, char = make_vectorizers(params)
        fitted = Parallel(n_jobs=2 if n_jobs > 1 else 1)(
            delayed(_fit_transform)(vec, list(texts)) for vec in (word, char)
        )
        (word, xw), (char, xc) = fitted
        # The pruned-term sets are only kept for introspection and can be large, and
        # ``_stop_words_id`` caches ``id(stop_words)``: an address that differs between
        # the worker processes that fit, so the artifact's bytes would too.
        for vec in (word, char):
            for cached in ("stop_words_", "_stop_words_id"):
                if hasattr(vec, cached):
                    delattr(vec, cached)
        return cls(word, char), sp.hstack([xw, xc], format="csr")

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Return the ``(len(texts), n_features)`` TF-IDF matrix of normalised texts."""
        return sp.hstack([self.word.transform(texts), self.char.transform(texts)], format="csr")

    def to_payload(self) -> dict[str, object]:
        """Return the vectorisers with their vocabularies packed for fast loading.

        A vocabulary is a dict of ~10^5 short strings, which joblib's pure-Python
        unpickler reads slowly; stored as one newline-joined UTF-8 buffer it loads in
        milliseconds. Normalised text never contains a newline, so neither does a term.
        """
        out: dict[str, object] = {}
        for name, vec in (("word", self.word), ("char", self.char)):
            terms = sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__)
            stripped = copy.copy(vec)
            del stripped.vocabulary_
            out[name] = stripped
            out[f"{name}_terms"] = np.frombuffer("\n".join(terms).encode("utf-8"), dtype=np.uint8)
        return out

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Featurizer:
        """Rebuild a featurizer from ``to_payload`` output (which stays as it was: it may be written again)."""
        vecs = []
        for name in ("word", "char"):
            vec = copy.copy(payload[name])
            terms = bytes(payload[f"{name}_terms"]).decode("utf-8").split("\n")
            vec.vocabulary_ = dict(zip(terms, range(len(terms)), strict=True))
            if len(vec.vocabulary_) != len(vec.idf_):
                raise ValueError(f"{name} vocabulary and idf sizes differ")
            vecs.append(vec)
        return cls(vecs[0], vecs[1])

    def terms(self) -> list[str]:
        """Return the term of every feature index (word block first), built once."""
        cached = self._terms
        if cached is None:
            cached = [""] * self.n_features
            for term, i in self.word.vocabulary_.items():
                cached[i] = term
            for term, i in self.char.vocabulary_.items():
                cached[self.n_word + i] = term
            self._terms = cached  # building it twice from two threads is harmless
        return cached

    def feature_names(self) -> list[str]:
        """Return feature names, word n-grams as ``w:...`` and char n-grams as ``c:...``."""
        names = [""] * self.n_features
        for term, i in self.word.vocabulary_.items():
            names[i] = f"w:{term}"
        for term, i in self.char.vocabulary_.items():
            names[self.n_word + i] = f"c:{term}"
        return names
