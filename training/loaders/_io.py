"""Shared file helpers for loaders: open plain or gzip text, read delimited rows.

Every problem surfaces as a ``DataFormatError`` naming the file, the line and what
is wrong, never a bare ``KeyError`` or ``UnicodeDecodeError`` from deep inside.
"""

from __future__ import annotations

import csv
import gzip
import io
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Literal, cast

from training.errors import DataFormatError

# A comment field may exceed csv's default 128 KiB limit; lift it to what the platform allows.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def open_text(path: Path, errors: str = "strict") -> IO[str]:
    """Open a UTF-8 text file, transparently gunzipping ``*.gz``.

    ``errors="replace"`` is for a published file with broken byte sequences: each
    becomes U+FFFD instead of failing the whole file.
    """
    if not path.is_file():
        raise DataFormatError(path, None, "file not found")
    # The caller closes the returned wrapper, which closes this handle too.
    raw = cast(IO[bytes], gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb"))  # noqa: SIM115
    return io.TextIOWrapper(raw, encoding="utf-8", errors=errors, newline="")


def find_file(folder: Path, *names: str) -> Path:
    """Return the first of ``names`` present in ``folder`` (``x`` or ``x.gz``)."""
    for name in names:
        for candidate in (folder / name, folder / f"{name}.gz"):
            if candidate.is_file():
                return candidate
    raise DataFormatError(folder, None, f"none of {', '.join(names)} (or .gz) found")


class Row(dict[str, str]):
    """A dict row that knows its file and line, for precise errors."""

    path: Path
    line: int

    def fail(self, problem: str) -> DataFormatError:
        """Return an error naming this row's file and line."""
        return DataFormatError(self.path, self.line, problem)

    def need(self, column: str) -> str:
        """Return a column's value or fail naming the column."""
        value = self.get(column)
        if value is None:
            raise self.fail(f"missing column {column!r}")
        return value

    def number(self, column: str, lo: float = float("-inf"), hi: float = float("inf")) -> float:
        """Return a numeric column within ``[lo, hi]`` or fail naming the value."""
        value = self.need(column)
        try:
            x = float(value)
        except ValueError:
            raise self.fail(f"column {column!r}: {value!r} is not a number") from None
        if not lo <= x <= hi or x != x:
            raise self.fail(f"column {column!r}: {value!r} is outside [{lo:g}, {hi:g}]")
        return x

    def integer(self, column: str, lo: int, hi: int) -> int:
        """Return an integer column within ``[lo, hi]`` or fail naming the value."""
        value = self.need(column)
        try:
            x = int(value)
        except ValueError:
            raise self.fail(f"column {column!r}: {value!r} is not an integer") from None
        if not lo <= x <= hi:
            raise self.fail(f"column {column!r}: {value} is outside [{lo}, {hi}]")
        return x

    def choice(self, column: str, allowed: Sequence[str]) -> str:
        """Return a column whose value must be one of ``allowed``."""
        value = self.need(column)
        if value not in allowed:
            raise self.fail(f"column {column!r}: {value!r} is not one of {', '.join(allowed)}")
        return value


def read_rows(
    path: Path,
    required: Sequence[str],
    *,
    delimiter: str = ",",
    quoting: Literal[0, 1, 2, 3] = csv.QUOTE_MINIMAL,
    names: Sequence[str] | None = None,
    errors: str = "strict",
) -> Iterator[Row]:
    """Yield rows of a delimited file with a header, checking columns and row widths.

    A file without a header row is read with ``names`` as its column names;
    ``errors`` is passed to ``open_text``.
    """
    with open_text(path, errors) as handle:
        reader = csv.reader(handle, delimiter=delimiter, quoting=quoting, strict=True)
        try:
            header = list(names) if names is not None else next(reader, None)
            if header is None:
                raise DataFormatError(path, 1, "file is empty (no header row)")
            missing = [c for c in required if c not in header]
            if missing:
                raise DataFormatError(path, 1, f"header lacks column(s) {', '.join(map(repr, missing))}; has {header}")
            for fields in reader:
                if not fields:
                    continue
                if len(fields) != len(header):
                    raise DataFormatError(path, reader.line_num, f"expected {len(header)} fields, found {len(fields)}")
                row = Row(zip(header, fields, strict=True))
                row.path, row.line = path, reader.line_num
                yield row
        except csv.Error as exc:
            raise DataFormatError(path, reader.line_num, f"malformed CSV: {exc}") from None
        except UnicodeDecodeError as exc:
            raise DataFormatError(path, reader.line_num + 1, f"invalid UTF-8: {exc.reason}") from None
        except (EOFError, OSError) as exc:  # truncated or corrupt gzip
            raise DataFormatError(path, reader.line_num, f"unreadable file: {exc}") from None


def read_lines(path: Path) -> list[str]:
    """Return a text file's lines (without newlines), with UTF-8 errors located."""
    lines: list[str] = []
    try:
        with open_text(path) as handle:
            for line in handle:
                lines.append(line.rstrip("\r\n"))
    except UnicodeDecodeError as exc:
        raise DataFormatError(path, len(lines) + 1, f"invalid UTF-8: {exc.reason}") from None
    except (EOFError, OSError) as exc:
        raise DataFormatError(path, len(lines) + 1, f"unreadable file: {exc}") from None
    return lines
