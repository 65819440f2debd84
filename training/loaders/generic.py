"""Loaders for user data: any CSV/TSV/JSONL file, and the Jigsaw 2018 and 2019 formats.

``load_table`` takes the text column and an ``ATTRIBUTE=column`` mapping. A label
value may be ``1``/``0``, ``true``/``false``, ``yes``/``no``, or a fraction in [0, 1]
(kept as a soft label, positive at ``>= threshold``). Empty, ``NA``, ``null`` and
``-1`` (Jigsaw's "not scored" marker) mean unknown.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path

from model.attributes import ATTRIBUTE_NAMES
from training.errors import DataFormatError
from training.loaders._io import open_text, read_rows
from training.records import Record

UNKNOWN = frozenset({"", "na", "nan", "null", "none", "-1"})
TRUE = frozenset({"1", "true", "yes", "y", "t"})
FALSE = frozenset({"0", "false", "no", "n", "f"})

JIGSAW_2018 = {
    "TOXICITY": "toxic",
    "SEVERE_TOXICITY": "severe_toxic",
    "PROFANITY": "obscene",
    "THREAT": "threat",
    "INSULT": "insult",
    "IDENTITY_ATTACK": "identity_hate",
}
CIVIL_COMMENTS_2019 = {
    "TOXICITY": "target",
    "SEVERE_TOXICITY": "severe_toxicity",
    "PROFANITY": "obscene",
    "THREAT": "threat",
    "INSULT": "insult",
    "IDENTITY_ATTACK": "identity_attack",
}


def parse_label(value: object, threshold: float) -> tuple[int, float | None] | None:
    """Parse one label cell: ``None`` if unknown, else ``(hard label, soft or None)``.

    Raises ``ValueError`` with a readable reason for anything else.
    """
    if value is None or isinstance(value, bool):
        return None if value is None else (int(value), None)
    if isinstance(value, int | float):
        text = repr(value)
        number = float(value)
    else:
        text = str(value).strip().lower()
        if text in UNKNOWN:
            return None
        if text in TRUE:
            return 1, None
        if text in FALSE:
            return 0, None
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{value!r} is not a label (0/1, true/false or a fraction)") from None
    if number == -1:
        return None
    if not 0.0 <= number <= 1.0:
        raise ValueError(f"{text} is outside [0, 1]")
    if number in (0.0, 1.0):
        return int(number), None
    return int(number >= threshold), number


def _check_mapping(labels: Mapping[str, str]) -> None:
    unknown = [a for a in labels if a not in ATTRIBUTE_NAMES]
    if unknown:
        raise ValueError(f"unknown attribute(s) {unknown}; known: {', '.join(ATTRIBUTE_NAMES)}")
    if not labels:
        raise ValueError("map at least one attribute to a label column")


def _record(
    text: object,
    cells: Mapping[str, object],
    *,
    source: str,
    threshold: float,
    ref: str,
    fail: DataFormatError,
) -> Record | None:
    if not isinstance(text, str):
        raise DataFormatError(fail.path, fail.line, f"text is {type(text).__name__}, not a string")
    labels: dict[str, int] = {}
    soft: dict[str, float] = {}
    for attribute, value in cells.items():
        try:
            parsed = parse_label(value, threshold)
        except ValueError as exc:
            raise DataFormatError(fail.path, fail.line, f"label {attribute}: {exc}") from None
        if parsed is not None:
            labels[attribute] = parsed[0]
            if parsed[1] is not None:
                soft[attribute] = parsed[1]
    if not labels or not text.strip():
        return None  # nothing to learn from this row
    return Record(text=text, source=source, labels=labels, soft=soft, ref=ref)


def load_table(
    path: Path,
    *,
    text_column: str,
    labels: Mapping[str, str],
    source: str | None = None,
    threshold: float = 0.5,
    delimiter: str | None = None,
) -> Iterator[Record]:
    """Yield records from a CSV, TSV or JSONL file (chosen by suffix, ``.gz`` allowed)."""
    _check_mapping(labels)
    name = source or path.name.split(".")[0]
    suffixes = [s.lower() for s in path.suffixes if s.lower() != ".gz"]
    if suffixes and suffixes[-1] in (".jsonl", ".ndjson"):
        yield from _load_jsonl(path, text_column, labels, name, threshold)
        return
    if delimiter is None:
        delimiter = "\t" if suffixes and suffixes[-1] == ".tsv" else ","
    for row in read_rows(path, (text_column, *labels.values()), delimiter=delimiter):
        cells = {a: row[c] for a, c in labels.items()}
        record = _record(
            row[text_column],
            cells,
            source=name,
            threshold=threshold,
            ref=f"{path.name}:{row.line}",
            fail=row.fail(""),
        )
        if record is not None:
            yield record


def _load_jsonl(
    path: Path, text_column: str, labels: Mapping[str, str], source: str, threshold: float
) -> Iterator[Record]:
    line = 0
    try:
        with open_text(path) as handle:
            for line, raw in enumerate(handle, start=1):
                if not raw.strip():
                    continue
                try:
                    obj = json.loads(raw)
                except json.JSONDecodeError as exc:
                    raise DataFormatError(path, line, f"invalid JSON: {exc.msg}") from None
                if not isinstance(obj, dict):
                    raise DataFormatError(path, line, "each line must be a JSON object")
                missing = [k for k in (text_column, *labels.values()) if k not in obj]
                if missing:
                    raise DataFormatError(path, line, f"missing key(s) {missing}")
                record = _record(
                    obj[text_column],
                    {a: obj[c] for a, c in labels.items()},
                    source=source,
                    threshold=threshold,
                    ref=f"{path.name}:{line}",
                    fail=DataFormatError(path, line, ""),
                )
                if record is not None:
                    yield record
    except UnicodeDecodeError as exc:
        raise DataFormatError(path, line + 1, f"invalid UTF-8: {exc.reason}") from None


def load_jigsaw_2018(path: Path) -> Iterator[Record]:
    """Yield records from the Jigsaw Toxic Comment Classification ``train.csv`` (six 0/1 labels)."""
    return load_table(path, text_column="comment_text", labels=JIGSAW_2018, source="jigsaw-2018")


def load_civil_comments_2019(path: Path) -> Iterator[Record]:
    """Yield records from the Civil Comments / Unintended Bias ``train.csv`` (fractions, >= 0.5)."""
    with open_text(path) as handle:
        header = handle.readline().strip().split(",")
    columns = dict(CIVIL_COMMENTS_2019)
    # The Kaggle train.csv calls the toxicity score "target"; all_data.csv calls it "toxicity".
    if "target" not in header and "toxicity" in header:
        columns["TOXICITY"] = "toxicity"
    return load_table(path, text_column="comment_text", labels=columns, source="civil-comments-2019")
