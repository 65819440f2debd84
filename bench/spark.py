"""Spark scoring benchmark: comments per second per core on local[2], beside in-process batches.

Scores typical real comments (the shared data's validation split, natural
lengths, repeated up to ``--rows``) four ways in the same run:

* ``model.spark.score_dataframe`` on a ``local[2]`` session, reading Parquet
  files (8, one a task) and writing to Spark's ``noop`` sink, so the whole job
  runs but nothing is kept; comments per second divided by the 2 cores. A first
  pass is not timed: it starts the Python workers, which load the model and its
  compiled kernel.
* the model in process, in a child process pinned to one core, in batches of
  1,000 (``model.probabilities``, as ``bench/inproc.py`` measures it): the baseline;
* ``model.spark.score_frame`` in that child, on pandas frames of 10,000 rows
  (Spark's default Arrow batch): what the Spark path does per row without Spark
  (the rejection check and the per-row grouping);
* the baseline in 2 child processes at once, each pinned to its own core: what
  each core gives when both are busy, as they are under Spark. On a machine whose
  cores share more than their caches (a VM's vCPUs, a busy host) this is well
  below the one-core figure, so Spark is also compared with it.

Each repeat times one Spark pass, then one pass of each in-process figure, so
that all four see the same load on a shared machine; a figure is the median.
Beside wall-clock throughput, each is also given per CPU-second (the CPU time of
the driver, its JVM and the Python workers; of each pinned child in process), which
other load on the machine moves much less.

The ratios say what Spark costs per core. Spark's start and the first pass take
about a minute here, so this is not part of ``make bench``::

    python bench/spark.py [--rows 200000] [--repeat 3]

Needs pyspark, pandas and pyarrow (``pip install -e '.[spark]'``) and Java.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import SHARED_DATA, has_data, median_of, parent_map, table, write_json
from bench.inproc import batched
from bench.texts import validation_texts

CORES = 2
FILES = 4 * CORES
ARROW_BATCH = 10_000  # Spark's default spark.sql.execution.arrow.maxRecordsPerBatch


def typical(data: Path, rows: int) -> list[str]:
    """Return ``rows`` validation comments, the sample repeated as often as needed."""
    texts = validation_texts(data, limit=rows)
    return (texts * (rows // len(texts) + 1))[:rows]


def inproc_worker(conn: Connection, texts: list[str], cpu: int) -> None:
    """Pinned to ``cpu``, score ``texts`` in process each time the parent asks; None ends it."""
    import pandas as pd

    from model import load_model
    from model.spark import score_frame

    os.sched_setaffinity(0, {cpu})
    model = load_model()
    model.warm_up()
    names = model.scored_attributes
    frames = [
        pd.DataFrame({"id": range(i, i + len(chunk)), "text": chunk})
        for i in range(0, len(texts), ARROW_BATCH)
        if (chunk := texts[i : i + ARROW_BATCH])
    ]
    model.probabilities(texts[:1000])  # warm: first-call set-up and caches
    conn.send(cpu)
    while (what := conn.recv()) is not None:
        wall, used = time.perf_counter(), time.process_time()
        if what == "batch":
            batched(model.probabilities, texts)
        else:
            for frame in frames:
                score_frame(frame, model, "text", names, ["id"])
        wall, used = time.perf_counter() - wall, time.process_time() - used
        conn.send((len(texts) / wall, len(texts) / used))


def tree_cpu_seconds(root: int, skip: set[int]) -> float:
    """Return the CPU seconds ``root`` and its descendants (but not the branches in ``skip``) have used.

    The Spark job is the driver, its JVM and the JVM's Python workers; counting their
    CPU time gives comments per CPU-second whatever else the machine is running.
    """
    parents = parent_map()
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        if pid in skip:
            continue
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it ended between the two reads
        total += sum(int(f) for f in fields[11:15])  # utime, stime, and of its reaped children
        todo.extend(child for child, parent in parents.items() if parent == pid)
    return total / os.sysconf("SC_CLK_TCK")


def start_session(folder: Path) -> Any:
    """Start a local[2] session whose folders are in ``folder``; workers run this interpreter and checkout."""
    from pyspark.sql import SparkSession

    root = Path(__file__).resolve().parents[1]
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(root), os.environ.get("PYTHONPATH")) if p)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    spark = (
        SparkSession.builder.master(f"local[{CORES}]")
        .appName("toxicity-bench")
        .config("spark.ui.enabled", "false")
        .config("spark.local.dir", str(folder / "local"))
        .config("spark.sql.warehouse.dir", str(folder / "warehouse"))
        .config("spark.driver.memory", "2g")
        .config("spark.sql.files.openCostInBytes", str(128 << 20))  # one task per file, not two big ones
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def write_parquet(texts: list[str], folder: Path) -> Path:
    """Write ``texts`` with ids as ``FILES`` Parquet files: an archive in several files, read without a shuffle."""
    import pandas as pd

    out = folder / "comments"
    out.mkdir()
    step = -(-len(texts) // FILES)
    for start in range(0, len(texts), step):
        chunk = texts[start : start + step]
        part = pd.DataFrame({"id": range(start, start + len(chunk)), "text": chunk})
        part.to_parquet(out / f"part-{start:09d}.parquet", index=False)
    return out


def run(texts: list[str], folder: Path, repeat: int) -> dict[str, Any]:
    """Time Spark passes and in-process passes in turn, so all see the same load on the machine."""
    from model.spark import score_dataframe

    spawn = multiprocessing.get_context("spawn")  # no fork of a process that holds the JVM's gateway
    children, conns = [], []
    for cpu in sorted(os.sched_getaffinity(0))[-CORES:]:
        conn, child_end = spawn.Pipe()
        children.append(spawn.Process(target=inproc_worker, args=(child_end, texts, cpu), daemon=True))
        children[-1].start()
        conns.append(conn)
    for conn in conns:
        conn.recv()  # loaded and warm
    parquet = write_parquet(texts, folder)
    t0 = time.perf_counter()
    spark = start_session(folder)
    started = time.perf_counter() - t0
    skip = {c.pid or -1 for c in children}
    spark_runs: list[tuple[float, float]] = []
    inproc: dict[str, list[tuple[float, float]]] = {"batch": [], "frames": [], "pair": []}
    try:
        df = spark.read.parquet(str(parquet))
        tasks = df.rdd.getNumPartitions()

        def once() -> tuple[float, float]:
            wall, used = time.perf_counter(), tree_cpu_seconds(os.getpid(), skip)
            score_dataframe(df, "text", id_cols=["id"]).write.format("noop").mode("overwrite").save()
            return time.perf_counter() - wall, tree_cpu_seconds(os.getpid(), skip) - used

        first, _ = once()
        for i in range(repeat):
            spark_runs.append(once())
            for what in ("batch", "frames"):
                conns[0].send(what)
                inproc[what].append(conns[0].recv())
            for conn in conns:  # every core at once, as Spark runs
                conn.send("batch")
            pair = [conn.recv() for conn in conns]
            inproc["pair"].append((sum(w for w, _ in pair) / len(pair), sum(c for _, c in pair) / len(pair)))
            print(
                f"  pass {i + 1}: spark {len(texts) / spark_runs[-1][0]:,.0f}/s ({spark_runs[-1][1]:.1f} CPU-s), "
                f"in process {inproc['batch'][-1][0]:,.0f}/s alone, {inproc['pair'][-1][0]:,.0f}/s a core "
                f"with {CORES} at once",
                flush=True,
            )
    finally:
        spark.stop()
        for conn in conns:
            conn.send(None)
        for child in children:
            child.join()
    per_s = len(texts) / median_of([w for w, _ in spark_runs])
    out: dict[str, Any] = {
        "rows": len(texts),
        "tasks": tasks,
        "spark": {
            "start_s": started,
            "first_pass_s": first,
            "per_s": per_s,
            "per_core_per_s": per_s / CORES,
            "per_cpu_s": len(texts) / median_of([c for _, c in spark_runs]),
        },
        "inproc": {},
    }
    for what, runs in inproc.items():
        out["inproc"][what] = {"per_s": median_of([w for w, _ in runs]), "per_cpu_s": median_of([c for _, c in runs])}
    return out


def markdown(r: dict[str, Any]) -> str:
    """Return the figures as a markdown table."""
    i, sp = r["inproc"], r["spark"]
    base, base_cpu = i["batch"]["per_s"], i["batch"]["per_cpu_s"]

    def row(label: str, per_s: float, per_cpu_s: float) -> list[Any]:
        return [label, per_s, f"{per_s / base:.2f}", per_cpu_s, f"{per_cpu_s / base_cpu:.2f}"]

    rows = [
        row("in process, batches of 1,000, one core: the baseline", base, base_cpu),
        row("in process, score_frame on 10,000-row frames, one core", *i["frames"].values()),
        row(f"in process, batches of 1,000, {CORES} processes at once: per core", *i["pair"].values()),
        row(
            f"Spark local[{CORES}], score_dataframe ({r['tasks']} tasks): per core",
            sp["per_core_per_s"],
            sp["per_cpu_s"],
        ),
    ]
    spark_vs_pair = sp["per_core_per_s"] / i["pair"]["per_s"]
    heads = ["typical comments", "comments/s", "ratio", "comments per CPU-second", "ratio"]
    text = table(heads, rows)
    s = r["spark"]
    return text + (
        f"\n\nSpark per core / in process with {CORES} processes at once, per core: {spark_vs_pair:.2f}. "
        f"{r['rows']:,} comments; Spark session start {s['start_s']:.1f} s, "
        f"first (untimed) pass {s['first_pass_s']:.1f} s, then {s['per_s']:,.0f} comments/s on {CORES} cores."
    )


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=200_000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--data", type=Path, default=SHARED_DATA)
    args = p.parse_args()
    if not has_data(args.data):
        return 2
    texts = typical(args.data, args.rows)
    print(f"{len(texts):,} typical comments; Spark local[{CORES}] and in process, in turn ...", flush=True)
    with tempfile.TemporaryDirectory(prefix="toxicity-bench-spark-") as tmp:
        result = run(texts, Path(tmp), args.repeat)
    print()
    print(markdown(result))
    print(f"wrote {write_json('spark', result)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
