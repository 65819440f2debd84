"""The language behaviour suite on the shipped model: every (language, category) keeps its minimum pass rate.

The model is the shipped default, or the artifact at ``TOXICITY_MODEL_PATH`` when that
is set (to check a candidate before it ships).
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from model import ToxicityModel, load_model
from training.behaviour_languages import language_results, load_language_suite

SUITE = load_language_suite()
PAIRS = sorted({(tag, case.category) for tag, cases in SUITE.items() for case in cases})

# Measured on the shipped 2026.12.05-c8b8eac2 (passed/total), rounded down to 0.05. None: the category's
# attribute is unsupported in that language, so its cases are not judged (every French and Hinglish attribute
# is unsupported: their training rows are over 60 % positive, or too imprecise; see the card), and
# the test checks that they stay unjudged. Raise a minimum when a retrained model does better.
MINIMUM: dict[str, dict[str, float | None]] = {
    "de": {"insult": 1.00, "group_mention": 1.00, "news": 1.00, "identity_attack": 1.00},  # 3/3 3/3 2/2 2/2
    "pt": {"insult": 0.65, "group_mention": 1.00, "news": 1.00, "identity_attack": 1.00},  # 2/3 3/3 2/2 1/1
    "zh": {"insult": 1.00, "group_mention": 1.00, "news": 1.00, "identity_attack": 1.00},  # 2/2 3/3 2/2 1/1
    "ar": {"insult": 1.00, "group_mention": 1.00, "news": 1.00, "identity_attack": 1.00},  # 2/2 2/2 2/2 1/1
    "ko": {"insult": 1.00, "group_mention": 1.00, "news": 1.00, "identity_attack": 1.00},  # 2/2 3/3 2/2 1/1
    "ru": {"insult": 1.00, "group_mention": 1.00, "news": 1.00},  # 2/2 2/2 2/2
    "fr": {"insult": None, "group_mention": None, "news": None, "identity_attack": None},  # no model
    "hi-Latn": {"insult": None, "group_mention": None, "news": None, "identity_attack": None},  # no model
    "hi": {"insult": 0.50, "group_mention": 0.50, "news": 1.00},  # 1/2 1/2 2/2
}


@pytest.fixture(scope="module")
def model() -> ToxicityModel:
    path = os.environ.get("TOXICITY_MODEL_PATH")
    return load_model(path) if path else load_model()


@pytest.fixture(scope="module")
def results(model: ToxicityModel) -> dict[str, dict[str, dict[str, Any]]]:
    return language_results(model, SUITE)


def test_every_language_and_category_has_a_minimum() -> None:
    assert set(PAIRS) == {(tag, category) for tag, categories in MINIMUM.items() for category in categories}


@pytest.mark.parametrize(("tag", "category"), PAIRS)
def test_pass_rate_at_least_minimum(
    model: ToxicityModel, results: dict[str, dict[str, dict[str, Any]]], tag: str, category: str
) -> None:
    entry = results[tag][category]
    minimum = MINIMUM[tag][category]
    if minimum is None:  # the attribute the category tests is unsupported in this language: nothing is judged
        assert entry["total"] == 0 and entry["unscored"] > 0, (
            f"{tag} {category} was expected not to be judged (its attribute unsupported in this language), "
            f"but {entry['total']} case(s) were: give it a minimum"
        )
        return
    if entry["total"] == 0 or entry["rate"] < minimum:
        shown = [
            f"  {f['id']}: expected {f['expected']}, flagged {', '.join(f['flagged']) or 'nothing'} {f.get('scores', '')}"
            for f in entry["failures"]
        ]
        pytest.fail(
            f"{tag} {category} on model {model.version}: {entry['passed']}/{entry['total']} passed "
            f"({entry['unscored']} not judged), minimum {minimum:.2f}. {entry.get('reason', '')}\n" + "\n".join(shown)
        )
