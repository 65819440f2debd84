"""Every format and compression round trip, scores equal to the model's exactly, file names to kinds."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.errors import BulkError
from bulk.formats import Kind, kind_of
from model import ToxicityModel
from tests.bulk.conftest import comments, expected, read_output, score

INPUTS = ["in.csv", "in.csv.gz", "in.csv.bz2", "in.csv.zst", "in.jsonl", "in.ndjson.gz", "in.jsonl.zst", "in.parquet"]
OUTPUTS = ["out.csv", "out.jsonl.gz", "out.parquet", "out.csv.zst", "out.jsonl.bz2"]


@pytest.mark.parametrize("name_in", INPUTS)
@pytest.mark.parametrize("name_out", OUTPUTS)
def test_round_trip_keeps_ids_order_and_exact_scores(
    tmp_path: Path, shipped: ToxicityModel, name_in: str, name_out: str
) -> None:
    pairs = comments(23)  # 4 chunks of 7: members of a compressed output are concatenated
    summary = score(tmp_path, name_in, name_out, [{"id": i, "body": t} for i, t in pairs])
    rows = read_output(tmp_path / name_out)
    assert [r["id"] for r in rows] == [i for i, _ in pairs]
    want = expected(shipped, [t for _, t in pairs])
    for row, scores in zip(rows, want, strict=True):
        assert {a: row[a] for a in shipped.scored_attributes} == scores  # exactly, not approximately
    assert summary["rows"] == summary["scored"] == 23 and summary["rejected"] == 0
    assert (tmp_path / "out.summary.json").is_file()
    assert (tmp_path / "out.rejects.jsonl").read_bytes() == b""
    assert not (tmp_path / f"{name_out}.partial").exists()


def test_output_format_named_explicitly(tmp_path: Path) -> None:
    pairs = comments(5)
    score(tmp_path, "in.csv", "scores.dat", [{"id": i, "body": t} for i, t in pairs], output_format="jsonl")
    assert [r["id"] for r in read_output(tmp_path / "scores.dat", "jsonl")] == [i for i, _ in pairs]


def test_integer_ids_stay_integers_in_jsonl(tmp_path: Path) -> None:
    score(tmp_path, "in.jsonl", "out.jsonl", [{"id": 7, "body": "hello"}, {"id": "x", "body": "hi there"}])
    assert [r["id"] for r in read_output(tmp_path / "out.jsonl")] == [7, "x"]


def test_empty_input_gives_a_header_only_output(tmp_path: Path) -> None:
    summary = score(tmp_path, "in.csv", "out.csv", [])
    assert summary["rows"] == 0
    assert (tmp_path / "out.csv").read_text().startswith("id,TOXICITY,")


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("a.csv", Kind("csv")),
        ("a.CSV.GZ", Kind("csv", "gzip")),
        ("a.b.jsonl.zst", Kind("jsonl", "zstd")),
        ("x.ndjson.bz2", Kind("jsonl", "bz2")),
        ("x.parquet", Kind("parquet")),
    ],
)
def test_kind_from_the_name(name: str, kind: Kind) -> None:
    assert kind_of(Path(name)) == kind


@pytest.mark.parametrize(
    ("name", "message"),
    [("a.txt", "cannot tell the format"), ("a.gz", "cannot tell the format"), ("a.parquet.gz", "Parquet compresses")],
)
def test_unknown_names_are_refused_with_what_is_accepted(name: str, message: str) -> None:
    with pytest.raises(BulkError, match=message):
        kind_of(Path(name))


def test_scores_are_each_texts_alone_whatever_shares_its_batch(tmp_path: Path, shipped: ToxicityModel) -> None:
    several = "You are a pathetic idiot and everybody here knows it well. " * 2 + "Go away and never come back."
    pairs = [*comments(15), ("long", several)]  # one chunk: one-sentence comments batched with one of 3 units
    score(tmp_path, "in.jsonl", "out.jsonl", [{"id": i, "body": t} for i, t in pairs], chunk_rows=16)
    rows = read_output(tmp_path / "out.jsonl")
    alone = [shipped.score([t])[0] for _, t in pairs]
    differ = [
        i
        for i, (row, want) in enumerate(zip(rows, alone, strict=True))
        if {a: row[a] for a in shipped.scored_attributes} != want
    ]
    assert differ == []  # exactly: scored as one batch, most of them move in the last bits
