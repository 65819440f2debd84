"""``training.behaviour_languages`` on stub sub-models with fixed scores, and the case file's shape."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

import pytest

from model.languages import Language, Languages
from training.behaviour_languages import (
    CATEGORIES,
    MAX_CASES,
    language_results,
    load_language_suite,
    markdown_table,
    parse_language_suite,
    run_language_suite,
)


class Sub:
    """A sub-model scoring only the attributes given, each at threshold 0.5."""

    def __init__(self, scored: tuple[str, ...], table: Mapping[str, Mapping[str, float]]) -> None:
        self.scored_attributes = scored
        self.table = table

    def thresholds(self) -> dict[str, float]:
        return dict.fromkeys(self.scored_attributes, 0.5)

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        return [dict(self.table[t]) for t in texts]


class Root:
    def __init__(self, subs: Mapping[str, Sub]) -> None:
        entries = {"en": Language("en", "English", cast(Any, object()))}
        entries |= {tag: Language(tag, tag, cast(Any, sub)) for tag, sub in subs.items()}
        self.languages: Languages | None = Languages(entries)


def suite(**languages: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    return {"format": 1, "languages": {tag.replace("_", "-"): cats for tag, cats in languages.items()}}


GERMAN = suite(
    de={
        "insult": [{"text": "du Depp", "flag": ["TOXICITY", "INSULT"]}, {"text": "du Dussel", "flag": ["INSULT"]}],
        "news": [{"text": "Regen am Montag", "clean": True}, {"text": "Haushalt beschlossen", "clean": True}],
        "identity_attack": [{"text": "Hetze", "flag": ["IDENTITY_ATTACK"]}],
    }
)
SCORES = {
    "du Depp": {"TOXICITY": 0.2, "INSULT": 0.5},  # INSULT exactly at its threshold: flagged
    "du Dussel": {"TOXICITY": 0.9, "INSULT": 0.4},
    "Regen am Montag": {"TOXICITY": 0.1, "INSULT": 0.1, "PROFANITY": 0.9},  # PROFANITY not scored: ignored
    "Haushalt beschlossen": {"TOXICITY": 0.6, "INSULT": 0.1},
    "Hetze": {"TOXICITY": 0.9, "INSULT": 0.9, "IDENTITY_ATTACK": 0.9},  # IDENTITY_ATTACK not scored in this language
}


def test_each_language_is_scored_by_its_own_sub_model_on_its_scored_attributes() -> None:
    root = Root({"de": Sub(("TOXICITY", "INSULT"), SCORES)})
    counts = run_language_suite(root, parse_language_suite(GERMAN))
    # The identity attack expects IDENTITY_ATTACK, which this language does not score: not judged.
    assert counts == {"de": {"insult": (1, 2), "news": (1, 2), "identity_attack": (0, 0)}}
    results = language_results(root, parse_language_suite(GERMAN))
    assert results["de"]["identity_attack"]["unscored"] == 1 and results["de"]["identity_attack"]["rate"] is None
    assert results["de"]["insult"]["unscored"] == 0


def test_a_language_without_a_sub_model_judges_nothing_and_says_why() -> None:
    root = Root({})
    results = language_results(root, parse_language_suite(GERMAN))
    assert {c: (e["total"], e["unscored"]) for c, e in results["de"].items()} == {
        "insult": (0, 2),
        "news": (0, 2),
        "identity_attack": (0, 1),
    }
    assert all(e["reason"].startswith("no model for this language") for e in results["de"].values())


def test_markdown_table_has_a_row_per_language_and_a_dash_for_a_missing_category() -> None:
    table = markdown_table({"de": {"insult": (1, 2)}, "pt": {"news": (2, 2)}})
    rows = table.splitlines()
    assert rows[0] == "| language | " + " | ".join(CATEGORIES) + " |"
    assert rows[2] == "| de | 1/2 | — | — | — |"
    assert rows[3] == "| pt | — | — | 2/2 | — |"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"format": 2, "languages": {}}, "format 2"),
        (suite(xx={"news": [{"text": "a", "clean": True}]}), "'xx' is not a catalogue tag"),
        (suite(en={"news": [{"text": "a", "clean": True}]}), "'en' is not a catalogue tag"),
        (suite(pt_BR={"news": [{"text": "a", "clean": True}]}), "'pt-BR' is not a catalogue tag"),
        (suite(de={"rants": [{"text": "a", "clean": True}]}), r"de: unknown category\(ies\) \['rants'\]"),
        (suite(de={"news": [{"text": "a"}]}), "de-news-01: give either 'flag'"),
        (suite(de={"news": [{"text": "a", "clean": True, "why": "x"}]}), r"de-news-01: unknown key\(s\) \['why'\]"),
        (suite(de={"news": [{"text": " ", "clean": True}]}), "de-news-01: empty text"),
        (suite(de={"insult": [{"text": "a", "flag": ["RUDENESS"]}]}), "unknown attribute"),
        (
            suite(de={"news": [{"text": "a", "clean": True}], "insult": [{"text": "a", "flag": ["INSULT"]}]}),
            "de-insult-01 repeats the text of de-news-01",
        ),
        (
            suite(de={"news": [{"text": f"t{i}", "clean": True} for i in range(MAX_CASES + 1)]}),
            f"51 cases, more than {MAX_CASES}",
        ),
    ],
)
def test_a_bad_case_file_is_refused_naming_the_problem(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_language_suite(data)


SHIPPED = load_language_suite()
EXPECTED_LANGUAGES = {"de", "pt", "zh", "ar", "ko", "ru", "fr", "hi-Latn", "hi"}


def test_the_case_file_covers_every_scored_language_with_the_minimum_per_category() -> None:
    assert set(SHIPPED) == EXPECTED_LANGUAGES
    for tag, cases in SHIPPED.items():
        per = {c: [x for x in cases if x.category == c] for c in CATEGORIES}
        assert len(per["insult"]) >= 2, tag
        assert len(per["group_mention"]) >= 2, tag
        assert len(per["news"]) >= 2, tag
        assert all(x.flag and set(x.flag) <= {"TOXICITY", "INSULT"} for x in per["insult"]), tag
        assert all(x.clean and not x.allow for x in per["group_mention"] + per["news"]), tag
        assert all(x.flag for x in per["identity_attack"]), tag
