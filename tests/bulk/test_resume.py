"""``--resume`` after a run killed with SIGKILL: no chunk scored twice, no row lost, the same bytes as one run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.bulk.conftest import comments, write_input

ROOT = Path(__file__).resolve().parents[2]
ROWS = 30_000
CHUNK = 100


def command(src: Path, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "bulk",
        "score",
        str(src),
        str(out),
        "--id-column",
        "id",
        "--text-column",
        "body",
        "--chunk-rows",
        str(CHUNK),
        "--workers",
        "2",
        "--preset",
        "balanced",
        *extra,
    ]


def committed(state: Path) -> int:
    try:
        return int(json.loads(state.read_text())["committed"])
    except (OSError, ValueError):
        return 0


@pytest.mark.slow
def test_resume_after_sigkill_gives_the_uninterrupted_output(tmp_path: Path) -> None:
    records = [{"id": i, "body": t} for i, t in comments(ROWS)]
    records[123]["body"] = ""  # a reject in an early chunk, and one late
    records[ROWS - 5]["body"] = ""
    src = write_input(tmp_path / "in.csv", records)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    whole = tmp_path / "whole.csv.gz"
    subprocess.run(command(src, whole, "--quiet"), cwd=ROOT, env=env, check=True, timeout=600)

    out = tmp_path / "killed.csv.gz"
    state = tmp_path / "killed.csv.gz.partial" / "state.json"
    run = subprocess.Popen(command(src, out), cwd=ROOT, env=env, start_new_session=True, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while committed(state) < 20 and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(run.pid, signal.SIGKILL)  # the command and its workers, mid-run
    run.wait()
    done = committed(state)
    assert 20 <= done < ROWS // CHUNK, f"killed after {done} chunks: not mid-run"
    assert not out.exists()

    resumed = subprocess.run(
        command(src, out, "--resume"), cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert resumed.returncode == 0, resumed.stderr
    assert out.read_bytes() == whole.read_bytes()  # every row once, in order
    assert (tmp_path / "killed.rejects.jsonl").read_bytes() == (tmp_path / "whole.rejects.jsonl").read_bytes()
    summary = json.loads((tmp_path / "killed.summary.json").read_text())
    assert summary["resumed"] is True
    assert summary["rows_committed_before_resume"] >= done * CHUNK  # those chunks were not scored again
    assert summary["rows"] == ROWS == summary["scored"] + summary["rejected"] and summary["rejected"] == 2
    assert not (tmp_path / "killed.csv.gz.partial").exists()
    assert "rows/s" in resumed.stderr and "ETA" in resumed.stderr
