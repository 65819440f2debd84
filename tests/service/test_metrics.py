"""GET /metrics: Prometheus exposition of requests, latency, comments, model; summed over workers."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from service.app import create_app
from service.core.metrics import FLUSH_SECONDS, Metrics
from service.settings import Settings
from tests.live import live_server
from tests.service.conftest import running

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    out: Samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@pytest.mark.anyio
async def test_exposition_counts_requests_comments_and_the_model(
    client: httpx.AsyncClient, tiny_model_version: str
) -> None:
    for _ in range(3):
        assert (
            await client.post("/v1/score", json={"comments": [{"text": "you idiot"}, {"text": "hi"}]})
        ).status_code == 200
    assert (
        await client.post("/v1/score", json={"comments": [{"text": "x"}], "attributes": ["NOPE"]})
    ).status_code == 422
    analyze = {"comment": {"text": "you idiot"}, "requestedAttributes": {"TOXICITY": {}, "insult@2": {}}}
    assert (await client.post("/v1alpha1/comments:analyze", json=analyze)).status_code == 200
    assert (await client.get("/no/such/path/123")).status_code == 404
    # Refused before routing ran (BodyGuard), yet counted under the route it was sent to.
    bad = await client.post("/v1/score", content=b'{"comments": [', headers={"content-type": "application/json"})
    assert bad.status_code == 400
    too_big = await client.post("/v1alpha1/comments:analyze", content=b"x" * 5000)
    assert too_big.status_code == 413
    r = await client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain; version=0.0.4")
    m = parse(r.text)
    score = {"method": "POST", "route": "/v1/score"}
    assert value(m, "toxicity_http_requests_total", **score, status="200") == 3
    assert value(m, "toxicity_http_requests_total", **score, status="422") == 1
    assert value(m, "toxicity_http_requests_total", **score, status="400") == 1
    analyze_route = {"method": "POST", "route": "/v1alpha1/comments:analyze"}
    assert value(m, "toxicity_http_requests_total", **analyze_route, status="413") == 1
    assert value(m, "toxicity_http_request_duration_seconds_count", **score, status="200") == 3
    assert value(m, "toxicity_http_request_duration_seconds_sum", **score, status="200") > 0
    # Unrouted requests share one label: a scanner's paths must not become series.
    assert value(m, "toxicity_http_requests_total", method="GET", route="unmatched", status="404") == 1
    assert not any("/no/such" in str(labels) for _, labels in m)
    assert value(m, "toxicity_comments_scored_total", attribute="TOXICITY") == 3 * 2 + 1
    assert value(m, "toxicity_comments_scored_total", attribute="INSULT") == 3 * 2 + 1
    assert value(m, "toxicity_comments_scored_total", attribute="THREAT") == 3 * 2
    assert value(m, "toxicity_model_info", version=tiny_model_version) == 1
    assert value(m, "toxicity_model_loads_total", outcome="success") == 1
    assert value(m, "toxicity_model_loads_total", outcome="failure") == 0


@pytest.mark.anyio
async def test_metrics_is_not_in_the_openapi_document(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert "/metrics" not in spec["paths"]


async def _client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for c in running(create_app(settings)):
        yield c


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("keys", "require", "open_"),
    [("k1,k2", True, False), ("k1,k2", False, True), ("", True, True)],
)
async def test_metrics_key_only_when_required_and_keys_are_set(
    tiny_artifact: Path, keys: str, require: bool, open_: bool
) -> None:
    settings = Settings(model_path=tiny_artifact, api_keys=keys, metrics_require_key=require)
    async for c in _client(settings):
        r = await c.get("/metrics")
        if open_:
            assert r.status_code == 200
        else:
            assert r.status_code == 401
            assert r.json()["error"]["code"] == "unauthenticated"
            assert (await c.get("/metrics", headers={"Authorization": "Bearer k2"})).status_code == 200
            assert (await c.get("/metrics", headers={"X-API-Key": "k1"})).status_code == 200
            assert (await c.get("/metrics", headers={"X-API-Key": "nope"})).status_code == 401


STALE = """
from prometheus_client import Counter
Counter("toxicity_http_requests", "", ["method", "route", "status"]).labels("POST", "/v1/score", "200").inc(1000)
"""


@pytest.mark.slow
def test_two_workers_share_one_exposition(tmp_path: Path, tiny_artifact: Path) -> None:
    prom = tmp_path / "prom"
    prom.mkdir()
    # A file left by an earlier run: python -m service must wipe it, or 1,000 requests appear from nowhere.
    subprocess.run([sys.executable, "-c", STALE], env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(prom)}, check=True)
    assert list(prom.glob("counter_*.db"))
    env = {"TOXICITY_WORKERS": "2", "TOXICITY_MODEL_PATH": str(tiny_artifact), "PROMETHEUS_MULTIPROC_DIR": str(prom)}
    n = 40
    with live_server(tmp_path, env) as server:
        for _ in range(n):  # a fresh connection each time, so both workers take some
            assert httpx.post(f"{server.url}/v1/score", json={"comments": [{"text": "hello"}]}).status_code == 200
        # Each worker writes its samples within FLUSH_SECONDS; the scraped worker flushes its own at once.
        time.sleep(FLUSH_SECONDS + 0.4)
        scrapes = [parse(httpx.get(f"{server.url}/metrics").text) for _ in range(8)]
        pids = {p.name.split("_")[-1] for p in prom.glob("gauge_livemax_*.db")}
        assert len(pids) == 2, "each worker keeps its own live gauge file"
    for m in scrapes:
        # Whichever worker answers, it reports every worker's samples.
        assert value(m, "toxicity_http_requests_total", method="POST", route="/v1/score", status="200") == n
        assert value(m, "toxicity_comments_scored_total", attribute="TOXICITY") == n
        assert value(m, "toxicity_model_loads_total", outcome="success") == 2  # one load per worker
        assert value(m, "toxicity_model_info", version=version_of(tiny_artifact)) == 1
    # Workers mark themselves dead on the way out: their live gauges are gone, counters stay.
    time.sleep(0.2)
    assert not list(prom.glob("gauge_livemax_*.db"))
    assert list(prom.glob("counter_*.db"))


def version_of(artifact: Path) -> str:
    return str(json.loads((artifact / "manifest.json").read_text())["version"])


@pytest.fixture
def tiny_model_version(tiny_artifact: Path) -> str:
    return version_of(tiny_artifact)


@pytest.mark.slow
@pytest.mark.parametrize("workers", ["1", "2"])
def test_the_temporary_metrics_folder_is_removed_at_exit(tmp_path: Path, tiny_artifact: Path, workers: str) -> None:
    temp = tmp_path / "temp"
    temp.mkdir()
    env = {"TOXICITY_WORKERS": workers, "TOXICITY_MODEL_PATH": str(tiny_artifact), "TMPDIR": str(temp)}
    with live_server(tmp_path, env) as server:
        made = list(temp.glob("toxicity-metrics-*"))
        assert len(made) == 1, "python -m service makes a fresh folder when PROMETHEUS_MULTIPROC_DIR is unset"
        assert httpx.get(f"{server.url}/metrics").status_code == 200
        assert list(made[0].glob("counter_*.db"))
    assert server.process.returncode is not None
    assert not made[0].exists()


def requests_counted(metrics: Metrics) -> float:
    """The request count as written, without the flush that exposition() does first."""
    raw = parse(generate_latest(metrics.registry).decode())
    return value(raw, "toxicity_http_requests_total", method="POST", route="/v1/score", status="200")


@pytest.mark.anyio
async def test_request_samples_are_written_within_the_flush_interval() -> None:
    metrics = Metrics()
    for _ in range(3):
        metrics.observe_request("POST", "/v1/score", 200, 0.001)
        metrics.scored(["TOXICITY", "INSULT"], 2)
    assert requests_counted(metrics) == 0, "recorded in bulk, not per request"
    await asyncio.sleep(FLUSH_SECONDS + 0.3)
    assert requests_counted(metrics) == 3, "a callback on the loop wrote them"
    m = parse(metrics.exposition().decode())
    assert value(m, "toxicity_http_request_duration_seconds_count", method="POST", route="/v1/score", status="200") == 3
    assert value(m, "toxicity_comments_scored_total", attribute="INSULT") == 6
    # A scrape writes what is pending first; so does a worker on its way out.
    metrics.observe_request("POST", "/v1/score", 200, 0.001)
    m = parse(metrics.exposition().decode())
    assert value(m, "toxicity_http_requests_total", method="POST", route="/v1/score", status="200") == 4
    metrics.observe_request("POST", "/v1/score", 200, 0.001)
    metrics.worker_exiting()
    assert requests_counted(metrics) == 5


def test_without_an_event_loop_samples_are_written_at_once() -> None:
    metrics = Metrics()
    metrics.observe_request("POST", "/v1/score", 200, 0.001)
    assert requests_counted(metrics) == 1


def test_samples_are_written_when_a_loop_ends_before_its_flush() -> None:
    metrics = Metrics()

    async def record(wait: float) -> None:
        metrics.observe_request("POST", "/v1/score", 200, 0.001)
        await asyncio.sleep(wait)

    asyncio.run(record(0))  # this loop closes before its flush runs
    asyncio.run(record(FLUSH_SECONDS + 0.3))  # a new loop schedules its own
    assert requests_counted(metrics) == 2
