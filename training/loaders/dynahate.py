"""Dynamically Generated Hate Speech Dataset (Vidgen et al. 2021), a third-party dev subset.

Annotators wrote each entry to trick a model, then wrote "perturbations": minimal
edits of an original that flip or keep its label. ``label`` is hate or nothate,
``type`` the kind of hate (derogation, animosity, dehumanization, threatening,
support for hateful entities; ``notgiven`` in round 1).

Mapping (why: DynaHate's hate is abuse aimed at a protected group, and its
nothate deliberately includes abuse of other targets):

- hate: TOXICITY 1, IDENTITY_ATTACK 1. THREAT 1 for type threatening; unknown
  for the other types and for ``notgiven`` (the annotators chose one type, so a
  derogation may still threaten).
- nothate: IDENTITY_ATTACK 0. TOXICITY and THREAT unknown: nothate includes
  swearing, abuse and threats aimed at targets that are not protected groups
  (a named person, a politician, an organisation); many perturbations were
  written to be exactly that.

``group`` is the original entry's id, so an original and its perturbation (linked
by ``acl.id.matched``) fall on the same side of the train/validation split; split
apart, the model would be validated on a near-copy of a training text.

Rows used: ``db_dev`` only. ``db_test`` is the official test split and never
yields a record. It is read only to leave out (PROVENANCE section 19):

- dev entries linked by ``acl.id.matched`` to a test entry (260: one half of an
  original/perturbation pair sits in dev, the other in test; the two differ by a
  word or two, so training on one half would leak the other);
- dev entries whose text repeats a test text (see ``training.loaders._holdout``).

Licence: none stated by the authors (the copy's repository is MIT).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from training.loaders._holdout import HeldOut
from training.loaders._io import find_file, read_rows
from training.records import Record

SOURCE = "dynahate"
COLUMNS = ("acl.id", "text", "label", "type", "level", "split", "acl.id.matched")
TYPES = ("none", "notgiven", "derogation", "animosity", "dehumanization", "threatening", "support")


def labels_for(label: str, kind: str) -> dict[str, int]:
    """Map one entry's label and hate type to attribute labels (see the module docstring)."""
    if label == "nothate":
        return {"IDENTITY_ATTACK": 0}
    labels = {"TOXICITY": 1, "IDENTITY_ATTACK": 1}
    if kind == "threatening":
        labels["THREAT"] = 1
    return labels


def load(folder: Path) -> Iterator[Record]:
    """Yield one record per dev entry that no test entry shares."""
    path = find_file(folder, "db_dev.filtered.csv", "db_dev.csv")
    test_path = find_file(folder, "db_test.csv", "db_test.filtered.csv")
    test_texts: list[str] = []
    linked: set[str] = set()  # ids of test entries and of the entries they are matched to
    for row in read_rows(test_path, COLUMNS):
        test_texts.append(row.need("text"))
        linked.update(i for i in (row.need("acl.id"), row.need("acl.id.matched")) if i)
    held_out = HeldOut(test_texts)
    for row in read_rows(path, COLUMNS):
        entry_id, matched, text = row.need("acl.id"), row.need("acl.id.matched"), row.need("text")
        label = row.choice("label", ("hate", "nothate"))
        kind = row.choice("type", TYPES)
        level = row.choice("level", ("original", "perturbation"))
        if (label == "nothate") != (kind == "none"):
            raise row.fail(f"type {kind!r} does not fit label {label!r}")
        if row.need("split") != "dev" or entry_id in linked or matched in linked or text in held_out:
            continue
        original = matched if level == "perturbation" and matched else entry_id
        yield Record(
            text=text,
            source=SOURCE,
            labels=labels_for(label, kind),
            ref=f"{path.name}:{row.line} {entry_id}",
            group=f"dynahate:{original}",
        )
