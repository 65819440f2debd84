"""The textbook scikit-learn pipeline the benchmarks compare against.

``TfidfVectorizer`` over word (1, 2)-grams plus one over character (2, 5)-grams
within word boundaries, then ``LogisticRegression``: the same n-gram settings as
the shipped model, with none of its normalisation, augmentation or fast path.
Run as a script it fits on the shared training split (for the training benchmark).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def textbook_pipeline() -> Pipeline:
    """Return an unfitted word+char TF-IDF and logistic-regression pipeline."""
    features = FeatureUnion(
        [
            ("word", TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_features=150_000, sublinear_tf=True)),
            (
                "char",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(2, 5), min_df=3, max_features=250_000, sublinear_tf=True
                ),
            ),
        ]
    )
    return make_pipeline(features, LogisticRegression(max_iter=1000))


def fit_textbook(texts: Sequence[str], labels: Sequence[int]) -> Pipeline:
    """Fit the textbook pipeline."""
    return textbook_pipeline().fit(list(texts), list(labels))


def shared_training_toxicity(data: Path) -> tuple[list[str], list[int]]:
    """Return the shared training split's comments with a TOXICITY label."""
    from bench.texts import shared_corpus

    train, _ = shared_corpus(data).part(False)
    rows = [r for r in train if "TOXICITY" in r.labels]
    return [r.text for r in rows], [r.labels["TOXICITY"] for r in rows]


if __name__ == "__main__":
    texts, labels = shared_training_toxicity(Path(sys.argv[1]))
    fit_textbook(texts, labels)
    print(len(texts))
