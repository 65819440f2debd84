"""The input, read in chunks of rows: CSV, JSONL or Parquet, never the whole file at once.

The reader does as little as it can, since it is one process feeding every
worker: CSV is split into fields by the ``csv`` module (C), JSONL only into lines
(the workers parse the JSON), Parquet into Arrow record batches of the two
columns. Text is kept undecoded or decoded with ``surrogateescape``, so invalid
UTF-8 reaches the worker, which rejects that row and no other.

Row numbers are 1-based: a CSV's records after the header (blank lines are not
records, as for ``csv.DictReader``), a JSONL file's lines (a blank line is a row,
rejected), a Parquet file's rows. Every record is bounded: a JSONL line over
``line_limit`` bytes is skipped to its end and rejected; a CSV record (its lines,
quoted newlines included) over ``line_limit`` characters stops the run (the file
is then not CSV as we read it, and there is no resynchronising after the cut).
"""

from __future__ import annotations

import csv
import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any

from bulk.errors import BulkError
from bulk.formats import Kind, Source, pyarrow

CSV_FIELD_LIMIT = 64 << 20


@dataclass(slots=True)
class Chunk:
    """``rows`` consecutive input records from row ``first_row`` on, as the reader cut them."""

    index: int
    first_row: int
    rows: int
    format: str
    payload: Any
    """csv: ``(ids, texts)`` lists; jsonl: the lines (None for one over the limit); parquet: a RecordBatch."""
    position: int
    """Bytes of the input file read so far (compressed or not): the progress bar's measure."""


def line_limit(max_text_bytes: int) -> int:
    """Return the longest JSONL line read whole: room for a text at the limit written with JSON escapes."""
    return 8 * max_text_bytes + (64 << 10)


def read_chunks(
    path: Path, kind: Kind, id_column: str, text_column: str, chunk_rows: int, max_text_bytes: int
) -> Iterator[Chunk]:
    """Yield the input's records in chunks of ``chunk_rows`` (the last may be shorter)."""
    if kind.format == "parquet":
        yield from _parquet(path, id_column, text_column, chunk_rows)
        return
    source = Source(path, kind.compression)
    try:
        if kind.format == "csv":
            yield from _csv(source, id_column, text_column, chunk_rows, line_limit(max_text_bytes))
        else:
            yield from _jsonl(source, chunk_rows, line_limit(max_text_bytes))
    except (EOFError, OSError, zlib.error) as exc:  # a truncated or corrupt compressed file
        raise BulkError(f"INPUT {path}: cannot be read past byte {source.position():,}: {exc}") from None
    finally:
        source.close()


def _absent(columns: list[str], wanted: dict[str, str]) -> str:
    """Return the options whose column is not among ``columns``, as ``--id-column 'x' and no column ...``."""
    return " and no column ".join(f"{flag} {name!r}" for flag, name in wanted.items() if name not in columns)


def _csv(source: Source, id_column: str, text_column: str, chunk_rows: int, limit: int) -> Iterator[Chunk]:
    with io.TextIOWrapper(source.stream, encoding="utf-8-sig", errors="surrogateescape", newline="") as text:
        yield from _csv_records(text, source, id_column, text_column, chunk_rows, limit)


