"""One bulk run: check the options, read chunks, score them in worker processes, commit in order, summarise.

The reader feeds a bounded queue (two chunks per worker in flight), so memory
stays flat whatever the input's size; results are committed in input order
(``bulk.state``), so the output's rows are the input's order. ``workers=0``
scores in this process (for tests and debugging). The model is loaded here once
to resolve thresholds and fingerprint the run, then dropped before the workers
start; each worker loads it once (``bulk.rows.init``); with ``workers=0`` the one
loaded here scores.

Duplicate ids are scored and written like any row (one output row per good
input row, in order): checking uniqueness would hold every id in memory, which
a 16-million-row archive must not need. Deduplicate by id downstream if needed.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bulk import rows
from bulk.errors import BulkError
from bulk.formats import SUFFIX, Kind, check_available, kind_of
from bulk.progress import Progress
from bulk.readers import read_chunks
from bulk.state import RunState, fingerprint, partial_folder
from bulk.summary import finish, thresholds_for


@dataclass(frozen=True, slots=True)
class Options:
    """Everything ``toxicity score`` was asked to do."""

    input: Path
    output: Path
    id_column: str
    text_column: str
    rejects: Path | None = None
    output_format: str | None = None
    workers: int | None = None
    chunk_rows: int = 10_000
    max_text_bytes: int = 20_480
    preset: str | None = None
    profile: str | None = None
    profiles_file: Path | None = None
    model_path: Path | None = None
    resume: bool = False
    overwrite: bool = False
    quiet: bool = False


def default_workers() -> int:
    """Return the number of cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def beside(output: Path, kind: Kind, suffix: str) -> Path:
    """Return ``output``'s name without its format and compression suffixes, plus ``suffix``."""
    name = output.name
    for end in (".gz", ".bz2", ".zst") if kind.compression else ():
        if name.lower().endswith(end):
            name = name[: -len(end)]
    if name.lower().endswith(SUFFIX[kind.format]) or (kind.format == "jsonl" and name.lower().endswith(".ndjson")):
        name = name[: name.rindex(".")]
    return output.with_name(name + suffix)


def _check_paths(opts: Options, out_kind: Kind) -> tuple[Path, Path]:
    if not opts.input.is_file():
        raise BulkError(f"INPUT {opts.input} is not a file")
    rejects = opts.rejects or beside(opts.output, out_kind, ".rejects.jsonl")
    summary = beside(opts.output, out_kind, ".summary.json")
    paths = [opts.output.resolve(), rejects.resolve(), summary.resolve()]
    if opts.input.resolve() in paths or len(set(paths)) < 3:
        raise BulkError(f"INPUT, OUTPUT, the rejects ({rejects}) and the summary ({summary}) must be four files")
    for what, path in (("OUTPUT", opts.output), ("--rejects", rejects)):
        if not path.parent.is_dir():
            raise BulkError(f"{what}'s folder {path.parent} does not exist")
    existing = [str(p) for p in (opts.output, rejects) if p.exists()]
    ours = opts.resume and partial_folder(opts.output).is_dir()  # killed while writing the final files
    if existing and not opts.overwrite and not ours:
        raise BulkError(f"{' and '.join(existing)} already exist(s); add --overwrite to replace")
    return rejects, summary


def run(opts: Options) -> dict[str, Any]:
    """Score ``opts.input`` into ``opts.output``; return the summary (also written beside the output)."""
    in_kind = kind_of(opts.input)
    out_kind = kind_of(opts.output, opts.output_format, "OUTPUT")
    check_available(in_kind, opts.input)
    check_available(out_kind, opts.output)
    rejects, summary_path = _check_paths(opts, out_kind)
    from model import load_model

    model = load_model(opts.model_path)
    attributes = model.scored_attributes
    thresholds = thresholds_for(model, opts.preset, opts.profile, opts.profiles_file)
    taken = {*attributes, "flagged"} & {opts.id_column}
    if taken:
        raise BulkError(f"--id-column {opts.id_column!r} is also the name of an output column; rename it first")
    options = {
        "id_column": opts.id_column,
        "text_column": opts.text_column,
        "output_format": out_kind.format,
        "output_compression": out_kind.compression,
        "chunk_rows": opts.chunk_rows,
        "max_text_bytes": opts.max_text_bytes,
        "thresholds": thresholds,
        "model_version": model.version,
        "model_sha256": (model.manifest.get("artifact") or {}).get("sha256"),
    }
    state = RunState(opts.output, fingerprint(opts.input, options), attributes, opts.resume)
    job = rows.Job(
        str(opts.model_path) if opts.model_path else None,
        attributes,
        tuple(thresholds[a] for a in attributes) if thresholds else None,
        opts.id_column,
        opts.text_column,
        opts.max_text_bytes,
        out_kind,
    )
    workers = default_workers() if opts.workers is None else opts.workers
    progress = Progress(opts.input.stat().st_size, opts.quiet)
    if workers == 0:
        rows.init(job, model)
    del model  # workers load their own; in process, rows holds it
    _score_all(opts, in_kind, state, job, workers, progress)
    return finish(opts, state, out_kind, rejects, summary_path, workers, thresholds)


def _score_all(opts: Options, in_kind: Kind, state: RunState, job: rows.Job, workers: int, progress: Progress) -> None:
    clock = [time.monotonic()]
    where = [0]

    def commit(done: rows.Done) -> None:
        now = time.monotonic()
        state.commit(done, now - clock[0])
        clock[0], where[0] = now, done.position
        progress.update(done.rows, done.position)

    chunks = read_chunks(opts.input, in_kind, opts.id_column, opts.text_column, opts.chunk_rows, opts.max_text_bytes)
    if workers == 0:
        for chunk in chunks:
            if chunk.index < state.committed:
                progress.skip(chunk.rows, chunk.position)
            else:
                commit(rows.process(chunk))
        progress.close(where[0])
        return
    context = multiprocessing.get_context("spawn")  # no fork of a process holding threads and numba state
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=rows.init, initargs=(job,))
    in_flight: deque[Future[rows.Done]] = deque()
    try:
        for chunk in chunks:
            if chunk.index < state.committed:
                progress.skip(chunk.rows, chunk.position)
                continue
            in_flight.append(pool.submit(rows.process, chunk))
            while len(in_flight) >= 2 * workers:
                commit(in_flight.popleft().result())
        while in_flight:
            commit(in_flight.popleft().result())
    except BrokenProcessPool as exc:
        raise BulkError(
            f"a worker process died ({exc}); {state.committed} chunks are committed in {state.folder}: "
            "rerun with --resume to go on from there"
        ) from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    progress.close(where[0])
