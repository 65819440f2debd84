"""TRAC-1 English (Kumar et al. 2018): Facebook comments labelled for aggression.

Labels: ``OAG`` overtly aggressive, ``CAG`` covertly aggressive, ``NAG`` not
aggressive. Mapping:

- OAG: TOXICITY 1. Open aggression (abuse, threats, attacks) is what toxicity
  names.
- NAG: TOXICITY 0.
- CAG: TOXICITY unknown, so not yielded. Covert aggression is sarcasm, veiled
  hostility and passive aggression, which may or may not make someone leave.
- Other attributes unknown: TRAC-1 does not separate insults, threats or hate.

Both files, train and dev, are used; the task's test sets are not in the source
repository. The comments are mostly Indian English, some romanised Hindi.

Format (PROVENANCE section 15): CSV with no header row; records end in CRLF and
line breaks inside a quoted comment are bare LF (kept in the text). Columns: id
(``facebook_corpus_msr_<number>``), text, label. One published train record is
broken: its id is ``(Save Kashmir).`` and its text ``Select``, a stray fragment
rather than a comment. It is skipped by name; any other id that is not
``facebook_corpus_msr_<number>`` is an error. Licence: Apache-2.0.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from training.loaders._io import find_file, read_rows
from training.records import Record

SOURCE = "trac1"
COLUMNS = ("id", "text", "label")
ID = re.compile(r"facebook_corpus_msr_\d+")
BROKEN = ("(Save Kashmir).", "Select")


def load(folder: Path) -> Iterator[Record]:
    """Yield one record per overtly or non-aggressive comment of train and dev."""
    for split in ("train", "dev"):
        path = find_file(folder, f"agr_en_{split}.filtered.csv", f"agr_en_{split}.csv")
        for row in read_rows(path, COLUMNS, names=COLUMNS):
            comment_id, text = row.need("id"), row.need("text")
            label = row.choice("label", ("OAG", "CAG", "NAG"))
            if (comment_id, text) == BROKEN:
                continue
            if not ID.fullmatch(comment_id):
                raise row.fail(f"id {comment_id!r} is not facebook_corpus_msr_<number>")
            if label == "CAG":
                continue
            yield Record(
                text=text,
                source=SOURCE,
                labels={"TOXICITY": int(label == "OAG")},
                ref=f"{path.name}:{row.line} {comment_id}",
            )
