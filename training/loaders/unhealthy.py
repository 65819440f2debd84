"""Unhealthy Comments Corpus (Price et al. 2020): Globe and Mail news comments.

Crowd workers judged each comment healthy or not and for six "unhealthy"
sub-attributes; each 0/1 column is the trusted-judgement aggregate and its
``:confidence`` column the agreement behind it (0.5 to 1).

Mapping (why: only hostility and antagonism are toxicity in Perspective's sense;
the other sub-attributes are incivility a civil forum would still tolerate):

- ``hostile`` = 1: TOXICITY 1.
- ``antagonize`` = 1 (antagonistic, insulting, provocative, trolling): TOXICITY 1
  and INSULT 1. Either one wins over ``healthy`` = 1 (65 such rows, most judged
  with a confidence below 0.7; the weight below discounts them).
- ``healthy`` = 1 with every unhealthy sub-attribute 0: TOXICITY, INSULT, THREAT,
  IDENTITY_ATTACK and SEVERE_TOXICITY 0. PROFANITY stays unknown: it was not asked.
- ``generalisation_unfair`` = 1: IDENTITY_ATTACK stays unknown. An unfair
  generalisation about a group is not an attack on it as such, yet it is too close
  to one to be a clean negative.
- ``condescending``, ``dismissive`` or ``sarcastic`` without hostility or
  antagonism: TOXICITY unknown (incivility, not toxicity). Such rows, and unhealthy
  rows with no sub-attribute, carry no label and are not yielded.

Weight: the confidence of the judgement the labels rest on. A positive takes the
highest confidence among the ``hostile`` and ``antagonize`` columns that are 1
(either suffices); a negative the lowest of ``healthy``, ``hostile`` and
``antagonize`` (all three must hold).

Rows used: ``val.filtered.csv`` only (PROVENANCE section 10; the training file was
not obtained). ``test.filtered.csv`` is the official test split and never yields a
record; its texts are read only to drop any validation row that repeats one
(see ``training.loaders._holdout``).

Licence: CC BY-NC-SA 4.0, non-commercial, so this set is left out of the default
model (``training.loaders.sources``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from training.loaders._holdout import HeldOut
from training.loaders._io import Row, find_file, read_rows
from training.records import Record

SOURCE = "unhealthy-conversations"
UNHEALTHY = ("hostile", "antagonize", "dismissive", "condescending", "sarcastic", "generalisation_unfair")
COLUMNS = (
    "_unit_id", "comment", "healthy", "healthy:confidence",
    *(name for attribute in UNHEALTHY for name in (attribute, f"{attribute}:confidence")),
)  # fmt: skip
# generalisation_unfair is written 0.0 / 1.0, the others 0 / 1.
FLAGS = {"0": 0, "1": 1, "0.0": 0, "1.0": 1}
NEGATIVE = ("TOXICITY", "INSULT", "THREAT", "IDENTITY_ATTACK", "SEVERE_TOXICITY")


def _flag(row: Row, column: str) -> int:
    return FLAGS[row.choice(column, tuple(FLAGS))]


def labels_and_weight(row: Row) -> tuple[dict[str, int], float]:
    """Map one row to attribute labels and a weight (see the module docstring)."""
    flags = {attribute: _flag(row, attribute) for attribute in UNHEALTHY}
    healthy = _flag(row, "healthy")
    # A confidence is the majority's agreement, so at least one half; only that of
    # generalisation_unfair, a follow-up question, can be lower (0 where not asked).
    confidence = {
        a: row.number(f"{a}:confidence", 0.0 if a == "generalisation_unfair" else 0.5, 1.0)
        for a in (*UNHEALTHY, "healthy")
    }
    if flags["hostile"] or flags["antagonize"]:
        labels = {"TOXICITY": 1}
        if flags["antagonize"]:
            labels["INSULT"] = 1
        weight = max(confidence[a] for a in ("hostile", "antagonize") if flags[a])
        return labels, weight
    if healthy and not any(flags.values()):
        weight = min(confidence[a] for a in ("healthy", "hostile", "antagonize"))
        return dict.fromkeys(NEGATIVE, 0), weight
    return {}, 1.0


def load(folder: Path) -> Iterator[Record]:
    """Yield one record per labelled comment of the validation file."""
    path = find_file(folder, "val.filtered.csv", "val.csv")
    test_path = find_file(folder, "test.filtered.csv", "test.csv")
    held_out = HeldOut(row.need("comment") for row in read_rows(test_path, ("comment",)))
    for row in read_rows(path, COLUMNS):
        text = row.need("comment")
        labels, weight = labels_and_weight(row)
        if not labels or text in held_out:
            continue
        yield Record(
            text=text,
            source=SOURCE,
            labels=labels,
            weight=weight,
            ref=f"{path.name}:{row.line} _unit_id={row.need('_unit_id')}",
        )
