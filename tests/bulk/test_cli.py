"""``toxicity score``: flagged by preset and profile, clear errors and exit 2, resume refusals, import direction."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from model import ToxicityModel
from tests.bulk.conftest import comments, read_output, write_input
from training.cli import main

ROOT = Path(__file__).resolve().parents[2]


def toxicity(*args: object) -> int:
    return main(["score", *map(str, args), "--workers", "0", "--quiet"])


@pytest.fixture
def src(tmp_path: Path) -> Path:
    return write_input(tmp_path / "in.csv", [{"id": i, "body": t} for i, t in comments(16)])


@pytest.mark.parametrize("preset", ["balanced", "high_precision", "high_recall"])
def test_flagged_by_preset(tmp_path: Path, src: Path, shipped: ToxicityModel, preset: str) -> None:
    assert toxicity(src, tmp_path / "out.jsonl", "--id-column", "id", "--text-column", "body", "--preset", preset) == 0
    limits = {a: shipped.presets()[preset].get(a, t) for a, t in shipped.thresholds().items()}
    rows = read_output(tmp_path / "out.jsonl")
    for row in rows:
        assert row["flagged"] == [a for a in shipped.scored_attributes if row[a] >= limits[a]]
    assert any(row["flagged"] for row in rows) and not all(row["flagged"] for row in rows)
    summary = json.loads((tmp_path / "out.summary.json").read_text())
    assert summary["thresholds"] == limits
    assert summary["flagged"] == {a: sum(a in r["flagged"] for r in rows) for a in shipped.scored_attributes}


def test_flagged_by_profile_in_csv(tmp_path: Path, src: Path, shipped: ToxicityModel) -> None:
    profiles = tmp_path / "profiles.toml"
    profiles.write_text(
        '[profiles.news]\ndescription = "News"\npreset = "high_recall"\nthresholds = { TOXICITY = 0.0 }\n'
    )
    out = tmp_path / "out.csv"
    args = ("--id-column", "id", "--text-column", "body", "--profile", "news", "--profiles-file", profiles)
    assert toxicity(src, out, *args) == 0
    rows = read_output(out)
    assert all(r["flagged"].split(" ")[0] == "TOXICITY" for r in rows)  # threshold 0: every row


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--id-column", "nope", "--text-column", "body"], "no column --id-column 'nope'"),
        (["--id-column", "id", "--text-column", "body", "--profile", "x"], "--profile needs --profiles-file"),
        (["--id-column", "body", "--text-column", "body"], "must be two columns"),
        (["--id-column", "id", "--text-column", "body", "--rejects", "/nonexistent/r.jsonl"], "folder /nonexistent"),
        (["--id-column", "id", "--text-column", "body", "--profiles-file", "p.toml"], "used only with --profile"),
        (["--id-column", "TOXICITY", "--text-column", "body"], "also the name of an output column"),
    ],
)
def test_bad_options_exit_2_with_a_message(
    tmp_path: Path, src: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    assert toxicity(src, tmp_path / "out.csv", *extra) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out.csv").exists()


def test_bounded_arguments_are_refused_by_the_parser(
    tmp_path: Path, src: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(
            [
                "score",
                str(src),
                str(tmp_path / "o.csv"),
                "--id-column",
                "id",
                "--text-column",
                "body",
                "--chunk-rows",
                "5",
            ]
        )
    assert exc.value.code == 2
    assert "--chunk-rows must be between 100 and 1,000,000, not 5" in capsys.readouterr().err


def test_existing_output_is_kept_unless_overwrite(
    tmp_path: Path, src: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.csv"
    out.write_text("precious")
    assert toxicity(src, out, "--id-column", "id", "--text-column", "body") == 2
    assert "add --overwrite" in capsys.readouterr().err and out.read_text() == "precious"
    assert toxicity(src, out, "--id-column", "id", "--text-column", "body", "--overwrite") == 0
    assert len(read_output(out)) == 16


def test_unfinished_run_needs_resume_and_the_same_input(
    tmp_path: Path, src: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.csv"
    (tmp_path / "out.csv.partial").mkdir()
    assert toxicity(src, out, "--id-column", "id", "--text-column", "body") == 2
    assert "add --resume" in capsys.readouterr().err
    (tmp_path / "out.csv.partial").rmdir()
    from bulk.state import RunState, fingerprint

    options = {"id_column": "id"}
    RunState(out, fingerprint(src, options), ("TOXICITY",), resume=False)
    src.write_bytes(src.read_bytes() + b"99,one more\n")
    with pytest.raises(Exception, match=r"--resume refused: the input or the options differ .*size was"):
        RunState(out, fingerprint(src, options), ("TOXICITY",), resume=True)
    with pytest.raises(Exception, match=r"id_column was 'id', is now 'body'"):
        RunState(
            out, fingerprint(src, {"id_column": "body"}) | {"size": src.stat().st_size}, ("TOXICITY",), resume=True
        )


def test_parquet_compressed_name_is_refused(tmp_path: Path, src: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert toxicity(src, tmp_path / "out.parquet.gz", "--id-column", "id", "--text-column", "body") == 2
    assert "Parquet compresses its own column chunks" in capsys.readouterr().err


def test_bulk_imports_only_the_model(tmp_path: Path) -> None:
    script = (
        "import sys, bulk.cli, bulk.run, bulk.rows, bulk.readers, bulk.writers, bulk.summary\n"
        "print(sorted({k.split('.')[0] for k in sys.modules} & {'training', 'service', 'fastapi', 'starlette'}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert out.stdout.strip() == "[]"
