"""Schemathesis fuzzes every operation of the real app's own OpenAPI document.

The schema is read from ``/openapi.json`` of ``create_app(Settings())`` in-process
over ASGI; schemathesis runs the app's lifespan, so the shipped model is loaded.
For each operation it sends a bounded number of valid (positive) and invalid
(negative) requests with a fixed seed, and checks three things of every answer:
no 5xx, a status code the document lists for that operation, and a body that
matches the schema documented for that status. A summary goes to
``test-artifacts/schemathesis-summary.txt``.

The Coral route is on (a signing secret is configured) and every request to it is
signed on the way in, as Coral would sign it, so the fuzzing reaches its body
validation and scoring instead of stopping at the signature check.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance
from starlette.types import ASGIApp, Receive, Scope, Send

from service.app import create_app
from service.coral.signature import sign
from service.middleware.body_guard import replay_body
from service.settings import Settings

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SUMMARY = ROOT / "test-artifacts" / "schemathesis-summary.txt"
SEED = 20261125
MAX_EXAMPLES = 50  # per operation and generation mode; about a minute in all on two slow cores
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]

# Operations that must be in the document, native and Perspective; any other one found is fuzzed too.
REQUIRED = [
    "GET /healthz",
    "GET /readyz",
    "POST /v1/score",
    "GET /v1/model",
    "POST /v1alpha1/comments:analyze",
    "POST /v1alpha1/comments:suggestscore",
    "GET /$discovery/rest",
    "POST /v1/moderations",
    "POST /integrations/coral/moderation",
]
CORAL_SECRET = "schemathesis-coral-signing-secret"


def documented_operations() -> list[str]:
    """Return ``METHOD /path`` of every operation in the app's document (no lifespan needed)."""
    document = create_app(Settings()).openapi()
    return [f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item]


OPERATIONS = documented_operations()


@dataclass
class Tally:
    """What one operation was sent and answered."""

    examples: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0


TALLIES: dict[str, Tally] = {}


@pytest.fixture(scope="module", autouse=True)
def _summary() -> Iterator[None]:
    """Write the summary once every operation has been fuzzed."""
    yield
    if not TALLIES:
        return
    lines = [
        f"schemathesis {schemathesis.__version__}, seed {SEED}, up to {MAX_EXAMPLES} examples per operation and mode",
        f"checks: {', '.join(c.__name__ for c in CHECKS)}",
        "",
    ]
    for label in OPERATIONS:
        t = TALLIES.get(label)
        if t is None:
            lines.append(f"{label:<40} not run")
            continue
        sent = ", ".join(f"{mode} {n}" for mode, n in sorted(t.examples.items()))
        got = ", ".join(f"{status}: {n}" for status, n in sorted(t.statuses.items()))
        lines.append(
            f"{label:<40} {sum(t.examples.values()):>4} examples ({sent}); statuses {got}; "
            f"failures {len(t.failures)}; {t.seconds:.1f} s"
        )
        lines += [f"    FAILURE: {f}" for f in t.failures]
    total = sum(sum(t.examples.values()) for t in TALLIES.values())
    failures = sum(len(t.failures) for t in TALLIES.values())
    lines += ["", f"operations {len(TALLIES)}, examples {total}, failures {failures}"]
    SUMMARY.parent.mkdir(parents=True, exist_ok=True)
    SUMMARY.write_text("\n".join(lines) + "\n")


def signing_as_coral(app: ASGIApp) -> ASGIApp:
    """Sign every request to the Coral route with ``CORAL_SECRET``, whatever its body, then hand it to ``app``."""

    async def signed(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/integrations/coral/moderation":
            await app(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if message["type"] != "http.request" or not message.get("more_body", False):
                break
        body = b"".join(chunks)
        headers = [(k, v) for k, v in scope["headers"] if k != b"x-coral-signature"]
        headers.append((b"x-coral-signature", sign(body, [CORAL_SECRET.encode()]).encode()))
        await app({**scope, "headers": headers}, replay_body(body, receive), send)

    return signed


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> schemathesis.BaseSchema:
    """Load the document from one running app serving the shipped model, shared by this module."""
    db = tmp_path_factory.mktemp("schemathesis") / "suggestions.sqlite3"
    with pytest.MonkeyPatch.context() as env:
        for key in [k for k in os.environ if k.startswith("TOXICITY_")]:
            env.delenv(key)
        app = create_app(Settings(suggestions_db=db, coral_secrets=CORAL_SECRET))
    # Suggestions go to this module's own folder; never the checkout's var/.
    assert app.state.settings.suggestions_db == db
    loaded = schemathesis.openapi.from_asgi("/openapi.json", signing_as_coral(app))
    assert app.state.model is not None, "the lifespan did not run"
    return loaded


def test_every_operation_is_fuzzed(schema: schemathesis.BaseSchema) -> None:
    found = sorted(f"{op.ok().method.upper()} {op.ok().path}" for op in schema.get_all_operations())
    assert found == sorted(OPERATIONS)
    assert set(REQUIRED) <= set(found)


def fuzz(operation: schemathesis.APIOperation, mode: GenerationMode, tally: Tally) -> None:
    """Send up to MAX_EXAMPLES requests of one mode; record every failed check instead of stopping."""

    @seed(SEED)
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        case = data.draw(operation.as_strategy(generation_mode=mode))
        response = case.call()
        tally.examples[mode.value] += 1
        tally.statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except AssertionError as exc:
            lines = [line for line in str(exc).strip().splitlines() if line.strip()]
            tally.failures.append(f"{mode.value} {case.method} -> {response.status_code}: {' | '.join(lines[:8])}")

    run()


@pytest.mark.parametrize("label", OPERATIONS)
def test_operation_conforms(schema: schemathesis.BaseSchema, label: str) -> None:
    method, path = label.split(" ", 1)
    operation = schema[path][method]
    tally = TALLIES.setdefault(label, Tally())
    started = time.perf_counter()
    fuzz(operation, GenerationMode.POSITIVE, tally)
    if operation.body or list(operation.iter_parameters()):  # nothing can be invalid about a request without inputs
        fuzz(operation, GenerationMode.NEGATIVE, tally)
    tally.seconds += time.perf_counter() - started
    assert not tally.failures, "\n".join(tally.failures)
