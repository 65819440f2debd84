"""L-HSAB (Mulki et al. 2019): Levantine Arabic tweets, each ``normal``, ``abusive`` or ``hate``.

The authors define hate as abusive language aimed at a person or group because of
who they are (identity), so hate is a subset of abusive in kind. Mapping:

- normal: TOXICITY 0, IDENTITY_ATTACK 0.
- abusive: TOXICITY 1, IDENTITY_ATTACK 0 (abuse without the identity motive).
- hate: TOXICITY 1, IDENTITY_ATTACK 1 (the definition is Perspective's identity attack).
- INSULT, PROFANITY, SEVERE_TOXICITY, THREAT unknown: the classes do not separate them.

Format (PROVENANCE, ar-lhsab): TSV with a ``Tweet``/``Class`` header; four tweets are
quoted and span several lines, which ``csv`` reads as one record. File:
``L-HSAB.train-part.tsv[.gz]``, the 80 % part of the single published file (the
other 20 % is held out privately by a hash of the text). Licence: none stated.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from training.loaders._io import find_file, read_rows
from training.records import Record

SOURCE = "ar-lhsab"
LANGUAGE = "ar"
APPROXIMATE: frozenset[str] = frozenset()
CLASSES = ("normal", "abusive", "hate")


def labels_for(cls: str) -> dict[str, int]:
    """Map one L-HSAB class to attribute labels (see the module docstring)."""
    return {"TOXICITY": int(cls != "normal"), "IDENTITY_ATTACK": int(cls == "hate")}


def load(folder: Path) -> Iterator[Record]:
    """Yield one record per tweet of the training part."""
    path = find_file(folder, "L-HSAB.train-part.tsv")
    for row in read_rows(path, ("Tweet", "Class"), delimiter="\t"):
        text = row.need("Tweet").strip()
        cls = row.choice("Class", CLASSES)
        if not text:
            raise row.fail("empty tweet")
        yield Record(text=text, source=SOURCE, labels=labels_for(cls), ref=f"{path.name}:{row.line}", language=LANGUAGE)
