"""Durable storage of score suggestions (``comments:suggestscore``) in SQLite.

WAL mode with ``synchronous=FULL``: the transaction is on disk (WAL fsynced) before
``commit()`` returns, and the HTTP response is sent only after that, so a crash
or ``kill -9`` right after the response loses nothing. One connection per
process, guarded by a lock; several worker processes share the file through
SQLite's own locking (the connection's ``timeout`` is its busy timeout).

Bounded three ways (issue 20): the file and its ``-wal``/``-shm`` are private to the
service's user (0600, folders it creates 0700); pending and rejected rows older than
the retention are deleted at start-up and every hour, a few hundred per transaction so
writers never wait long (accepted rows are moderators' decisions, training data: they
stay, unless an operator sets a retention of their own); and a store whose rows take
``max_bytes`` refuses new ones (``StoreFull``) rather than grow until the disk is full.

Review state (issue 23): each row has a ``status`` (``pending``, ``accepted``,
``rejected``), a ``source`` (``api``: ``comments:suggestscore`` or ``POST
/v1/suggestions``; ``console``: the moderators' page) and ``reviewed_at``. A store
made before them gains the columns at start-up (``migrate``); old rows are pending
and from the API. ``service.feedback.queue`` lists, reviews and exports them.

A suggestion that carries a ``clientToken`` is stored once: the same token with the
same text and scores again (a client retrying after a lost answer) gets the stored
row's id back instead of a second row.

``FeedbackStore`` is what the routes, the queue and the purge use; this SQLite store
is the default, ``service.perspective.store_pg`` keeps the same rows in PostgreSQL
(``TOXICITY_FEEDBACK_URL``) and ``service.perspective.stores`` picks one.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import anyio.to_thread

log = logging.getLogger("toxicity.suggestions")

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
REVIEW_COLUMNS = (
    ("status", "TEXT NOT NULL DEFAULT 'pending'"),
    ("source", "TEXT NOT NULL DEFAULT 'api'"),
    ("reviewed_at", "TEXT"),
)
"""Columns added by issue 23, with their defaults for rows stored before them."""
REVIEW_INDEX = "CREATE INDEX IF NOT EXISTS suggestions_status ON suggestions (status, id)"
"""The review queue lists one status newest first through it."""
STATUSES = ("pending", "accepted", "rejected")
SOURCES = ("api", "console")
TOKEN_INDEX = (
    "CREATE INDEX IF NOT EXISTS suggestions_client_token ON suggestions (client_token) WHERE client_token IS NOT NULL"
)
"""A retried suggestion (same ``clientToken``) is found through it."""

INDEX = "CREATE INDEX IF NOT EXISTS suggestions_received_at ON suggestions (received_at)"
"""The retention purge finds expired rows through it, without scanning the table."""

PURGE_BATCH = 500
"""Rows deleted per transaction: each holds the write lock for milliseconds, not for the whole backlog."""

PURGE_EVERY_SECONDS = 3600.0
"""How often each worker purges expired rows after the first purge at start-up."""

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
    source: str = "api"

    def row(self) -> tuple[Any, ...]:
        """Return the values of a new row, received now, in the order both stores insert them."""
        return (
            _timestamp(datetime.now(UTC)),
            self.comment_text,
            self.comment_type,
            json.dumps(self.context) if self.context is not None else None,
            json.dumps(self.attribute_scores),
            json.dumps(self.languages) if self.languages is not None else None,
            self.community_id,
            self.client_token,
            self.session_id,
            self.source,
        )


class StoreFull(Exception):
    """The store's rows take its byte limit: refuse the suggestion rather than fill the disk."""

    def __init__(self, used: int, limit: int) -> None:
        super().__init__(f"suggestion store holds {used} bytes; the limit is {limit}")
        self.used = used
        self.limit = limit


class StoreUnavailable(Exception):
    """The store cannot be reached or written (PostgreSQL down, unreachable or read-only): answer 503.

    A write may or may not have been stored (the connection can drop after the commit).
    """


