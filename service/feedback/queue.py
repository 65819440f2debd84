"""The review queue: list stored suggestions newest first, accept or reject them, export them.

Reads and writes go through ``FeedbackStore.rows`` and ``.change`` (SQLite or
PostgreSQL; the one JSON test comes from ``attribute_term``). Every list is bounded:
a page holds at most ``MAX_PAGE`` rows, a review at most ``MAX_REVIEW`` ids, and an
export reads ``EXPORT_BATCH`` rows at a time.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from model.languages import is_english
from service.perspective.store import FeedbackStore

MAX_PAGE = 200
"""Most suggestions one ``GET /v1/admin/suggestions`` returns."""
MAX_REVIEW = 500
"""Most ids one ``POST /v1/admin/suggestions/review`` changes."""
EXPORT_BATCH = 500
"""Rows an export reads per query, so it never holds the whole store in memory."""
EXPORT_FIELDS = ("id", "received_at", "source", "status", "attribute", "label", "text")
"""Columns of an export, one row per suggested attribute: what ``toxicity retrain --feedback`` reads."""

COLUMNS = "id, received_at, comment_text, attribute_scores, source, status, reviewed_at, languages"


@dataclass(frozen=True, slots=True)
class Filters:
    """Which suggestions to list or export (``None``: any)."""

    status: str | None = None
    attribute: str | None = None
    source: str | None = None


def _where(store: FeedbackStore, filters: Filters, before: int | None) -> tuple[str, tuple[Any, ...]]:
    """Return the WHERE clause and its parameters for ``filters`` and the page cursor."""
    terms: list[str] = []
    params: list[Any] = []
    if filters.status is not None:
        terms.append("status = ?")
        params.append(filters.status)
    if filters.source is not None:
        terms.append("source = ?")
        params.append(filters.source)
    if filters.attribute is not None:  # the route allows [A-Za-z0-9_@.-] only, so the quoted path is safe
        term, param = store.attribute_term(filters.attribute)
        terms.append(term)
        params.append(param)
    if before is not None:
        terms.append("id < ?")
        params.append(before)
    return (" WHERE " + " AND ".join(terms) if terms else ""), tuple(params)


def label_of(entry: Any) -> float | None:
    """Return the suggested score of one ``attributeScores`` entry: its summary, else its highest span."""
    if not isinstance(entry, dict):
        return None
    summary = entry.get("summaryScore")
    if isinstance(summary, dict) and isinstance(summary.get("value"), int | float):
        return float(summary["value"])
    spans = [s.get("score", {}).get("value") for s in entry.get("spanScores", []) if isinstance(s, dict)]
    values = [float(v) for v in spans if isinstance(v, int | float)]
    return max(values) if values else None


def shown(value: float | None) -> float | int | None:
    """Return a label as listed: 0 or 1 when it is one, else the score to 3 decimals."""
    if value is None:
        return None
    return int(value) if value in (0.0, 1.0) else round(value, 3)


def _item(row: tuple[Any, ...], attribute: str | None) -> dict[str, Any]:
    """Return one listed suggestion: the filtered attribute (else the first) and its label."""
    ident, received, text, scores_json, source, status, reviewed, languages = row
    scores = json.loads(scores_json)
    name = attribute if attribute in scores else next(iter(scores), None)
    return {
        "id": ident,
        "received_at": received,
        "attribute": name,
        "label": shown(label_of(scores.get(name))) if name is not None else None,
        "scores": {k: shown(label_of(v)) for k, v in scores.items()},
        "text": text,
        "source": source,
        "status": status,
        "reviewed_at": reviewed,
        "languages": json.loads(languages) if languages else None,
    }


def page(store: FeedbackStore, filters: Filters, limit: int, before: int | None) -> dict[str, Any]:
    """Return up to ``limit`` suggestions older than ``before``, newest first, and the next cursor."""
    where, params = _where(store, filters, before)
    rows = store.rows(f"SELECT {COLUMNS} FROM suggestions{where} ORDER BY id DESC LIMIT ?", (*params, limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "suggestions": [_item(r, filters.attribute) for r in rows],
        "next": rows[-1][0] if more and rows else None,
    }


def review(store: FeedbackStore, ids: list[int], status: str) -> int:
    """Set ``status`` (and ``reviewed_at``) on the suggestions ``ids``; return how many exist."""
    unique = sorted(set(ids))
    marks = ",".join("?" * len(unique))
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    return store.change(
        f"UPDATE suggestions SET status = ?, reviewed_at = ? WHERE id IN ({marks})", (status, now, *unique)
    )


def export_rows(store: FeedbackStore, filters: Filters) -> Iterator[dict[str, Any]]:
    """Yield one row per suggested attribute of every matching suggestion, oldest first.

    Suggestions stored in another language than English are left out: the export is
    what retraining the English model reads. They stay in the store and the queue.
    """
    after = 0
    while True:
        where, params = _where(store, filters, None)
        where = f"{where} AND id > ?" if where else " WHERE id > ?"
        rows = store.rows(
            f"SELECT {COLUMNS} FROM suggestions{where} ORDER BY id LIMIT ?", (*params, after, EXPORT_BATCH)
        )
        for ident, received, text, scores_json, source, status, _, languages in rows:
            if not is_english(languages):
                continue  # the export trains the English model; another language's suggestion must not
            for name, entry in json.loads(scores_json).items():
                if filters.attribute is not None and name != filters.attribute:
                    continue
                value = label_of(entry)
                if value is None:
                    continue
                yield {
                    "id": ident,
                    "received_at": received,
                    "source": source,
                    "status": status,
                    "attribute": name,
                    "label": shown(value),
                    "text": text,
                }
        if len(rows) < EXPORT_BATCH:
            return
        after = rows[-1][0]


def export_chunks(store: FeedbackStore, filters: Filters, fmt: str) -> Iterator[str]:
    """Yield the export as CSV (with a header) or JSON Lines, a few hundred rows per chunk."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_FIELDS, lineterminator="\n") if fmt == "csv" else None
    if writer is not None:
        writer.writeheader()
    for n, row in enumerate(export_rows(store, filters), 1):
        if writer is not None:
            writer.writerow(row)
        else:
            buffer.write(json.dumps(row, ensure_ascii=False) + "\n")
        if n % EXPORT_BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
