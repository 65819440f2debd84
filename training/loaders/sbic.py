"""Social Bias Inference Corpus v2 (Sap et al. 2020): posts from Reddit, Twitter, Gab, Stormfront.

One row per post; ``offensiveYN`` ("could this be offensive to anyone?") and
``whoTarget`` (a group rather than an individual) are means over annotators, from
0 to 1. ``hasBiasedImplication`` reads the wrong way round (PROVENANCE section 12):
it is 0 when an annotator wrote an implied statement about a group.

Mapping:

- TOXICITY: 1 when offensiveYN >= 0.5; 0 below 0.2 (at most one annotator in
  six); unknown in between, where the annotators split. soft = offensiveYN.
- IDENTITY_ATTACK: 1 for an offensive post aimed at a group (whoTarget >= 0.5)
  about which a biased implication was written (hasBiasedImplication = 0): that
  is SBIC's own test for a social-bias frame. 0 for an offensive post aimed at an
  individual (whoTarget < 0.5) and for a non-offensive post. Unknown for an
  offensive group-aimed post without an implied statement.
- THREAT: 0 for a non-offensive post; unknown otherwise (SBIC does not ask).
- Weight: the annotators' agreement, max(offensiveYN, 1 - offensiveYN).

Rows with offensiveYN in [0.2, 0.5) carry no label and are not yielded.

Rows used: the dev file only. ``tst`` is the official test split and never yields a
record; its texts are read only to drop the dev posts that repeat one (10 as
published, see ``training.loaders._holdout``). The Davidson tweets that SBIC
includes were removed from the shared copy, so they are not counted twice.
Licence: CC BY 4.0.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from training.loaders._holdout import HeldOut
from training.loaders._io import Row, find_file, read_rows
from training.records import Record

SOURCE = "sbic"
COLUMNS = ("post", "whoTarget", "offensiveYN", "hasBiasedImplication", "dataSource")
OFFENSIVE = 0.5
NOT_OFFENSIVE = 0.2


def labels_for(row: Row) -> dict[str, int]:
    """Map one aggregated SBIC row to attribute labels (see the module docstring)."""
    offensive = row.number("offensiveYN", 0.0, 1.0)
    who = None if row.need("whoTarget") == "" else row.number("whoTarget", 0.0, 1.0)
    implied = row.choice("hasBiasedImplication", ("0", "1")) == "0"
    if offensive < NOT_OFFENSIVE:
        return {"TOXICITY": 0, "IDENTITY_ATTACK": 0, "THREAT": 0}
    if offensive < OFFENSIVE:
        return {}
    labels = {"TOXICITY": 1}
    if who is not None and who < 0.5:
        labels["IDENTITY_ATTACK"] = 0
    elif who is not None and implied:
        labels["IDENTITY_ATTACK"] = 1
    return labels


def load(folder: Path) -> Iterator[Record]:
    """Yield one record per labelled dev post, minus texts of the test file."""
    path = find_file(folder, "SBIC.v2.agg.dev.filtered.csv", "SBIC.v2.agg.dev.csv")
    test_path = find_file(folder, "SBIC.v2.agg.tst.filtered.csv", "SBIC.v2.agg.tst.csv")
    held_out = HeldOut(row.need("post") for row in read_rows(test_path, ("post",)))
    for row in read_rows(path, COLUMNS):
        labels = labels_for(row)
        text = row.need("post")
        if not labels or text in held_out:
            continue
        offensive = row.number("offensiveYN", 0.0, 1.0)
        yield Record(
            text=text,
            source=SOURCE,
            labels=labels,
            soft={"TOXICITY": offensive},
            weight=max(offensive, 1 - offensive),
            ref=f"{path.name}:{row.line} {row.need('dataSource')}",
        )
