"""Rate limits: a token bucket per API key (or client address), 429 with Retry-After in each API's shape."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from service.app import create_app
from service.middleware.rate_limit import TokenBuckets
from service.settings import Settings
from tests.service.conftest import running

SCORE = {"comments": [{"text": "hello there"}]}
ANALYZE = {"comment": {"text": "hello there"}, "requestedAttributes": {"TOXICITY": {}}}


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_the_burst_then_refills_at_the_rate() -> None:
    clock = Clock()
    b = TokenBuckets(rate=2.0, burst=3, clock=clock)
    assert [b.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert b.take("a") == pytest.approx(0.5)  # one token takes 1/rate seconds
    clock.now += 0.25
    assert b.take("a") == pytest.approx(0.25)
    clock.now += 0.25
    assert b.take("a") == 0.0
    assert b.take("b") == 0.0  # keys do not share a bucket
    clock.now += 60
    assert [b.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]  # refilled, but never above the burst
    assert b.take("a") > 0


def test_bucket_table_is_bounded_least_recently_used_first() -> None:
    clock = Clock()
    b = TokenBuckets(rate=1.0, burst=1, max_buckets=3, clock=clock)
    for key in ("a", "b", "c"):
        b.take(key)
    b.take("a")  # a is now the most recently used
    b.take("d")
    assert len(b) == 3
    assert b.take("a") > 0  # a kept its (empty) bucket
    assert b.take("b") == 0.0  # b was dropped and starts full


async def _client(tiny_artifact: Path, **kwargs: object) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(model_path=tiny_artifact, **kwargs)  # type: ignore[arg-type]
    async for c in running(create_app(settings)):
        yield c


@pytest.fixture
async def limited(tiny_artifact: Path) -> AsyncIterator[httpx.AsyncClient]:
    # 0.01/s: the next token is 100 s away, so Retry-After is exactly 100.
    async for c in _client(tiny_artifact, rate_limit_per_second=0.01, rate_limit_burst=2):
        yield c


@pytest.mark.anyio
async def test_native_burst_then_429_with_retry_after(limited: httpx.AsyncClient) -> None:
    assert (await limited.post("/v1/score", json=SCORE)).status_code == 200
    assert (await limited.get("/v1/model")).status_code == 200
    r = await limited.post("/v1/score", json=SCORE)
    assert r.status_code == 429
    assert r.headers["retry-after"] == "100"
    error = r.json()["error"]
    assert error["status"] == 429
    assert error["code"] == "rate_limited"
    assert error["limit"] == 0.01
    assert "0.01 requests per second per client address, bursts of 2" in error["message"]
    assert "TOXICITY_RATE_LIMIT_PER_SECOND" in error["message"]
    assert "retry after 100 s" in error["message"]


@pytest.mark.anyio
async def test_perspective_429_is_googles_resource_exhausted(limited: httpx.AsyncClient) -> None:
    for _ in range(2):
        assert (await limited.post("/v1alpha1/comments:analyze", json=ANALYZE)).status_code == 200
    r = await limited.post("/v1alpha1/comments:analyze", json=ANALYZE)
    assert r.status_code == 429
    assert r.headers["retry-after"] == "100"
    error = r.json()["error"]
    assert set(error) == {"code", "message", "status", "details"}
    assert error["code"] == 429
    assert error["status"] == "RESOURCE_EXHAUSTED"
    assert error["message"].startswith("Quota exceeded for quota metric")
    assert "0.01 per second, bursts of 2" in error["message"]
    assert error["details"][0]["@type"] == "type.googleapis.com/google.rpc.ErrorInfo"
    assert error["details"][0]["reason"] == "RATE_LIMIT_EXCEEDED"


@pytest.mark.anyio
async def test_perspective_prefix_is_limited_in_googles_shape(tiny_artifact: Path) -> None:
    async for c in _client(
        tiny_artifact, rate_limit_per_second=0.01, rate_limit_burst=1, perspective_prefix="/perspective"
    ):
        assert (await c.post("/perspective/v1alpha1/comments:analyze", json=ANALYZE)).status_code == 200
        r = await c.post("/perspective/v1alpha1/comments:analyze", json=ANALYZE)
        assert r.status_code == 429
        assert r.json()["error"]["status"] == "RESOURCE_EXHAUSTED"


@pytest.mark.anyio
async def test_probes_docs_and_metrics_are_never_limited(limited: httpx.AsyncClient) -> None:
    for _ in range(3):
        await limited.post("/v1/score", json=SCORE)
    assert (await limited.post("/v1/score", json=SCORE)).status_code == 429
    for path in ("/healthz", "/readyz", "/metrics", "/openapi.json", "/docs", "/$discovery/rest") * 3:
        assert (await limited.get(path, headers={"Host": "localhost"})).status_code == 200, path


@pytest.mark.anyio
async def test_each_api_key_has_its_own_bucket(tiny_artifact: Path) -> None:
    async for c in _client(tiny_artifact, api_keys="alpha,beta", rate_limit_per_second=0.01, rate_limit_burst=2):
        alpha, beta = {"Authorization": "Bearer alpha"}, {"X-API-Key": "beta"}
        for _ in range(2):
            assert (await c.post("/v1/score", json=SCORE, headers=alpha)).status_code == 200
        assert (await c.post("/v1/score", json=SCORE, headers=alpha)).status_code == 429
        r = await c.post("/v1/score", json=SCORE, headers=alpha)
        assert "per API key" in r.json()["error"]["message"]
        # beta is untouched, on both APIs (the Perspective API takes ?key=).
        assert (await c.post("/v1/score", json=SCORE, headers=beta)).status_code == 200
        assert (await c.post("/v1alpha1/comments:analyze?key=beta", json=ANALYZE)).status_code == 200
        assert (await c.post("/v1alpha1/comments:analyze?key=beta", json=ANALYZE)).status_code == 429
        assert (await c.post("/v1alpha1/comments:analyze?key=alpha", json=ANALYZE)).status_code == 429
        # A wrong key is not a bucket of its own: it counts against the address, then fails auth.
        assert (await c.post("/v1/score", json=SCORE, headers={"X-API-Key": "wrong"})).status_code == 401


@pytest.mark.anyio
async def test_off_by_default(client: httpx.AsyncClient) -> None:
    for _ in range(50):
        assert (await client.get("/v1/model")).status_code == 200
