"""MLMA (Ousidhoum et al. 2019), French and Arabic parts: tweets typed by hostility.

``sentiment`` joins with ``_`` one or more of abusive, hateful, offensive,
disrespectful, fearful and normal; ``target`` names the characteristic attacked
(origin, gender, sexual_orientation, religion, disability or other). The corpus
was gathered with hate keywords, so most tweets are hostile. Mapping:

- TOXICITY: 0 when the sentiment is ``normal`` alone, else 1 (the authors' own
  binary rule: a single-label normal tweet is the non-hostile class).
- IDENTITY_ATTACK (approximate): 1 when ``hateful`` is among the types and the
  target is a protected characteristic; 0 for normal tweets and for hostile ones
  that no annotator called hateful; unknown for hateful tweets whose target is
  ``other`` (hate without a protected characteristic is not an identity attack,
  but it is not clearly none either).
- INSULT (approximate): 1 when ``offensive`` or ``abusive`` is among the types, 0
  for normal tweets, unknown for the rest (disrespectful, fearful, hateful alone).
  MLMA's offensive and abusive are closer to insult than anything else it has,
  but they are not defined as an attack on a person, hence approximate.
- SEVERE_TOXICITY, PROFANITY, THREAT unknown: no type matches them.

Format (PROVENANCE, fr-mlma and ar-mlma): CSV with the header ``HITId, tweet,
sentiment, directness, annotator_sentiment, target, group``; the files are the
80 % parts of the members ``fr_dataset.csv`` and ``ar_dataset.csv`` of the
published zip. Licence: MIT.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from training.loaders._io import Row, find_file, read_rows
from training.records import Record

APPROXIMATE = frozenset({"IDENTITY_ATTACK", "INSULT"})
TYPES = frozenset({"abusive", "hateful", "offensive", "disrespectful", "fearful", "normal"})
TARGETS = ("origin", "gender", "sexual_orientation", "religion", "disability", "other")
COLUMNS = ("HITId", "tweet", "sentiment", "target")


def labels_for(types: frozenset[str], target: str) -> dict[str, int]:
    """Map one tweet's hostility types and target to attribute labels (see the module docstring)."""
    if types == {"normal"}:
        return {"TOXICITY": 0, "IDENTITY_ATTACK": 0, "INSULT": 0}
    labels = {"TOXICITY": 1}
    if "hateful" not in types:
        labels["IDENTITY_ATTACK"] = 0
    elif target != "other":
        labels["IDENTITY_ATTACK"] = 1
    if types & {"offensive", "abusive"}:
        labels["INSULT"] = 1
    return labels


def _types(row: Row) -> frozenset[str]:
    types = frozenset(row.need("sentiment").split("_"))
    if not types or not types <= TYPES:
        raise row.fail(f"sentiment {row.need('sentiment')!r} is not made of {', '.join(sorted(TYPES))}")
    return types


def _load(folder: Path, source: str, language: str) -> Iterator[Record]:
    path = find_file(folder, f"{language}_dataset.train-part.csv")
    for row in read_rows(path, COLUMNS):
        text = row.need("tweet").strip()
        if not text:
            raise row.fail("empty tweet")
        labels = labels_for(_types(row), row.choice("target", TARGETS))
        ref = f"{path.name}:{row.line} HITId={row.need('HITId')}"
        yield Record(text=text, source=source, labels=labels, ref=ref, language=language)


def load_fr(folder: Path) -> Iterator[Record]:
    """Yield one record per tweet of the French training part."""
    return _load(folder, "fr-mlma", "fr")


def load_ar(folder: Path) -> Iterator[Record]:
    """Yield one record per tweet of the Arabic training part."""
    return _load(folder, "ar-mlma", "ar")