def _csv_records(
    text: io.TextIOWrapper, source: Source, id_column: str, text_column: str, n: int, limit: int
) -> Iterator[Chunk]:
    """Yield chunks of ``(ids, texts)``; a record (one or more lines) over ``limit`` characters stops the run.

    ``csv.reader`` builds a whole record before returning it, and a record of
    empty fields costs 8 bytes of list per character (one line of 30 million
    commas, a 29 KB ``.csv.gz``, took 361 MB): so the reader is fed lines of at most ``limit + 1``
    characters and a record is refused as soon as its lines pass ``limit``. The run
    stops rather than rejecting the record: past a cut inside a quoted field there
    is no telling where the next record starts. Each record is cut to its two
    fields at once, so a chunk holds no more than those.
    """
    csv.field_size_limit(CSV_FIELD_LIMIT)
    read = start = 0  # characters read; characters read when the last record ended
    line_num = 0

    def lines() -> Iterator[str]:
        nonlocal read, line_num
        for line in iter(partial(text.readline, limit + 1), ""):
            read += len(line)
            line_num += 1
            if read - start > limit:
                raise BulkError(
                    f"INPUT line {line_num}: a CSV record over {limit:,} characters (the limit is 8 x "
                    "--max-text-bytes + 64 KiB); the file is not CSV as we read it, or a field is too long"
                )
            yield line

    def take(record: list[str]) -> tuple[str | None, str | None] | None:
        nonlocal start
        start = read
        if not record:
            return None  # a blank line is not a record
        if len(record) > top:
            return record[i], record[t]
        return (record[i] if i < len(record) else None), (record[t] if t < len(record) else None)

    reader = csv.reader(lines(), strict=False)
    try:
        header = next(reader, None)
        start = read
        if header is None:
            raise BulkError("INPUT is empty: a CSV file needs a header row naming its columns")
        wanted = {"--id-column": id_column, "--text-column": text_column}
        if absent := _absent(header, wanted):
            raise BulkError(  # the first row may be data, a comment: its fields are never shown
                f"INPUT has no column {absent} in its first row ({len(header)} fields); "
                "is that row a header naming the columns? A CSV file needs one"
            )
        i, t = header.index(id_column), header.index(text_column)
        top = max(i, t)
        records = filter(None, map(take, reader))
        index, first = 0, 1
        while pairs := list(islice(records, n)):
            ids: list[str | None]
            texts: list[str | None]
            ids, texts = map(list, zip(*pairs, strict=True))
            yield Chunk(index, first, len(ids), "csv", (ids, texts), source.position())
            index, first = index + 1, first + len(ids)
        if index == 0:
            yield Chunk(0, 1, 0, "csv", ([], []), source.position())
    except csv.Error as exc:
        raise BulkError(f"INPUT line {reader.line_num}: not readable as CSV ({exc})") from None


def _jsonl(source: Source, chunk_rows: int, limit: int) -> Iterator[Chunk]:
    stream = source.stream
    index, first = 0, 1
    lines: list[bytes | None] = []
    while line := stream.readline(limit):
        if len(line) == limit and not line.endswith(b"\n"):
            while rest := stream.readline(limit):  # skip to the end of the over-long line
                if rest.endswith(b"\n"):
                    break
            lines.append(None)
        else:
            lines.append(line)
        if len(lines) == chunk_rows:
            yield Chunk(index, first, len(lines), "jsonl", lines, source.position())
            index, first, lines = index + 1, first + len(lines), []
    if lines or index == 0:
        yield Chunk(index, first, len(lines), "jsonl", lines, source.position())


TEXT_TYPES = ("string", "large_string", "binary", "large_binary")


def _parquet(path: Path, id_column: str, text_column: str, chunk_rows: int) -> Iterator[Chunk]:
    pyarrow("Parquet")
    import pyarrow.parquet as pq

    try:
        file = pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a file that is not Parquet
        raise BulkError(f"INPUT {path}: not readable as Parquet: {exc}") from None
    schema = file.schema_arrow
    if absent := _absent(list(schema.names), {"--id-column": id_column, "--text-column": text_column}):
        names = list(schema.names)  # a Parquet schema's names are column names, never data
        shown = ", ".join(repr(c) for c in names[:50]) + (" ..." if len(names) > 50 else "")
        raise BulkError(f"INPUT has no column {absent}; its columns are {shown}")
    text_type = str(schema.field(text_column).type)
    if text_type not in TEXT_TYPES:
        raise BulkError(f"INPUT column {text_column!r} is {text_type}; the text column must be a string column")
    total = max(1, file.metadata.num_rows)
    size = path.stat().st_size
    index, first = 0, 1
    for batch in file.iter_batches(batch_size=chunk_rows, columns=[id_column, text_column]):
        done = first - 1 + batch.num_rows
        yield Chunk(index, first, batch.num_rows, "parquet", batch, size * done // total)
        index, first = index + 1, done + 1
    if index == 0:
        yield Chunk(0, 1, 0, "parquet", None, size)
