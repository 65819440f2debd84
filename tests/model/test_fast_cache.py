"""The kernels' tables come from model.normalize, and their compiled-code cache is keyed on them."""

from __future__ import annotations

import numpy as np
import pytest

import model.normalize as rules
from model.fast import cache, tables


def test_tables_are_generated_from_the_normalisation_rules() -> None:
    for look_alike, letter in {**rules.LEET_MAP, **rules.LEET_INNER}.items():
        to = tables.LEET_TO if look_alike in rules.LEET_MAP else tables.INNER_TO
        assert chr(int(to[ord(look_alike)])) == letter
    assert int(np.count_nonzero(tables.LEET_TO)) == len(rules.LEET_MAP)
    for c in range(128):
        assert bool(tables.ASCII[c] & tables.HAS_LEET) == (chr(c) in rules.LEET_CHARACTERS)
        assert bool((tables.ASCII[c] >> 8) & tables.SEPARATOR) == (chr(c) in rules.SPACED_SEPARATORS)
        assert bool(tables.ASCII[c] & tables.HEAD_REDO) == bool(rules.INVISIBLE.fullmatch(chr(c)))
    assert "".join(map(chr, tables.USER_CPS)) == rules.USER_TOKEN


@pytest.mark.parametrize("name", ["LEET_TO", "INNER_TO", "ASCII"])
def test_a_changed_table_changes_the_cache_folder(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    before = tables.digest()
    changed = getattr(tables, name).copy()
    changed[ord("k")] += 1
    monkeypatch.setattr(tables, name, changed)
    assert tables.digest() != before


def test_a_changed_rule_value_changes_the_cache_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    before = tables.digest()
    monkeypatch.setattr(tables, "UNIT_CODES", (*tables.UNIT_CODES, 1))
    assert tables.digest() != before


def test_the_cache_folder_is_named_after_the_digest(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    import numba

    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(numba.config, "CACHE_DIR", numba.config.CACHE_DIR)  # restored afterwards
    folder = cache.configure()
    assert folder == tmp_path / f"kernels-{tables.digest()}"
    assert str(folder) == numba.config.CACHE_DIR


def test_rules_the_kernels_cannot_follow_are_refused() -> None:
    with pytest.raises(ValueError, match="one ASCII character"):
        tables._ascii_map({"ß": "ss"})
    with pytest.raises(ValueError, match="only a-z"):
        tables._pack_letters("k9")
