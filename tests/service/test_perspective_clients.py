"""Real clients against a live uvicorn: Google's API client library, and a crash after suggestscore."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import time
from pathlib import Path

import httpx
import pytest

from tests.live import live_server

pytestmark = pytest.mark.slow


def test_official_python_client(tmp_path: Path) -> None:
    from googleapiclient import discovery
    from googleapiclient.errors import HttpError

    env = {"TOXICITY_API_KEYS": "secret-key", "TOXICITY_SUGGESTIONS_DB": str(tmp_path / "s.db")}
    with live_server(tmp_path, env) as server:
        client = discovery.build(
            "commentanalyzer",
            "v1alpha1",
            developerKey="secret-key",
            discoveryServiceUrl=f"{server.url}/$discovery/rest?version=v1alpha1",
            static_discovery=False,
            cache_discovery=False,
        )
        analyzed = (
            client.comments()
            .analyze(
                body={
                    "comment": {"text": "You are a pathetic idiot."},
                    "requestedAttributes": {"TOXICITY": {}, "INSULT": {}},
                }
            )
            .execute()
        )
        assert analyzed["attributeScores"]["TOXICITY"]["summaryScore"]["value"] > 0.8
        assert analyzed["languages"] == ["en"]
        suggested = (
            client.comments()
            .suggestscore(
                body={
                    "comment": {"text": "You are a pathetic idiot."},
                    "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}},
                    "clientToken": "tok-7",
                }
            )
            .execute()
        )
        assert suggested == {"clientToken": "tok-7"}
        with pytest.raises(HttpError) as err:
            client.comments().analyze(body={"comment": {"text": ""}, "requestedAttributes": {"TOXICITY": {}}}).execute()
        assert err.value.resp.status == 400
        assert err.value.reason == "Comment must be non-empty."
        assert json.loads(err.value.content)["error"]["details"][0]["errorType"] == "COMMENT_EMPTY"
        # A wrong key: Google's message.
        bad = discovery.build(
            "commentanalyzer",
            "v1alpha1",
            developerKey="wrong",
            discoveryServiceUrl=f"{server.url}/$discovery/rest?version=v1alpha1",
            static_discovery=False,
            cache_discovery=False,
        )
        with pytest.raises(HttpError) as err:
            bad.comments().analyze(body={"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {}}}).execute()
        assert err.value.resp.status == 400
        assert err.value.reason == "API key not valid. Please pass a valid API key."
        client.close()
        bad.close()


def test_coral_within_its_timeout_on_a_live_server(tmp_path: Path) -> None:
    env = {"TOXICITY_PERSPECTIVE_PREFIX": "/perspective", "TOXICITY_SUGGESTIONS_DB": str(tmp_path / "s.db")}
    with live_server(tmp_path, env) as server:
        body = {
            "comment": {"text": "You are a pathetic idiot."},
            "doNotStore": True,
            "requestedAttributes": {"TOXICITY": {}},
            "languages": ["en"],
        }
        for base in (f"{server.url}/v1alpha1", f"{server.url}/perspective/v1alpha1"):
            # Coral joins the path, adds ?key= and gives up after 800 ms.
            r = httpx.post(f"{base}/comments:analyze", params={"key": "K"}, json=body, timeout=0.8)
            assert r.status_code == 200
            assert r.json()["attributeScores"]["TOXICITY"]["summaryScore"]["value"] > 0.8


def test_acknowledged_suggestion_survives_kill_9(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with live_server(tmp_path, {"TOXICITY_SUGGESTIONS_DB": str(db)}) as server:
        tokens = []
        for i in range(5):
            token = f"comment:{i}"
            r = httpx.post(
                f"{server.url}/v1alpha1/comments:suggestscore",
                json={
                    "comment": {"text": f"text {i}"},
                    "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}},
                    "clientToken": token,
                },
            )
            assert r.status_code == 200 and r.json()["clientToken"] == token
            tokens.append(token)
        # Kill without any chance to flush or close, right after the last response.
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=10)
    time.sleep(0.1)
    with sqlite3.connect(db) as con:
        stored = [row[0] for row in con.execute("SELECT client_token FROM suggestions ORDER BY id")]
    assert stored == tokens
