"""Model reload without downtime: POST /v1/admin/reload and SIGHUP; a bad artifact leaves the old model serving."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from model import DEFAULT_PATH
from service.app import create_app
from service.settings import Settings
from tests.live import ROOT, live_server
from tests.service.conftest import running
from tests.service.test_metrics import parse, value, version_of

KEY = {"Authorization": "Bearer s3cret"}  # a scoring key
ADMIN = {"Authorization": "Bearer 0perat0r"}  # an operator key: reload needs one


def point(link: Path, target: Path) -> None:
    """Atomically re-point the symlink ``link`` at ``target``."""
    tmp = link.with_name(link.name + ".new")
    tmp.symlink_to(target.resolve(), target_is_directory=True)
    os.replace(tmp, link)


def tampered(artifact: Path, where: Path) -> Path:
    shutil.copytree(artifact, where)
    joblib_file = next(where.glob("*.joblib"))
    data = bytearray(joblib_file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    joblib_file.write_bytes(bytes(data))
    return where


@pytest.fixture
def link(tmp_path: Path, tiny_artifact: Path) -> Path:
    """A model path that starts at the tiny model; tests re-point it."""
    path = tmp_path / "current"
    path.symlink_to(tiny_artifact, target_is_directory=True)
    return path


@pytest.fixture
async def keyed(link: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for c in running(create_app(Settings(model_path=link, api_keys="s3cret", admin_keys="0perat0r"))):
        yield c


@pytest.mark.anyio
async def test_admin_reload_swaps_to_the_new_artifact(
    keyed: httpx.AsyncClient, link: Path, tiny_artifact: Path
) -> None:
    tiny, shipped = version_of(tiny_artifact), version_of(DEFAULT_PATH)
    assert tiny != shipped
    assert (await keyed.get("/v1/model", headers=KEY)).json()["version"] == tiny
    point(link, DEFAULT_PATH)
    r = await keyed.post("/v1/admin/reload", headers=ADMIN)
    assert r.status_code == 200, r.text
    assert r.json() == {"version": shipped, "previous": tiny}
    assert (await keyed.get("/v1/model", headers=KEY)).json()["version"] == shipped
    scored = await keyed.post("/v1/score", json={"comments": [{"text": "hello"}]}, headers=KEY)
    assert scored.json()["model"]["version"] == shipped
    m = parse((await keyed.get("/metrics")).text)
    assert value(m, "toxicity_model_loads_total", outcome="success") == 2
    assert value(m, "toxicity_model_info", version=shipped) == 1
    assert value(m, "toxicity_model_info", version=tiny) == 0


@pytest.mark.anyio
async def test_a_corrupt_artifact_leaves_the_old_model_serving(
    keyed: httpx.AsyncClient, link: Path, tiny_artifact: Path, tmp_path: Path
) -> None:
    tiny = version_of(tiny_artifact)
    point(link, tampered(tiny_artifact, tmp_path / "bad"))
    r = await keyed.post("/v1/admin/reload", headers=ADMIN)
    assert r.status_code == 409
    error = r.json()["error"]
    assert error["code"] == "reload_failed"
    assert error["field"] == "TOXICITY_MODEL_PATH"
    assert "sha256" in error["message"] and "corrupt" in error["message"]
    assert error["message"].endswith(f"still serving {tiny}")
    assert (await keyed.get("/v1/model", headers=KEY)).json()["version"] == tiny
    assert (await keyed.post("/v1/score", json={"comments": [{"text": "hi"}]}, headers=KEY)).status_code == 200
    point(link, tmp_path / "missing")
    r = await keyed.post("/v1/admin/reload", headers=ADMIN)
    assert r.status_code == 409
    assert "manifest.json" in r.json()["error"]["message"]
    m = parse((await keyed.get("/metrics")).text)
    assert value(m, "toxicity_model_loads_total", outcome="failure") == 2
    assert value(m, "toxicity_model_loads_total", outcome="success") == 1
    assert value(m, "toxicity_model_info", version=tiny) == 1


@pytest.mark.anyio
async def test_reload_needs_an_operator_key(keyed: httpx.AsyncClient) -> None:
    r = await keyed.post("/v1/admin/reload")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthenticated"
    assert (await keyed.post("/v1/admin/reload", headers={"X-API-Key": "guess"})).status_code == 401
    scoring = await keyed.post("/v1/admin/reload", headers=KEY)
    assert scoring.status_code == 403
    assert (
        scoring.json()["error"]["code"] == "forbidden" and "TOXICITY_ADMIN_KEYS" in scoring.json()["error"]["message"]
    )


@pytest.mark.anyio
async def test_reload_is_disabled_without_operator_keys(tiny_artifact: Path) -> None:
    # Scoring keys alone do not enable operator routes.
    for settings in (Settings(model_path=tiny_artifact), Settings(model_path=tiny_artifact, api_keys="s3cret")):
        async for c in running(create_app(settings)):
            r = await c.post("/v1/admin/reload", headers=KEY)
            assert r.status_code == 403
            error = r.json()["error"]
            assert error["code"] == "admin_disabled"
            assert "no operator keys are configured" in error["message"] and "TOXICITY_ADMIN_KEYS" in error["message"]


def wait_for_version(url: str, version: str, timeout: float = 90.0, in_a_row: int = 1) -> None:
    deadline = time.monotonic() + timeout
    seen = 0
    while time.monotonic() < deadline:
        r = httpx.get(f"{url}/v1/model", timeout=10)  # a fresh connection: any worker may answer
        assert r.status_code == 200, r.text
        seen = seen + 1 if r.json()["version"] == version else 0
        if seen >= in_a_row:
            return
        time.sleep(0.1)
    raise AssertionError(f"still not serving {version} after {timeout}s")


@pytest.mark.slow
def test_sighup_reloads_a_single_worker(tmp_path: Path, link: Path, tiny_artifact: Path) -> None:
    shipped = version_of(DEFAULT_PATH)
    with live_server(tmp_path, {"TOXICITY_MODEL_PATH": str(link)}) as server:
        point(link, tampered(tiny_artifact, tmp_path / "bad"))
        server.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 30
        while "model reload failed" not in server.log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert server.process.poll() is None
        assert httpx.get(f"{server.url}/v1/model").json()["version"] == version_of(tiny_artifact)
        point(link, DEFAULT_PATH)
        server.process.send_signal(signal.SIGHUP)
        wait_for_version(server.url, shipped)
        assert server.process.poll() is None
    lines = [json.loads(line) for line in server.log.read_text().splitlines() if line.startswith("{")]
    failed = [e for e in lines if e.get("message") == "model reload failed"]
    assert len(failed) == 1 and "sha256" in failed[0]["error"]
    assert any(e.get("message") == "model reloaded" and e.get("version") == shipped for e in lines)


@pytest.mark.slow
def test_sighup_to_the_parent_replaces_workers_without_dropping_requests(tmp_path: Path, link: Path) -> None:
    shipped = version_of(DEFAULT_PATH)
    env = {"TOXICITY_MODEL_PATH": str(link), "TOXICITY_WORKERS": "2"}
    with live_server(tmp_path, env) as server:
        point(link, DEFAULT_PATH)
        server.process.send_signal(signal.SIGHUP)  # uvicorn's supervisor: start a new worker, then retire an old one
        wait_for_version(server.url, shipped, in_a_row=20)
        assert server.process.poll() is None
    assert "Received SIGHUP, restarting processes." in server.log.read_text()


@pytest.mark.slow
def test_a_retiring_worker_answers_a_request_already_sent_on_an_idle_connection(tmp_path: Path) -> None:
    """The race behind a SIGHUP's dropped request: uvicorn closed idle connections at once on shutdown."""
    with live_server(tmp_path, {"TOXICITY_WORKERS": "1"}) as server:
        host, port = server.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            time.sleep(0.3)  # the worker has accepted the connection; no request on it yet
            server.process.send_signal(signal.SIGTERM)
            time.sleep(0.5)  # its graceful shutdown has begun (uvicorn checks every 0.1 s)
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            answer = b""
            while chunk := sock.recv(65536):  # read until the server closes the connection
                answer += chunk
        assert server.process.wait(timeout=30) in (0, -signal.SIGTERM)  # uvicorn re-raises the signal it handled
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert b"connection: close" in answer.lower()


