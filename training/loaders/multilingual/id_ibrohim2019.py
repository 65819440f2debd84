"""Ibrohim & Budi 2019: Indonesian tweets with multi-label hate speech and abusive language.

Columns are 0/1 flags: ``HS`` (hate speech), ``Abusive`` (harsh or dirty words),
HS's target (``HS_Individual``, ``HS_Group``), category (``HS_Religion``,
``HS_Race``, ``HS_Physical``, ``HS_Gender``, ``HS_Other``) and strength
(``HS_Weak``, ``HS_Moderate``, ``HS_Strong``). Mapping:

- TOXICITY: 1 when HS or Abusive, else 0.
- IDENTITY_ATTACK: 1 when HS targets religion, race, physical traits (the
  authors' disability and appearance) or gender; 0 for tweets without HS and for
  HS aimed elsewhere (``HS_Other`` only).
- INSULT (approximate): 1 for HS aimed at an individual; 0 for tweets with
  neither HS nor Abusive; unknown for abusive tweets without HS (dirty words
  need not insult anyone) and for HS aimed at a group.
- PROFANITY (approximate): the Abusive flag; the authors define it as harsh or
  dirty words, close to but not the same as profanity.
- SEVERE_TOXICITY (approximate): 1 for strong HS; 0 for tweets with neither flag
  and for weak or moderate HS; unknown for abusive tweets without HS.
- THREAT unknown.

Licence: CC BY-NC-SA 4.0, non-commercial, so the default model leaves this set
out (``training.loaders.multilingual.sources``).

Format (PROVENANCE, id-ibrohim2019): CSV with a header; usernames and links were
replaced by ``USER`` and ``URL`` by the authors. The published file is not valid
UTF-8: about 260 lines hold multi-byte sequences whose bytes were overwritten
with ``?``. Those broken sequences are read as U+FFFD instead of failing the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from training.loaders._io import Row, find_file, read_rows
from training.records import Record

SOURCE = "id-ibrohim2019"
LANGUAGE = "id"
APPROXIMATE = frozenset({"INSULT", "PROFANITY", "SEVERE_TOXICITY"})
FLAGS = (
    "HS", "Abusive", "HS_Individual", "HS_Group", "HS_Religion", "HS_Race", "HS_Physical", "HS_Gender",
    "HS_Other", "HS_Weak", "HS_Moderate", "HS_Strong",
)  # fmt: skip
IDENTITY = ("HS_Religion", "HS_Race", "HS_Physical", "HS_Gender")


def labels_for(flags: dict[str, int]) -> dict[str, int]:
    """Map one tweet's flags to attribute labels (see the module docstring)."""
    hs, abusive = flags["HS"], flags["Abusive"]
    labels = {
        "TOXICITY": int(hs or abusive),
        "IDENTITY_ATTACK": int(bool(hs) and any(flags[f] for f in IDENTITY)),
        "PROFANITY": abusive,
    }
    if hs:
        labels["SEVERE_TOXICITY"] = flags["HS_Strong"]
        if flags["HS_Individual"]:
            labels["INSULT"] = 1
    elif not abusive:
        labels.update(INSULT=0, SEVERE_TOXICITY=0)
    return labels


def _flags(row: Row) -> dict[str, int]:
    flags = {name: row.integer(name, 0, 1) for name in FLAGS}
    if not flags["HS"] and any(flags[f] for f in FLAGS[2:]):
        raise row.fail("a hate-speech detail flag is set without HS")
    return flags


def load(folder: Path) -> Iterator[Record]:
    """Yield one record per tweet of the training part."""
    path = find_file(folder, "re_dataset.train-part.csv")
    for row in read_rows(path, ("Tweet", *FLAGS), errors="replace"):
        text = row.need("Tweet").strip()
        if not text:
            raise row.fail("empty tweet")
        yield Record(
            text=text, source=SOURCE, labels=labels_for(_flags(row)), ref=f"{path.name}:{row.line}", language=LANGUAGE
        )
