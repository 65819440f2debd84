"""Durable storage of score suggestions (``comments:suggestscore``) in SQLite.

WAL mode with ``synchronous=FULL``: the transaction is on disk (WAL fsynced) before
``commit()`` returns, and the HTTP response is sent only after that, so a crash
or ``kill -9`` right after the response loses nothing. One connection per
process, guarded by a lock; several worker processes share the file through
SQLite's own locking (``busy_timeout``).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS suggestions (
    id INTEGER PRIMARY KEY,
    received_at TEXT NOT NULL,
    comment_text TEXT NOT NULL,
    comment_type TEXT,
    context TEXT,
    attribute_scores TEXT NOT NULL,
    languages TEXT,
    community_id TEXT,
    client_token TEXT,
    session_id TEXT
)
"""


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One suggested score set for a comment."""

    comment_text: str
    comment_type: str | None
    context: Any
    attribute_scores: Any
    languages: list[str] | None
    community_id: str | None
    client_token: str | None
    session_id: str | None


class SuggestionStore:
    """Append-only store of suggestions."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, timeout=30.0, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA busy_timeout=30000")
        self._db.execute(SCHEMA)

    def add(self, s: Suggestion) -> int:
        """Store a suggestion durably and return its row id."""
        row = (
            datetime.now(UTC).isoformat(timespec="milliseconds"),
            s.comment_text,
            s.comment_type,
            json.dumps(s.context) if s.context is not None else None,
            json.dumps(s.attribute_scores),
            json.dumps(s.languages) if s.languages is not None else None,
            s.community_id,
            s.client_token,
            s.session_id,
        )
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                cur = self._db.execute(
                    "INSERT INTO suggestions (received_at, comment_text, comment_type, context, attribute_scores,"
                    " languages, community_id, client_token, session_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    row,
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return int(cur.lastrowid or 0)

    def count(self) -> int:
        """Return how many suggestions are stored."""
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM suggestions").fetchone()[0])

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._db.close()
