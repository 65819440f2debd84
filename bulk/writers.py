"""Encode scored rows and rejects; assemble the final files from the committed chunks.

Output columns: the input's id column (by its name), one column per scored
attribute (by its name: ``TOXICITY``, ...) and, with a preset or profile,
``flagged``: the attributes at or above their threshold (a JSON list in JSONL, a
list of strings in Parquet, names separated by spaces in CSV, as the API's
``flagged``). Scores are written exactly: CSV and JSONL take the shortest form
of each float64 that reads back to the same number (orjson's); Parquet stores float64.
Ids are written as they came; in Parquet they are strings (a JSONL file may mix
strings and integers, and a column has one type).

Rejects are JSONL whatever the output's format: ``{"row", "id", "reason",
"message"}``, ``reason`` a short code (``missing_text``, ``comment_too_long``, ...).
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import orjson
from numpy.typing import NDArray

from bulk.formats import Kind, compress

_CSV_SPECIAL = re.compile(r'[,"\r\n]')


def encode_scores(
    kind: Kind,
    id_column: str,
    attributes: Sequence[str],
    ids: Sequence[Any],
    probs: NDArray[np.float64],
    flags: NDArray[np.bool_] | None,
    chunk_index: int,
) -> bytes:
    """Return one chunk's output rows in ``kind``'s format, compressed as one member (CSV: header in chunk 0)."""
    flagged = _flagged(attributes, flags) if flags is not None else None
    if kind.format == "parquet":
        return _parquet(id_column, attributes, ids, probs, flagged)
    if kind.format == "csv":
        data = _csv(id_column, attributes, ids, probs, flagged, chunk_index == 0)
    else:
        names = list(attributes)
        rows = probs.tolist()
        if flagged is None:
            pairs = zip(ids, rows, strict=True)
            lines = [orjson.dumps({id_column: i, **dict(zip(names, r, strict=True))}) for i, r in pairs]
        else:
            lines = [
                orjson.dumps({id_column: i, **dict(zip(names, r, strict=True)), "flagged": f})
                for i, r, f in zip(ids, rows, flagged, strict=True)
            ]
        data = b"\n".join(lines) + b"\n" if lines else b""
    return compress(data, kind.compression)


def _csv_field(value: Any) -> bytes:
    text = str(value)
    if _CSV_SPECIAL.search(text):
        text = '"' + text.replace('"', '""') + '"'
    return text.encode("utf-8")


def _csv(
    id_column: str,
    attributes: Sequence[str],
    ids: Sequence[Any],
    probs: NDArray[np.float64],
    flagged: list[list[str]] | None,
    header: bool,
) -> bytes:
    """Return CSV rows; orjson writes the floats (shortest round-trip form, ten times faster than repr)."""
    names = [id_column, *attributes, *(["flagged"] if flagged is not None else [])]
    out = [b",".join(_csv_field(n) for n in names) + b"\n"] if header else []
    if len(ids):
        scores = orjson.dumps(np.ascontiguousarray(probs), option=orjson.OPT_SERIALIZE_NUMPY)[2:-2].split(b"],[")
        if flagged is None:
            out += [b"%s,%s\n" % (_csv_field(i), row) for i, row in zip(ids, scores, strict=True)]
        else:
            out += [
                b"%s,%s,%s\n" % (_csv_field(i), row, " ".join(f).encode())
                for i, row, f in zip(ids, scores, flagged, strict=True)
            ]
    return b"".join(out)


def _flagged(attributes: Sequence[str], flags: NDArray[np.bool_]) -> list[list[str]]:
    names = list(attributes)
    return [[names[j] for j in np.flatnonzero(row)] for row in flags]


def _parquet(
    id_column: str,
    attributes: Sequence[str],
    ids: Sequence[Any],
    probs: NDArray[np.float64],
    flagged: list[list[str]] | None,
) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns: dict[str, Any] = {id_column: pa.array([str(i) for i in ids], pa.string())}
    for j, name in enumerate(attributes):
        columns[name] = pa.array(probs[:, j], pa.float64())
    if flagged is not None:
        columns["flagged"] = pa.array(flagged, pa.list_(pa.string()))
    buf = io.BytesIO()
    pq.write_table(pa.table(columns), buf)
    return buf.getvalue()


def encode_rejects(rejects: Sequence[tuple[int, Any, str, str]]) -> bytes:
    """Return rejects as JSONL: row number, id (null when unreadable), reason code, message."""
    lines = (
        json.dumps({"row": row, "id": id_, "reason": code, "message": message}, ensure_ascii=False) + "\n"
        for row, id_, code, message in rejects
    )
    return "".join(lines).encode("utf-8")


def sync(path: Path) -> None:
    """Flush ``path`` (a file, or a folder's entries: its renames) to the disk, to outlive a power loss."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_durably(tmp: Path, target: Path) -> None:
    """Rename the written ``tmp`` to ``target`` so that after a power loss ``target`` is whole or as before."""
    sync(tmp)
    os.replace(tmp, target)
    sync(target.parent)


def assemble(parts: Sequence[Path], target: Path, format: str) -> None:
    """Write ``target`` from the committed parts in order, atomically and durably (a temp file synced, renamed)."""
    tmp = target.with_name(f".{target.name}.tmp")
    if format == "parquet":
        import pyarrow.parquet as pq

        writer = None
        try:
            for part in parts:
                table = pq.read_table(part)
                if writer is None:
                    writer = pq.ParquetWriter(tmp, table.schema)
                writer.write_table(table)
        finally:
            if writer is not None:
                writer.close()
    else:
        with open(tmp, "wb") as out:
            for part in parts:
                with open(part, "rb") as f:
                    shutil.copyfileobj(f, out, 1 << 20)
    replace_durably(tmp, target)  # before the parts are deleted
