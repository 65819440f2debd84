"""The production image, built without a daemon (buildah on a debootstrapped Debian base) and run.

``.ci/container.sh build`` makes the image; the container then runs with buildah's
chroot isolation, which shares the host's network, so the service answers on the
host's loopback. Needs root, buildah and debootstrap (``apt-get install buildah
debootstrap``); skips without them, unless TOXICITY_REQUIRE_CONTAINER is set (as
``.ci/run`` does), in which case their absence fails. The base image and the
dependency layer stay cached in buildah's store, so only the first run is slow.
Deselect with ``-m "not container"``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.live import ROOT, free_port, wait_ready

# Read at import: the autouse fixture in tests/conftest.py clears TOXICITY_* before each test.
REQUIRE = bool(os.environ.get("TOXICITY_REQUIRE_CONTAINER"))
TAG = "localhost/toxicity:test"
BUILD = ROOT / ".ci" / "container.sh"
BUILD_TIMEOUT = 900.0  # a cold build (debootstrap, then the wheels) takes about 2 minutes
READY_TIMEOUT = 120.0
SBIN = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])  # debootstrap lives in /usr/sbin

pytestmark = [pytest.mark.container, pytest.mark.slow]


def _missing() -> str | None:
    if os.geteuid() != 0:
        return "needs root (buildah and debootstrap build the image as root)"
    absent = [tool for tool in ("buildah", "debootstrap") if shutil.which(tool, path=SBIN) is None]
    if absent:
        return f"needs {' and '.join(absent)} (apt-get install buildah debootstrap)"
    return None


def _buildah(*args: str, timeout: float = 120.0) -> str:
    done = subprocess.run(["buildah", *args], capture_output=True, text=True, timeout=timeout, check=False, env=_env())
    if done.returncode:
        raise AssertionError(f"buildah {' '.join(args)} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return done.stdout


def _env() -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith("TOXICITY_")}, "PATH": SBIN}


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Build the image once per run and return its config (Docker format, as built)."""
    reason = _missing()
    if reason:
        if REQUIRE:
            pytest.fail(f"{reason}, but TOXICITY_REQUIRE_CONTAINER is set")
        pytest.skip(reason)
    log = tmp_path_factory.mktemp("container") / "build.log"
    started = time.monotonic()
    with log.open("wb") as out:
        done = subprocess.run(
            ["bash", str(BUILD), "build", TAG],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=BUILD_TIMEOUT,
            check=False,
            env=_env(),
        )
    if done.returncode:
        pytest.fail(f"{BUILD.name} build exited {done.returncode}:\n{log.read_text(errors='replace')[-5000:]}")
    print(f"image {TAG} built in {time.monotonic() - started:.0f}s")  # shown with -rP; cold vs warm
    config: dict[str, Any] = json.loads(_buildah("inspect", "--type", "image", TAG))["Docker"]["config"]
    return config


@pytest.fixture
def container(image: dict[str, Any]) -> Iterator[str]:
    """Yield a fresh working container of the image; remove it afterwards."""
    name = f"toxicity-test-{uuid.uuid4().hex[:8]}"
    _buildah("from", "--pull=never", "--name", name, TAG)
    try:
        yield name
    finally:
        _buildah("rm", name)


def _run_args(container: str, command: list[str], env: dict[str, str] | None = None) -> list[str]:
    # chroot isolation: no OCI runtime or namespaces needed, and the host's network is shared.
    flags = [f"--env={k}={v}" for k, v in (env or {}).items()]
    return ["run", "--isolation", "chroot", *flags, container, "--", *command]


def _run(container: str, *command: str, env: dict[str, str] | None = None) -> str:
    return _buildah(*_run_args(container, list(command), env))


def test_image_config(image: dict[str, Any]) -> None:
    user = image["User"]
    assert user and user.split(":")[0] not in ("0", "root"), f"the image runs as {user!r}"
    env = dict(item.split("=", 1) for item in image["Env"])
    assert env["TOXICITY_HOST"] == "0.0.0.0"
    assert env["TOXICITY_SUGGESTIONS_DB"].startswith("/var/lib/toxicity/")
    assert "/var/lib/toxicity" in image["Volumes"]
    assert "TOXICITY_WORKERS" not in env, "workers come from the settings at run time"
    assert image["Cmd"] == ["python", "-m", "service"]
    health = image["Healthcheck"]["Test"]
    assert health[0] == "CMD" and "/healthz" in health[-1]


def test_image_contents(container: str) -> None:
    # The image's own user can write its data folder but not the code.
    probe = (
        "import os, pathlib, importlib.util as u; "
        "p = pathlib.Path(os.environ['TOXICITY_SUGGESTIONS_DB']).parent; "
        "print(os.getuid(), os.access(p, os.W_OK), os.access('/app/model', os.W_OK), "
        "u.find_spec('training') is None, u.find_spec('pip') is None)"
    )
    uid, data_writable, code_writable, no_training, no_pip = _run(container, "python", "-c", probe).split()
    assert int(uid) != 0
    assert data_writable == "True" and code_writable == "False"
    assert no_training == "True", "training/ is not needed to serve and should stay out of the image"
    assert no_pip == "True"


def test_image_serves_scores(image: dict[str, Any], container: str, tmp_path: Path) -> None:
    port = free_port()
    env = {"TOXICITY_PORT": str(port), "TOXICITY_WORKERS": "2"}
    start = [*(image.get("Entrypoint") or []), *image["Cmd"]]  # the image's own start command
    log = tmp_path / "container.log"
    with log.open("wb") as out:
        # Own session: stopping it reaches buildah's chroot helpers and the service under them.
        proc = subprocess.Popen(
            ["buildah", *_run_args(container, start, env)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=_env(),
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, proc, log, READY_TIMEOUT, what="the container", fail=pytest.fail, interval=0.2)

        r = httpx.post(f"{url}/v1/score", json={"comments": [{"text": "you are a pathetic idiot"}]}, timeout=30)
        assert r.status_code == 200, r.text
        score = r.json()["results"][0]["scores"]["TOXICITY"]
        assert 0 < score < 1

        # Suggestions land in the volume, which the non-root user owns.
        suggestion = {
            "comment": {"text": "you are a clown"},
            "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}},
        }
        r = httpx.post(f"{url}/v1alpha1/comments:suggestscore", json=suggestion, timeout=30)
        assert r.status_code == 200, r.text

        # TOXICITY_WORKERS reaches uvicorn: it spawns that many worker processes.
        workers = [c for c in _session_cmdlines(proc.pid) if "multiprocessing.spawn" in c]
        assert len(workers) == 2, workers

        # The image's HEALTHCHECK command, run in the container, passes against the live service.
        _run(container, *image["Healthcheck"]["Test"][1:], env=env)
    finally:
        _stop(proc)
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{url}/healthz", timeout=1.0)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=20)
    # buildah's chroot helpers and the service share the session's process group.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _session_cmdlines(sid: int) -> list[str]:
    """Return the command lines of the host processes in session ``sid`` (chroot isolation shares the PID space)."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getsid(int(entry.name)) == sid:
                out.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except (ProcessLookupError, PermissionError, FileNotFoundError):
            continue
    return out
