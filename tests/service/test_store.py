"""The suggestion store opens cleanly when several workers open a new file at once."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from pathlib import Path

from service.perspective.store import SuggestionStore


def test_workers_opening_a_new_store_together_all_start(tmp_path: Path) -> None:
    # Each thread has its own connection, as each worker process does. Without the
    # retry, SQLite refused one of them "database is locked" in 4 of 30 such trials.
    for trial in range(40):
        path = tmp_path / f"s{trial}.sqlite3"
        start = threading.Barrier(6)
        errors: list[BaseException] = []

        def open_store(
            path: Path = path, start: threading.Barrier = start, errors: list[BaseException] = errors
        ) -> None:
            start.wait()
            try:
                SuggestionStore(path).close()
            except BaseException as exc:  # noqa: BLE001 - collected for the assertion
                errors.append(exc)

        threads = [threading.Thread(target=open_store) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == [], f"trial {trial}: {errors!r}"
        with closing(sqlite3.connect(path)) as con:
            assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert con.execute("SELECT COUNT(*) FROM suggestions").fetchone()[0] == 0
