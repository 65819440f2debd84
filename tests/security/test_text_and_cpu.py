"""Text and CPU: an attacker's requests against the real app, one test per point of issue 20.

1. Text handling is linear: 20 KB adversarial strings through every route that
   splits, tokenises, explains or annotates text cost well under a second of CPU.
2. Explanations and span annotations have a budget (a 4xx naming the limit), stop
   when the client goes away, and ``/healthz`` answers quickly while the heaviest
   requests the limits allow are running.
4. Every list a request brings is bounded, naming the field and the limit, and a
   duplicate is collapsed or refused, never multiplied.
8. NUL in comment text is refused, naming where; other control characters are
   accepted and do not change a score.

The in-process tests use the shipped model and settings; the two that need a socket
(a client that hangs up, a second client timing ``/healthz``) run ``python -m service``.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.adversarial import ADVERSARIAL, fill
from service.app import create_app
from service.settings import Settings
from tests.live import Server, live_server
from tests.service.conftest import running

pytestmark = pytest.mark.anyio

SCORE = "/v1/score"
ANALYZE = "/v1alpha1/comments:analyze"
SUGGEST = "/v1alpha1/comments:suggestscore"
ROUTES = {
    "score": lambda t: (SCORE, {"comments": [{"text": t}]}),
    "explain": lambda t: (SCORE, {"comments": [{"text": t}], "explain": True}),
    "span annotations": lambda t: (ANALYZE, {"comment": {"text": t}, "requestedAttributes": {"TOXICITY": {}}, "spanAnnotations": True}),
    "html": lambda t: (ANALYZE, {"comment": {"text": t, "type": "HTML"}, "requestedAttributes": {"INSULT": {}}}),
    # A suggestion's text is only sized, converted from HTML if marked so, and stored.
    "suggest": lambda t: (SUGGEST, {"comment": {"text": t, "type": "HTML"}, "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}}}),
}  # fmt: skip


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def shipped(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[httpx.AsyncClient]:
    """One app serving the shipped model with the shipped limits, for the whole module."""
    db = tmp_path_factory.mktemp("security") / "suggestions.sqlite3"
    async for c in running(create_app(Settings(suggestions_db=db))):
        yield c


@pytest.mark.parametrize("route", list(ROUTES))
async def test_adversarial_text_costs_well_under_a_second(shipped: httpx.AsyncClient, route: str) -> None:
    """Point 1: no string makes a pattern backtrack; each request is linear in its text."""
    slow = {}
    for name, text in ADVERSARIAL.items():
        path, body = ROUTES[route](text)
        start = time.process_time()  # every thread of this process: the app runs here
        r = await shipped.post(path, json=body)
        spent = time.process_time() - start
        assert r.status_code < 500, (name, r.text[:300])
        if spent >= 1.0:
            slow[name] = round(spent, 2)
    assert not slow, f"seconds of CPU per 20 KB request on {route}: {slow}"


async def test_explanations_and_span_annotations_have_a_budget(shipped: httpx.AsyncClient) -> None:
    """Point 2: the explained text and the annotated sentences are bounded, with the limit named."""
    comments = [{"text": fill("you are an idiot. ", size=4_000)} for _ in range(30)]
    start = time.process_time()
    r = await shipped.post(SCORE, json={"comments": comments, "explain": True})
    assert time.process_time() - start < 1.0
    assert r.status_code == 422, r.text[:300]
    error = r.json()["error"]
    assert error["code"] == "explain_too_large" and error["limit"] == 100_000
    assert "120000 characters" in error["message"] and "TOXICITY_MAX_EXPLAIN_CHARS" in error["message"]

    r = await shipped.post(
        ANALYZE,
        json={"comment": {"text": fill("a\n")}, "requestedAttributes": {"TOXICITY": {}}, "spanAnnotations": True},
    )
    assert r.status_code == 400, r.text[:300]
    error = r.json()["error"]
    assert error["details"][0]["errorType"] == "TOO_MANY_SPANS" and "10000 sentences" in error["message"]
    violation = error["details"][1]["fieldViolations"][0]
    assert violation["field"] == "spanAnnotations" and "TOXICITY_MAX_SPAN_SENTENCES" in violation["description"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The real service on a free port, shipped model and default settings."""
    with live_server(tmp_path_factory.mktemp("security-live")) as s:
        yield s


HEAVY_TEXTS = ("lines", "letter-dot", "lines", "leet", "lines")
HEAVIEST = json.dumps({"comments": [{"text": ADVERSARIAL[k]} for k in HEAVY_TEXTS], "explain": True}).encode()
"""The most a request may ask to explain (5 x 20,000 = 100,000 characters): the adversarial text costliest to
explain now ("lines"), and texts that once made a pattern backtrack while holding the GIL."""


def send_and_hang_up(url: str, body: bytes, request_id: str, after: float) -> None:
    """Send a whole request on a raw socket, then close it without reading the answer."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        head = (
            f"POST {SCORE} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"X-Request-ID: {request_id}\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        sock.sendall(head.encode() + body)
        time.sleep(after)


def access_line(log: Path, request_id: str, timeout: float) -> dict[str, Any] | None:
    """Return the access line of ``request_id`` once written, or None after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in log.read_text(errors="replace").splitlines():
            if request_id in line and line.startswith("{"):
                entry: dict[str, Any] = json.loads(line)
                if entry.get("request_id") == request_id:
                    return entry
        time.sleep(0.1)
    return None


