"""The case file: enough cases per category, the expectations the issue asks for, long comments up to date."""

from __future__ import annotations

import re

from tests.model.behaviour import compose_long
from training.behaviour import DEFAULT_CASES, load_suite

SUITE = load_suite()
LONG = {compose_long.LONG_ABUSE, compose_long.LONG_BENIGN}
BENIGN = {
    "violent_words_news",
    "long_benign",
    "identity_neutral",
    "polite_disagreement",
    "friendly_profanity",
    "greetings",
}
SENTENCE_END = re.compile(r"[.!?](?:\s|$)")


def by_category() -> dict[str, list]:
    out: dict[str, list] = {}
    for case in SUITE.cases:
        out.setdefault(case.category, []).append(case)
    return out


def test_categories_and_sizes() -> None:
    cases = by_category()
    assert set(cases) == BENIGN | {"threats", "hate_without_slurs", "abuse_in_long_text"}
    for name, items in cases.items():
        assert len(items) >= (30 if name in LONG else 40), name


def test_expectations_match_the_categories() -> None:
    for case in SUITE.cases:
        if case.category in BENIGN:
            assert case.clean, case.id
        elif case.category == "threats":
            assert case.flag == ("THREAT",), case.id
        elif case.category == "hate_without_slurs":
            assert set(case.flag) == {"IDENTITY_ATTACK", "TOXICITY"}, case.id
        else:
            assert case.flag and set(case.flag) <= {"TOXICITY", "INSULT", "THREAT"}, case.id
    # Only friendly swearing may be profane: it is the point of those comments.
    assert {c.category for c in SUITE.cases if c.allow} == {"friendly_profanity"}


def test_long_comments_are_long_and_alike_in_length() -> None:
    lengths = {
        name: sorted(len(SENTENCE_END.findall(c.text)) for c in items)
        for name, items in by_category().items()
        if name in LONG
    }
    for counts in lengths.values():
        assert counts[0] >= 5 and counts[-1] >= 20
    abuse, benign = lengths[compose_long.LONG_ABUSE], lengths[compose_long.LONG_BENIGN]
    # The same spread of sentence counts, so length does not give the label away.
    assert abs(sum(abuse) / len(abuse) - sum(benign) / len(benign)) < 1


def test_every_abusive_sentence_is_used_inside_a_comment() -> None:
    texts = [c.text for c in by_category()[compose_long.LONG_ABUSE]]
    for topic, items in compose_long.ABUSE.items():
        for sentence, _ in items:
            hits = [t for t in texts if sentence in t]
            assert len(hits) == 1, sentence
            assert hits[0] != sentence, topic


def test_file_is_up_to_date_with_the_composer() -> None:
    import json

    text = DEFAULT_CASES.read_text(encoding="utf-8")
    assert compose_long.rebuilt(json.loads(text)) == text, (
        "cases.json is out of date: run python -m tests.model.behaviour.compose_long"
    )
