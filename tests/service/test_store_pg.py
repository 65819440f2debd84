"""The suggestion store in PostgreSQL (issue 24): schema at start-up, outages, credentials, client tokens.

Every test here but the unit ones talks to a real server that ``tests/pg.py`` starts
(Debian's ``postgresql``), and skips with the reason when it is not installed. The
behaviour shared with SQLite (queue, limits, retention) is tested on both backends
in ``test_feedback.py`` and ``tests/security/test_suggestions.py``.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pydantic import ValidationError

from service.app import create_app
from service.feedback import queue
from service.perspective import store_pg, stores
from service.perspective.store import StoreUnavailable, Suggestion
from service.perspective.store_pg import SCHEMA_VERSION, PostgresStore, redact
from service.settings import Settings
from tests.pg import PASSWORD, PostgresServer
from tests.service.conftest import running

SUGGEST = "/v1alpha1/comments:suggestscore"
SCORES = {"TOXICITY": {"summaryScore": {"value": 1}}}
ADMIN = {"Authorization": "Bearer op-key"}


def one(url: str, sql: str) -> Any:
    with psycopg.connect(url) as conn:
        row = conn.execute(sql).fetchone()  # type: ignore[arg-type]
    assert row is not None
    return row[0]


def test_redact_hides_the_password_only() -> None:
    assert redact("postgresql://app:pa55@db.internal:5432/feedback") == "postgresql://app:***@db.internal:5432/feedback"
    assert redact("postgresql://db/feedback?user=app&password=pa55&sslmode=require") == (
        "postgresql://db/feedback?user=app&password=***&sslmode=require"
    )
    assert redact("postgresql://app@db/feedback") == "postgresql://app@db/feedback"


def test_a_bad_url_is_refused_without_quoting_it(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(feedback_url="mysql://root:hunter2-secret@db/x")
    assert "postgresql://" in str(caught.value) and "hunter2" not in str(caught.value)
    with pytest.raises(ValidationError, match="not both"):
        Settings(feedback_url="postgresql://db/x", feedback_url_file=tmp_path / "url")
    with pytest.raises(stores.FeedbackUrlError, match="cannot read TOXICITY_FEEDBACK_URL_FILE"):
        stores.feedback_url(Settings(feedback_url_file=tmp_path / "missing"))
    (tmp_path / "url").write_text("# only a comment\n")
    with pytest.raises(stores.FeedbackUrlError, match="holds no URL"):
        stores.feedback_url(Settings(feedback_url_file=tmp_path / "url"))


@pytest.mark.slow
def test_replicas_starting_together_create_the_schema_once(pg_url: str) -> None:
    start = threading.Barrier(8)
    opened: list[PostgresStore] = []
    errors: list[BaseException] = []

    def open_store() -> None:
        start.wait()
        try:
            opened.append(PostgresStore(pg_url))
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for store in opened:
        store.close()
    assert one(pg_url, "SELECT version FROM toxicity_schema WHERE component = 'suggestions'") == SCHEMA_VERSION
    assert one(pg_url, "SELECT count(*) FROM toxicity_schema") == 1
    with psycopg.connect(pg_url) as conn:  # a schema from a newer service is refused, not clobbered
        conn.execute("UPDATE toxicity_schema SET version = 99")
    with pytest.raises(RuntimeError, match="version 99, newer than this service's"):
        PostgresStore(pg_url)


@pytest.mark.slow
def test_an_unreachable_server_stops_start_up_naming_it_without_the_password(postgres_server: PostgresServer) -> None:
    url = f"postgresql://postgres:{PASSWORD}@127.0.0.1:1/nowhere"
    old = store_pg.START_SECONDS
    store_pg.START_SECONDS = 1.0  # the real wait is 30 s
    try:
        with pytest.raises(StoreUnavailable) as caught:
            PostgresStore(url, timeout=1.0)
    finally:
        store_pg.START_SECONDS = old
    assert "postgresql://postgres:***@127.0.0.1:1/nowhere" in str(caught.value)
    assert PASSWORD not in str(caught.value)


@pytest.mark.slow
def test_the_url_may_come_from_a_file(postgres_server: PostgresServer, pg_url: str, tmp_path: Path) -> None:
    path = tmp_path / "feedback-url"
    path.write_text(f"# the feedback database\n{pg_url}\n")
    store = stores.open_store(Settings(feedback_url_file=path))
    try:
        assert isinstance(store, PostgresStore) and store.where.endswith(pg_url.rsplit("@", 1)[1])
        assert store.add(Suggestion("from a file", None, None, SCORES, None, None, None, None)) == 1
    finally:
        store.close()


@pytest.mark.anyio
async def test_a_retried_client_token_is_stored_once(tiny_artifact: Path, store_settings: dict[str, Any]) -> None:
    settings = Settings(model_path=tiny_artifact, admin_keys="op-key", **store_settings)
    async for c in running(create_app(settings)):
        body = {"comment": {"text": "you clown"}, "attributeScores": SCORES, "clientToken": "retry-1"}
        for _ in range(3):
            r = await c.post(SUGGEST, json=body)
            assert r.status_code == 200 and r.json()["clientToken"] == "retry-1"
        other = {**body, "comment": {"text": "another comment"}}  # the same token on another suggestion
        assert (await c.post(SUGGEST, json=other)).status_code == 200
        untokened = {"comment": {"text": "you clown"}, "attributeScores": SCORES}
        for _ in range(2):
            assert (await c.post(SUGGEST, json=untokened)).status_code == 200
        listed = (await c.get("/v1/admin/suggestions", headers=ADMIN)).json()["suggestions"]
        assert sorted(s["text"] for s in listed) == ["another comment", "you clown", "you clown", "you clown"]


@pytest.mark.slow
@pytest.mark.anyio
async def test_nul_that_postgresql_cannot_hold_is_a_400_naming_the_field(tiny_artifact: Path, pg_url: str) -> None:
    # The comment's text refuses U+0000 on every backend; the small fields reach the store as sent.
    async for c in running(create_app(Settings(model_path=tiny_artifact, feedback_url=pg_url))):
        for field in ("clientToken", "communityId", "sessionId"):
            body = {"comment": {"text": "you clown"}, "attributeScores": SCORES, field: "a\u0000b"}
            r = await c.post(SUGGEST, json=body)
            assert r.status_code == 400, r.text
            assert f"{field} contains U+0000 (NUL)" in r.json()["error"]["message"]
            assert r.json()["error"]["details"][0]["errorType"] == "UNSTORABLE_TEXT"
    assert one(pg_url, "SELECT count(*) FROM suggestions") == 0


@pytest.mark.slow
@pytest.mark.anyio
async def test_losing_the_server_is_a_503_until_it_is_back(
    tiny_artifact: Path, postgres_server: PostgresServer, pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    settings = Settings(model_path=tiny_artifact, feedback_url=pg_url, admin_keys="op-key", feedback_timeout_seconds=2)
    body = {"comment": {"text": "you clown"}, "attributeScores": SCORES}
    native = {"text": "you clown", "attribute": "TOXICITY", "label": 1}
    async for c in running(create_app(settings)):
        assert (await c.post(SUGGEST, json=body)).status_code == 200
        postgres_server.stop()
        try:
            r = await c.post(SUGGEST, json=body)
            assert r.status_code == 503, r.text
            error = r.json()["error"]
            assert error["status"] == "UNAVAILABLE"
            assert error["message"].startswith("The feedback store is unreachable (PostgreSQL, TOXICITY_FEEDBACK_URL: ")
            assert "may or may not have been stored" in error["message"]
            assert error["details"][0]["errorType"] == "FEEDBACK_STORE_UNAVAILABLE"
            assert r.headers["Retry-After"] == str(stores.RETRY_SECONDS)
            r = await c.post("/v1/suggestions", json=native)
            assert r.status_code == 503 and r.json()["error"]["code"] == "feedback_store_unavailable"
            for path in ("/v1/admin/suggestions", "/v1/admin/suggestions/export"):
                assert (await c.get(path, headers=ADMIN)).status_code == 503
            assert (await c.get("/healthz")).status_code == 200  # scoring serves on
        finally:
            postgres_server.start()
        deadline = time.monotonic() + 60
        while (r := await c.post("/v1/suggestions", json=native)).status_code != 200:
            assert r.status_code == 503 and time.monotonic() < deadline, r.text
        listed = (await c.get("/v1/admin/suggestions", headers=ADMIN)).json()["suggestions"]
        assert len(listed) == 2  # the two acknowledged, none of the refused
    logged = caplog.text + "".join(str(getattr(rec, "fields", "")) for rec in caplog.records)
    assert "suggestion store unreachable" in logged and PASSWORD not in logged


def _suggestion(text: str) -> Suggestion:
    return Suggestion(text, None, None, SCORES, None, None, None, None)


REAL_BYTES = "SELECT coalesce(sum(octet_length(s::text)), 0) FROM suggestions s"
"""The rows' size as the byte counter counts it, from the rows themselves."""


