"""HateXplain (Mathew et al. 2021), MAGPIE's preprocessed copy: tweets and Gab posts.

``label`` is the majority of three annotators: 0 normal, 1 offensive, 2 hate
speech (the copy's code; its README's "hatespeech=1" is a typo, PROVENANCE
section 14). Mapping:

- 0 normal: TOXICITY, IDENTITY_ATTACK, THREAT and INSULT 0.
- 1 offensive: TOXICITY 1. IDENTITY_ATTACK stays unknown. Offensive posts are
  mostly not identity attacks, but many use slurs, and a 0 at full weight would
  teach the contradiction Davidson's offensive class did (see ``davidson``).
  ``Record`` has one weight per record, not per attribute, so a half-weight
  negative is not possible here.
- 2 hate speech: TOXICITY 1 and IDENTITY_ATTACK 1 (HateXplain's hate targets
  groups: race, religion, gender, sexual orientation and the like).

The ``label_<group>`` target columns and ``rationale_pos`` are checked for shape
but not used.

**Not in the default model.** The copy has no post id and no split: it mixes
HateXplain's official train, validation and test posts, and they cannot be told
apart, so training on it would train on HateXplain's test posts. Name it with
``--source hatexplain`` to use it anyway (``training.loaders.sources``). The text
is lower-cased, with @-mentions, links and most punctuation removed.
Licence: Apache-2.0 (the copy); MIT (the authors' repository).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from training.loaders._io import find_file, read_rows
from training.records import Record

SOURCE = "hatexplain"
TARGETS = ("label_gender", "label_religion", "label_race", "label_economic", "label_minority")
LABELS = {
    "0": {"TOXICITY": 0, "IDENTITY_ATTACK": 0, "THREAT": 0, "INSULT": 0},
    "1": {"TOXICITY": 1},
    "2": {"TOXICITY": 1, "IDENTITY_ATTACK": 1},
}


def load(folder: Path) -> Iterator[Record]:
    """Yield one record per post of ``preprocessed.csv``."""
    path = find_file(folder, "preprocessed.filtered.csv", "preprocessed.csv")
    for row in read_rows(path, ("text", "rationale_pos", "label", *TARGETS)):
        label = row.choice("label", tuple(LABELS))
        for column in TARGETS:
            row.choice(column, ("0", "1"))
        yield Record(text=row.need("text"), source=SOURCE, labels=LABELS[label], ref=f"{path.name}:{row.line}")
