"""EDOS, Explainable Detection of Online Sexism (Kirk et al., SemEval-2023 Task 10): Gab and Reddit posts.

Each post is ``sexist`` or ``not sexist``; a sexist post has one category and one
finer vector. Mapping:

- category 1 (threats, plans to harm and incitement; both 1.1 threats and 1.2
  incitement, which THREAT covers as calls for violence): THREAT 1.
- categories 1 to 3 (threats, derogation, animosity): IDENTITY_ATTACK 1 and
  TOXICITY 1, as attacks on women as women. THREAT 0 for categories 2 and 3:
  the annotators chose the threat category for any sexist threat.
- category 4 (prejudiced discussions): IDENTITY_ATTACK, TOXICITY and THREAT
  unknown. It is prejudice argued in a calm register, which may not read as an
  attack, and "supporting mistreatment" can come close to incitement.
- vectors 2.1 descriptive attacks, 2.2 aggressive and emotive attacks and
  3.1 casual use of gendered slurs, profanities and insults: INSULT 1. Other
  vectors: INSULT unknown.
- not sexist: IDENTITY_ATTACK 0 and THREAT 0. TOXICITY unknown: abuse without a
  sexist angle is labelled not sexist. **Caveat:** only sexist threats were
  labelled, so a threat without a sexist angle (telling someone to kill
  themselves, promising a beating) is a THREAT negative here by mistake. Such
  posts are a small share.

The organisers' ``[USER]`` and ``[URL]`` placeholders are written as a mention
(``@USER``) and a link (``URL``), which ``model.normalize`` turns into the same
placeholder tokens as every other source's mentions and links; left as written,
their brackets and the bare word "user" would mark this source's posts.

Rows used: ``split`` = train and dev. The test rows never yield a record; their
texts are read only to drop any train or dev post that repeats one (see
``training.loaders._holdout``). Licence: CC0 1.0.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from training.loaders._holdout import HeldOut
from training.loaders._io import Row, find_file, read_rows
from training.records import Record

SOURCE = "edos"
COLUMNS = ("rewire_id", "text", "label_sexist", "label_category", "label_vector", "split")
CATEGORIES = (
    "none",
    "1. threats, plans to harm and incitement",
    "2. derogation",
    "3. animosity",
    "4. prejudiced discussions",
)
INSULT_VECTORS = ("2.1", "2.2", "3.1")


def labels_for(category: str, vector: str) -> dict[str, int]:
    """Map one post's category and vector to attribute labels (see the module docstring)."""
    number = category.split(".", 1)[0]
    if number == "none":
        return {"IDENTITY_ATTACK": 0, "THREAT": 0}
    if number == "4":
        return {}
    labels = {"TOXICITY": 1, "IDENTITY_ATTACK": 1, "THREAT": int(number == "1")}
    if vector.split(" ", 1)[0] in INSULT_VECTORS:
        labels["INSULT"] = 1
    return labels


def load(folder: Path) -> Iterator[Record]:
    """Yield one record per train or dev post, minus texts of the test split."""
    path = find_file(folder, "edos_labelled_aggregated.filtered.csv", "edos_labelled_aggregated.csv")
    rows: list[Row] = []
    test_texts: list[str] = []
    for row in read_rows(path, COLUMNS):
        sexist = row.choice("label_sexist", ("sexist", "not sexist")) == "sexist"
        category = row.choice("label_category", CATEGORIES)
        vector = row.need("label_vector")
        number = category.split(".", 1)[0]
        if sexist == (number == "none") or not vector.startswith("none" if number == "none" else f"{number}."):
            raise row.fail(f"labels {row.need('label_sexist')!r}, {category!r}, {vector!r} do not fit together")
        if row.choice("split", ("train", "dev", "test")) == "test":
            test_texts.append(row.need("text"))
        else:
            rows.append(row)
    held_out = HeldOut(test_texts)
    for row in rows:
        text = row.need("text")
        labels = labels_for(row.need("label_category"), row.need("label_vector"))
        if not labels or text in held_out:
            continue
        yield Record(
            text=text.replace("[USER]", "@USER").replace("[URL]", "URL"),
            source=SOURCE,
            labels=labels,
            ref=f"{path.name}:{row.line} {row.need('rewire_id')}",
        )
