"""Point 3 (and the store's file mode from point 8): ``comments:suggestscore`` cannot be abused.

Each test is an attacker's request against the real app; each was accepted (or the
setting it needs did not exist) before issue 20. Those about limits run on both
store backends (``store_settings``: SQLite, and PostgreSQL on a real server).
"""

from __future__ import annotations

import math
import sqlite3
import stat
import time
from collections.abc import AsyncIterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from service.app import create_app
from service.settings import Settings
from tests.service.conftest import running

pytestmark = pytest.mark.anyio
SUGGEST = "/v1alpha1/comments:suggestscore"
ANALYZE = "/v1alpha1/comments:analyze"
SCORES = {"TOXICITY": {"summaryScore": {"value": 1}}}


async def app_client(
    tiny_artifact: Path, store: Path | dict[str, Any], **settings: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """Yield a client of the real app with default limits, the tiny model and its store (a SQLite path or settings)."""
    where = store if isinstance(store, dict) else {"suggestions_db": store}
    async for c in running(create_app(Settings(model_path=tiny_artifact, **where, **settings))):
        yield c


def query(store: Path | dict[str, Any], sql: str, params: list[tuple[Any, ...]] | None = None) -> list[Any]:
    """Run ``sql`` (``?`` marks) on the store's database directly, once per parameter row; return the last rows."""
    if isinstance(store, dict) and "feedback_url" in store:
        import psycopg

        with psycopg.connect(store["feedback_url"]) as conn:
            cur = conn.cursor()
            for row in params or [()]:
                cur.execute(sql.replace("?", "%s"), row)
            return cur.fetchall() if cur.description else []
    path = store["suggestions_db"] if isinstance(store, dict) else store
    with closing(sqlite3.connect(path)) as con, con:
        found: list[Any] = []
        for row in params or [()]:
            found = con.execute(sql, row).fetchall()
        return found


def rows(store: Path | dict[str, Any]) -> int:
    return int(query(store, "SELECT COUNT(*) FROM suggestions")[0][0])


def violation(r: httpx.Response) -> dict[str, Any]:
    """Return the field violation of a Google-shaped 400 (the field and the limit it names)."""
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["status"] == "INVALID_ARGUMENT"
    found = [d for d in error["details"] if d["@type"].endswith("google.rpc.BadRequest")]
    assert found, error
    out: dict[str, Any] = found[0]["fieldViolations"][0]
    return out


async def test_a_suggestion_of_100000_attribute_scores_is_refused(
    tiny_artifact: Path, store_settings: dict[str, Any]
) -> None:
    db = store_settings
    many = {f"A{i}": {"summaryScore": {"value": 0.5}} for i in range(100_000)}
    async for c in app_client(tiny_artifact, db):
        r = await c.post(SUGGEST, json={"comment": {"text": "you clown"}, "attributeScores": many})
        found = violation(r)
        assert found["field"] == "attributeScores"
        assert "100000 attributes; the limit is 16 (TOXICITY_SUGGEST_MAX_ATTRIBUTES)" in found["description"]
        assert r.json()["error"]["details"][0]["errorType"] == "TOO_MANY_ATTRIBUTES"
    assert rows(db) == 0


SPANS = [{"begin": 0, "end": 3, "score": {"value": 0.5}}]
OVERSIZED: list[tuple[str, dict[str, Any], str, str]] = [
    ("context", {"context": {"entries": [{"text": "x" * 4_000_000}]}}, "context", "TOXICITY_MAX_TEXT_BYTES"),
    # Refused by their count (context.entries holds at most 16) before their size is weighed.
    ("empty entries", {"context": {"entries": [{}] * 200_000}}, "context.entries", "the limit is 16"),
    ("client token", {"clientToken": "t" * 1_000_000}, "clientToken", "TOXICITY_MAX_TEXT_BYTES"),
    ("spans", {"attributeScores": {"TOXICITY": {"spanScores": SPANS * 10_000}}}, "TOXICITY", "MAX_SPANS"),
    ("far span", {"attributeScores": {"TOXICITY": {"spanScores": [{**SPANS[0], "end": 2**63 - 1}]}}}, "TOX", "within"),
    ("long name", {"attributeScores": {"T" * 1_000_000: {"summaryScore": {"value": 1}}}}, "attributeScores", "64"),
]


@pytest.mark.parametrize(("part", "fields", "field", "named"), OVERSIZED, ids=[case[0] for case in OVERSIZED])
async def test_one_suggestion_cannot_store_megabytes(
    tiny_artifact: Path, store_settings: dict[str, Any], part: str, fields: dict[str, Any], field: str, named: str
) -> None:
    db = store_settings
    async for c in app_client(tiny_artifact, db):
        body = {"comment": {"text": "you clown"}, "attributeScores": SCORES, **fields}
        found = violation(await c.post(SUGGEST, json=body))
        assert field in found["field"] and named in found["description"], found
    assert rows(db) == 0, part


async def test_one_client_cannot_flood_the_store(tiny_artifact: Path, store_settings: dict[str, Any]) -> None:
    db = store_settings
    body = {"comment": {"text": "word " * 4_000}, "attributeScores": SCORES}
    async for c in app_client(tiny_artifact, db):
        start = time.monotonic()
        statuses = [(await c.post(SUGGEST, json=body)).status_code for _ in range(70)]
        refilled = math.ceil(time.monotonic() - start)  # the bucket refills one suggestion a second
        assert statuses[:60] == [200] * 60 and statuses[-1] == 429  # bursts of TOXICITY_SUGGEST_PER_MINUTE
        assert statuses.count(200) <= 60 + refilled, statuses
        r = await c.post(SUGGEST, json=body)
        error = r.json()["error"]
        assert error["status"] == "RESOURCE_EXHAUSTED" and int(r.headers["Retry-After"]) >= 1
        assert "60 per minute (TOXICITY_SUGGEST_PER_MINUTE)" in error["message"]
        assert error["details"][0]["reason"] == "RATE_LIMIT_EXCEEDED"
        # Scoring has its own budget: the suggestion quota does not stop analyze.
        analyze = {"comment": {"text": "you clown"}, "requestedAttributes": {"TOXICITY": {}}, "languages": ["en"]}
        assert (await c.post(ANALYZE, json=analyze)).status_code == 200
    assert 60 <= rows(db) <= 60 + refilled


async def test_many_clients_cannot_fill_the_disk(tiny_artifact: Path, store_settings: dict[str, Any]) -> None:
    db = store_settings
    limit = 1024 * 1024
    body = {
        "comment": {"text": "word " * 4_000},
        "context": {"entries": [{"text": "y" * 19_000}]},
        "attributeScores": SCORES,
    }
    async for c in app_client(tiny_artifact, db, suggestions_max_bytes=limit, suggest_per_minute=0):
        statuses = [(await c.post(SUGGEST, json=body)).status_code for _ in range(40)]
        assert statuses.count(200) >= 20 and statuses[-1] == 507
        r = await c.post(SUGGEST, json=body)
        assert r.status_code == 507
        assert r.json()["error"]["status"] == "RESOURCE_EXHAUSTED"
        assert "TOXICITY_SUGGESTIONS_MAX_BYTES" in r.json()["error"]["message"]
    if "feedback_url" in db:  # what the rows take as text, kept by a trigger
        used = int(query(db, "SELECT bytes FROM suggestion_bytes")[0][0])
    else:
        pages, free, size = (query(db, f"PRAGMA {p}")[0][0] for p in ("page_count", "freelist_count", "page_size"))
        used = (pages - free) * size
    assert used < limit + 64 * 1024  # at most one suggestion past the limit


async def test_suggest_key_rule_is_separate_from_scoring(tiny_artifact: Path, tmp_path: Path) -> None:
    body = {"comment": {"text": "you clown"}, "attributeScores": SCORES}
    async for c in app_client(tiny_artifact, tmp_path / "a.db", api_keys="k1"):  # default: a key when keys exist
        assert (await c.post(SUGGEST, json=body)).json()["error"]["details"][0]["reason"] == "API_KEY_INVALID"
        assert (await c.post(f"{SUGGEST}?key=k1", json=body)).status_code == 200
    async for c in app_client(tiny_artifact, tmp_path / "b.db", suggest_require_key=True):  # no keys at all
        r = await c.post(SUGGEST, json=body)
        assert r.status_code == 403 and r.json()["error"]["status"] == "PERMISSION_DENIED"
        assert "TOXICITY_SUGGEST_REQUIRE_KEY" in r.json()["error"]["message"]
        analyze = {"comment": {"text": "you clown"}, "requestedAttributes": {"TOXICITY": {}}, "languages": ["en"]}
        assert (await c.post(ANALYZE, json=analyze)).status_code == 200  # scoring stays open
    async for c in app_client(tiny_artifact, tmp_path / "c.db", api_keys="k1", suggest_require_key=False):
        assert (await c.post(SUGGEST, json=body)).status_code == 200
    assert rows(tmp_path / "b.db") == 0


def _age(store: Path | dict[str, Any], days: int, texts: list[str], status: str = "pending") -> None:
    when = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="milliseconds")
    query(
        store,
        "INSERT INTO suggestions (received_at, comment_text, attribute_scores, status) VALUES (?, ?, '{}', ?)",
        [(when, t, status) for t in texts],
    )


