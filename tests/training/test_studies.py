"""The studies behind issue 19's open targets: the bound, the threat pattern and the concept tokens."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from training.dataset import Corpus
from training.records import Record, normalized
from training.studies import naive_gap
from training.studies.__main__ import halves, main
from training.studies.dilution import retention_bound
from training.studies.threats import DIRECT, count_direct, with_concepts
from training.studies.variants import variants


def test_separable_sentences_keep_every_abusive_comment() -> None:
    benign = np.linspace(-6.0, -2.0, 500)
    abusive = np.linspace(3.0, 5.0, 200)
    for bound in retention_bound(benign, abusive, single_cut=0.0, sizes=(5, 60), samples=2000):
        assert bound.retention == 1.0
        assert bound.benign_flagged <= 0.02


def test_overlapping_sentences_lose_retention_as_comments_grow() -> None:
    rng = np.random.default_rng(1)
    benign = rng.normal(-2.0, 1.0, 5000)
    abusive = rng.normal(0.5, 1.0, 2000)
    bounds = retention_bound(benign, abusive, single_cut=0.0, sizes=(5, 20, 60), samples=5000)
    allowed = float(np.mean(benign >= 0.0)) + 0.02
    assert all(b.benign_flagged <= allowed + 1e-9 for b in bounds)
    # The lowest cut the allowance permits: the sampled comments repeat the pool's top
    # sentences, so ties keep the rate a little under the allowance, never far.
    assert all(b.benign_flagged >= allowed - 0.01 for b in bounds)
    retention = [b.retention for b in bounds]
    assert retention[0] > retention[1] > retention[2]
    assert retention[2] < 0.9


def test_bound_refuses_empty_or_unflagged_input() -> None:
    with pytest.raises(ValueError, match="need benign"):
        retention_bound(np.array([]), np.array([1.0]), 0.0)
    with pytest.raises(ValueError, match="no abusive sentence"):
        retention_bound(np.array([-1.0]), np.array([-1.0]), 0.0)


@pytest.mark.parametrize(
    "text",
    ["I'll shoot you myself.", "im gonna break your legs", "I am going to hurt you badly", "i'd punch u"],
)
def test_direct_threats_match(text: str) -> None:
    assert DIRECT.search(text)


@pytest.mark.parametrize(
    "text",
    ["You will shoot the winning goal.", "The storm will break records.", "I'll call you tomorrow."],
)
def test_other_sentences_do_not_match(text: str) -> None:
    assert not DIRECT.search(text)


def test_count_direct_splits_by_label() -> None:
    records = [
        Record(text="I'll kill you", source="a", labels={"THREAT": 1}),
        Record(text="i will stab you", source="a", labels={"THREAT": 0}),
        Record(text="I'm going to beat your team", source="b", labels={"TOXICITY": 0}),
        Record(text="Nice day", source="b", labels={"THREAT": 0}),
    ]
    counts = count_direct(records)
    assert counts["a"] == {"1": 1, "0": 1}
    assert counts["b"] == {"unknown": 1}


def test_concept_tokens_follow_the_words_in_order() -> None:
    out = with_concepts("I'll smash your face")
    assert out.endswith(" zzc zzintent zzharm zzyou zzbody")
    assert with_concepts("A quiet afternoon") == "a quiet afternoon"


def test_variants_change_only_the_rows_they_name() -> None:
    table = variants("TOXICITY")
    half, _ = table["paradetox toxic at half weight"]
    toxic = Record(text="a", source="paradetox", labels={"TOXICITY": 1})
    rewrite = Record(text="b", source="paradetox", labels={"TOXICITY": 0})
    other = Record(text="c", source="olid", labels={"TOXICITY": 1})
    assert half(toxic).weight_of("TOXICITY") == 0.5
    assert half(rewrite).weight_of("TOXICITY") == 1.0
    assert half(other) is other
    untargeted, _ = table["OLID untargeted profanity: TOXICITY unknown"]
    unt = Record(text="d", source="olid", labels={"TOXICITY": 1, "PROFANITY": 1, "INSULT": 0})
    assert untargeted(unt).labels == {"PROFANITY": 1, "INSULT": 0}
    tin = Record(text="e", source="olid", labels={"TOXICITY": 1, "INSULT": 1})
    assert untargeted(tin) is tin
    assert table["identity swaps at full weight"][1] == {"swap_weight": 1.0}


def test_preparations_differ_where_the_normaliser_acts() -> None:
    text = "Go to URL &amp; @someone"
    raw, head, tail, whole = (naive_gap.texts_as(n)(text) for n in ("raw", "head", "tail", "normalised"))
    assert raw == text
    assert "&amp;" not in head and "@someone" in head  # entities unescaped, mentions left to the tail
    assert "@someone" not in tail and "&amp;" in tail
    assert whole == normalized(text) != raw


def test_halves_are_the_validation_rows_cut_in_two() -> None:
    records = [Record(text=f"comment {i}", source="s", labels={"TOXICITY": i % 2}) for i in range(400)]
    corpus = Corpus(records, [r.text for r in records], [i % 3 == 0 for i in range(400)], [])
    tune, report = halves(corpus, {"seed": 0, "tune_fraction": 0.5})
    validation = {r.text for r, v in zip(records, corpus.validation, strict=True) if v}
    assert {r.text for r in tune} | {r.text for r in report} == validation
    assert not {r.text for r in tune} & {r.text for r in report}
    assert 40 < len(tune) < 94


def test_a_missing_data_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dilution", "--data-dir", str(tmp_path / "absent")]) == 2
    assert "not found" in capsys.readouterr().err
