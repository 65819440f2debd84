"""File names to formats and compressions; compressed streams in and out.

``scores.csv``, ``comments.jsonl.gz``, ``archive.parquet``: the last suffix may
name a compression (``.gz``, ``.bz2``, ``.zst``), the one before it the format
(``.csv``, ``.jsonl`` or ``.ndjson``, ``.parquet``). Parquet compresses its own
column chunks, so ``.parquet.gz`` is refused. gzip and bzip2 come from the
standard library; Parquet and zstd need pyarrow (the ``bulk`` extra), and a run
that needs it without it stops with a message saying how to install it.

Output is compressed chunk by chunk: each chunk is a complete gzip member, bzip2
stream or zstd frame, and their concatenation is one valid file (``zcat``,
``gzip.open`` and pyarrow read all members), so chunks can be committed one by one.
"""

from __future__ import annotations

import bz2
import gzip
import io
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, cast

from bulk.errors import BulkError

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
COMPRESSIONS = {".gz": "gzip", ".bz2": "bz2", ".zst": "zstd"}
FORMAT_NAMES = ("csv", "jsonl", "parquet")
SUFFIX = {"csv": ".csv", "jsonl": ".jsonl", "parquet": ".parquet"}
ACCEPTED = "name.csv, name.jsonl (or .ndjson) or name.parquet; csv and jsonl may end in .gz, .bz2 or .zst"


@dataclass(frozen=True, slots=True)
class Kind:
    """A file's format (csv, jsonl, parquet) and compression (None, gzip, bz2, zstd)."""

    format: str
    compression: str | None = None


def kind_of(path: Path, format: str | None = None, what: str = "INPUT") -> Kind:
    """Return the format and compression ``path``'s name says (``format`` overrides the format)."""
    suffixes = [s.lower() for s in path.suffixes]
    compression = COMPRESSIONS.get(suffixes[-1]) if suffixes else None
    if compression is not None:
        suffixes = suffixes[:-1]
    named = FORMATS.get(suffixes[-1]) if suffixes else None
    chosen = format or named
    if chosen is None:
        raise BulkError(f"{what} {path}: cannot tell the format from the name; expected {ACCEPTED}")
    if chosen == "parquet" and compression is not None:
        raise BulkError(
            f"{what} {path}: Parquet compresses its own column chunks; name the file .parquet, without {path.suffix}"
        )
    return Kind(chosen, compression)


def pyarrow(what: str) -> ModuleType:
    """Return the pyarrow module, or raise ``BulkError`` saying that ``what`` needs it."""
    try:
        import pyarrow as pa
    except ImportError:
        raise BulkError(
            f"{what} needs pyarrow, which is not installed: pip install 'toxicity-service[bulk]' (or make install-test)"
        ) from None
    return cast(ModuleType, pa)


def check_available(kind: Kind, path: Path) -> None:
    """Raise ``BulkError`` now, before any work, if reading or writing ``kind`` needs pyarrow and it is absent."""
    if kind.format == "parquet" or kind.compression == "zstd":
        pyarrow(f"{path.name} ({kind.format}{', zstd' if kind.compression == 'zstd' else ''})")


class Source:
    """An input file opened for reading in binary, decompressed, with how far into the file it has read."""

    def __init__(self, path: Path, compression: str | None) -> None:
        self.size = path.stat().st_size
        self._raw: Any
        self.stream: Any  # a GzipFile, BZ2File or BufferedReader: each reads bytes and lines
        if compression == "zstd":
            pa = pyarrow("zstd")
            self._raw = pa.OSFile(str(path), "rb")
            self.stream = io.BufferedReader(pa.CompressedInputStream(self._raw, "zstd"), 1 << 20)
        else:
            self._raw = open(path, "rb")  # noqa: SIM115 - closed by close()
            if compression == "gzip":
                self.stream = gzip.GzipFile(fileobj=self._raw, mode="rb")
            elif compression == "bz2":
                self.stream = bz2.BZ2File(self._raw, "rb")
            else:
                self.stream = self._raw

    def position(self) -> int:
        """Return how many bytes of the file itself (compressed or not) have been read."""
        return int(self._raw.tell())

    def close(self) -> None:
        """Close the stream and the file."""
        self.stream.close()
        self._raw.close()


def compress(data: bytes, compression: str | None) -> bytes:
    """Return ``data`` as one complete member/stream/frame of ``compression`` (unchanged for None)."""
    if compression is None:
        return data
    if compression == "gzip":
        return gzip.compress(data, compresslevel=6, mtime=0)
    if compression == "bz2":
        return bz2.compress(data)
    codec = pyarrow("zstd").Codec("zstd")
    return bytes(codec.compress(data, asbytes=True))