class Unstorable(Exception):
    """A field holds what the store cannot keep (U+0000 in PostgreSQL's text): a 400 naming it, nothing stored."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class FeedbackStore(Protocol):
    """What the routes, the review queue and the purge need of a suggestion store.

    ``rows`` and ``change`` take SQL in SQLite's style (``?`` marks) that both
    backends run as written; ``attribute_term`` gives each one's JSON test.
    """

    max_bytes: int | None

    def add(self, s: Suggestion) -> int:
        """Store a suggestion durably (or find its earlier copy) and return its row id."""

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run a read-only query and return its rows."""

    def change(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        """Run one write durably and return how many rows it changed."""

    def attribute_term(self, name: str) -> tuple[str, Any]:
        """Return a WHERE term (one ``?``) and its parameter: the row suggests attribute ``name``."""

    def purge(self, older_than: datetime, accepted_older_than: datetime | None = None) -> int:
        """Delete expired suggestions (accepted ones only past ``accepted_older_than``); return how many."""

    def count(self) -> int:
        """Return how many suggestions are stored."""

    def close(self) -> None:
        """Release the store's connections."""


def _timestamp(moment: datetime) -> str:
    """Return the form ``received_at`` is stored in; it sorts as the moments do."""
    return moment.isoformat(timespec="milliseconds")


def private_file(path: Path) -> None:
    """Create ``path`` (and the folders it needs) readable by the service's user alone.

    SQLite creates ``-wal`` and ``-shm`` with the mode of the database file, so a
    file made 0600 before SQLite opens it keeps all three private. An existing file
    (an earlier version made them 0644) is tightened too.
    """
    missing = []
    folder = path.parent
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for new in reversed(missing):
        new.mkdir(mode=0o700, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    os.close(fd)
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            if name.exists() and name.stat().st_mode & 0o077:
                name.chmod(0o600)
        except OSError as exc:  # not the owner: the operator chose this file's mode
            log.warning("cannot make the suggestion store private", extra={"fields": {"error": exc.strerror}})


class SuggestionStore:
    """Append-only store of suggestions, with a byte limit and a retention purge."""

    def __init__(self, path: Path, max_bytes: int | None = None) -> None:
        self.path = path
        self.max_bytes = max_bytes
        private_file(path)
        self._lock = threading.Lock()
        self._closed = False
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
                self._db.execute(INDEX)
                self._migrate()
                self._page_size = int(self._db.execute("PRAGMA page_size").fetchone()[0])
                return
            except sqlite3.OperationalError as exc:
                busy = exc.sqlite_errorcode in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
                if not busy or time.monotonic() + delay > deadline:
                    raise
            time.sleep(delay)
            delay = min(2 * delay, 0.5)

    def _migrate(self) -> None:
        """Add the review columns to a store made before them, in one transaction (workers race here)."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            have = {row[1] for row in self._db.execute("PRAGMA table_info(suggestions)")}
            for name, kind in REVIEW_COLUMNS:
                if name not in have:
                    self._db.execute(f"ALTER TABLE suggestions ADD COLUMN {name} {kind}")
            self._db.execute(REVIEW_INDEX)
            self._db.execute(TOKEN_INDEX)
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run a read-only query and return its rows (the review queue's reads)."""
        with self._lock:
            return list(self._db.execute(sql, params).fetchall())

    def change(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        """Run one write durably in its own transaction and return how many rows it changed."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                cur = self._db.execute(sql, params)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return int(cur.rowcount)

    def attribute_term(self, name: str) -> tuple[str, Any]:
        """Return SQLite's test that ``attribute_scores`` has the key ``name`` (a route checks its characters)."""
        return "json_extract(attribute_scores, ?) IS NOT NULL", f'$."{name}"'

    def add(self, s: Suggestion) -> int:
        """Store a suggestion durably and return its row id; raise ``StoreFull`` when there is no room."""
        row = s.row()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                ident = self._stored_before(row[7], row[1], row[4]) if s.client_token is not None else None
                if ident is None:
                    self._check_room(sum(len(v) for v in row if isinstance(v, str)))
                    cur = self._db.execute(
                        "INSERT INTO suggestions (received_at, comment_text, comment_type, context, attribute_scores,"
                        " languages, community_id, client_token, session_id, source)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        row,
                    )
                    ident = int(cur.lastrowid or 0)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return ident

    def _stored_before(self, token: Any, text: Any, scores: Any) -> int | None:
        """Return the id of the same suggestion stored earlier under the same client token, if any."""
        found = self._db.execute(
            "SELECT id FROM suggestions WHERE client_token = ? AND comment_text = ? AND attribute_scores = ?"
            " ORDER BY id LIMIT 1",
            (token, text, scores),
        ).fetchone()
        return None if found is None else int(found[0])

    def _check_room(self, size: int) -> None:
        """Raise ``StoreFull`` if ``size`` more bytes would take the rows past the limit.

        Pages in use, not the file's size: pages freed by the purge are reused, so the
        file stops growing at about the limit, and room comes back as rows expire.
        """
        if self.max_bytes is None:
            return
        pages = int(self._db.execute("PRAGMA page_count").fetchone()[0])
        free = int(self._db.execute("PRAGMA freelist_count").fetchone()[0])
        used = (pages - free) * self._page_size
        if used + size > self.max_bytes:
            raise StoreFull(used, self.max_bytes)

    def purge(self, older_than: datetime, accepted_older_than: datetime | None = None) -> int:
        """Delete pending and rejected suggestions received before ``older_than``; return how many.

        Accepted ones are moderators' decisions, training data: they stay unless
        ``accepted_older_than`` is given, and then go once received before it. A batch
        per transaction.
        """
        cutoff = _timestamp(older_than)
        # '' sorts before every timestamp: with no cutoff of their own, no accepted row matches.
        accepted_cutoff = "" if accepted_older_than is None else _timestamp(accepted_older_than)
        deleted = 0
        while True:
            with self._lock:
                if self._closed:
                    return deleted
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    cur = self._db.execute(
                        "DELETE FROM suggestions WHERE id IN (SELECT id FROM suggestions"
                        " WHERE received_at < ?"  # the later cutoff: a range on the received_at index
                        " AND (status = 'accepted' AND received_at < ? OR status <> 'accepted' AND received_at < ?)"
                        " ORDER BY received_at LIMIT ?)",
                        (max(cutoff, accepted_cutoff), accepted_cutoff, cutoff, PURGE_BATCH),
                    )
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
            deleted += cur.rowcount
            if cur.rowcount < PURGE_BATCH:
                return deleted
            time.sleep(0.01)  # let waiting writers take the lock between batches

    def count(self) -> int:
        """Return how many suggestions are stored."""
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM suggestions").fetchone()[0])

    def close(self) -> None:
        """Close the connection (a purge in progress stops after its current batch)."""
        self._closed = True
        with self._lock:
            self._db.close()


async def keep_purged(
    store: FeedbackStore, retention_days: int, accepted_days: int = 0, every: float = PURGE_EVERY_SECONDS
) -> None:
    """Purge now, then every ``every`` seconds, until cancelled: unaccepted rows past ``retention_days``.

    Accepted rows go after ``accepted_days``, or never when it is 0.
    """
    while True:
        now = datetime.now(UTC)
        older_than = now - timedelta(days=retention_days)
        accepted = now - timedelta(days=accepted_days) if accepted_days else None
        try:
            deleted = await anyio.to_thread.run_sync(store.purge, older_than, accepted)
        except (sqlite3.Error, StoreUnavailable) as exc:  # busy, failing or unreachable: try again next time
            log.warning("suggestion purge failed", extra={"fields": {"error": type(exc).__name__}})
        else:
            if deleted:
                log.info("suggestions purged", extra={"fields": {"deleted": deleted, "days": retention_days}})
        await asyncio.sleep(every)
