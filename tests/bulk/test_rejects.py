"""A bad row becomes a reject with its row, id and reason; the run goes on; input rows = scored + rejected."""

from __future__ import annotations

import gzip
import json
import tracemalloc
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bulk.errors import BulkError
from bulk.formats import kind_of
from bulk.readers import read_chunks
from bulk.run import Options, run
from service.settings import Settings
from tests.bulk.conftest import comments, read_output, score, write_input


def rejects(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_csv_bad_rows_are_rejected_with_reasons(tmp_path: Path) -> None:
    body = (
        "id,body\n"
        "1,fine comment\n"
        "2,\n"  # empty text
        ",no id here\n"  # missing id
        "4\n"  # missing text field
        "5,bad \xff byte\n"  # invalid UTF-8 (written as bytes below)
        "6,nul \x00 inside\n"
        "7," + "x" * 101 + "\n"  # over --max-text-bytes 100
        "8,   \n"  # whitespace only
        "9,also fine\n"
    )
    src = tmp_path / "in.csv"
    src.write_bytes(body.encode("utf-8").replace("\xff".encode(), b"\xff"))
    summary = run(
        Options(src, tmp_path / "out.csv", "id", "body", workers=0, chunk_rows=3, quiet=True, max_text_bytes=100)
    )
    assert summary["rows"] == 9 == summary["scored"] + summary["rejected"]
    assert [r["id"] for r in read_output(tmp_path / "out.csv")] == ["1", "9"]
    got = {(r["row"], r["id"], r["reason"]) for r in rejects(tmp_path / "out.rejects.jsonl")}
    assert got == {
        (2, "2", "comment_empty"),
        (3, "", "missing_id"),
        (4, "4", "missing_text"),
        (5, "5", "invalid_text"),
        (6, "6", "invalid_text"),
        (7, "7", "comment_too_long"),
        (8, "8", "comment_empty"),
    }
    too_long = next(r for r in rejects(tmp_path / "out.rejects.jsonl") if r["reason"] == "comment_too_long")
    assert too_long["message"] == "the text is 101 bytes of UTF-8; the limit is 100"
    assert summary["rejected_by_reason"] == {
        "comment_empty": 2,
        "invalid_text": 2,
        "missing_id": 1,
        "missing_text": 1,
        "comment_too_long": 1,
    }
    assert "x" * 101 not in (tmp_path / "out.rejects.jsonl").read_text()  # comment text is never copied out


def test_jsonl_bad_lines_are_rejected_by_line_number(tmp_path: Path) -> None:
    lines = [
        b'{"id": 1, "body": "fine"}',
        b"not json",
        b"",
        b"[1, 2]",
        b'{"id": 5}',
        b'{"id": 6, "body": 42}',
        b'{"id": true, "body": "x"}',
        b'{"body": "no id"}',
        b'{"id": 9, "body": "bad \xff byte"}',
        b'{"id": 10, "body": "' + b"y" * 300 + b'"}',
        b'{"id": 11, "body": "\\ud800 lone surrogate"}',
        b'{"id": 12, "body": "also fine"}',
        b'{"id": 123456789012345678901234567890, "body": "big id"}',
    ]
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"\n".join(lines) + b"\n")
    summary = run(Options(src, tmp_path / "out.jsonl", "id", "body", workers=0, chunk_rows=4, quiet=True))
    assert summary["rows"] == len(lines) == summary["scored"] + summary["rejected"]
    assert [r["id"] for r in read_output(tmp_path / "out.jsonl")] == [1, 10, 12]
    got = [(r["row"], r["reason"]) for r in rejects(tmp_path / "out.rejects.jsonl")]
    assert got == [
        (2, "bad_json"),
        (3, "blank_line"),
        (4, "bad_json"),
        (5, "missing_text"),
        (6, "bad_text"),
        (7, "bad_id"),
        (8, "missing_id"),
        (9, "invalid_text"),
        (11, "invalid_text"),
        (13, "bad_id"),
    ]


