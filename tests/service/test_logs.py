"""Request logs: one JSON line per request from every worker, and never comment text."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from service import logs
from service.app import create_app
from service.settings import Settings
from tests.live import live_server
from tests.service.conftest import running

HOSTILE = "Zorblax the councillor is a worthless parasite qwertyuiop"
MARKERS = ("Zorblax", "zorblax", "qwertyuiop", "parasite")


@pytest.mark.slow
@pytest.mark.parametrize("level", ["debug", "info"])
def test_logs_are_json_per_request_and_never_hold_comment_text(tmp_path: Path, level: str) -> None:
    env = {"TOXICITY_WORKERS": "2", "TOXICITY_LOG_LEVEL": level}
    with live_server(tmp_path, env) as server:
        for _ in range(4):  # reach both workers
            r = httpx.post(f"{server.url}/v1/score", json={"comments": [{"text": HOSTILE}], "explain": True})
            assert r.status_code == 200
        r = httpx.post(
            f"{server.url}/v1alpha1/comments:analyze",
            json={"comment": {"text": HOSTILE}, "requestedAttributes": {"TOXICITY": {}}, "spanAnnotations": True},
        )
        assert r.status_code == 200
        bad = httpx.post(f"{server.url}/v1/score", json={"comments": [{"text": HOSTILE}], "attributes": ["NOPE"]})
        assert bad.status_code == 422
        suggestion = {"comment": {"text": HOSTILE}, "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}}}
        assert httpx.post(f"{server.url}/v1alpha1/comments:suggestscore", json=suggestion).status_code == 200
        time.sleep(0.5)
    text = server.log.read_text()
    for marker in MARKERS:
        assert marker not in text, f"comment text leaked into the log at level {level}"
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    access = [e for e in lines if e.get("logger") == "toxicity.access"]
    scored = [e for e in access if e["route"] == "/v1/score"]
    assert len(scored) == 5
    assert {e["status"] for e in scored} == {200, 422}
    assert all(e["comments"] == 1 and e["latency_ms"] >= 0 and len(e["request_id"]) >= 16 for e in scored)
    assert any(e["route"] == "/v1alpha1/comments:analyze" for e in access)
    # Both worker processes configured logging: each says it loaded the model.
    assert sum(1 for e in lines if e.get("message") == "model loaded") == 2


@pytest.fixture
def configured() -> Iterator[io.StringIO]:
    """Logging as ``configure`` sets it up in a worker, writing to a buffer; restored afterwards."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level, logging.getLogger("uvicorn.access").disabled
    buffer = io.StringIO()
    logs.configure("info")
    handler = root.handlers[0]
    assert isinstance(handler, logs.JsonHandler)
    handler.setStream(buffer)
    try:
        yield buffer
    finally:
        root.handlers[:], level, logging.getLogger("uvicorn.access").disabled = saved
        root.setLevel(level)


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def score_once(
    app_settings: Settings, monkeypatch: pytest.MonkeyPatch, *handlers: logging.Handler
) -> list[logging.LogRecord]:
    """Score one comment with ``configure``'s handler and ``handlers`` on the root; return the access records."""
    root = logging.getLogger()
    json_handler = next(h for h in root.handlers if isinstance(h, logs.JsonHandler))
    root.handlers[:] = [json_handler, *handlers]  # pytest adds its capture handler for every test
    records: list[logging.LogRecord] = []
    handle = logs.access.handle

    def counted(record: logging.LogRecord) -> None:
        records.append(record)
        handle(record)

    monkeypatch.setattr(logs.access, "handle", counted)
    async for client in running(create_app(app_settings)):
        r = await client.post("/v1/score", json={"comments": [{"text": HOSTILE}]}, headers={"X-Request-Id": "abc-123"})
        assert r.status_code == 200
    monkeypatch.undo()
    return records


def access_lines(text: str) -> list[dict[str, Any]]:
    return [e for e in map(json.loads, text.splitlines()) if e["logger"] == "toxicity.access"]


