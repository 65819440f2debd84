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

# Measured on model 2026.11.25-527996f9 (rate, passed/total), rounded down to 0.05.
MINIMUM = {
    "threats": 0.30,  # 0.313 (15/48)
    "violent_words_news": 0.35,  # 0.391 (18/46)
    "abuse_in_long_text": 0.30,  # 0.333 (11/33)
    "long_benign": 0.75,  # 0.758 (25/33)
    "identity_neutral": 0.50,  # 0.532 (25/47)
    "hate_without_slurs": 0.90,  # 0.913 (42/46)
    "polite_disagreement": 0.70,  # 0.739 (34/46)
    "friendly_profanity": 0.25,  # 0.289 (13/45)
    "greetings": 0.65,  # 0.667 (30/45)
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
