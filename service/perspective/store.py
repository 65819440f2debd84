"""Durable storage of score suggestions (``comments:suggestscore``) in SQLite.

WAL mode with ``synchronous=FULL``: the transaction is on disk (WAL fsynced) before
``commit()`` returns, and the HTTP response is sent only after that, so a crash
or ``kill -9`` right after the response loses nothing. One connection per
process, guarded by a lock; several worker processes share the file through
SQLite's own locking (the connection's ``timeout`` is its busy timeout).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
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

BUSY_SECONDS = 30.0
"""How long a process waits for another's lock on the file, at start-up and per write."""


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
        self._db = sqlite3.connect(path, timeout=BUSY_SECONDS, check_same_thread=False, isolation_level=None)
        try:
            self._set_up()
        except BaseException:
            self._db.close()
            raise

    def _set_up(self) -> None:
        """Switch the file to WAL and create the table, retrying while another process does the same.

        Workers start together and open the same file. Switching a new database to WAL
        needs an exclusive lock; when two connections both hold a shared lock and ask
        for it, SQLite answers "database is locked" at once rather than wait in the busy
        handler (the wait could deadlock), so the connection's timeout does not cover
        it. Without this retry, in 12 of 30 trials of four processes opening a new file
        together one of them failed, and a uvicorn worker that fails to start stops
        the whole server.
        """
        deadline = time.monotonic() + BUSY_SECONDS
        delay = 0.01
        while True:
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=FULL")
                self._db.execute(SCHEMA)
                return
            except sqlite3.OperationalError as exc:
                busy = exc.sqlite_errorcode in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
                if not busy or time.monotonic() + delay > deadline:
                    raise
            time.sleep(delay)
            delay = min(2 * delay, 0.5)

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
