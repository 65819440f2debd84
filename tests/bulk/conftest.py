"""Helpers for the bulk tests: small input files written here, outputs read back, the shipped model."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from bulk.formats import Source, kind_of
from bulk.run import Options, run
from model import ToxicityModel, load_model

TEXTS = [
    "you are a pathetic idiot",
    "Thanks for the article, it was helpful.",
    "Shut up, moron. Nobody asked you! I will find you.",
    'She said "hello, world" & left',
    "multi\nline comment, with commas",
    "Café au lait — très bien ☕",
    "see http://example.org/x for the facts. You clown.",
    "I love this recipe",
]


def comments(n: int) -> list[tuple[str, str]]:
    """Return ``n`` (id, text) pairs drawn in turn from ``TEXTS``, each text made unique."""
    return [(f"c{i}", f"{TEXTS[i % len(TEXTS)]} {i}") for i in range(n)]


def write_input(path: Path, records: list[dict[str, Any]], columns: tuple[str, ...] = ("id", "body")) -> Path:
    """Write records (column -> value; a missing key is a missing field) in the format ``path``'s name says."""
    kind = kind_of(path)
    if kind.format == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.table({c: [r.get(c) for r in records] for c in columns}), path)
        return path
    if kind.format == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(columns)
        w.writerows([r.get(c, "") for c in columns] for r in records)
        data = buf.getvalue().encode()
    else:
        data = "".join(json.dumps(r) + "\n" for r in records).encode()
    from bulk.formats import compress

    path.write_bytes(compress(data, kind.compression))
    return path


def read_output(path: Path, format: str | None = None) -> list[dict[str, Any]]:
    """Read an output file back: rows as dicts, scores as floats."""
    kind = kind_of(path, format)
    if kind.format == "parquet":
        import pyarrow.parquet as pq

        return list(pq.read_table(path).to_pylist())
    source = Source(path, kind.compression)
    try:
        data = source.stream.read().decode("utf-8")
    finally:
        source.close()
    if kind.format == "jsonl":
        return [json.loads(line) for line in data.splitlines()]
    out = []
    for row in csv.DictReader(io.StringIO(data)):
        out.append({k: (v if k in ("id", "flagged") else float(v)) for k, v in row.items()})
    return out


def score(tmp: Path, name_in: str, name_out: str, records: list[dict[str, Any]], **kw: Any) -> dict[str, Any]:
    """Write ``records`` to ``tmp/name_in``, score into ``tmp/name_out`` in this process; return the summary."""
    src = write_input(tmp / name_in, records)
    opts = {"workers": 0, "chunk_rows": 7, "quiet": True, **kw}
    return run(Options(src, tmp / name_out, "id", "body", **opts))


@pytest.fixture(scope="session")
def shipped() -> ToxicityModel:
    """Return the shipped model, warmed up."""
    m = load_model()
    m.warm_up()
    return m


def expected(model: ToxicityModel, texts: list[str]) -> list[dict[str, float]]:
    """Return ``model.score`` of each text on its own: what bulk scoring writes, whatever its batches."""
    return [model.score([text])[0] for text in texts]
