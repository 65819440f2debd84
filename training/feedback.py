"""Moderators' decisions as training data: read them from the suggestion store or an export, write them out.

The service stores suggestions in SQLite (``service.perspective.store``) and exports
them as CSV or JSON Lines (``GET /v1/admin/suggestions/export``); both give one row
per suggested attribute with ``id, received_at, source, status, attribute, label,
text``. This module reads either without importing ``service``: the store through
``sqlite3`` opened read-only, so a running service keeps writing while it is read.

A row's label is the suggested score: at or above 0.5 it is a 1, below a 0. Only
accepted rows train (``accepted_records``); an attribute the catalogue does not know
is skipped and counted. When one comment was corrected more than once for the same
attribute, the latest decision wins. The records' source is ``feedback``.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from contextlib import closing
from dataclasses import asdict, dataclass
from pathlib import Path

from model.attributes import ATTRIBUTE_NAMES
from model.languages import is_english
from training.errors import TrainingError
from training.records import Record, dedup_key

FEEDBACK_SOURCE = "feedback"
"""The source name of moderators' decisions in a corpus, its card and its comparison."""
FIELDS = ("id", "received_at", "source", "status", "attribute", "label", "text")
SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True, slots=True)
class FeedbackRow:
    """One suggested attribute of one stored suggestion."""

    id: int
    received_at: str
    source: str
    status: str
    attribute: str
    label: float
    text: str


def _row(raw: dict[str, object], where: str) -> FeedbackRow:
    try:
        return FeedbackRow(
            id=int(str(raw["id"])),
            received_at=str(raw.get("received_at") or ""),
            source=str(raw.get("source") or "api"),
            status=str(raw.get("status") or "pending"),
            attribute=str(raw["attribute"]),
            label=float(str(raw["label"])),
            text=str(raw["text"]),
        )
    except (KeyError, ValueError) as exc:
        raise TrainingError(f"{where}: not a feedback row ({type(exc).__name__}: {exc}); columns: {FIELDS}") from None


def _summary_score(entry: object) -> float | None:
    """Return the suggested score of one stored ``attributeScores`` entry: its summary, else its top span."""
    if not isinstance(entry, dict):
        return None
    summary = entry.get("summaryScore")
    if isinstance(summary, dict) and isinstance(summary.get("value"), int | float):
        return float(summary["value"])
    values = [s.get("score", {}).get("value") for s in entry.get("spanScores", []) if isinstance(s, dict)]
    numbers = [float(v) for v in values if isinstance(v, int | float)]
    return max(numbers) if numbers else None


def read_store(path: Path) -> list[FeedbackRow]:
    """Return every suggested attribute in a suggestion store, oldest first (the file is opened read-only).

    Suggestions stored with languages none of which is English are left out: they must not
    train the English model.
    """
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        with closing(sqlite3.connect(uri, uri=True)) as db:
            columns = {row[1] for row in db.execute("PRAGMA table_info(suggestions)")}
            if "status" not in columns:
                raise TrainingError(
                    f"{path}: no review state (status column); start the service once on it to migrate the store"
                )
            languages = "languages" if "languages" in columns else "NULL"
            rows = db.execute(
                "SELECT id, received_at, source, status, attribute_scores, comment_text, "
                f"{languages} FROM suggestions ORDER BY id"
            ).fetchall()
    except sqlite3.Error as exc:
        raise TrainingError(f"{path}: cannot read the suggestion store: {exc}") from None
    out = []
    for ident, received, source, status, scores_json, text, codes in rows:
        if not is_english(codes):
            continue  # a suggestion in another language never trains the English model
        for attribute, entry in json.loads(scores_json).items():
            value = _summary_score(entry)
            if value is not None:
                out.append(FeedbackRow(ident, received, source, status, attribute, value, text))
    return out


