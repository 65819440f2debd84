"""In a worker process: check a chunk's rows, score the good ones, encode both kinds.

``init`` runs once per worker process and loads the model; ``process`` scores a
chunk with the fast batch scorer the service uses, through
``ToxicityModel.probabilities_alone`` (as ``model.spark`` does), so that a row's
scores are exactly ``load_model().score([text])``'s whatever rows share its batch
(``ToxicityModel.probabilities`` takes one of two paths for a whole batch, and they
differ in the last bits of a double); ``process`` takes one chunk and
returns a ``Done``: the encoded output rows, the encoded rejects and the counts.
A bad row never stops the run; it becomes a reject naming its row, its id when it
has a readable one, and why: the same checks as the service's (``service/core/
scoring.py: check_texts``) plus what a file can get wrong (JSON, the id).
Comment text is never put in a reject or a message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bulk.formats import Kind
from bulk.readers import Chunk, line_limit
from bulk.writers import encode_rejects, encode_scores
from model.text_checks import text_problem

SCORE_BATCH = 1000  # comments per scorer call: the size bench/inproc.py measures


@dataclass(frozen=True, slots=True)
class Job:
    """What every worker needs to know, sent to each once."""

    model_path: str | None
    attributes: tuple[str, ...]
    thresholds: tuple[float, ...] | None
    id_column: str
    text_column: str
    max_text_bytes: int
    output: Kind


@dataclass(slots=True)
class Done:
    """One chunk's outcome: encoded output rows and rejects, and what they count."""

    index: int
    rows: int
    scored: int
    flagged: list[int]
    reasons: dict[str, int]
    out: bytes
    rejects: bytes
    position: int = 0
    rejected: int = field(init=False)

    def __post_init__(self) -> None:
        self.rejected = sum(self.reasons.values())


_state: dict[str, Any] = {}


def init(job: Job, model: Any = None) -> None:
    """Load the model once for this process (unless given, in process) and keep the job."""
    from model import load_model

    if model is None:
        model = load_model(job.model_path)
    model.warm_up()
    _state.update(job=job, model=model, columns=[model.attributes.index(a) for a in job.attributes])


def process(chunk: Chunk) -> Done:
    """Check, score and encode one chunk."""
    job: Job = _state["job"]
    ids, texts, reasons = _parse(chunk, job)
    good: list[int] = []
    rejects: list[tuple[int, Any, str, str]] = []
    limit = job.max_text_bytes
    for i, reason in enumerate(reasons):
        if reason is None and _plain(ids[i], texts[i], limit):
            good.append(i)
            continue
        problem = reason or _check_id(ids[i]) or _check_text(texts[i], limit)
        if problem is None:
            good.append(i)
        else:
            shown = ids[i] if isinstance(ids[i], int | str) and _encodable(ids[i]) else None
            rejects.append((chunk.first_row + i, shown, *problem))
    probs = _score([texts[i] for i in good])
    flags: NDArray[np.bool_] | None = None
    if job.thresholds is not None:
        flags = probs >= np.asarray(job.thresholds)
    counts: dict[str, int] = {}
    for _, _, code, _ in rejects:
        counts[code] = counts.get(code, 0) + 1
    out = encode_scores(job.output, job.id_column, job.attributes, [ids[i] for i in good], probs, flags, chunk.index)
    return Done(
        chunk.index,
        chunk.rows,
        len(good),
        [int(n) for n in flags.sum(axis=0)] if flags is not None else [],
        counts,
        out,
        encode_rejects(rejects),
        chunk.position,
    )


def _score(texts: list[str]) -> NDArray[np.float64]:
    """Score in batches of ``SCORE_BATCH``, each text as it scores alone (not as the batch's path would have it)."""
    model = _state["model"]
    parts = [model.probabilities_alone(texts[i : i + SCORE_BATCH]) for i in range(0, len(texts), SCORE_BATCH)]
    columns = _state["columns"]
    if not parts:
        return np.zeros((0, len(columns)))
    return np.concatenate(parts)[:, columns]


def _parse(chunk: Chunk, job: Job) -> tuple[list[Any], list[Any], list[tuple[str, str] | None]]:
    """Return the chunk's ids, texts and any problem found while parsing, one of each per row."""
    if chunk.format == "csv":
        ids, texts = chunk.payload
        return ids, texts, [None] * len(ids)
    if chunk.format == "parquet":
        if chunk.payload is None:
            return [], [], []
        import pyarrow as pa

        column = chunk.payload.column(1)
        binary = pa.large_binary() if str(column.type).startswith("large") else pa.binary()
        raw = column.cast(binary).to_pylist()
        texts = [None if b is None else b.decode("utf-8", "surrogateescape") for b in raw]
        return chunk.payload.column(0).to_pylist(), texts, [None] * len(texts)
    ids, texts, problems = [], [], []
    for line in chunk.payload:
        record, problem = _json_line(line, job)
        problems.append(problem)
        ids.append(record.get(job.id_column) if problem is None else None)
        texts.append(record.get(job.text_column) if problem is None else None)
    return ids, texts, problems


def _json_line(line: bytes | None, job: Job) -> tuple[dict[str, Any], tuple[str, str] | None]:
    if line is None:
        return {}, ("line_too_long", f"the line is over {line_limit(job.max_text_bytes):,} bytes")
    text = line.decode("utf-8", "surrogateescape")
    if not text.strip():
        return {}, ("blank_line", "a blank line, not a JSON object")
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        return {}, ("bad_json", f"not valid JSON: {exc.msg} at column {exc.colno}")
    except RecursionError:
        return {}, ("bad_json", "not valid JSON: nested too deeply")
    except ValueError:  # not JSONDecodeError: an integer of over 4,300 digits (sys.get_int_max_str_digits)
        return {}, ("bad_json", "not readable as JSON: a number has too many digits to convert")
    if not isinstance(record, dict):
        return {}, ("bad_json", f"the line is a JSON {type(record).__name__}, not an object")
    return record, None


def _plain(id_: object, text: object, limit: int) -> bool:
    """Return True for the common good row (ASCII, short, no NUL), cheaply; False sends it to the full checks."""
    return (
        type(text) is str
        and text.isascii()
        and len(text) <= limit
        and type(id_) is str
        and id_.isascii()
        and id_ != ""
        and "\x00" not in text
        and not text.isspace()
        and text != ""
    )


def _encodable(value: str | int) -> bool:
    try:
        str(value).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_id(value: object) -> tuple[str, str] | None:
    if value is None or value == "":
        return ("missing_id", "the id is missing or empty")
    if isinstance(value, bool) or not isinstance(value, int | str):
        return ("bad_id", f"the id is a {type(value).__name__}; ids are strings or integers")
    if isinstance(value, int) and not -(1 << 63) <= value < 1 << 64:
        return ("bad_id", "the id is an integer beyond 64 bits; write it as a string")
    if not _encodable(value):
        return ("bad_id", "the id is not valid UTF-8")
    return None


def _check_text(text: object, limit: int) -> tuple[str, str] | None:
    problem = text_problem(text, limit)
    return None if problem is None else (problem[0], f"the text {problem[1]}")
