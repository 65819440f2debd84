"""Source metadata (licence, default exclusion) and how the dataset and the CLI apply it."""

from __future__ import annotations

from pathlib import Path

import pytest

from model.attributes import ATTRIBUTE_NAMES
from tests.training.test_loaders import OLID, write
from tests.training.test_loaders_hate import HX
from training.cli import _corpus, build_parser
from training.dataset import shared_loaders
from training.loaders import PRIMARY_ATTRIBUTE, SHARED_SOURCES, SOURCE_INFO, default_excluded


def test_every_shared_source_has_metadata_and_a_primary_attribute() -> None:
    assert set(SOURCE_INFO) == set(SHARED_SOURCES)
    for name in SHARED_SOURCES:
        assert SOURCE_INFO[name].licence, name
        assert PRIMARY_ATTRIBUTE[name] in ATTRIBUTE_NAMES, name


def test_only_non_commercial_licences_forbid_commercial_use() -> None:
    for name, info in SOURCE_INFO.items():
        assert info.commercial_use_ok == ("-NC" not in info.licence), name
    assert not SOURCE_INFO["unhealthy-conversations"].commercial_use_ok


def test_default_exclusions_and_their_reasons() -> None:
    excluded = default_excluded()
    assert set(excluded) == {"unhealthy-conversations", "hatexplain"}
    assert "non-commercial" in excluded["unhealthy-conversations"]
    assert "test" in excluded["hatexplain"]


def data_dir(tmp_path: Path, *names: str) -> Path:
    for name in names:
        (tmp_path / name).mkdir()
    return tmp_path


def test_shared_loaders_skip_default_excluded_unless_named(tmp_path: Path) -> None:
    root = data_dir(tmp_path, "olid", "ethos", "hatexplain", "unhealthy-conversations")
    assert [n for n, _, _ in shared_loaders(root)] == ["olid", "ethos"]
    assert [n for n, _, _ in shared_loaders(root, ["hatexplain", "olid"])] == ["hatexplain", "olid"]
    assert [n for n, _, _ in shared_loaders(root, exclude=["olid"])] == ["ethos"]
    assert [n for n, _, _ in shared_loaders(root, ["hatexplain"], exclude=["hatexplain"])] == []
    with pytest.raises(ValueError, match=r"unknown source\(s\) \['nope'\]"):
        shared_loaders(root, exclude=["nope"])


def test_cli_help_names_the_excluded_sources_and_why(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("train", "evaluate"):
        with pytest.raises(SystemExit):
            build_parser().parse_args([command, "--help"])
        out = capsys.readouterr().out
        assert "--exclude-source NAME" in out
        for name, reason in default_excluded().items():
            assert f"  {name}: {reason}" in out


def test_cli_source_and_exclude_source(tmp_path: Path) -> None:
    root = data_dir(tmp_path, "olid", "tweeteval-offensive", "hatexplain")
    write(root / "olid" / "olid-training-v1.0.tsv", OLID)
    for split in ("train", "val"):
        write(root / "tweeteval-offensive" / f"{split}_text.txt", "a tweet \n")
        write(root / "tweeteval-offensive" / f"{split}_labels.txt", "0\n")
    write(root / "hatexplain" / "preprocessed.csv", HX + "all of them are vermin,,2,0,0,1,0,0\n")
    parse = build_parser().parse_args

    def loaded(*argv: str) -> set[str]:
        return set(_corpus(parse(["train", "--data-dir", str(root), *argv]), 0.2, 0).loaded)

    assert loaded() == {"olid", "tweeteval-offensive"}
    assert loaded("--exclude-source", "tweeteval-offensive") == {"olid"}
    assert loaded("--source", "hatexplain", "--source", "olid") == {"hatexplain", "olid"}
