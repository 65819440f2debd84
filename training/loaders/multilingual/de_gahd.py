"""GAHD (Goldzycher et al. 2024): German adversarial hate speech, hate or not.

Annotators wrote sentences to fool a hate-speech model, many in contrastive
pairs (a hateful sentence and a minimally changed harmless one, linked by
``contrastive_gahd_id``). Mapping:

- IDENTITY_ATTACK: the label (1 hate, 0 not). GAHD's hate speech is an attack on
  a protected group, which is Perspective's identity attack.
- TOXICITY unknown, not 0: the non-hate class holds contrastive and neutral
  sentences but also rude ones (PROVENANCE's warning), and hate is only one kind
  of toxicity, so neither class settles TOXICITY.
- Nothing else is labelled.

The two halves of a contrastive pair share a split group, so a pair never sits
on both sides of the validation split. The text is adversarial, not a natural
comment stream, which the model card should say beside any figure.

Format (PROVENANCE, de-gahd): CSV with the header ``gahd_id, text, label, round,
split, contrastive_gahd_id``, the published train and dev rows (the test rows are
held out privately; a row of any other split is an error). One published row has
an empty text and is skipped: there is nothing to learn from. Licence: CC BY 4.0.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from training.loaders._io import find_file, read_rows
from training.records import Record

SOURCE = "de-gahd"
LANGUAGE = "de"
APPROXIMATE: frozenset[str] = frozenset()
COLUMNS = ("gahd_id", "text", "label", "split", "contrastive_gahd_id")


def load(folder: Path) -> Iterator[Record]:
    """Yield one record per non-empty sentence of the train and dev rows."""
    path = find_file(folder, "gahd.train-dev-part.csv")
    for row in read_rows(path, COLUMNS):
        row.choice("split", ("train", "dev"))
        label = row.integer("label", 0, 1)
        text = row.need("text").strip()
        if not text:
            continue
        own, other = row.need("gahd_id"), row.need("contrastive_gahd_id")
        group = f"{SOURCE}:{min(own, other) if other else own}"
        yield Record(
            text=text,
            source=SOURCE,
            labels={"IDENTITY_ATTACK": label},
            ref=f"{path.name}:{row.line} gahd_id={own}",
            group=group,
            language=LANGUAGE,
        )
