"""ETHOS (Mollas et al. 2022): YouTube and Reddit comments, binary and multi-label hate.

Mapping:

- Binary ``isHate`` (share of annotators): IDENTITY_ATTACK 1 when >= 0.5, soft = isHate.
  Every ETHOS hate category (gender, race, national origin, disability, religion,
  sexual orientation) is an identity, so ETHOS hate is an identity attack.
- Multi-label (hate comments only): IDENTITY_ATTACK 1; THREAT 1 when ``violence``
  >= 0.5 ("incites violence"), else 0; SEVERE_TOXICITY 1 when violent (proxy).
- TOXICITY stays unknown: non-hate ETHOS comments can still be rude.

The multi-label file repeats 410 binary comments verbatim; they become one record.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from training.loaders._io import find_file, read_rows
from training.records import Record

SOURCE = "ethos"
MULTI_COLUMNS = (
    "comment", "violence", "directed_vs_generalized", "gender", "race",
    "national_origin", "disability", "religion", "sexual_orientation",
)  # fmt: skip


def load(folder: Path) -> Iterator[Record]:
    """Yield one record per distinct ETHOS comment, binary and multi-label merged."""
    binary_path = find_file(folder, "Ethos_Dataset_Binary.csv")
    multi_path = find_file(folder, "Ethos_Dataset_Multi_Label.csv")

    violence: dict[str, float] = {}
    multi_refs: dict[str, str] = {}
    for row in read_rows(multi_path, MULTI_COLUMNS, delimiter=";"):
        for column in MULTI_COLUMNS[1:]:
            row.number(column, 0.0, 1.0)
        text = row.need("comment")
        violence[text] = row.number("violence", 0.0, 1.0)
        multi_refs[text] = f"{multi_path.name}:{row.line}"

    seen: set[str] = set()
    for row in read_rows(binary_path, ("comment", "isHate"), delimiter=";"):
        text = row.need("comment")
        if text in seen:
            continue
        seen.add(text)
        p = row.number("isHate", 0.0, 1.0)
        labels = {"IDENTITY_ATTACK": int(p >= 0.5)}
        if text in violence and p >= 0.5:
            labels["THREAT"] = int(violence[text] >= 0.5)
            if labels["THREAT"]:
                labels["SEVERE_TOXICITY"] = 1
        yield Record(
            text=text,
            source=SOURCE,
            labels=labels,
            soft={"IDENTITY_ATTACK": p},
            weight=max(p, 1 - p),
            ref=f"{binary_path.name}:{row.line}",
        )
    for text, v in violence.items():
        if text in seen:
            continue
        seen.add(text)
        labels = {"IDENTITY_ATTACK": 1, "THREAT": int(v >= 0.5)}
        if v >= 0.5:
            labels["SEVERE_TOXICITY"] = 1
        yield Record(text=text, source=SOURCE, labels=labels, ref=multi_refs[text])
