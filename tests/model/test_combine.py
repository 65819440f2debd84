"""The sentence combiner: folding into one calibrator, the batch layout, and the scorer's use of it."""

from __future__ import annotations

import numpy as np
import pytest

from model.calibration import Calibrator
from model.combine import Combiner, unit_features, units, units_batch

LONG = " ".join(["The council met on Tuesday to talk about the library budget for next year."] * 4)


@pytest.mark.parametrize(
    "calibrator",
    [Calibrator("sigmoid", a=1.3, b=-0.4), Calibrator("isotonic", x=(-3.0, 0.0, 2.0), y=(0.01, 0.4, 0.97))],
)
def test_a_one_unit_comment_scores_the_same_through_the_folded_calibrator(calibrator: Calibrator) -> None:
    comb = Combiner(w_whole=0.7, w_max=0.6, w_count=-0.5, bias=0.2, calibrator=calibrator)
    z = np.linspace(-4, 4, 41)
    np.testing.assert_allclose(comb.single()(z), comb(z, z, np.ones_like(z)), atol=1e-12)


def test_a_combiner_whose_score_falls_with_the_logit_is_refused() -> None:
    with pytest.raises(ValueError, match="must be positive"):
        Combiner(-1.0, 0.5, 0.0, 0.0, Calibrator("sigmoid")).single()


def test_round_trip_and_bad_weights() -> None:
    comb = Combiner(0.5, 1.0, -0.3, 0.1, Calibrator("sigmoid", a=2.0, b=1.0))
    assert Combiner.from_dict(comb.to_dict()) == comb
    with pytest.raises(ValueError, match="finite"):
        Combiner.from_dict({**comb.to_dict(), "w_max": float("nan")})


def test_units_batch_lists_comments_then_the_units_of_long_ones() -> None:
    texts = ["short one", LONG, "another short"]
    batch, counts, spans = units_batch(texts)
    assert counts == [1, 4, 1]
    assert batch[:3] == texts
    assert batch[3:] == [LONG[a:b] for a, b in units(LONG)]
    logits = np.zeros((len(batch), 2))
    logits[3 + 2] = [5.0, -1.0]  # the third sentence of the long comment
    logits[1] = [1.0, 1.0]
    z_whole, z_max, k = unit_features(logits, counts)
    assert z_whole[1].tolist() == [1.0, 1.0]
    assert z_max[1].tolist() == [5.0, 0.0]
    assert k[:, 0].tolist() == [1, 4, 1]
    assert spans[0] == [(0, 9)]


def test_the_tiny_model_combines_long_comments_on_both_paths(tiny_model) -> None:  # type: ignore[no-untyped-def]
    assert tiny_model.combiners is not None
    long_hostile = LONG + " You are a moron and a fool. " + LONG
    texts = ["you are a moron", LONG, long_hostile, "thanks teacher"]
    fast = tiny_model.probabilities(texts)
    reference = tiny_model.reference_probabilities(texts)
    np.testing.assert_allclose(fast, reference, atol=1e-6)
    batch, counts, _ = units_batch(texts)
    np.testing.assert_allclose(fast, tiny_model.combine(tiny_model.reference_logits(batch), counts), atol=1e-9)
    # A one-unit comment takes the kernel's folded calibrators: the same numbers.
    np.testing.assert_allclose(
        fast[[0, 3]], tiny_model.calibrate(tiny_model.reference_logits(texts))[[0, 3]], atol=1e-6
    )


def test_explanations_point_at_the_sentence_that_drove_the_score(tiny_model) -> None:  # type: ignore[no-untyped-def]
    text = LONG + " You are a moron and a fool, a stupid idiot. " + LONG
    (explanation,) = tiny_model.explain(text, ["INSULT"])
    assert len(explanation.sentences) == len(units(text))
    driver = explanation.sentences[explanation.driver]
    assert "moron" in text[driver.start : driver.end]
    assert driver.score == max(u.score for u in explanation.sentences)