@pytest.mark.slow
def test_a_review_committed_while_the_purge_waits_survives_it(pg_url: str) -> None:
    store = PostgresStore(pg_url)
    try:
        old = (datetime.now(UTC) - timedelta(days=100)).isoformat(timespec="milliseconds")
        ident = store.add(_suggestion("an old pending one"))
        store.change("UPDATE suggestions SET received_at = ? WHERE id = ?", (old, ident))
        with psycopg.connect(pg_url) as moderator:  # accepting it, not yet committed
            moderator.execute("UPDATE suggestions SET status = 'accepted', reviewed_at = 'now' WHERE id = %s", (ident,))
            purged: list[int] = []
            purge = threading.Thread(target=lambda: purged.append(store.purge(datetime.now(UTC) - timedelta(days=90))))
            purge.start()
            deadline = time.monotonic() + 10
            while purge.is_alive() and not one(pg_url, "SELECT count(*) FROM pg_locks WHERE NOT granted"):
                assert time.monotonic() < deadline
                time.sleep(0.05)
            moderator.commit()  # while the purge waits on the row's lock, if it does
        purge.join(10)
        assert not purge.is_alive()
        assert purged == [0]
        assert store.rows("SELECT status FROM suggestions WHERE id = ?", (ident,)) == [("accepted",)]
        assert store.purge(datetime.now(UTC) - timedelta(days=90)) == 0  # accepted: kept by the next purge too
    finally:
        store.close()


