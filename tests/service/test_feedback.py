"""The native feedback route, the review queue and its export, and the store's migration (issue 23)."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.app import create_app
from service.perspective.store import SuggestionStore
from service.settings import Settings
from tests.service.conftest import ADMIN, SCORER, running

pytestmark = pytest.mark.anyio


@pytest.fixture
def keyed_store(store_settings: dict[str, Any]) -> dict[str, Any]:
    """Run this module's queue tests on each store backend (SQLite, PostgreSQL)."""
    return store_settings


async def _suggest(client: httpx.AsyncClient, text: str, label: int, source: str = "console", **kw: object) -> int:
    body = {"text": text, "attribute": "TOXICITY", "label": label, "source": source, **kw}
    r = await client.post("/v1/suggestions", json=body, headers=SCORER)
    assert r.status_code == 200, r.text
    ident = r.json()["id"]
    assert isinstance(ident, int)
    return ident


async def test_suggestion_is_stored_and_listed_newest_first(keyed: httpx.AsyncClient) -> None:
    first = await _suggest(keyed, "you are lovely", 1)
    second = await _suggest(keyed, "what a nice day", 0, source="api")
    r = await keyed.get("/v1/admin/suggestions", headers=ADMIN)
    assert r.status_code == 200
    listed = r.json()["suggestions"]
    assert [s["id"] for s in listed] == [second, first]
    assert listed[1] | {"received_at": None, "reviewed_at": None} == {
        "id": first,
        "received_at": None,
        "attribute": "TOXICITY",
        "label": 1,
        "scores": {"TOXICITY": 1},
        "text": "you are lovely",
        "source": "console",
        "status": "pending",
        "reviewed_at": None,
        "languages": ["en"],  # too short to detect: the fallback language, recorded
    }
    assert r.json()["next"] is None
    only = await keyed.get("/v1/admin/suggestions", params={"source": "api"}, headers=ADMIN)
    assert [s["id"] for s in only.json()["suggestions"]] == [second]


async def test_perspective_suggestions_join_the_queue_as_api(keyed: httpx.AsyncClient) -> None:
    body = {
        "comment": {"text": "an old complaint"},
        "attributeScores": {"INSULT": {"summaryScore": {"value": 0.8}}, "TOXICITY": {"summaryScore": {"value": 0}}},
    }
    r = await keyed.post("/v1alpha1/comments:suggestscore", params={"key": "score-key"}, json=body)
    assert r.status_code == 200, r.text
    listed = (await keyed.get("/v1/admin/suggestions", params={"attribute": "TOXICITY"}, headers=ADMIN)).json()
    (item,) = listed["suggestions"]
    assert (item["attribute"], item["label"], item["source"]) == ("TOXICITY", 0, "api")
    assert item["scores"] == {"INSULT": 0.8, "TOXICITY": 0}
    none = await keyed.get("/v1/admin/suggestions", params={"attribute": "THREAT"}, headers=ADMIN)
    assert none.json()["suggestions"] == []


async def test_pages_follow_the_cursor(keyed: httpx.AsyncClient) -> None:
    ids = [await _suggest(keyed, f"comment number {i}", i % 2) for i in range(5)]
    seen: list[int] = []
    before = None
    while True:
        params = {"limit": 2} | ({"before": before} if before else {})
        page = (await keyed.get("/v1/admin/suggestions", params=params, headers=ADMIN)).json()
        seen += [s["id"] for s in page["suggestions"]]
        before = page["next"]
        if before is None:
            break
    assert seen == ids[::-1]


async def test_review_and_export_accepted(keyed: httpx.AsyncClient) -> None:
    a = await _suggest(keyed, 'he said "hi", then left', 1)
    b = await _suggest(keyed, "second one", 0)
    c = await _suggest(keyed, "third one", 1)
    r = await keyed.post(
        "/v1/admin/suggestions/review", json={"ids": [a, b, a, 999], "status": "accepted"}, headers=ADMIN
    )
    assert r.json() == {"updated": 2}
    r = await keyed.post("/v1/admin/suggestions/review", json={"ids": [c], "status": "rejected"}, headers=ADMIN)
    assert r.json() == {"updated": 1}
    pending = (await keyed.get("/v1/admin/suggestions", params={"status": "pending"}, headers=ADMIN)).json()
    assert pending["suggestions"] == []
    accepted = (await keyed.get("/v1/admin/suggestions", params={"status": "accepted"}, headers=ADMIN)).json()
    assert {s["id"] for s in accepted["suggestions"]} == {a, b}
    assert all(s["reviewed_at"] for s in accepted["suggestions"])

    out = await keyed.get("/v1/admin/suggestions/export", params={"format": "csv"}, headers=ADMIN)
    assert out.status_code == 200
    assert out.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(out.text)))
    assert [(int(r["id"]), r["text"], r["label"], r["status"]) for r in rows] == [
        (a, 'he said "hi", then left', "1", "accepted"),
        (b, "second one", "0", "accepted"),
    ]
    lines = await keyed.get(
        "/v1/admin/suggestions/export", params={"format": "jsonl", "status": "rejected"}, headers=ADMIN
    )
    assert [json.loads(line)["id"] for line in lines.text.splitlines()] == [c]


