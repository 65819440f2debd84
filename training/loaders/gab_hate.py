"""Gab Hate Corpus (Kennedy et al.): Gab posts coded by trained annotators.

Every post was coded for three things, aggregated by majority vote (ties count as
positive): ``hd`` an assault on human dignity, ``cv`` a call for violence, both
aimed at people for a group identity, and ``vo`` vulgar or offensive language.

Mapping (why: each code was judged for every post, so a 0 is a real "no" for its
own attribute, not only in posts with no code at all):

- TOXICITY: 1 when any of hd, cv, vo is 1; 0 when none is.
- IDENTITY_ATTACK: 1 for hd; 0 when neither hd nor cv is 1. Unknown for a call for
  violence without hd: GHC only codes violence called for against an identity
  group, but the annotators did not call it an assault on dignity.
- THREAT: 1 for cv, else 0 (a call for violence is an intention to harm).
- PROFANITY: 1 for vo, else 0. vo also covers offensive words that are not swear
  words, so a few positives are wider than Perspective's profanity.
- SEVERE_TOXICITY: 0 when no code is 1; otherwise unknown. hd or cv as a severe
  proxy was considered and rejected: GHC's hate includes calm, polite bigotry.
- INSULT: unknown. GHC does not code insults of individuals.

Rows used: ``ghc_train`` only. ``ghc_test`` is the official test split and never
yields a record; its texts are read only to drop the train rows that repeat one
(28 texts occur in both files, plus bare links and other near-copies; see
``training.loaders._holdout``).

Format (PROVENANCE section 11): tab-separated, fields with a ``"`` quoted
CSV-style, so the file is read with default quoting. Licence: none stated.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from training.loaders._holdout import HeldOut
from training.loaders._io import find_file, read_rows
from training.records import Record

SOURCE = "gab-hate-corpus"
COLUMNS = ("text", "hd", "cv", "vo")


def labels_for(hd: int, cv: int, vo: int) -> dict[str, int]:
    """Map one post's three GHC codes to attribute labels (see the module docstring)."""
    if not (hd or cv or vo):
        return dict.fromkeys(("TOXICITY", "IDENTITY_ATTACK", "THREAT", "PROFANITY", "SEVERE_TOXICITY"), 0)
    labels = {"TOXICITY": 1, "THREAT": cv, "PROFANITY": vo}
    if hd or not cv:
        labels["IDENTITY_ATTACK"] = hd
    return labels


def load(folder: Path) -> Iterator[Record]:
    """Yield one record per post of ``ghc_train``, minus texts of ``ghc_test``."""
    path = find_file(folder, "ghc_train.filtered.tsv", "ghc_train.tsv")
    test_path = find_file(folder, "ghc_test.filtered.tsv", "ghc_test.tsv")
    held_out = HeldOut(row.need("text") for row in read_rows(test_path, COLUMNS, delimiter="\t"))
    for row in read_rows(path, COLUMNS, delimiter="\t"):
        hd, cv, vo = (int(row.choice(code, ("0", "1"))) for code in COLUMNS[1:])
        text = row.need("text")
        if text in held_out:
            continue
        yield Record(text=text, source=SOURCE, labels=labels_for(hd, cv, vo), ref=f"{path.name}:{row.line}")
