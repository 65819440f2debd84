"""ToLD-Br (Leite et al. 2020): Brazilian Portuguese tweets, per category the number of 3 annotators who flagged it.

Categories: homophobia, obscene, insult, racism, misogyny, xenophobia; each value
is 0 to 3. A category counts as present when a majority (2 or 3) flagged it.
Mapping:

- TOXICITY: 1 when any category has a majority, else 0; soft = the largest
  category's share of annotators.
- INSULT: the insult category by majority; soft = its share.
- PROFANITY: the obscene category by majority; soft = its share.
- IDENTITY_ATTACK: the largest of homophobia, racism, misogyny and xenophobia
  by majority (each is an attack on a protected group); soft = its share.
- SEVERE_TOXICITY and THREAT unknown.

A tweet one annotator flagged is 0 here: two of three saw nothing. The paper
also reports a looser "any annotator" rule; the majority rule matches how the
English loaders read vote counts.

Format (PROVENANCE, pt-toldbr): CSV with the header ``text, homophobia, obscene,
insult, racism, misogyny, xenophobia``, counts written as ``0.0`` to ``3.0``.
Every row whose text is in the authors' test split is held out privately.
Licence: CC BY-SA 4.0.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from training.loaders._io import find_file, read_rows
from training.records import Record

SOURCE = "pt-toldbr"
LANGUAGE = "pt"
APPROXIMATE: frozenset[str] = frozenset()
ANNOTATORS = 3
CATEGORIES = ("homophobia", "obscene", "insult", "racism", "misogyny", "xenophobia")
IDENTITY = ("homophobia", "racism", "misogyny", "xenophobia")


def labels_for(votes: dict[str, int]) -> tuple[dict[str, int], dict[str, float]]:
    """Map one tweet's per-category votes to labels and soft labels (see the module docstring)."""
    shares = {
        "TOXICITY": max(votes.values()) / ANNOTATORS,
        "INSULT": votes["insult"] / ANNOTATORS,
        "PROFANITY": votes["obscene"] / ANNOTATORS,
        "IDENTITY_ATTACK": max(votes[c] for c in IDENTITY) / ANNOTATORS,
    }
    return {name: int(share > 0.5) for name, share in shares.items()}, shares


def load(folder: Path) -> Iterator[Record]:
    """Yield one record per tweet of the training part."""
    path = find_file(folder, "ToLD-BR.train-part.csv")
    for row in read_rows(path, ("text", *CATEGORIES)):
        votes = {}
        for name in CATEGORIES:
            value = row.number(name, 0, ANNOTATORS)
            if value != int(value):
                raise row.fail(f"column {name!r}: {value} is not a whole number of annotators")
            votes[name] = int(value)
        text = row.need("text").strip()
        if not text:
            raise row.fail("empty text")
        labels, soft = labels_for(votes)
        yield Record(
            text=text, source=SOURCE, labels=labels, soft=soft, ref=f"{path.name}:{row.line}", language=LANGUAGE
        )
