"""What slow clients, crafted headers and scoring keys get from a live service (issue 20, points 5 to 8).

Starts ``python -m service`` from the checkout named by ``--repo`` (default: this
one) with the shipped model on a free loopback port, and reports, as an attacker:

- 5: a body sent one byte per 0.5 s, headers sent one line per 0.5 s, a connection
  that sends nothing (each given up after 30 s): when the server answered or closed;
  then a client that sends half a body and hangs up: how ``/metrics`` and the
  access log count it;
- 6: the discovery document's ``rootUrl`` for ``Host: evil.example``; 50 requests
  from loopback, each with another ``X-Forwarded-For``, against a limit of 1/s in
  bursts of 5 (its own server);
- 7 and 8: ``POST /v1/admin/reload`` with a scoring key, and ``comments:analyze``
  with the key in ``X-Goog-Api-Key`` (keys configured; its own server).

    python bench/connection_abuse.py [--repo ../main]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.live import free_port, wait_ready

GIVE_UP = 30.0
HEADERS_START = b"POST /v1/score HTTP/1.1\r\nHost: x\r\n"
HEADER_LINE = b"X-Slow: y\r\n"
BODY_HEAD = b"POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"


@contextmanager
def serve(repo: Path, env: dict[str, str]) -> Iterator[tuple[str, int, Path]]:
    """Run ``python -m service`` from ``repo``; yield its URL, port and log file."""
    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="connection-abuse-"))
    full = {k: v for k, v in os.environ.items() if not k.startswith("TOXICITY_")}
    full.update(PYTHONPATH=str(repo), TOXICITY_PORT=str(port), TOXICITY_SUGGESTIONS_DB=str(folder / "s.db"), **env)
    log = folder / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "service"], cwd=repo, env=full, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, proc, log, 120)
        yield url, port, log
    finally:
        proc.terminate()
        proc.wait(20)


def held_open(port: int, head: bytes, drip: bytes) -> str:
    """Send ``head``, then ``drip`` every 0.5 s; return when the server answered or closed, and how."""
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.settimeout(0.5)
        s.sendall(head)
        start, answer = time.monotonic(), b""
        while time.monotonic() - start < GIVE_UP:
            try:
                if drip and not answer:
                    s.sendall(drip)
                chunk = s.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                break
            if not chunk:
                break
            answer += chunk
        first = answer.split(b"\r\n")[0].decode() or "no answer"
        return f"{time.monotonic() - start:.1f} s, {first}"


def slow_clients(repo: Path) -> None:
    with serve(repo, {}) as (url, port, log):
        print(f"5  body, 1 byte per 0.5 s (Content-Length 100): {held_open(port, BODY_HEAD, b' ')}")
        print(f"5  headers, 1 line per 0.5 s: {held_open(port, HEADERS_START, HEADER_LINE)}")
        print(f"5  connection that sends nothing: {held_open(port, b'', b'')}")
        with socket.create_connection(("127.0.0.1", port)) as s:
            s.sendall(BODY_HEAD + b'{"comments": [')
            time.sleep(0.2)
        time.sleep(0.5)
        samples = [
            line
            for line in httpx.get(f"{url}/metrics").text.splitlines()
            if line.startswith("toxicity_http_requests_total{") and "POST" in line
        ]
        print(f"5  POST requests in /metrics after it: {samples}")
        access = [json.loads(line) for line in log.read_text().splitlines() if '"toxicity.access"' in line]
        print(f"5  access-line statuses of the POSTs: {[a['status'] for a in access if a['method'] == 'POST']}")
        r = httpx.get(f"{url}/$discovery/rest?version=v1alpha1", headers={"Host": "evil.example"})
        shown = r.json().get("rootUrl") or r.json()["error"]["message"]
        print(f"6  discovery with Host: evil.example: {r.status_code} {shown}")


def forwarded(repo: Path) -> None:
    limited = {"TOXICITY_RATE_LIMIT_PER_SECOND": "1", "TOXICITY_RATE_LIMIT_BURST": "5"}
    with serve(repo, limited) as (url, _, _), httpx.Client() as c:
        codes = [c.get(f"{url}/v1/model", headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code for i in range(50)]
    print(f"6  50 requests, a new X-Forwarded-For each, 1/s in bursts of 5: {codes.count(200)} x 200, ", end="")
    print(f"{codes.count(429)} x 429")


def keys(repo: Path) -> None:
    with serve(repo, {"TOXICITY_API_KEYS": "score-key", "TOXICITY_ADMIN_KEYS": "admin-key"}) as (url, _, _):
        r = httpx.post(f"{url}/v1/admin/reload", headers={"Authorization": "Bearer score-key"}, timeout=120)
        print(f"7  reload with a scoring key: {r.status_code} {r.text[:160]}")
        body = {"comment": {"text": "hello there"}, "requestedAttributes": {"TOXICITY": {}}}
        r = httpx.post(f"{url}/v1alpha1/comments:analyze", headers={"X-Goog-Api-Key": "score-key"}, json=body)
        print(f"8  analyze with X-Goog-Api-Key: {r.status_code} {r.text[:100]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[1])
    repo = parser.parse_args().repo.resolve()
    print(f"service from {repo}")
    slow_clients(repo)
    forwarded(repo)
    keys(repo)


if __name__ == "__main__":
    main()