@pytest.mark.slow
def test_the_byte_counter_follows_reviews_and_deletes(pg_url: str) -> None:
    store = PostgresStore(pg_url)
    try:
        ids = [store.add(_suggestion(f"comment number {i}")) for i in range(20)]
        assert store.used_bytes() == one(pg_url, REAL_BYTES) > 0
        assert queue.review(store, ids, "accepted") == 20  # status and reviewed_at change the rows' size
        assert store.used_bytes() == one(pg_url, REAL_BYTES)
        store.change("DELETE FROM suggestions WHERE id <= ?", (10,))
        assert store.used_bytes() == one(pg_url, REAL_BYTES) > 0
        store.change("DELETE FROM suggestions")
        assert store.used_bytes() == 0
    finally:
        store.close()


@pytest.mark.slow
def test_a_version_1_store_is_migrated_and_its_counter_recounted(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as version_1:  # the schema as the previous release left it
        version_1.setattr(store_pg, "MIGRATIONS", store_pg.MIGRATIONS[:1])
        version_1.setattr(store_pg, "SCHEMA_VERSION", 1)
        store = PostgresStore(pg_url)
        try:
            ids = [store.add(_suggestion(f"comment number {i}")) for i in range(20)]
            queue.review(store, ids, "accepted")
            store.change("DELETE FROM suggestions WHERE id <= ?", (10,))
        finally:
            store.close()
    assert one(pg_url, "SELECT bytes FROM suggestion_bytes") != one(pg_url, REAL_BYTES)  # the drift
    store = PostgresStore(pg_url)
    try:
        assert one(pg_url, "SELECT version FROM toxicity_schema WHERE component = 'suggestions'") == SCHEMA_VERSION
        assert store.used_bytes() == one(pg_url, REAL_BYTES) > 0
        queue.review(store, ids[10:], "rejected")
        assert store.used_bytes() == one(pg_url, REAL_BYTES)
    finally:
        store.close()


@pytest.mark.slow
def test_a_write_waiting_on_a_lock_answers_503_instead_of_hanging(pg_url: str) -> None:
    store = PostgresStore(pg_url, timeout=1.0)
    try:
        outcome: list[BaseException | int] = []

        def add() -> None:
            try:
                outcome.append(store.add(_suggestion("you clown")))
            except BaseException as exc:  # noqa: BLE001 - collected for the assertion
                outcome.append(exc)

        with psycopg.connect(pg_url) as operator:  # say an operator's long DELETE, holding the counter
            operator.execute("SELECT * FROM suggestion_bytes FOR UPDATE")
            started = time.monotonic()
            writer = threading.Thread(target=add, daemon=True)
            writer.start()
            writer.join(10)  # well above the 1 s timeout
            waited = time.monotonic() - started
            operator.rollback()
        writer.join(10)
        assert waited < 10 and len(outcome) == 1, outcome
        assert isinstance(outcome[0], StoreUnavailable) and "LockNotAvailable" in str(outcome[0])
        assert store.add(_suggestion("you clown")) == 1  # the lock gone, the store serves on
        assert store.rows("SHOW lock_timeout") == [("1s",)]
        assert store.rows("SHOW statement_timeout") == [("3s",)]
        assert store.rows("SHOW synchronous_commit") == [("on",)]
    finally:
        store.close()


@pytest.mark.slow
def test_a_read_only_server_after_a_failover_is_a_503(pg_url: str) -> None:
    store = PostgresStore(pg_url)
    try:
        database = pg_url.rsplit("/", 1)[1]
        with psycopg.connect(pg_url, autocommit=True) as conn:  # the URL now reaches a standby
            conn.execute(f"ALTER DATABASE {database} SET default_transaction_read_only = on")
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        deadline = time.monotonic() + 30
        while True:  # the pool first notices the lost connections (also a 503), then reconnects
            with pytest.raises(StoreUnavailable) as caught:
                store.add(_suggestion("you clown"))
            if "ReadOnlySqlTransaction" in str(caught.value):
                break
            assert time.monotonic() < deadline, caught.value
            time.sleep(0.2)
        message = str(stores.unavailable(caught.value))
        assert "may or may not have been stored" in message and "same clientToken" in message
        assert "nothing was stored" not in message
    finally:
        store.close()