def test_work_stops_when_the_client_hangs_up(server: Server) -> None:
    """Point 2: the heaviest allowed explanation stops soon after its client leaves, logged as 499."""
    send_and_hang_up(server.url, HEAVIEST, "hang-up-1", after=0.2)
    entry = access_line(server.log, "hang-up-1", timeout=20)
    assert entry is not None, "the abandoned request never finished"
    assert entry["status"] == 499, entry


def test_healthz_answers_while_the_heaviest_requests_run(server: Server) -> None:
    """Point 2: four clients send the heaviest allowed request; a fifth times /healthz meanwhile."""
    done = threading.Event()
    statuses: list[int] = []

    def heavy() -> None:
        with httpx.Client(base_url=server.url, timeout=120) as c:
            while not done.is_set():
                statuses.append(c.post(SCORE, content=HEAVIEST).status_code)

    workers = [threading.Thread(target=heavy) for _ in range(4)]
    for w in workers:
        w.start()
    latencies = []
    try:
        time.sleep(1.0)  # let them start computing
        with httpx.Client(base_url=server.url, timeout=30) as c:
            for _ in range(10):
                start = time.monotonic()
                assert c.get("/healthz").status_code == 200
                latencies.append(time.monotonic() - start)
                time.sleep(0.2)
    finally:
        done.set()
        for w in workers:
            w.join()
    assert statuses and set(statuses) == {200}, statuses
    assert max(latencies) < 1.0, [round(x, 3) for x in latencies]


TOO_MANY = 50_000
LISTS = [
    ("requestedAttributes", ANALYZE, {"comment": {"text": "hi there"}, "requestedAttributes": {f"TOXICITY@v{i}": {} for i in range(TOO_MANY)}}, 32),
    ("languages", ANALYZE, {"comment": {"text": "hi there"}, "requestedAttributes": {"TOXICITY": {}}, "languages": ["en"] * TOO_MANY}, 16),
    ("context.entries", ANALYZE, {"comment": {"text": "hi there"}, "requestedAttributes": {"TOXICITY": {}}, "context": {"entries": [{"text": "x"}] * TOO_MANY}}, 16),
    ("attributes", SCORE, {"comments": [{"text": "hi there"}], "attributes": ["TOXICITY"] * TOO_MANY}, 32),
    ("thresholds", SCORE, {"comments": [{"text": "hi there"}], "thresholds": {f"A{i}": 0.5 for i in range(TOO_MANY)}}, 32),
    ("languages", SUGGEST, {"comment": {"text": "hi there"}, "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}}, "languages": ["en"] * TOO_MANY}, 16),
]  # fmt: skip


@pytest.mark.parametrize(
    ("field", "path", "body", "limit"), LISTS, ids=[f"{p.split('/')[-1]}:{f}" for f, p, _, _ in LISTS]
)
async def test_every_list_is_bounded(shipped: httpx.AsyncClient, field: str, path: str, body: Any, limit: int) -> None:  # fmt: skip
    """Point 4: 50,000 of anything is refused with the field and the limit named."""
    r = await shipped.post(path, json=body)
    assert r.status_code in (400, 422), r.text[:300]
    said = json.dumps(r.json())
    assert field in said and f"at most {limit} items" in said, said[:500]


async def test_an_attribute_named_twice_is_refused_not_multiplied(shipped: httpx.AsyncClient) -> None:
    """Point 4: the same attribute under two names would get two copies of its scores and spans."""
    names = {"TOXICITY": {}, "toxicity@v2": {}}
    r = await shipped.post(ANALYZE, json={"comment": {"text": "You are an idiot."}, "requestedAttributes": names})
    assert r.status_code == 400, r.text[:300]
    error = r.json()["error"]
    assert error["details"][0]["errorType"] == "DUPLICATE_ATTRIBUTE" and "toxicity@v2" in error["message"]
    r = await shipped.post(SCORE, json={"comments": [{"text": "You are an idiot."}], "attributes": ["INSULT"] * 32})
    assert r.status_code == 200 and list(r.json()["results"][0]["scores"]) == ["INSULT"]  # collapsed


async def test_nul_is_refused_and_other_control_characters_are_ignored(shipped: httpx.AsyncClient) -> None:
    """Point 8: NUL hides what follows it from C strings and databases downstream; it is refused."""
    text = "you are lovely\u0000 and an idiot"
    for path, body in (ROUTES["score"](text), ROUTES["span annotations"](text), ROUTES["suggest"](text)):
        r = await shipped.post(path, json=body)
        assert r.status_code in (400, 422), (path, r.text[:300])
        assert "NUL" in r.json()["error"]["message"] and "character 14" in r.json()["error"]["message"]
    plain = await shipped.post(SCORE, json={"comments": [{"text": "you are an idiot"}]})
    controlled = await shipped.post(SCORE, json={"comments": [{"text": "you\u0007 are\u001b an idi\u0085ot"}]})
    assert controlled.status_code == 200
    assert controlled.json()["results"][0]["scores"] == plain.json()["results"][0]["scores"]