def run_service(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("TOXICITY_")}
    full.update({"PYTHONPATH": str(ROOT), "TOXICITY_SUGGESTIONS_DB": str(tmp_path / "s.sqlite3"), **env})
    return subprocess.run(
        [sys.executable, "-m", "service"], cwd=ROOT, env=full, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("kind", ["missing", "corrupt"])
def test_start_up_refuses_a_bad_artifact_with_one_line(tmp_path: Path, tiny_artifact: Path, kind: str) -> None:
    path = tmp_path / "missing" if kind == "missing" else tampered(tiny_artifact, tmp_path / "bad")
    done = run_service(tmp_path, TOXICITY_MODEL_PATH=str(path))
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("toxicity service: cannot load the model: ")
    assert ("manifest.json" if kind == "missing" else "sha256") in lines[0]


def test_start_up_refuses_invalid_settings(tmp_path: Path) -> None:
    done = run_service(tmp_path, TOXICITY_RATE_LIMIT_PER_SECOND="-1")
    assert done.returncode == 2
    assert done.stderr.strip().startswith("toxicity service: invalid settings: TOXICITY_RATE_LIMIT_PER_SECOND")


@pytest.mark.anyio
async def test_serving_app_freezes_the_loaded_heap(tiny_artifact: Path) -> None:
    # The model's long-lived objects leave the collector's view, so full collections
    # stop stalling requests; apps built for tests leave the process alone.
    import gc

    gc.unfreeze()
    try:
        async for c in running(create_app(Settings(model_path=tiny_artifact))):
            assert (await c.get("/readyz")).status_code == 200
            assert gc.get_freeze_count() == 0
        async for c in running(create_app(Settings(model_path=tiny_artifact), serving=True)):
            assert (await c.get("/readyz")).status_code == 200
            assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()
