"""Online misogyny (Guest et al. 2021): Reddit posts and comments labelled by experts.

Labels form a hierarchy: ``level_1`` Misogynistic or Nonmisogynistic, ``level_2``
the category, ``level_3`` a subcategory. An entry with several labels has one row
per label, so rows are aggregated by ``entry_id`` into one record per entry.

Mapping, per entry (any row with a positive label sets it):

- any Misogynistic row (Derogation, Misogynistic_pejorative, Treatment,
  Misogynistic_personal_attack): TOXICITY 1, IDENTITY_ATTACK 1 (hostility towards
  women as women).
- Misogynistic_personal_attack or Nonmisogynistic_personal_attack: INSULT 1.
- a ``level_3`` starting ``Threatening`` (physical or sexual violence, privacy):
  THREAT 1.
- Nonmisogynistic_personal_attack without a misogynistic row: TOXICITY 1,
  INSULT 1, IDENTITY_ATTACK 0 (abuse of a person, not of women as a group).
- Counter_speech without a misogynistic row: IDENTITY_ATTACK 0; TOXICITY unknown,
  because counter speech can be heated.
- every row None_of_the_categories: IDENTITY_ATTACK 0 only. The annotators
  looked for misogyny: a comment that swears, mocks or rants at no woman is "none"
  too (about one in ten of them, looked at by eye), so it says nothing about
  toxicity, insults or threats outside misogyny.
- THREAT and INSULT are otherwise unknown: the taxonomy files a threat under
  Treatment but an insult of a woman may sit under Derogation or pejoratives.

Text quirks (PROVENANCE section 18): in 14 rows the end of the comment sits in the
``image`` column, as if the text had been cut at a comma; the two parts are joined
again with a comma. Empty bodies and Reddit's ``[removed]`` and ``[deleted]``
placeholders carry no comment and are skipped.

Rows used: ``split`` = train only. The authors' test rows never yield a record;
their texts are read only to drop train entries that repeat one (bot notices,
``[removed]``, and one comment posted under two ids; see
``training.loaders._holdout``). Licence: MIT.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from training.loaders._holdout import HeldOut
from training.loaders._io import Row, find_file, read_rows
from training.records import Record

SOURCE = "reddit-misogyny"
COLUMNS = ("entry_id", "body", "image", "level_1", "level_2", "level_3", "split")
CATEGORIES = {
    "Derogation": "Misogynistic",
    "Misogynistic_pejorative": "Misogynistic",
    "Treatment": "Misogynistic",
    "Misogynistic_personal_attack": "Misogynistic",
    "Nonmisogynistic_personal_attack": "Nonmisogynistic",
    "Counter_speech": "Nonmisogynistic",
    "None_of_the_categories": "Nonmisogynistic",
}
PERSONAL_ATTACK = ("Misogynistic_personal_attack", "Nonmisogynistic_personal_attack")
NO_COMMENT = ("", "[removed]", "[deleted]")


@dataclass(slots=True)
class _Entry:
    text: str
    ref: str
    categories: set[str] = field(default_factory=set)
    threat: bool = False


def _text(row: Row) -> str:
    body, image = row.need("body"), row.need("image")
    return body if image in ("", "Yes") else f"{body},{image}"


def labels_for(categories: set[str], threat: bool) -> dict[str, int]:
    """Map one entry's ``level_2`` categories to attribute labels (see the module docstring)."""
    misogynistic = any(CATEGORIES[c] == "Misogynistic" for c in categories)
    labels: dict[str, int] = {}
    if misogynistic:
        labels.update(TOXICITY=1, IDENTITY_ATTACK=1)
    elif "Nonmisogynistic_personal_attack" in categories:
        labels.update(TOXICITY=1, IDENTITY_ATTACK=0)
    elif "Counter_speech" in categories:
        labels["IDENTITY_ATTACK"] = 0
    else:
        return {"IDENTITY_ATTACK": 0}
    if categories & set(PERSONAL_ATTACK):
        labels["INSULT"] = 1
    if threat:
        labels["THREAT"] = 1
    return labels


def load(folder: Path) -> Iterator[Record]:
    """Yield one record per train entry, its label rows aggregated."""
    path = find_file(folder, "final_labels.filtered.csv", "final_labels.csv")
    entries: dict[str, _Entry] = {}
    test_ids: set[str] = set()
    test_texts: list[str] = []
    for row in read_rows(path, COLUMNS):
        entry_id, split = row.need("entry_id"), row.choice("split", ("train", "test"))
        category = row.choice("level_2", tuple(CATEGORIES))
        if row.choice("level_1", ("Misogynistic", "Nonmisogynistic")) != CATEGORIES[category]:
            raise row.fail(f"level_2 {category!r} does not belong under level_1 {row.need('level_1')!r}")
        if split == "test":
            test_ids.add(entry_id)
            test_texts.append(_text(row))
            continue
        entry = entries.setdefault(entry_id, _Entry(_text(row), f"{path.name}:{row.line} entry_id={entry_id}"))
        entry.categories.add(category)
        entry.threat |= row.need("level_3").startswith("Threatening")
    held_out = HeldOut(test_texts)
    for entry_id, entry in entries.items():
        if entry_id in test_ids or entry.text.strip() in NO_COMMENT or entry.text in held_out:
            continue
        yield Record(text=entry.text, source=SOURCE, labels=labels_for(entry.categories, entry.threat), ref=entry.ref)
