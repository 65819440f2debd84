"""YouTube violent-threat sentences (Ashraf et al. 2020, from Hammer et al.'s THREAT corpus).

Every sentence is a violent threat; the only label is its target: ``0`` an
individual, ``1`` a group, ``2`` other. Mapping:

- every row: THREAT 1 and TOXICITY 1.
- IDENTITY_ATTACK: unknown in every row. Group-targeted threats (``1``) are often
  aimed at religious or national groups but the set does not say which; and the
  individual-targeted ones often name the person's religion or origin as the
  reason, so a 0 there would be wrong as well.
- Nothing else is labelled.

The set has no negatives; the training pipeline takes those from other sources.
The text is lower-cased with punctuation removed, unlike ordinary comments.
Licence: none stated.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from training.loaders._io import find_file, read_rows
from training.records import Record

SOURCE = "youtube-violent-threats"
TEXT = "Tweets"  # the copy owner's column name; the texts are YouTube comment sentences
TARGET = "Labels (IND, GRP, OTH) (0,1,2)"


def load(folder: Path) -> Iterator[Record]:
    """Yield one record per threat sentence."""
    path = find_file(folder, "violent_threats_dataset_github.filtered.csv", "violent_threats_dataset_github.csv")
    for row in read_rows(path, (TEXT, TARGET)):
        target = row.choice(TARGET, ("0", "1", "2"))
        yield Record(
            text=row.need(TEXT),
            source=SOURCE,
            labels={"THREAT": 1, "TOXICITY": 1},
            ref=f"{path.name}:{row.line} target={target}",
        )
