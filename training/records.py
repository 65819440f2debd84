"""The one record type every dataset loader yields.

A label is 1, 0 or absent. Absent means *unknown*: the source says nothing about
that attribute for this comment, and the attribute's classifier skips the record.
That is how one model learns six heads from corpora that each label only some of
them (learning from partially labelled data).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from model.attributes import ATTRIBUTE_NAMES
from model.normalize import normalize

_LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(?:-[A-Z][a-z]{3})?")
"""A language, optionally with its script (``hi-Latn``): the tags the loaders use."""


@dataclass(frozen=True, slots=True)
class Record:
    """One labelled comment from one source."""

    text: str
    source: str
    labels: Mapping[str, int]
    """Attribute name -> 1 or 0. Attributes not present are unknown."""
    soft: Mapping[str, float] = field(default_factory=dict)
    """Attribute name -> share of annotators who said yes, where the source has it."""
    weight: float = 1.0
    """Training weight (annotator agreement, source weighting)."""
    label_weight: Mapping[str, float] = field(default_factory=dict)
    """Attribute name -> a multiplier of ``weight`` for that attribute's label (a partial label: 1 if absent)."""
    ref: str = ""
    """Where in the source the record came from (row id, file name), for error reports."""
    group: str = ""
    """Records sharing a group always fall on the same side of a split (e.g. one forum post)."""
    language: str = "en"
    """The comment's language as a BCP-47 tag (``de``, ``pt``, ``hi-Latn``); every English source leaves the default."""

    def __post_init__(self) -> None:
        if not _LANGUAGE_TAG.fullmatch(self.language):
            raise ValueError(f"{self.ref or self.source}: language {self.language!r} is not a tag like en or hi-Latn")
        for name, value in self.labels.items():
            if name not in ATTRIBUTE_NAMES:
                raise ValueError(f"{self.ref or self.source}: unknown attribute {name!r}")
            if value not in (0, 1):
                raise ValueError(f"{self.ref or self.source}: label {name}={value!r} is not 0 or 1")
        for name, share in self.soft.items():
            if name not in ATTRIBUTE_NAMES or not 0.0 <= share <= 1.0:
                raise ValueError(f"{self.ref or self.source}: soft label {name}={share!r} is invalid")
        if not self.weight > 0:
            raise ValueError(f"{self.ref or self.source}: weight {self.weight!r} must be positive")
        for name, factor in self.label_weight.items():
            if name not in self.labels or not 0.0 < factor <= 1.0:
                raise ValueError(f"{self.ref or self.source}: label weight {name}={factor!r} is invalid")

    def weight_of(self, attribute: str) -> float:
        """Return the training weight of this record's label for ``attribute``."""
        return self.weight * self.label_weight.get(attribute, 1.0)


_NOT_ALNUM = re.compile(r"[\W_]+")


@lru_cache(maxsize=1 << 18)
def normalized(text: str) -> str:
    """Return ``model.normalize.normalize(text)``, remembered.

    A training run needs each text's normal form twice: for its duplicate key and
    for its features.
    """
    return normalize(text)


def dedup_key(text: str) -> str:
    """Return a key equal for near-identical texts: retweets, copies, re-encodings.

    The text is normalised (so ``URL``/links and @mentions become placeholders),
    then placeholders, a leading retweet marker and every non-alphanumeric
    character are dropped. TweetEval's re-release of OLID maps to OLID's keys.
    """
    norm = normalized(text)
    norm = norm.replace("xxurl", " ").replace("xxuser", " ")
    norm = re.sub(r"^(?:\s*rt\b)+", " ", norm)
    key = _NOT_ALNUM.sub("", norm)
    if not key:
        # Nothing but placeholders or punctuation: only exact normalised copies match.
        key = "\x00" + normalized(text)
    return hashlib.blake2b(key.encode("utf-8"), digest_size=12).hexdigest()
