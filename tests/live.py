"""Start the real service in a subprocess on a free loopback port, for tests that need a socket."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path


def _raise(message: str) -> NoReturn:
    raise RuntimeError(message)


def wait_ready(
    url: str,
    proc: subprocess.Popen[bytes],
    log: Path,
    timeout: float,
    what: str = "server",
    fail: Callable[[str], NoReturn] = _raise,
    interval: float = 0.1,
) -> None:
    """Poll ``url``/readyz until it answers 200; ``fail`` with the log's tail if the process exits or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            fail(f"{what} exited {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(f"{url}/readyz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            fail(f"{what} not ready after {timeout}s:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(interval)


@contextmanager
def live_server(tmp_path: Path, env: Mapping[str, str] | None = None, timeout: float = 60.0) -> Iterator[Server]:
    """Run ``python -m service`` until the block ends; yield its base URL once ready."""
    port = free_port()
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("TOXICITY_")}
    full_env.update(
        {
            "TOXICITY_HOST": "127.0.0.1",
            "TOXICITY_PORT": str(port),
            "TOXICITY_SUGGESTIONS_DB": str(tmp_path / f"suggestions-{port}.sqlite3"),
            "PYTHONPATH": str(ROOT),
        }
    )
    full_env.update(env or {})
    log = tmp_path / f"server-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "service"], cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, proc, log, timeout)
        yield Server(url, proc, log)
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
