"""Request logs: one JSON line per request from every worker, and never comment text."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from tests.live import live_server

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
