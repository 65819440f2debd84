"""The one sentence splitter: where it splits, that its spans tile the text, and that it stays linear."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.combine import MIN_CHARS, MIN_UNIT_CHARS, units
from model.sentences import sentences, split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello everyone!  This is fine.", ["Hello everyone!", "This is fine."]),
        ("Mr. Smith went to Washington. Then home.", ["Mr. Smith went to Washington.", "Then home."]),
        (
            "J. Smith wrote it. e.g. this and i.e. that. Done",
            ["J. Smith wrote it.", "e.g. this and i.e. that.", "Done"],
        ),
        ("Wait...what? (Really.) Ok", ["Wait...what?", "(Really.)", "Ok"]),
        ('She said "stop." He did not.', ['She said "stop."', "He did not."]),
        ("line one\nline two\r\n\n  three  ", ["line one", "line two", "three"]),
        ("3.5 is a number. Visit example.com. Yes", ["3.5 is a number.", "Visit example.com.", "Yes"]),
        ("no terminator at all", ["no terminator at all"]),
        ("   \n\t ", []),
        ("", []),
    ],
)
def test_splits_where_a_reader_would(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from([*"ab .!?…\n\"')”Mr", "\u2028", "\t", "é"]), max_size=80))
def test_spans_are_ordered_stripped_and_cover_every_visible_character(text: str) -> None:
    spans = split_sentences(text)
    covered = [False] * len(text)
    last = 0
    for a, b in spans:
        assert last <= a < b <= len(text)
        assert text[a:b] == text[a:b].strip()
        for i in range(a, b):
            covered[i] = True
        last = b
    for i, c in enumerate(text):
        assert covered[i] or c.isspace(), (text, spans)


@pytest.mark.parametrize(
    "text",
    [
        "a" + "." * 20_000 + "a",  # the pattern that made the old splitter backtrack for seconds
        "a" + ". " * 50_000,
        "Mr. " * 25_000,
        '."' * 50_000,
        "!" * 100_000,
        "\n" * 100_000,
        ("word " * 9 + "x.") * 10_000,
    ],
)
def test_adversarial_text_splits_in_linear_time(text: str) -> None:
    # A generous bound, not a speed target: linear work on 100,000 characters takes
    # milliseconds, a quadratic scan minutes.
    start = time.process_time()
    split_sentences(text)
    assert time.process_time() - start < 2.0


def test_units_join_short_sentences_and_leave_short_comments_whole() -> None:
    short = "Hi. You are wrong. Bye."
    assert len(short) < MIN_CHARS
    assert units(short) == [(0, len(short))]
    text = "Hi. " + "The council met on Tuesday to discuss the new library budget for next year. " * 3 + "Ok."
    spans = units(text)
    assert len(spans) == 3
    assert spans[0][0] == 0 and text[spans[0][0] : spans[0][1]].startswith("Hi. The council")  # "Hi." joined the next
    assert text[spans[-1][0] : spans[-1][1]].endswith("next year. Ok.")  # a short tail joins the one before
    assert all(b - a >= MIN_UNIT_CHARS for a, b in spans)
