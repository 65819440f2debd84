"""Suggestions stored per second: PostgreSQL beside SQLite, measured in the same run (issue 24).

Calls ``store.add`` directly (no HTTP) with one and with ``--threads`` writer threads,
each with its own suggestions, for ``--seconds`` each, the two stores taking turns
``--repeat`` times (the median is reported; the machine is shared, so single runs vary): every add is a durable commit
(SQLite: WAL fsynced; PostgreSQL: ``synchronous_commit=on``), so this is the ceiling
the stores put on ``comments:suggestscore`` and ``POST /v1/suggestions``. PostgreSQL is
a server this script starts on loopback (Debian's ``postgresql``, as the tests do).
Prints a table with PostgreSQL's rate as a ratio of SQLite's from the same run, and
writes ``bench/results/feedback_store.json``.

    python bench/feedback_store.py [--seconds 5] [--threads 4] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import machine, table, write_json
from service.perspective.store import FeedbackStore, Suggestion, SuggestionStore
from service.perspective.store_pg import PostgresStore
from tests import pg

SCORES = {"TOXICITY": {"summaryScore": {"value": 1}}}


def rate(store: FeedbackStore, threads: int, seconds: float) -> float:
    """Return suggestions stored per second by ``threads`` writers adding back to back for ``seconds``."""
    done = [0] * threads
    stop = time.monotonic() + seconds

    def writer(n: int) -> None:
        while time.monotonic() < stop:
            text = f"bench comment {n}-{done[n]} " + "word " * 40
            store.add(Suggestion(text, "PLAIN_TEXT", None, SCORES, ["en"], None, f"t{n}-{done[n]}", None))
            done[n] += 1

    started = time.monotonic()
    workers = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(done) / (time.monotonic() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    reason = pg.missing_reason()
    if reason is not None:
        print(f"feedback_store: this benchmark {reason}", file=sys.stderr)
        return 2
    server = pg.start_server()
    try:
        with tempfile.TemporaryDirectory() as folder:
            rows = []
            figures = {}
            for threads in (1, args.threads):
                sqlite = SuggestionStore(Path(folder) / f"s{threads}.sqlite3")
                postgres = PostgresStore(server.url(), pool_size=args.threads)
                lites, posts = [], []
                try:
                    for _ in range(args.repeat):  # taking turns, so both see the same background load
                        lites.append(rate(sqlite, threads, args.seconds))
                        posts.append(rate(postgres, threads, args.seconds))
                finally:
                    sqlite.close()
                    postgres.close()
                lite, post = statistics.median(lites), statistics.median(posts)
                figures[f"threads_{threads}"] = {"sqlite": lite, "postgresql": post, "ratio": post / lite}
                rows.append([threads, f"{lite:.0f}/s", f"{post:.0f}/s", f"{post / lite:.2f}"])
    finally:
        pg.remove(server)
    m = machine()
    print(f"Measured {m['date']} on {m['cores']} cores ({m['cpu']}), median of {args.repeat} x {args.seconds:g} s.\n")
    print(table(["writer threads", "SQLite", "PostgreSQL (loopback)", "PostgreSQL / SQLite"], rows))
    write_json("feedback_store", {"seconds": args.seconds, "figures": figures})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
