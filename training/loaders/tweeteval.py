"""TweetEval's hate and offensive tasks: one tweet per line, one 0/1 label per line.

- ``tweeteval-hate`` (HatEval 2019, hate against immigrants or women):
  IDENTITY_ATTACK = label. TOXICITY stays unknown: HatEval's non-hateful tweets
  are often still abusive, so a 0 there would teach the wrong thing.
- ``tweeteval-offensive`` is OLID re-split (PROVENANCE section 5): TOXICITY = label.
  When OLID is loaded too, the cross-source de-duplication in ``training.dataset``
  folds every one of these tweets into its OLID twin, so none is counted twice.

Both splits (train and val) are read; the project makes its own grouped split.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from training.errors import DataFormatError
from training.loaders._io import find_file, read_lines
from training.records import Record


def _load(folder: Path, source: str, attribute: str) -> Iterator[Record]:
    for split in ("train", "val"):
        text_path = find_file(folder, f"{split}_text.txt")
        label_path = find_file(folder, f"{split}_labels.txt")
        texts, labels = read_lines(text_path), read_lines(label_path)
        if len(texts) != len(labels):
            raise DataFormatError(
                label_path,
                min(len(texts), len(labels)) + 1,
                f"{len(labels)} labels for {len(texts)} texts in {text_path.name}",
            )
        for line, (text, label) in enumerate(zip(texts, labels, strict=True), start=1):
            if label.strip() not in ("0", "1"):
                raise DataFormatError(label_path, line, f"label {label!r} is not 0 or 1")
            yield Record(
                text=text,
                source=source,
                labels={attribute: int(label)},
                ref=f"{text_path.name}:{line}",
            )


def load_hate(folder: Path) -> Iterator[Record]:
    """Yield TweetEval hate tweets labelled for IDENTITY_ATTACK."""
    return _load(folder, "tweeteval-hate", "IDENTITY_ATTACK")


def load_offensive(folder: Path) -> Iterator[Record]:
    """Yield TweetEval offensive tweets labelled for TOXICITY."""
    return _load(folder, "tweeteval-offensive", "TOXICITY")