@pytest.mark.anyio
async def test_access_lines_written_directly_match_the_logging_record_path(
    configured: io.StringIO, tiny_artifact: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(model_path=tiny_artifact)
    # With nothing but configure()'s handler listening, no LogRecord is made for the access line.
    root = logging.getLogger()
    json_handler = root.handlers[0]
    root.handlers[:] = [json_handler]
    assert logs._direct_handler() is json_handler
    root.addHandler(Collect())
    assert logs._direct_handler() is None, "a second handler must get its record"
    root.handlers[:] = [json_handler]
    direct_records = await score_once(settings, monkeypatch)
    direct = access_lines(configured.getvalue())
    # Another handler listening sends the line through a LogRecord, and both handlers get it.
    configured.truncate(0)
    configured.seek(0)
    extra = Collect()
    record_path = await score_once(settings, monkeypatch, extra)
    via_record = access_lines(configured.getvalue())
    assert [r.getMessage() for r in record_path] == ["request"]
    assert [r.getMessage() for r in extra.records if r.name == "toxicity.access"] == ["request"]
    assert len(direct) == len(via_record) == 1
    for line in (direct[0], via_record[0]):
        assert line["request_id"] == "abc-123"
        assert line["route"] == "/v1/score" and line["status"] == 200 and line["comments"] == 1
        assert line["level"] == "info" and line["message"] == "request"
        assert datetime.strptime(line["time"], "%Y-%m-%dT%H:%M:%S%z")
    assert list(direct[0]) == list(via_record[0]), "same fields in the same order"
    assert direct_records == [], "the direct path made no record"


@pytest.mark.anyio
async def test_no_access_line_when_the_access_logger_is_quiet(
    configured: io.StringIO, tiny_artifact: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    logging.getLogger("toxicity.access").setLevel(logging.WARNING)
    try:
        assert await score_once(Settings(model_path=tiny_artifact), monkeypatch) == []
    finally:
        logging.getLogger("toxicity.access").setLevel(logging.NOTSET)
    assert access_lines(configured.getvalue()) == []


def test_timestamps_match_the_formatter() -> None:
    record = logging.makeLogRecord({"created": 1_790_000_000.75})
    assert logs._timestamp(record.created) == logging.Formatter().formatTime(record, "%Y-%m-%dT%H:%M:%S%z")
    assert logs._timestamp(1_790_000_001.0) != logs._timestamp(1_790_000_000.0)


@pytest.mark.anyio
async def test_generated_request_ids_are_32_hex_characters_and_distinct(tiny_artifact: Path) -> None:
    async for client in running(create_app(Settings(model_path=tiny_artifact))):
        ids = {(await client.get("/healthz")).headers["x-request-id"] for _ in range(50)}
    assert len(ids) == 50
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)


@pytest.mark.anyio
async def test_held_access_lines_are_written_within_the_interval_and_keep_their_order(tiny_artifact: Path) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level, logging.getLogger("uvicorn.access").disabled
    buffer = io.StringIO()
    logs.configure("info", access_flush_seconds=0.2)
    root.handlers[0].setStream(buffer)
    try:
        async with LifespanManager(create_app(Settings(model_path=tiny_artifact))) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                root.handlers[:] = root.handlers[:1]  # only configure()'s handler (pytest adds its own)
                logging.getLogger("httpx").setLevel(logging.WARNING)  # its per-request records would flush
                for _ in range(3):
                    assert (await client.post("/v1/score", json={"comments": [{"text": "hi"}]})).status_code == 200
                assert access_lines(buffer.getvalue()) == [], "held, not written per request"
                await asyncio.sleep(0.5)
                assert len(access_lines(buffer.getvalue())) == 3, "written by the loop's callback"
                assert (await client.get("/healthz")).status_code == 200
                logging.getLogger("toxicity.test").warning("after the health check")
                assert (await client.get("/readyz")).status_code == 200
            lines = [json.loads(line) for line in buffer.getvalue().splitlines()]
            # Another record writes the held line before itself: the log stays in order.
            assert [e.get("route") or e["message"] for e in lines[-2:]] == ["/healthz", "after the health check"]
        # Shutdown wrote the last held line.
        assert access_lines(buffer.getvalue())[-1]["route"] == "/readyz"
    finally:
        logging.getLogger("httpx").setLevel(logging.NOTSET)
        root.handlers[:], level, logging.getLogger("uvicorn.access").disabled = saved
        root.setLevel(level)


def test_held_lines_survive_a_loop_that_ends_first_and_close() -> None:
    buffer = io.StringIO()
    handler = logs.JsonHandler(buffer, flush_seconds=0.05)
    fields = {"request_id": "x", "method": "GET", "route": "/healthz", "status": 200, "latency_ms": 1.0, "comments": 0}

    async def write(wait: float) -> None:
        handler.write_access(fields)
        await asyncio.sleep(wait)

    asyncio.run(write(0))  # this loop closes before its callback runs
    asyncio.run(write(0.3))  # a new loop schedules its own
    assert len(access_lines(buffer.getvalue())) == 2
    asyncio.run(write(0))
    handler.close()
    assert len(access_lines(buffer.getvalue())) == 3, "close() writes what is held"
