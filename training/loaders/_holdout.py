"""Keep a set's official test split out of training, copies of its texts included.

Several shared sets ship their test split next to the rows we train on, and some
texts occur on both sides (bot notices, bare links, one comment posted twice).
A loader reads the test file only to build a ``HeldOut`` and drops every training
row whose text it holds. Texts are compared by ``training.records.dedup_key``,
the same notion of "the same comment" that the de-duplication and the
train/validation split use, so a near-copy of a test text never trains a model
that may later be scored on that test split.
"""

from __future__ import annotations

from collections.abc import Iterable

from training.records import dedup_key


class HeldOut:
    """The de-duplication keys of a test split's texts."""

    def __init__(self, texts: Iterable[str]) -> None:
        self._keys = frozenset(dedup_key(text) for text in texts)

    def __contains__(self, text: object) -> bool:
        return isinstance(text, str) and dedup_key(text) in self._keys

    def __len__(self) -> int:
        return len(self._keys)
