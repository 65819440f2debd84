"""Threshold presets, identity swaps and the bias metrics, on numbers and texts written here."""

from __future__ import annotations

import numpy as np
import pytest

from training import bias, identity, thresholds


def test_presets_follow_their_rules() -> None:
    rng = np.random.default_rng(0)
    y = (rng.random(4000) < 0.3).astype(np.int64)
    p = np.clip(0.35 * y + rng.normal(0.4, 0.15, 4000), 0, 1)
    chosen = thresholds.choose(p, y)
    assert chosen["high_precision"].threshold >= chosen["balanced"].threshold >= chosen["high_recall"].threshold
    for name, (kind, target) in thresholds.PRESETS.items():
        preset = chosen[name]
        precision, recall = thresholds.measure(p, y, preset.threshold)
        assert preset.reached
        assert (precision if kind == "precision" else recall) >= target - 1e-9, name
        assert precision == pytest.approx(preset.precision, abs=0.02)
    # The balanced threshold is the lowest reaching 0.8: a little lower falls short.
    lower = chosen["balanced"].threshold - 0.01
    assert thresholds.measure(p, y, lower)[0] < 0.8 + 0.01


def test_an_unreachable_precision_says_so_and_falls_back_to_best_f1() -> None:
    rng = np.random.default_rng(1)
    y = (rng.random(3000) < 0.2).astype(np.int64)
    p = rng.random(3000)  # no signal: precision stays near the base rate
    chosen = thresholds.choose(p, y)
    assert not chosen["high_precision"].reached and not chosen["balanced"].reached
    assert "not reached" in chosen["balanced"].rule
    assert chosen["high_recall"].reached
    assert chosen["high_precision"].threshold >= chosen["balanced"].threshold >= chosen["high_recall"].threshold


def test_weights_change_the_assumed_share_of_positives() -> None:
    rng = np.random.default_rng(2)
    y = (rng.random(4000) < 0.5).astype(np.int64)
    p = np.clip(0.3 * y + rng.normal(0.35, 0.15, 4000), 0, 1)
    even = thresholds.choose(p, y)["balanced"].threshold
    rarer = thresholds.choose(p, y, np.where(y == 1, 0.2, 1.0))["balanced"].threshold
    assert rarer > even  # fewer positives in the mix: the same precision needs a higher threshold


def test_identity_swaps_keep_form_case_and_labels() -> None:
    text = "Muslims and gay people deserve respect, said the Catholic bishop."
    swapped = identity.swap_identities(text, seed=3)
    assert swapped is not None and swapped != text
    words = swapped.replace(",", "").replace(".", "").split()
    assert words[0] in {w.capitalize() for w in identity.SWAP_GROUPS["religion"][1]}  # plural stays plural
    assert words[2] in identity.SWAP_GROUPS["sexuality and gender identity"][0]
    assert identity.swap_identities(text, seed=3) == swapped  # reproducible
    assert identity.swap_identities("The weather is nice today.") is None


def test_mentions_find_every_form_of_a_term() -> None:
    assert identity.mentions("Two Jews and a Muslim walk in") == {"jewish", "muslim"}
    assert identity.mentions("nothing here") == set()


def test_bias_metrics_separate_a_term_that_is_scored_too_high() -> None:
    rng = np.random.default_rng(4)
    n = 2000
    texts = [("the muslim neighbours" if i % 4 == 0 else "the neighbours") + f" {i}" for i in range(n)]
    y = (rng.random(n) < 0.3).astype(np.int64)
    mentioned = np.array(["muslim" in t for t in texts])
    p = np.clip(0.4 * y + rng.normal(0.3, 0.1, n) + 0.3 * mentioned, 0, 1)  # the term alone raises the score
    table = bias.bias_table(texts, y, p, terms=("muslim", "gay"))
    row = table["muslim"]
    assert row["n"] == int(mentioned.sum())
    assert row["bpsn_auc"] < row["subgroup_auc"] and row["bpsn_auc"] < row["bnsp_auc"]
    assert table["gay"]["subgroup_auc"] is None  # not measurable: nobody mentions it
    assert bias.worst_terms(table)[0][:2] == ("muslim", "bpsn_auc")