def test_jsonl_line_over_the_line_limit_is_rejected_and_the_next_line_read(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    huge = b'{"id": 2, "body": "' + b"z" * (8 * 10 + (64 << 10)) + b'"}'
    src.write_bytes(b'{"id": 1, "body": "a"}\n' + huge + b'\n{"id": 3, "body": "c"}\n')
    summary = run(Options(src, tmp_path / "o.csv", "id", "body", workers=0, quiet=True, max_text_bytes=10))
    assert [r["reason"] for r in rejects(tmp_path / "o.rejects.jsonl")] == ["line_too_long"]
    assert [r["id"] for r in read_output(tmp_path / "o.csv")] == ["1", "3"]
    assert summary["rows"] == 3


def test_parquet_invalid_utf8_and_nulls_are_rejected(tmp_path: Path) -> None:
    src = tmp_path / "in.parquet"
    table = pa.table(
        {"id": pa.array([1, None, 3, 4]), "body": pa.array([b"ok", b"fine", b"bad \xff", None], pa.binary())}
    )
    pq.write_table(table, src)
    summary = run(Options(src, tmp_path / "out.parquet", "id", "body", workers=0, quiet=True))
    assert [r["id"] for r in read_output(tmp_path / "out.parquet")] == ["1"]
    assert [(r["row"], r["id"], r["reason"]) for r in rejects(tmp_path / "out.rejects.jsonl")] == [
        (2, None, "missing_id"),
        (3, 3, "invalid_text"),
        (4, 4, "missing_text"),
    ]
    assert summary["rows"] == 4 == summary["scored"] + summary["rejected"]


def test_duplicate_ids_are_each_scored_in_order(tmp_path: Path) -> None:
    score(tmp_path, "in.csv", "out.csv", [{"id": "a", "body": "one"}, {"id": "a", "body": "two"}])
    assert [r["id"] for r in read_output(tmp_path / "out.csv")] == ["a", "a"]


def test_default_text_limit_is_the_services() -> None:
    import argparse

    from bulk.cli import add_command

    parser = argparse.ArgumentParser()
    add_command(parser.add_subparsers())
    args = parser.parse_args(["score", "a.csv", "b.csv", "--id-column", "i", "--text-column", "t"])
    assert args.max_text_bytes == Settings().max_text_bytes == Options(Path(), Path(), "i", "t").max_text_bytes


def test_truncated_compressed_input_stops_with_a_message(tmp_path: Path) -> None:
    src = write_input(tmp_path / "in.csv.gz", [{"id": i, "body": t} for i, t in comments(500)])
    src.write_bytes(src.read_bytes()[:-200])
    with pytest.raises(BulkError, match=r"cannot be read past byte .*ended before the end-of-stream"):
        run(Options(src, tmp_path / "out.csv", "id", "body", workers=0, chunk_rows=100, quiet=True))
    assert not (tmp_path / "out.csv").exists()


def test_jsonl_number_of_too_many_digits_is_a_bad_json_reject(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    long_number = b"9" * 5000  # json.loads raises ValueError, not JSONDecodeError, past 4,300 digits
    src.write_bytes(
        b'{"id": 1, "body": "fine"}\n{"id": ' + long_number + b', "body": "x"}\n{"id": 3, "body": "also fine"}\n'
    )
    summary = run(Options(src, tmp_path / "out.jsonl", "id", "body", workers=0, quiet=True))
    assert [r["id"] for r in read_output(tmp_path / "out.jsonl")] == [1, 3]
    assert [(r["row"], r["id"], r["reason"]) for r in rejects(tmp_path / "out.rejects.jsonl")] == [
        (2, None, "bad_json")
    ]
    assert summary["rows"] == 3 == summary["scored"] + summary["rejected"]


def test_csv_without_the_columns_never_echoes_its_first_row(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    secret = "my neighbour at 12 Elm Street is a liar"
    src.write_text(f"c1,{secret}\nc2,another comment\n")  # no header: the first row is a comment
    with pytest.raises(BulkError) as caught:
        run(Options(src, tmp_path / "out.csv", "id", "body", workers=0, quiet=True))
    message = str(caught.value)
    assert "no column --id-column 'id' and no column --text-column 'body' in its first row (2 fields)" in message
    assert "header" in message
    assert secret not in message and "Elm" not in message and "c1" not in message
    assert not (tmp_path / "out.csv").exists()


def _read_all(src: Path, max_text_bytes: int) -> None:
    for _ in read_chunks(src, kind_of(src), "id", "body", 100, max_text_bytes):
        pass


def test_csv_record_of_millions_of_empty_fields_stops_before_it_is_built(tmp_path: Path) -> None:
    src = tmp_path / "in.csv.gz"
    src.write_bytes(gzip.compress(b"id,body\n1,ok\n" + b"," * 10_000_000 + b"\n2,ok\n"))  # 10 KB compressed
    assert src.stat().st_size < 100_000
    tracemalloc.start()
    try:
        with pytest.raises(BulkError, match=r"^INPUT line 3: a CSV record over 229,376 characters \(the limit is 8 x"):
            _read_all(src, 20_480)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20  # unbounded, the row alone is a list of 10 million fields: 80 MB


def test_csv_record_over_many_short_lines_is_bounded_too(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    # each line closes a quoted field, adds 1,000 empty fields and opens a quoted field: one record, never ending
    src.write_bytes(b'id,body\n1,ok\n2,"\n' + (b'"' + b"," * 1000 + b'"\n') * 1000)
    with pytest.raises(BulkError, match=r"^INPUT line \d+: a CSV record over 66,336 characters"):
        _read_all(src, 100)
    summary = run(
        Options(
            write_input(tmp_path / "ok.csv", [{"id": "a", "body": "x\n" * 40}]),
            tmp_path / "o.csv",
            "id",
            "body",
            workers=0,
            quiet=True,
            max_text_bytes=100,
        )
    )
    assert summary["scored"] == 1  # a quoted field over several lines, under the limit, is read as before