def read_feedback(path: Path) -> list[FeedbackRow]:
    """Return the rows of a suggestion store, or of its CSV or JSON Lines export (by content, then suffix)."""
    if not path.is_file():
        raise TrainingError(f"--feedback {path}: no such file")
    with path.open("rb") as handle:
        if handle.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC:
            return read_store(path)
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        out = []
        with path.open(encoding="utf-8") as handle:
            for n, line in enumerate(handle, 1):
                if line.strip():
                    try:
                        raw = json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise TrainingError(f"{path}:{n}: not JSON: {exc.msg}") from None
                    out.append(_row(raw, f"{path}:{n}"))
        return out
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            return [_row(dict(raw), f"{path}:{n}") for n, raw in enumerate(csv.DictReader(handle), 2)]
    raise TrainingError(f"--feedback {path}: expected a suggestion store (SQLite), a .csv or a .jsonl export")


def accepted_records(rows: Iterable[FeedbackRow], weight: float) -> tuple[list[Record], Counter[str]]:
    """Return one ``feedback`` record per accepted comment (latest decision per attribute) and what was skipped."""
    skipped: Counter[str] = Counter()
    labels: dict[str, dict[str, int]] = {}
    texts: dict[str, str] = {}
    for row in sorted(rows, key=lambda r: r.id):
        if row.status != "accepted":
            skipped[f"status {row.status}"] += 1
            continue
        if row.attribute not in ATTRIBUTE_NAMES:
            skipped[f"unknown attribute {row.attribute}"] += 1
            continue
        key = dedup_key(row.text)
        texts.setdefault(key, row.text)
        labels.setdefault(key, {})[row.attribute] = int(row.label >= 0.5)
    records = [
        Record(text=texts[k], source=FEEDBACK_SOURCE, labels=v, weight=weight, ref=f"feedback:{k[:12]}")
        for k, v in labels.items()
    ]
    return records, skipped


def import_feedback(rows: Sequence[FeedbackRow], store: Path) -> int:
    """Add exported rows to a suggestion store the service has made; return how many suggestions were added.

    Rows of one exported id become one suggestion again, with its status, source and
    time; a suggestion already in the store (same time, text and scores) is skipped,
    so importing a file twice adds nothing. One transaction: all or nothing.
    """
    if not store.is_file():
        raise TrainingError(f"--store {store}: no such file; start the service once to create the store")
    grouped: dict[int, list[FeedbackRow]] = {}
    for row in rows:
        grouped.setdefault(row.id, []).append(row)
    added = 0
    try:
        with closing(sqlite3.connect(store, timeout=30.0, isolation_level=None)) as db:
            if "status" not in {row[1] for row in db.execute("PRAGMA table_info(suggestions)")}:
                raise TrainingError(f"{store}: no review state; start the service once on it to migrate the store")
            db.execute("PRAGMA synchronous=FULL")
            db.execute("BEGIN IMMEDIATE")
            try:
                for group in grouped.values():
                    first = group[0]
                    scores = json.dumps(
                        {r.attribute: {"summaryScore": {"value": r.label, "type": "PROBABILITY"}} for r in group}
                    )
                    same = db.execute(
                        "SELECT 1 FROM suggestions WHERE received_at = ? AND comment_text = ? AND attribute_scores = ?",
                        (first.received_at, first.text, scores),
                    ).fetchone()
                    if same is None:
                        db.execute(
                            "INSERT INTO suggestions (received_at, comment_text, comment_type, attribute_scores,"
                            " status, source) VALUES (?, ?, 'PLAIN_TEXT', ?, ?, ?)",
                            (first.received_at, first.text, scores, first.status, first.source),
                        )
                        added += 1
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
    except sqlite3.Error as exc:
        raise TrainingError(f"{store}: cannot write the suggestion store: {exc}") from None
    return added


def write_feedback(rows: Sequence[FeedbackRow], path: Path) -> None:
    """Write rows as CSV (with a header) or JSON Lines, by ``path``'s suffix."""
    if path.suffix.lower() not in (".csv", ".jsonl"):
        raise TrainingError(f"{path}: the export must end in .csv or .jsonl")
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        if path.suffix.lower() == ".csv":
            writer = csv.DictWriter(handle, fieldnames=FIELDS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(asdict(r) for r in rows)
        else:
            handle.writelines(json.dumps(asdict(r), ensure_ascii=False) + "\n" for r in rows)
    tmp.replace(path)
