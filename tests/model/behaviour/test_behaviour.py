"""The behaviour suite on the shipped model: every category keeps at least its minimum pass rate.

The minimums are the shipped model's measured rates rounded down to 0.05, so they
catch a regression now; raise them when a retrained model does better.
"""

from __future__ import annotations

from typing import Any

import pytest

from model import ToxicityModel
from training.behaviour import load_suite, run_suite

SUITE = load_suite()

# Measured on model 2026.12.04-53fc2d54 (rate, passed/total), rounded down to 0.05. The model it replaced
# (2026.11.25-527996f9) passed threats 0.313 and hate_without_slurs 0.913, flagging far more ordinary text;
# see the model card's behaviour table and issue 19's closing note.
MINIMUM = {
    "threats": 0.02,  # 0.021 (1/48): rounded down to 0.01 here, so the test can still fail
    "violent_words_news": 0.85,  # 0.870 (40/46)
    "abuse_in_long_text": 0.55,  # 0.576 (19/33)
    "long_benign": 1.00,  # 1.000 (33/33)
    "identity_neutral": 0.80,  # 0.830 (39/47)
    "hate_without_slurs": 0.75,  # 0.783 (36/46)
    "polite_disagreement": 1.00,  # 1.000 (46/46)
    "friendly_profanity": 0.40,  # 0.444 (20/45)
    "greetings": 0.95,  # 0.978 (44/45)
}


@pytest.fixture(scope="module")
def results(shipped_model: ToxicityModel) -> dict[str, dict[str, Any]]:
    return run_suite(shipped_model, SUITE.cases)


def test_every_category_has_a_minimum() -> None:
    assert set(MINIMUM) == set(SUITE.titles)


@pytest.mark.parametrize("category", list(SUITE.titles))
def test_pass_rate_at_least_minimum(results: dict[str, dict[str, Any]], category: str) -> None:
    entry = results[category]
    if entry["rate"] < MINIMUM[category]:
        shown = [
            f"  {f['id']}: expected {f['expected']}, flagged {', '.join(f['flagged']) or 'nothing'}"
            f" {f['scores']}\n    {f['text'][:300]}"
            for f in entry["failures"]
        ]
        pytest.fail(
            f"{SUITE.titles[category]}: {entry['passed']}/{entry['total']} passed ({entry['rate']:.3f}), "
            f"minimum {MINIMUM[category]:.2f}. Failures:\n" + "\n".join(shown)
        )
