"""BEEP! (Moon et al. 2020): Korean entertainment-news comments, hate, offensive or none.

``hate`` is ``hate`` (strong hate or insult, per the guidelines), ``offensive``
(rude or aggressive, not hate) or ``none``; ``bias`` marks gender or other
stereotyping. Mapping:

- TOXICITY: 1 for hate and offensive, 0 for none.
- SEVERE_TOXICITY (approximate): 1 for hate, 0 for offensive and none. The
  guidelines' hate is the severe end of the scale, but it is not Perspective's
  definition of severe toxicity.
- ``bias`` is not mapped: stereotyping is not an attack, so it is neither
  IDENTITY_ATTACK 1 nor, when a comment is also hateful, IDENTITY_ATTACK 0.
- INSULT, PROFANITY, IDENTITY_ATTACK, THREAT unknown.

Format (PROVENANCE, ko-beep): TSV with the header ``comments,
contain_gender_bias, bias, hate``, no quoting (comments hold bare double
quotes). Only the official training file is here; the official dev file is held
out privately. Licence: CC BY-SA 4.0.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from training.loaders._io import find_file, read_rows
from training.records import Record

SOURCE = "ko-beep"
LANGUAGE = "ko"
APPROXIMATE = frozenset({"SEVERE_TOXICITY"})


def load(folder: Path) -> Iterator[Record]:
    """Yield one record per comment of the official training file."""
    path = find_file(folder, "train.tsv")
    for row in read_rows(path, ("comments", "bias", "hate"), delimiter="\t", quoting=csv.QUOTE_NONE):
        hate = row.choice("hate", ("hate", "offensive", "none"))
        row.choice("bias", ("gender", "others", "none"))
        text = row.need("comments").strip()
        if not text:
            raise row.fail("empty comment")
        labels = {"TOXICITY": int(hate != "none"), "SEVERE_TOXICITY": int(hate == "hate")}
        yield Record(text=text, source=SOURCE, labels=labels, ref=f"{path.name}:{row.line}", language=LANGUAGE)
