"""How much of the disk one client can fill through ``comments:suggestscore`` (issue 20, point 3).

Starts the service of this checkout with default settings on a free loopback port
(``tests.live``) and, as one client, sends:

1. one ordinary suggestion, then reports the mode of the store's files;
2. one suggestion with 100,000 ``attributeScores``: status, seconds, disk added;
3. for ``--seconds`` each, back to back: 4 MB suggestions (a 20 KB comment and
   a 4 MB context), then the largest suggestion the limits allow (a 20 KB comment,
   19 KB of context, 16 attributes of 32 spans): statuses, disk added, MB per minute.

Disk is the size of the SQLite file with its ``-wal`` and ``-shm``.

    python bench/suggest_abuse.py [--seconds 10]
"""

from __future__ import annotations

import argparse
import json
import stat
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.live import live_server

COMMENT = "word " * 4_000  # 20,000 bytes, the default limit is 20,480
SCORES = {"TOXICITY": {"summaryScore": {"value": 1}}}


def disk(db: Path) -> int:
    """Return the bytes the store takes: the file, its WAL and shared memory."""
    return sum(p.stat().st_size for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")) if p.exists())


def modes(db: Path) -> dict[str, str]:
    """Return the permission bits of the store's files and folder."""
    files = {p.name: p for p in (db.parent, db, Path(f"{db}-wal"), Path(f"{db}-shm")) if p.exists()}
    return {name: oct(stat.S_IMODE(p.stat().st_mode)) for name, p in files.items()}


def huge() -> dict[str, Any]:
    """Return a suggestion of about 4 MB, just under the default body limit."""
    return {
        "comment": {"text": COMMENT},
        "context": {"entries": [{"text": "x" * 4_100_000}]},
        "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}},
    }


def largest_allowed() -> dict[str, Any]:
    """Return the largest suggestion the branch's default limits accept."""
    spans = [{"begin": i, "end": i + 5, "score": {"value": 0.5}} for i in range(32)]
    attributes = {f"ATTRIBUTE_{i:02d}": {"summaryScore": {"value": 0.5}, "spanScores": spans} for i in range(16)}
    context = {"entries": [{"text": "y" * 19_000}]}
    return {"comment": {"text": COMMENT}, "context": context, "attributeScores": attributes}


def flood(client: httpx.Client, url: str, body: dict[str, Any], seconds: float, db: Path) -> dict[str, Any]:
    """Post ``body`` back to back for ``seconds``; return the statuses and the disk it filled."""
    payload = json.dumps(body).encode()
    before = disk(db)
    statuses: Counter[int] = Counter()
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        r = client.post(url, content=payload, headers={"Content-Type": "application/json"})
        statuses[r.status_code] += 1
    elapsed = time.monotonic() - start
    added = disk(db) - before
    return {
        "body_bytes": len(payload),
        "seconds": round(elapsed, 1),
        "statuses": dict(statuses),
        "disk_added_mb": round(added / 1e6, 2),
        "mb_per_minute": round(added / 1e6 * 60 / elapsed, 1),
    }


def main() -> None:
    """Run the measurements and print one JSON object."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each flood")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        db = tmp / "store" / "suggestions.sqlite3"
        with live_server(tmp, {"TOXICITY_SUGGESTIONS_DB": str(db)}) as server, httpx.Client(timeout=120) as client:
            url = f"{server.url}/v1alpha1/comments:suggestscore"
            ordinary = {"comment": {"text": "you clown"}, "attributeScores": SCORES}
            out: dict[str, Any] = {"ordinary": client.post(url, json=ordinary).status_code, "modes": modes(db)}
            many = {
                "comment": {"text": "you clown"},
                "attributeScores": {f"A{i}": {"summaryScore": {"value": 0.5}} for i in range(100_000)},
            }
            before, start = disk(db), time.monotonic()
            r = client.post(url, json=many)
            out["100k_attributes"] = {
                "status": r.status_code,
                "seconds": round(time.monotonic() - start, 2),
                "disk_added_mb": round((disk(db) - before) / 1e6, 2),
                "message": r.json().get("error", {}).get("message"),
            }
            out["flood_4mb"] = flood(client, url, huge(), args.seconds, db)
            out["flood_largest_allowed"] = flood(client, url, largest_allowed(), args.seconds, db)
            out["disk_total_mb"] = round(disk(db) / 1e6, 2)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
