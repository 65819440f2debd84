"""TRAC-1 Hindi track (Kumar et al. 2018): Facebook comments in Hinglish, labelled for aggression.

Labels: ``OAG`` overtly aggressive, ``CAG`` covertly aggressive, ``NAG`` not
aggressive. Aggression is not toxicity, so only the overt end is mapped, as the
English TRAC-1 loader does:

- OAG: TOXICITY 1 (approximate: open aggression, abuse and attacks).
- NAG: TOXICITY 0.
- CAG: not yielded. Covert aggression (sarcasm, veiled hostility) would need
  relabelling before it could mean anything for an attribute.
- Other attributes unknown.

Language: the comments are Hindi-English code-mixed, mostly romanised, so a
record is ``hi-Latn``; a comment written mostly in Devanagari is ``hi``.

Format (PROVENANCE, hi-en-trac1): CSV without a header: id
(``facebook_corpus_msr_<number>``), text, label. Only the official training file
is here (the official dev file is held out privately). Licence: Apache-2.0.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from training.loaders._io import find_file, read_rows
from training.records import Record

SOURCE = "hi-en-trac1"
APPROXIMATE = frozenset({"TOXICITY"})
COLUMNS = ("id", "text", "label")
ID = re.compile(r"facebook_corpus_msr_\d+")
_DEVANAGARI = re.compile(r"[\u0900-\u097f]")
_LATIN = re.compile(r"[A-Za-z]")


def language_of(text: str) -> str:
    """Return ``hi`` for a comment written mostly in Devanagari, else ``hi-Latn``."""
    return "hi" if len(_DEVANAGARI.findall(text)) > len(_LATIN.findall(text)) else "hi-Latn"


def load(folder: Path) -> Iterator[Record]:
    """Yield one record per overtly or non-aggressive comment of the training file."""
    path = find_file(folder, "agr_hi_train.csv")
    for row in read_rows(path, COLUMNS, names=COLUMNS):
        comment_id, text = row.need("id"), row.need("text").strip()
        label = row.choice("label", ("OAG", "CAG", "NAG"))
        if not ID.fullmatch(comment_id):
            raise row.fail(f"id {comment_id!r} is not facebook_corpus_msr_<number>")
        if label == "CAG" or not text:
            continue
        yield Record(
            text=text,
            source=SOURCE,
            labels={"TOXICITY": int(label == "OAG")},
            ref=f"{path.name}:{row.line} {comment_id}",
            language=language_of(text),
        )