async def test_a_suggestion_in_another_language_never_reaches_the_english_export(keyed: httpx.AsyncClient) -> None:
    german = await _suggest(keyed, "Vielen Dank für diesen ausgezeichneten Artikel, sehr gut geschrieben.", 0)
    named = await _suggest(keyed, "you are lovely", 1, language="pt-BR")
    english = await _suggest(keyed, "Thank you for this excellent article, very well written indeed.", 0)
    listed = {
        s["id"]: s["languages"] for s in (await keyed.get("/v1/admin/suggestions", headers=ADMIN)).json()["suggestions"]
    }
    assert listed == {german: ["de"], named: ["pt-BR"], english: ["en"]}  # kept and shown in the queue
    await keyed.post(
        "/v1/admin/suggestions/review", json={"ids": [german, named, english], "status": "accepted"}, headers=ADMIN
    )
    out = await keyed.get("/v1/admin/suggestions/export", params={"format": "jsonl"}, headers=ADMIN)
    assert [json.loads(line)["id"] for line in out.text.splitlines()] == [english]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "", "attribute": "TOXICITY", "label": 1}, "text"),
        ({"text": "x" * 201, "attribute": "TOXICITY", "label": 1}, "text"),
        ({"text": "fine", "attribute": "NOT_AN_ATTRIBUTE", "label": 1}, "attribute[0]"),
        ({"text": "fine", "attribute": "TOXICITY", "label": 2}, "label"),
        ({"text": "fine", "attribute": "TOXICITY", "label": 1, "source": "elsewhere"}, "source"),
        ({"text": "fine", "attribute": "TOXICITY", "label": 1, "extra": 1}, "extra"),
    ],
)
async def test_bad_suggestions_are_422_naming_the_field(
    keyed: httpx.AsyncClient, body: dict[str, object], field: str
) -> None:
    r = await keyed.post("/v1/suggestions", json=body, headers=SCORER)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field


async def test_bad_review_requests_name_the_limit(keyed: httpx.AsyncClient) -> None:
    r = await keyed.post(
        "/v1/admin/suggestions/review", json={"ids": list(range(1, 502)), "status": "accepted"}, headers=ADMIN
    )
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "ids"
    assert "500" in r.json()["error"]["message"]
    r = await keyed.post("/v1/admin/suggestions/review", json={"ids": [1], "status": "pending"}, headers=ADMIN)
    assert r.status_code == 422
    r = await keyed.get("/v1/admin/suggestions", params={"limit": 201}, headers=ADMIN)
    assert r.status_code == 422
    assert r.json()["error"]["limit"] == 200 or "200" in r.json()["error"]["message"]
    r = await keyed.get("/v1/admin/suggestions", params={"attribute": 'X") OR 1=1 --'}, headers=ADMIN)
    assert r.status_code == 422


async def test_keys_guard_both_routes(keyed: httpx.AsyncClient) -> None:
    body = {"text": "fine", "attribute": "TOXICITY", "label": 1}
    assert (await keyed.post("/v1/suggestions", json=body)).status_code == 401
    assert (await keyed.post("/v1/suggestions", json=body, headers={"Authorization": "Bearer nope"})).status_code == 401
    assert (await keyed.get("/v1/admin/suggestions")).status_code == 401
    assert (await keyed.get("/v1/admin/suggestions", headers=SCORER)).status_code == 403
    assert (await keyed.get("/v1/admin/suggestions/export", headers=SCORER)).status_code == 403
    review = {"ids": [1], "status": "accepted"}
    assert (await keyed.post("/v1/admin/suggestions/review", json=review, headers=SCORER)).status_code == 403


async def test_native_quota_is_429_in_the_native_shape(tiny_artifact: Path, tmp_path: Path) -> None:
    settings = Settings(model_path=tiny_artifact, suggest_per_minute=2, suggestions_db=tmp_path / "q.sqlite3")
    async for c in running(create_app(settings)):
        body = {"text": "fine", "attribute": "TOXICITY", "label": 1}
        assert [(await c.post("/v1/suggestions", json=body)).status_code for _ in range(2)] == [200, 200]
        r = await c.post("/v1/suggestions", json=body)
        assert r.status_code == 429
        assert r.json()["error"]["limit"] == 2
        assert "TOXICITY_SUGGEST_PER_MINUTE" in r.json()["error"]["message"]
        assert int(r.headers["Retry-After"]) >= 1


def test_an_old_store_is_migrated_at_start_up(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with closing(sqlite3.connect(path)) as con:
        con.execute(
            "CREATE TABLE suggestions (id INTEGER PRIMARY KEY, received_at TEXT NOT NULL, comment_text TEXT NOT NULL,"
            " comment_type TEXT, context TEXT, attribute_scores TEXT NOT NULL, languages TEXT, community_id TEXT,"
            " client_token TEXT, session_id TEXT)"
        )
        con.execute(
            "INSERT INTO suggestions (received_at, comment_text, attribute_scores) VALUES (?, ?, ?)",
            ("2026-01-01T00:00:00.000+00:00", "old row", '{"TOXICITY": {"summaryScore": {"value": 1}}}'),
        )
        con.commit()
    for _ in range(2):  # a second start finds the columns there
        store = SuggestionStore(path)
        rows = store.rows("SELECT comment_text, status, source, reviewed_at FROM suggestions")
        store.close()
        assert rows == [("old row", "pending", "api", None)]
