"""Dataset loaders: one per source format, all yielding ``training.records.Record``.

``SHARED_SOURCES`` maps each folder of ``../shared/data`` to its loader. The
label mapping of each source is documented in its module and in the model card.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from training.loaders import (
    davidson,
    ethos,
    impermium,
    implicit_hate,
    olid,
    stormfront,
    toxic_spans,
    tweeteval,
)
from training.loaders.generic import load_civil_comments_2019, load_jigsaw_2018, load_table
from training.records import Record

Loader = Callable[[Path], Iterator[Record]]

# Order matters: when two sources hold the same text, the earlier one's record is kept
# and the later one only fills labels it lacks (see training.dataset.merge_duplicates).
SHARED_SOURCES: dict[str, Loader] = {
    "civil-comments-toxic-spans": toxic_spans.load,
    "davidson-hate-offensive": davidson.load,
    "olid": olid.load,
    "tweeteval-offensive": tweeteval.load_offensive,
    "tweeteval-hate": tweeteval.load_hate,
    "ethos": ethos.load,
    "implicit-hate": implicit_hate.load,
    "degibert-stormfront": stormfront.load,
    "impermium-insults": impermium.load,
}

# The attribute each source was built to label: the one its validation AUC is judged on.
PRIMARY_ATTRIBUTE: dict[str, str] = {
    "civil-comments-toxic-spans": "TOXICITY",
    "davidson-hate-offensive": "TOXICITY",
    "olid": "TOXICITY",
    "tweeteval-offensive": "TOXICITY",
    "tweeteval-hate": "IDENTITY_ATTACK",
    "ethos": "IDENTITY_ATTACK",
    "implicit-hate": "IDENTITY_ATTACK",
    "degibert-stormfront": "IDENTITY_ATTACK",
    "impermium-insults": "INSULT",
    "jigsaw-2018": "TOXICITY",
    "civil-comments-2019": "TOXICITY",
}

__all__ = [
    "PRIMARY_ATTRIBUTE",
    "SHARED_SOURCES",
    "Loader",
    "load_civil_comments_2019",
    "load_jigsaw_2018",
    "load_table",
]