async def _texts_after_purge(
    tiny_artifact: Path, store: Path | dict[str, Any], left: int, **settings: Any
) -> list[str]:
    """Start the app on ``store`` until its start-up purge leaves ``left`` rows; return the texts kept."""
    async for _ in app_client(tiny_artifact, store, **settings):
        deadline = time.monotonic() + 30
        while rows(store) > left and time.monotonic() < deadline:
            await anyio.sleep(0.05)
    return sorted(r[0] for r in query(store, "SELECT comment_text FROM suggestions"))


async def test_old_suggestions_are_purged_at_start_up_but_accepted_ones_are_kept(
    tiny_artifact: Path, store_settings: dict[str, Any]
) -> None:
    db = store_settings
    async for c in app_client(tiny_artifact, db):  # creates the store
        assert (await c.post(SUGGEST, json={"comment": {"text": "recent"}, "attributeScores": SCORES})).is_success
    _age(db, 91, [f"old {i}" for i in range(1_200)])  # the default keeps 90 days; more than one purge batch
    _age(db, 91, ["old rejected"], "rejected")
    _age(db, 400, ["decision 1", "decision 2"], "accepted")  # moderators' decisions: training data
    assert rows(db) == 1_204
    assert await _texts_after_purge(tiny_artifact, db, 3) == ["decision 1", "decision 2", "recent"]


