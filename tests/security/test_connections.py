"""Slow and vanishing clients, crafted ``Host`` and ``X-Forwarded-For`` headers (issue 20, points 5 and 6).

The slow-client and forwarded-header attacks need a real socket and uvicorn's own
stack, so they run against ``python -m service`` on a free loopback port.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.app import create_app
from service.settings import Settings
from tests.live import Server, live_server
from tests.service.conftest import running

HEAD = "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"


@pytest.fixture(scope="module")
def server(tiny_artifact: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The real service on a socket, with 1 s for a request's headers and 1 s for its body."""
    env = {
        "TOXICITY_MODEL_PATH": str(tiny_artifact),
        "TOXICITY_HEADER_READ_TIMEOUT_SECONDS": "1",
        "TOXICITY_BODY_READ_TIMEOUT_SECONDS": "1",
    }
    with live_server(tmp_path_factory.mktemp("slow"), env) as running_server:
        yield running_server


def port_of(server: Server) -> int:
    return int(server.url.rsplit(":", 1)[1])


def trickle(port: int, head: bytes, drip: bytes, give_up: float) -> tuple[bytes, float]:
    """Send ``head``, then ``drip`` every 0.1 s until answered; return the answer and when it came."""
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.settimeout(0.1)
        s.sendall(head)
        start = time.monotonic()
        answer = b""
        while time.monotonic() - start < give_up:
            try:
                if not answer and drip:
                    s.sendall(drip)
                chunk = s.recv(65536)
            except TimeoutError:
                continue
            except ConnectionError:  # the server closed on us: whatever it sent is in `answer`
                break
            if not chunk:
                break
            answer += chunk
        return answer, time.monotonic() - start


def test_a_body_sent_one_byte_at_a_time_gets_408_and_a_client_that_leaves_is_no_500(server: Server) -> None:
    # Before: no read timeout, so the request stayed open as long as the client kept sending.
    answer, after = trickle(port_of(server), HEAD.format(path="/v1/score").encode(), b" ", give_up=15)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408"), answer[:200]
    assert after < 10  # the limit is 1 s; generous for a busy machine
    error = json.loads(body)["error"]
    assert error["code"] == "body_read_timeout" and error["limit"] == 1
    assert "TOXICITY_BODY_READ_TIMEOUT_SECONDS" in error["message"]
    answer, _ = trickle(port_of(server), HEAD.format(path="/v1alpha1/comments:analyze").encode(), b" ", give_up=15)
    google = json.loads(answer.partition(b"\r\n\r\n")[2])["error"]
    assert google["code"] == 408 and google["status"] == "DEADLINE_EXCEEDED"

    # A client that sends half a body and hangs up: logged and counted as 499, not as a server error.
    with socket.create_connection(("127.0.0.1", port_of(server))) as s:
        s.sendall(HEAD.format(path="/v1/score").encode() + b'{"comments": [')
        time.sleep(0.2)
    deadline = time.monotonic() + 10
    metrics = ""
    while 'status="499"' not in metrics and time.monotonic() < deadline:
        time.sleep(0.2)
        metrics = httpx.get(f"{server.url}/metrics").text
    samples = [line for line in metrics.splitlines() if line.startswith("toxicity_http_requests_total{")]
    assert any('route="/v1/score",status="499"' in line for line in samples), samples
    assert not any('status="5' in line for line in samples), samples
    lines = [json.loads(line) for line in server.log.read_text().splitlines() if '"logger":"toxicity.access"' in line]
    assert [e["status"] for e in lines if e["method"] == "POST"] == [408, 408, 499]


def test_headers_sent_slowly_or_not_at_all_do_not_hold_a_connection(server: Server) -> None:
    # Before: uvicorn timed connections only between requests; these two stayed open for good.
    answer, after = trickle(port_of(server), b"POST /v1/score HTTP/1.1\r\nHost: localhost\r\n", b"X: y\r\n", 15)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"TOXICITY_HEADER_READ_TIMEOUT_SECONDS" in answer and after < 10
    answer, after = trickle(port_of(server), b"", b"", give_up=15)  # connects and says nothing
    assert answer == b"" and after < 10
    # A kept-alive connection still serves request after request.
    with httpx.Client() as c:
        for _ in range(3):
            assert c.get(f"{server.url}/healthz").status_code == 200
            time.sleep(0.5)


@pytest.mark.anyio
async def test_a_crafted_host_never_becomes_the_discovery_root(tiny_artifact: Path) -> None:
    # Before: rootUrl was built from whatever Host the request carried.
    async for c in running(create_app(Settings(model_path=tiny_artifact))):
        r = await c.get("/$discovery/rest?version=v1alpha1", headers={"Host": "evil.example"})
        assert r.status_code == 400, r.text[:200]
        assert "evil.example/" not in r.text
        error = r.json()["error"]
        assert error["status"] == "INVALID_ARGUMENT"
        assert "TOXICITY_PUBLIC_BASE_URL" in error["message"] and "TOXICITY_ALLOWED_HOSTS" in error["message"]
        local = await c.get("/$discovery/rest", headers={"Host": "127.0.0.1:8000"})
        assert local.json()["rootUrl"] == "http://127.0.0.1:8000/" and local.headers["vary"] == "Host"
    async for c in running(create_app(Settings(model_path=tiny_artifact, allowed_hosts="tox.example.org"))):
        for host in ("evil.example", "tox.example.org.evil.example", "tox.example.org@evil.example"):
            assert (await c.get("/$discovery/rest", headers={"Host": host})).status_code == 400, host
        r = await c.get("/$discovery/rest", headers={"Host": "TOX.example.org:8443"})
        assert r.json()["rootUrl"] == "http://tox.example.org:8443/"


@pytest.mark.anyio
async def test_rotating_x_forwarded_for_from_loopback_does_not_escape_the_rate_limit(
    tiny_artifact: Path, tmp_path: Path
) -> None:
    # Before: uvicorn trusted X-Forwarded-For from any loopback peer, so each made-up address had its own bucket.
    env = {
        "TOXICITY_MODEL_PATH": str(tiny_artifact),
        "TOXICITY_RATE_LIMIT_PER_SECOND": "0.01",
        "TOXICITY_RATE_LIMIT_BURST": "3",
    }
    with live_server(tmp_path, env) as srv, httpx.Client() as c:
        codes = [
            c.get(f"{srv.url}/v1/model", headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code for i in range(12)
        ]
    assert codes.count(200) == 3 and codes.count(429) == 9, codes

    # From a proxy the operator lists, the forwarded address is the client's: each has its own bucket.
    settings = Settings(
        model_path=tiny_artifact, rate_limit_per_second=0.01, rate_limit_burst=1, trusted_proxies="127.0.0.0/8"
    )
    async for c in running(create_app(settings)):  # httpx's ASGI transport connects from 127.0.0.1
        for i in range(5):
            assert (await c.get("/v1/model", headers={"X-Forwarded-For": f"203.0.113.{i}"})).status_code == 200
        again = await c.get("/v1/model", headers={"X-Forwarded-For": "198.51.100.7, 203.0.113.0"})
        assert again.status_code == 429  # the rightmost untrusted address is the client's
