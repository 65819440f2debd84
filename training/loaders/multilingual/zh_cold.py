"""COLD (Deng et al. 2022): Chinese posts on race, region and gender, offensive or safe.

``label`` is 1 for offensive, 0 for safe. Mapping:

- TOXICITY: the label. COLD's offensive covers insults, abuse and attacks on the
  three topics' groups; its safe class includes anti-bias posts that name a group
  without attacking it, which is what a toxicity model must learn to leave alone.
- Nothing else: only the official test split separates attacks on individuals
  from attacks on groups, and it is held out, so IDENTITY_ATTACK and INSULT stay
  unknown here. No SEVERE_TOXICITY, PROFANITY or THREAT labels.

Format (PROVENANCE, zh-cold): CSV, UTF-8 with a byte-order mark, header
``,split,topic,label,TEXT`` (the first column is an unnamed row number).
``train.csv`` and ``dev.csv`` are read. The published ``dev.csv`` marks about half
its rows ``train`` in the ``split`` column, so a row may say ``train`` or ``dev``
in either file; ``test`` (or anything else) is an error, so no test row can slip
in. Licence: Apache-2.0.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from training.loaders._io import find_file, read_rows
from training.records import Record

SOURCE = "zh-cold"
LANGUAGE = "zh"
APPROXIMATE: frozenset[str] = frozenset()
TOPICS = ("race", "region", "gender")


def load(folder: Path) -> Iterator[Record]:
    """Yield one record per post of the official train and dev files."""
    for split in ("train", "dev"):
        path = find_file(folder, f"{split}.csv")
        for row in read_rows(path, ("split", "topic", "label", "TEXT")):
            row.choice("split", ("train", "dev"))
            row.choice("topic", TOPICS)
            label = row.integer("label", 0, 1)
            text = row.need("TEXT").strip()
            if not text:
                raise row.fail("empty text")
            yield Record(
                text=text, source=SOURCE, labels={"TOXICITY": label}, ref=f"{path.name}:{row.line}", language=LANGUAGE
            )
