"""The multilingual loaders on the real data in ../shared/data-multilingual (skipped when it is absent)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from model.attributes import ATTRIBUTE_NAMES
from tests.conftest import ROOT
from training.loaders import SHARED_SOURCES
from training.loaders.multilingual import (
    APPROXIMATE,
    MULTILINGUAL_PRIMARY,
    MULTILINGUAL_SOURCE_INFO,
    MULTILINGUAL_SOURCES,
    SOURCE_LANGUAGE,
    multilingual_default_excluded,
    multilingual_loaders,
)

SHARED_MULTILINGUAL = ROOT.parent / "shared" / "data-multilingual"

# Rows each loader yields, counted from PROVENANCE.md less what each docstring says it leaves out.
EXPECTED_ROWS = {
    "de-germeval2018": 5_009,
    "de-gahd": 9_339,  # 9,340 less the one empty text
    "hi-en-trac1": 7_130,  # OAG 4,856 + NAG 2,275 less one empty text; CAG left out
    "pt-toldbr": 18_853,
    "pt-offcombr": 1_007,  # OffComBR-2; OffComBR-3 only sets weights
    "ko-beep": 7_896,
    "zh-cold": 32_157,
    "id-ibrohim2019": 10_466,
    "fr-mlma": 3_217,
    "ar-mlma": 2_686,
    "ar-lhsab": 4_709,
    "ar-osact2020": 7_000,
    "ja-inspection-toxic": 255,  # 364 less the sentences with no majority either way
    "ru-distorted-toxicity": 2_315,
}


@pytest.fixture(scope="module")
def multilingual_data() -> Path:
    if not (SHARED_MULTILINGUAL / "PROVENANCE.md").is_file():
        pytest.skip(f"needs the multilingual data sets in {SHARED_MULTILINGUAL}, which is absent here")
    return SHARED_MULTILINGUAL


def test_registry_is_complete_and_apart_from_the_english_one() -> None:
    names = set(MULTILINGUAL_SOURCES)
    assert len(names) == 14
    assert not names & set(SHARED_SOURCES)
    for table in (SOURCE_LANGUAGE, MULTILINGUAL_PRIMARY, APPROXIMATE, MULTILINGUAL_SOURCE_INFO, EXPECTED_ROWS):
        assert set(table) == names
    for name in names:
        assert MULTILINGUAL_PRIMARY[name] in ATTRIBUTE_NAMES
        assert MULTILINGUAL_PRIMARY[name] not in APPROXIMATE[name] or name == "hi-en-trac1"
        assert MULTILINGUAL_SOURCE_INFO[name].licence


def test_only_the_non_commercial_set_is_left_out_of_a_default_model(tmp_path: Path) -> None:
    assert multilingual_default_excluded() == {"id-ibrohim2019": "non-commercial licence (CC BY-NC-SA 4.0)"}
    for name, info in MULTILINGUAL_SOURCE_INFO.items():
        assert info.commercial_use_ok == ("-NC" not in info.licence), name
    for name in ("de-gahd", "id-ibrohim2019"):
        (tmp_path / name).mkdir()
    assert [n for n, _, _ in multilingual_loaders(tmp_path)] == ["de-gahd"]
    assert [n for n, _, _ in multilingual_loaders(tmp_path, include_excluded=True)] == ["de-gahd", "id-ibrohim2019"]
    assert [n for n, _, _ in multilingual_loaders(tmp_path, ["id-ibrohim2019"])] == ["id-ibrohim2019"]
    with pytest.raises(ValueError, match=r"unknown multilingual source\(s\) \['xx'\]"):
        multilingual_loaders(tmp_path, ["xx"])
    with pytest.raises(FileNotFoundError, match="ko-beep"):
        multilingual_loaders(tmp_path, ["ko-beep"])


@pytest.mark.data
def test_every_multilingual_folder_has_a_loader(multilingual_data: Path) -> None:
    folders = {p.name for p in multilingual_data.iterdir() if p.is_dir()}
    assert folders == set(MULTILINGUAL_SOURCES)


@pytest.mark.data
@pytest.mark.parametrize("name", list(MULTILINGUAL_SOURCES))
def test_each_loader_loads_the_real_set(multilingual_data: Path, name: str) -> None:
    records = list(MULTILINGUAL_SOURCES[name](multilingual_data / name))
    assert len(records) == EXPECTED_ROWS[name]
    languages = Counter(r.language for r in records)
    assert SOURCE_LANGUAGE[name] in languages
    assert set(languages) <= {SOURCE_LANGUAGE[name], "hi"}
    for record in records:
        assert record.text.strip(), record.ref
        assert record.labels, record.ref
        assert record.source == name
        assert "THREAT" not in record.labels, record.ref
    primary = Counter(r.labels[MULTILINGUAL_PRIMARY[name]] for r in records if MULTILINGUAL_PRIMARY[name] in r.labels)
    assert primary[0] and primary[1], f"{name}: its primary attribute needs both classes, has {primary}"
