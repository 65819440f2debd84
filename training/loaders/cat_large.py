"""CAT-LARGE (Pavlopoulos et al. 2020): Wikipedia talk-page comments labelled for toxicity.

Two files of 10,000 comments each, labelled by crowd workers: ``gc.csv`` by
workers who saw the parent comment, ``gn.csv`` by workers who did not.

Mapping: TOXICITY = ``label`` (1 toxic, 0 not). Nothing else is labelled.

- ``api`` is never read: it is the Perspective API's TOXICITY score of the text,
  a model's output and not a human label (PROVENANCE section 16). Training on it
  would teach this model to copy Perspective's errors.
- ``parent`` is ignored: the model scores a comment alone. The paper found that
  context flips the label of only a small share of comments, so ``gc`` labels
  are kept, with that caveat.

Both files are almost all non-toxic (1.5 % and 0.6 % positive): the set is
mainly a source of clean, in-domain negatives. Licence: Apache-2.0.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from training.loaders._io import find_file, read_rows
from training.records import Record

SOURCE = "cat-large"


def load(folder: Path) -> Iterator[Record]:
    """Yield one record per comment of ``gc.csv`` and ``gn.csv``."""
    for name in ("gc", "gn"):
        path = find_file(folder, f"{name}.filtered.csv", f"{name}.csv")
        for row in read_rows(path, ("id", "text", "label")):
            label = row.choice("label", ("0", "1"))
            yield Record(
                text=row.need("text"),
                source=SOURCE,
                labels={"TOXICITY": int(label)},
                ref=f"{path.name}:{row.line} id={row.need('id')}",
            )
