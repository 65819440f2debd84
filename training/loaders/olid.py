"""OLID / OffensEval 2019 (tweets): subtasks A (offensive?), B (targeted?) and C (target).

Mapping, following OLID's definitions (``OFF`` covers any profanity and any
targeted offence; ``TIN`` is a targeted insult or threat):

- NOT: every attribute 0 (no profanity, no insult, nothing).
- OFF: TOXICITY 1.
- OFF/UNT (untargeted profanity): PROFANITY 1; INSULT, THREAT, IDENTITY_ATTACK and
  SEVERE_TOXICITY 0.
- OFF/TIN: INSULT 1 (threats are a small part of TIN); PROFANITY and THREAT unknown.
- TIN/IND and TIN/OTH: IDENTITY_ATTACK 0 (aimed at a person or an organisation).
- TIN/GRP: IDENTITY_ATTACK unknown, because OLID's groups include political
  affiliation, which is not an identity attack in Perspective's sense.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from training.loaders._io import find_file, read_rows
from training.records import Record

SOURCE = "olid"
ALL_ZERO = ("TOXICITY", "SEVERE_TOXICITY", "INSULT", "THREAT", "IDENTITY_ATTACK", "PROFANITY")


def labels_for(a: str, b: str, c: str) -> dict[str, int]:
    """Map one OLID label triple to attribute labels (see the module docstring)."""
    if a == "NOT":
        return dict.fromkeys(ALL_ZERO, 0)
    labels = {"TOXICITY": 1}
    if b == "UNT":
        labels.update(PROFANITY=1, INSULT=0, THREAT=0, IDENTITY_ATTACK=0, SEVERE_TOXICITY=0)
    elif b == "TIN":
        labels["INSULT"] = 1
        if c in ("IND", "OTH"):
            labels["IDENTITY_ATTACK"] = 0
    return labels


VALID = {
    ("NOT", "NULL", "NULL"),
    ("OFF", "UNT", "NULL"),
    ("OFF", "TIN", "IND"),
    ("OFF", "TIN", "GRP"),
    ("OFF", "TIN", "OTH"),
}


def load(folder: Path) -> Iterator[Record]:
    """Yield one record per tweet of ``olid-training-v1.0.tsv``."""
    path = find_file(folder, "olid-training-v1.0.tsv")
    columns = ("id", "tweet", "subtask_a", "subtask_b", "subtask_c")
    # Tweets contain stray double quotes: read without quoting (PROVENANCE section 3).
    for row in read_rows(path, columns, delimiter="\t", quoting=csv.QUOTE_NONE):
        triple = (row.need("subtask_a"), row.need("subtask_b"), row.need("subtask_c"))
        if triple not in VALID:
            raise row.fail(f"label combination {'/'.join(triple)} is not one OLID defines")
        yield Record(
            text=row.need("tweet"),
            source=SOURCE,
            labels=labels_for(*triple),
            ref=f"{path.name}:{row.line} id={row.need('id')}",
        )
