"""Two real service processes on one PostgreSQL database; one is killed mid-stream (issue 24).

Every suggestion the service acknowledged (200) must be in the database exactly once,
and a client that retries the unanswered ones on the surviving replica with the same
``clientToken`` ends with every suggestion stored once: none lost, none doubled.
"""

from __future__ import annotations

import os
import signal
import threading
from collections import Counter
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.live import live_server

pytestmark = pytest.mark.slow

SUGGEST = "/v1alpha1/comments:suggestscore"
PER_SENDER = 150
SENDERS_PER_REPLICA = 2
KILL_AFTER = 40
"""Acknowledgements from the first replica before it is killed (it is still being sent to)."""


def body(name: str) -> dict[str, object]:
    return {
        "comment": {"text": f"comment {name}"},
        "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}},
        "clientToken": f"token {name}",
    }


def test_a_replica_killed_mid_stream_loses_no_acknowledged_suggestion(
    tiny_artifact: Path, pg_url: str, tmp_path: Path
) -> None:
    env = {
        "TOXICITY_MODEL_PATH": str(tiny_artifact),
        "TOXICITY_FEEDBACK_URL": pg_url,
        "TOXICITY_SUGGEST_PER_MINUTE": "0",
    }
    acked: list[str] = []
    unanswered: list[str] = []
    lock = threading.Lock()
    enough = threading.Event()
    with live_server(tmp_path, env) as doomed, live_server(tmp_path, env) as survivor:
        counts = Counter[str]()

        def send(url: str, prefix: str) -> None:
            with httpx.Client(base_url=url, timeout=10.0) as client:
                for i in range(PER_SENDER):
                    name = f"{prefix}-{i}"
                    try:
                        r = client.post(SUGGEST, json=body(name))
                    except httpx.TransportError:  # the replica died before answering
                        with lock:
                            unanswered.append(name)
                        continue
                    with lock:
                        (acked if r.status_code == 200 else unanswered).append(name)
                        counts[url] += r.status_code == 200
                        if counts[doomed.url] >= KILL_AFTER:
                            enough.set()

        senders = [
            threading.Thread(target=send, args=(server.url, f"{tag}{n}"))
            for tag, server in (("a", doomed), ("b", survivor))
            for n in range(SENDERS_PER_REPLICA)
        ]
        for t in senders:
            t.start()
        assert enough.wait(120), "the first replica never acknowledged enough suggestions"
        os.kill(doomed.process.pid, signal.SIGKILL)
        for t in senders:
            t.join()
        assert unanswered, "the kill came after the stream ended; the test proved nothing"

        with psycopg.connect(pg_url) as conn:
            stored = Counter(str(r[0]) for r in conn.execute("SELECT comment_text FROM suggestions"))
        assert all(stored[f"comment {name}"] == 1 for name in acked), "an acknowledged suggestion is missing or doubled"
        assert max(stored.values()) == 1

        with httpx.Client(base_url=survivor.url, timeout=10.0) as client:  # the client retries what went unanswered
            for name in unanswered:
                assert client.post(SUGGEST, json=body(name)).status_code == 200
    with psycopg.connect(pg_url) as conn:
        stored = Counter(str(r[0]) for r in conn.execute("SELECT comment_text FROM suggestions"))
    sent = SENDERS_PER_REPLICA * 2 * PER_SENDER
    assert len(acked) + len(unanswered) == sent
    assert stored == Counter(f"comment {name}" for name in acked + unanswered)  # each exactly once