async def test_accepted_suggestions_have_a_retention_of_their_own(
    tiny_artifact: Path, store_settings: dict[str, Any]
) -> None:
    db = store_settings
    async for _ in app_client(tiny_artifact, db):  # creates the store
        pass
    _age(db, 10, ["recent decision"], "accepted")
    _age(db, 40, ["old decision"], "accepted")
    _age(db, 40, ["pending, within 90 days"])
    kept = await _texts_after_purge(tiny_artifact, db, 2, suggestions_accepted_retention_days=30)
    assert kept == ["pending, within 90 days", "recent decision"]


async def test_store_files_are_private(tiny_artifact: Path, tmp_path: Path) -> None:
    db = tmp_path / "new" / "s.db"
    async for c in app_client(tiny_artifact, db):
        assert (await c.post(SUGGEST, json={"comment": {"text": "you clown"}, "attributeScores": SCORES})).is_success
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in db.parent.iterdir()}
        assert modes == {"s.db": 0o600, "s.db-wal": 0o600, "s.db-shm": 0o600}
        assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700
    old = tmp_path / "old.db"  # a store an earlier version left readable by everyone
    with closing(sqlite3.connect(old)) as con:
        con.execute("CREATE TABLE earlier (x)")
    old.chmod(0o644)
    async for _ in app_client(tiny_artifact, old):
        assert stat.S_IMODE(old.stat().st_mode) == 0o600
