"""Russian Distorted Toxicity (Gorbunova 2022): VKontakte comments, toxic or not, some obfuscated.

Columns: ``toxicity`` (0/1, one annotator), ``distortion`` (1 when the writer
disguised a word, e.g. an asterisk for one letter of a swear word) and
``corrected`` (a manual de-obfuscation of distorted comments). Mapping:

- TOXICITY: the label.
- Nothing else: the set has no finer labels.

The text is ``comments``, what the user wrote: the ``corrected`` form is what a
scorer never sees, so it is not used. The corpus is single-annotator, which the
model card should say beside any figure.

Format (PROVENANCE, ru-distorted-toxicity): TSV with the header ``comment_id,
source, comments, distortion, toxicity, corrected``; fields may be quoted. The
80 % part of the published file; rows with an empty comment were removed when
the data was prepared. Licence: MIT (stated in the data statement).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from training.loaders._io import find_file, read_rows
from training.records import Record

SOURCE = "ru-distorted-toxicity"
LANGUAGE = "ru"
APPROXIMATE: frozenset[str] = frozenset()
COLUMNS = ("comment_id", "comments", "distortion", "toxicity")


def load(folder: Path) -> Iterator[Record]:
    """Yield one record per comment of the training part."""
    path = find_file(folder, "russian_distorted_toxicity.train-part.tsv")
    for row in read_rows(path, COLUMNS, delimiter="\t"):
        row.integer("distortion", 0, 1)
        label = row.integer("toxicity", 0, 1)
        text = row.need("comments").strip()
        if not text:
            raise row.fail("empty comment")
        yield Record(
            text=text,
            source=SOURCE,
            labels={"TOXICITY": label},
            ref=f"{path.name}:{row.line} id={row.need('comment_id')}",
            language=LANGUAGE,
        )
