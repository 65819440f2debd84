"""GermEval 2018 (Wiegand et al. 2018): German tweets, offensive or not, and what kind.

Task 1 is ``OFFENSE`` or ``OTHER``; task 2 splits OFFENSE into ``ABUSE``
(degrading a person or group by ascribing a social identity negatively),
``INSULT`` (degrading a person without that) and ``PROFANITY`` (swearing not
aimed at anyone); the three are exclusive, ABUSE first. Mapping:

- OTHER: TOXICITY, INSULT, PROFANITY and IDENTITY_ATTACK 0 (the guidelines'
  OTHER is free of all three kinds).
- OFFENSE: TOXICITY 1.
- INSULT: INSULT 1, IDENTITY_ATTACK 0; PROFANITY unknown (an insult may swear).
- PROFANITY: PROFANITY 1, INSULT 0, IDENTITY_ATTACK 0 (profanity is the class
  for swearing that attacks no one).
- ABUSE: IDENTITY_ATTACK 1 (approximate: ABUSE is broader, it includes
  degrading someone by ascribed social identity that is not a protected one);
  INSULT and PROFANITY unknown (ABUSE wins over both in the annotation).
- SEVERE_TOXICITY and THREAT unknown.

Format (PROVENANCE, de-germeval2018): TSV without header or quoting, one tweet
per line: text, task 1, task 2; line breaks inside a tweet are written ``|LBR|``
(turned back into newlines here). Only the official training file is here.
Licence: CC BY 4.0.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from training.loaders._io import find_file, read_rows
from training.records import Record

SOURCE = "de-germeval2018"
LANGUAGE = "de"
APPROXIMATE = frozenset({"IDENTITY_ATTACK"})
COLUMNS = ("text", "task1", "task2")
VALID = {("OTHER", "OTHER"), ("OFFENSE", "ABUSE"), ("OFFENSE", "INSULT"), ("OFFENSE", "PROFANITY")}


def labels_for(task1: str, task2: str) -> dict[str, int]:
    """Map one tweet's task 1 and task 2 labels to attribute labels (see the module docstring)."""
    if task1 == "OTHER":
        return {"TOXICITY": 0, "INSULT": 0, "PROFANITY": 0, "IDENTITY_ATTACK": 0}
    if task2 == "INSULT":
        return {"TOXICITY": 1, "INSULT": 1, "IDENTITY_ATTACK": 0}
    if task2 == "PROFANITY":
        return {"TOXICITY": 1, "PROFANITY": 1, "INSULT": 0, "IDENTITY_ATTACK": 0}
    return {"TOXICITY": 1, "IDENTITY_ATTACK": 1}


def load(folder: Path) -> Iterator[Record]:
    """Yield one record per tweet of the official training file."""
    path = find_file(folder, "germeval2018.training.txt")
    for row in read_rows(path, COLUMNS, delimiter="\t", quoting=csv.QUOTE_NONE, names=COLUMNS):
        pair = (row.need("task1"), row.need("task2"))
        if pair not in VALID:
            raise row.fail(f"label pair {'/'.join(pair)} is not one GermEval 2018 defines")
        text = row.need("text").replace("|LBR|", "\n").strip()
        if not text:
            raise row.fail("empty tweet")
        yield Record(
            text=text, source=SOURCE, labels=labels_for(*pair), ref=f"{path.name}:{row.line}", language=LANGUAGE
        )
