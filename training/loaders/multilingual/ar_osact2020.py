"""OSACT4 / OffensEval 2020 Arabic (Mubarak et al. 2020): tweets marked offensive and hate speech.

Each tweet has ``OFF`` or ``NOT_OFF`` and ``HS`` or ``NOT_HS``. Mapping:

- TOXICITY: 1 for OFF, 0 for NOT_OFF (the task's offensive: insults, profanity,
  attacks, in the OffensEval tradition the English OLID loader follows).
- IDENTITY_ATTACK (approximate): 1 for HS, 0 for NOT_HS. The organisers' hate
  speech also covers attacks on political or sports affiliation, which is broader
  than Perspective's identity attack, hence approximate.
- INSULT, PROFANITY, SEVERE_TOXICITY, THREAT unknown.

Format (PROVENANCE, ar-osact2020): TSV without a header, one tweet per line:
text, OFF label, HS label. The organisers replaced line breaks with ``<LF>``
(turned back into newlines here), users with ``@USER`` and links with ``URL``.
Only the official training file is here; the official dev file is held out
privately and the official test was never published. Licence: not verified (a
third-party mirror states none; LLMeBench's metadata says CC BY 4.0).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from training.loaders._io import find_file, read_rows
from training.records import Record

SOURCE = "ar-osact2020"
LANGUAGE = "ar"
APPROXIMATE = frozenset({"IDENTITY_ATTACK"})
COLUMNS = ("text", "offensive", "hate")


def load(folder: Path) -> Iterator[Record]:
    """Yield one record per tweet of the official training file."""
    path = find_file(folder, "OSACT2020-sharedTask-train.txt")
    for row in read_rows(path, COLUMNS, delimiter="\t", quoting=csv.QUOTE_NONE, names=COLUMNS):
        text = row.need("text").replace("<LF>", "\n").strip()
        if not text:
            raise row.fail("empty tweet")
        labels = {
            "TOXICITY": int(row.choice("offensive", ("OFF", "NOT_OFF")) == "OFF"),
            "IDENTITY_ATTACK": int(row.choice("hate", ("HS", "NOT_HS")) == "HS"),
        }
        yield Record(text=text, source=SOURCE, labels=labels, ref=f"{path.name}:{row.line}", language=LANGUAGE)
