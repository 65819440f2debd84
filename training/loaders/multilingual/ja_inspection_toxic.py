"""Inspection AI Japanese toxic dataset, public subset: short sentences with annotators' votes.

Each sentence has vote counts for ``Not Toxic``, ``Hard to Say``, ``Toxic`` and
``Very Toxic`` out of ``annotation_num`` annotators, and per-category counts
(``category_卑語`` vulgar language, ``category_差別`` discrimination, and five
others: harassment, obscenity, privacy, illegal acts, biased expression).
Mapping:

- TOXICITY: 1 when Toxic + Very Toxic votes are a majority, 0 when Not Toxic
  votes are, unknown otherwise (most annotators unsure or split); soft = the
  share of Toxic + Very Toxic votes.
- SEVERE_TOXICITY: 1 when Very Toxic votes are a majority, 0 when TOXICITY is 0
  or when the sentence is toxic by majority but not very toxic by majority.
- IDENTITY_ATTACK (approximate): 1 when any annotator marked discrimination and
  TOXICITY is 1; 0 when TOXICITY is 0; unknown otherwise.
- PROFANITY (approximate): the same rule with the vulgar-language category;
  obscenity (``猥褻``) is sexual content, not swearing, and is not used.
- INSULT and THREAT unknown.

With 364 rows (25 toxic) this set can smoke-test Japanese, no more.

Format (PROVENANCE, ja-inspection-toxic): CSV with a header, the 80 % part of
``data/subset.csv``. Licence: Apache-2.0.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from training.loaders._io import Row, find_file, read_rows
from training.records import Record

SOURCE = "ja-inspection-toxic"
LANGUAGE = "ja"
APPROXIMATE = frozenset({"IDENTITY_ATTACK", "PROFANITY"})
VOTES = ("Not Toxic", "Hard to Say", "Toxic", "Very Toxic")
VULGAR, DISCRIMINATION = "category_卑語", "category_差別"
COLUMNS = ("id", "text", *VOTES, VULGAR, DISCRIMINATION, "annotation_num")


def labels_for(row: Row) -> tuple[dict[str, int], float]:
    """Return one sentence's attribute labels and its soft TOXICITY (see the module docstring)."""
    n = row.integer("annotation_num", 1, 1000)
    votes = {name: row.integer(name, 0, n) for name in VOTES}
    if sum(votes.values()) != n:
        raise row.fail(f"votes {sum(votes.values())} do not add up to annotation_num {n}")
    toxic = votes["Toxic"] + votes["Very Toxic"]
    if 2 * toxic > n:
        labels = {"TOXICITY": 1, "SEVERE_TOXICITY": int(2 * votes["Very Toxic"] > n)}
        if row.integer(DISCRIMINATION, 0, n):
            labels["IDENTITY_ATTACK"] = 1
        if row.integer(VULGAR, 0, n):
            labels["PROFANITY"] = 1
    elif 2 * votes["Not Toxic"] > n:
        labels = dict.fromkeys(("TOXICITY", "SEVERE_TOXICITY", "IDENTITY_ATTACK", "PROFANITY"), 0)
    else:
        labels = {}
    return labels, toxic / n


def load(folder: Path) -> Iterator[Record]:
    """Yield one record per sentence with a majority either way."""
    path = find_file(folder, "subset.train-part.csv")
    for row in read_rows(path, COLUMNS):
        labels, soft = labels_for(row)
        text = row.need("text").strip()
        if not labels or not text:
            continue
        yield Record(
            text=text,
            source=SOURCE,
            labels=labels,
            soft={"TOXICITY": soft},
            ref=f"{path.name}:{row.line} id={row.need('id')}",
            language=LANGUAGE,
        )
