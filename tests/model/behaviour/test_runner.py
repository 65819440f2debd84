"""``training.behaviour`` on a stub model with fixed scores: the runner's logic alone."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from training.behaviour import Case, load_suite, markdown_table, parse_suite, rates, run_suite, tally


class Stub:
    """Scores TOXICITY (threshold 0.5) and THREAT (0.3); its output also carries an unscored INSULT."""

    scored_attributes = ("TOXICITY", "THREAT")

    def __init__(self, table: Mapping[str, Mapping[str, float]]) -> None:
        self.table = table
        self.calls: list[list[str]] = []

    def thresholds(self) -> dict[str, float]:
        return {"TOXICITY": 0.5, "THREAT": 0.3}

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        self.calls.append(list(texts))
        return [{"INSULT": 0.99, **self.table[t]} for t in texts]


STUB = Stub(
    {
        "calm": {"TOXICITY": 0.1, "THREAT": 0.0},
        "rude": {"TOXICITY": 0.5, "THREAT": 0.0},  # exactly at the threshold: flagged
        "menace": {"TOXICITY": 0.2, "THREAT": 0.31},
        "almost": {"TOXICITY": 0.49, "THREAT": 0.29},
    }
)


def case(text: str, category: str = "c", **expect: Any) -> Case:
    return Case(id=f"{category}-{text}", category=category, text=text, **expect)


def test_flag_passes_when_any_listed_attribute_reaches_its_threshold() -> None:
    cases = [
        case("rude", flag=("TOXICITY",)),
        case("menace", flag=("TOXICITY", "THREAT")),
        case("almost", flag=("TOXICITY", "THREAT")),
        case("menace", "d", flag=("TOXICITY",)),
    ]
    out = run_suite(STUB, cases)
    assert (out["c"]["passed"], out["c"]["total"]) == (2, 3)
    assert out["c"]["rate"] == pytest.approx(2 / 3)
    (failure,) = out["c"]["failures"]
    assert failure["id"] == "c-almost"
    assert failure["expected"] == "flag TOXICITY or THREAT"
    assert failure["flagged"] == []
    assert failure["scores"] == {"TOXICITY": 0.49, "THREAT": 0.29}
    assert out["d"]["passed"] == 0 and out["d"]["failures"][0]["flagged"] == ["THREAT"]


def test_clean_fails_when_any_scored_attribute_flags_unless_allowed() -> None:
    cases = [
        case("calm", clean=True),
        case("almost", clean=True),
        case("rude", clean=True),
        case("menace", "allowed", clean=True, allow=("THREAT",)),
    ]
    out = run_suite(STUB, cases)
    assert out["c"]["passed"] == 2
    assert [f["text"] for f in out["c"]["failures"]] == ["rude"]
    assert out["c"]["failures"][0]["expected"] == "clean"
    assert out["allowed"]["rate"] == 1.0


def test_unscored_attributes_never_count() -> None:
    # The stub returns INSULT at 0.99 but does not score it and has no threshold for it.
    out = run_suite(STUB, [case("calm", clean=True), case("calm", "f", flag=("INSULT",))])
    assert out["c"]["rate"] == 1.0
    assert out["f"]["rate"] == 0.0


def test_thresholds_override_the_defaults_one_by_one() -> None:
    cases = [case("almost", flag=("TOXICITY",)), case("menace", flag=("THREAT",))]
    assert run_suite(STUB, cases, {"TOXICITY": 0.4})["c"]["passed"] == 2
    assert run_suite(STUB, cases, {"THREAT": 0.9})["c"]["passed"] == 0


def test_scores_every_case_in_one_batch_and_keeps_category_order() -> None:
    stub = Stub(STUB.table)
    out = run_suite(
        stub, [case("calm", "b", clean=True), case("rude", "a", clean=True), case("calm", "b2", clean=True)]
    )
    assert stub.calls == [["calm", "rude", "calm"]]
    assert list(out) == ["b", "a", "b2"]
    assert run_suite(stub, []) == {}


def test_tally_takes_any_flagger() -> None:
    # How bench/peer.py judges a one-output model: it flags everything or nothing.
    cases = [case("x", flag=("THREAT",)), case("y", clean=True), case("z", clean=True, allow=("PROFANITY",))]
    out = tally(cases, [{"TOXICITY", "THREAT", "PROFANITY"}, set(), {"TOXICITY", "PROFANITY"}])
    assert out["c"]["passed"] == 2
    assert "scores" not in out["c"]["failures"][0]
    assert rates(out) == {"c": pytest.approx(2 / 3)}


def test_case_needs_exactly_one_known_expectation() -> None:
    with pytest.raises(ValueError, match="either"):
        Case(id="x", category="c", text="t")
    with pytest.raises(ValueError, match="either"):
        Case(id="x", category="c", text="t", flag=("TOXICITY",), clean=True)
    with pytest.raises(ValueError, match="unknown attribute"):
        Case(id="x", category="c", text="t", flag=("RUDENESS",))
    with pytest.raises(ValueError, match="empty"):
        Case(id="x", category="c", text="  ", clean=True)


def test_parse_applies_the_category_default_and_per_case_overrides() -> None:
    suite = parse_suite(
        {
            "format": 1,
            "categories": {
                "nice": {
                    "title": "Nice things",
                    "expect": {"clean": True, "allow": ["PROFANITY"]},
                    "cases": [
                        "hello",
                        {"text": "damn fine", "note": "why"},
                        {"id": "own", "text": "die", "flag": ["THREAT"]},
                    ],
                },
                "mixed": {"cases": [{"text": "you idiot", "flag": ["INSULT"]}]},
            },
        }
    )
    assert suite.titles == {"nice": "Nice things", "mixed": "mixed"}
    hello, fine, own, idiot = suite.cases
    assert (hello.id, hello.clean, hello.allow) == ("nice-001", True, ("PROFANITY",))
    assert fine.id == "nice-002" and fine.clean
    assert (own.id, own.flag, own.clean, own.allow) == ("own", ("THREAT",), False, ())
    assert (idiot.category, idiot.flag) == ("mixed", ("INSULT",))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"format": 2, "categories": {}}, "format"),
        ({"format": 1, "categories": {"a": {"cases": ["no expectation"]}}}, "either"),
        ({"format": 1, "categories": {"a": {"expect": {"clean": True, "colour": 1}, "cases": []}}}, "unknown key"),
        (
            {"format": 1, "categories": {"a": {"expect": {"clean": True}, "cases": ["same", "same"]}}},
            "repeats the text",
        ),
    ],
)
def test_parse_rejects_bad_files(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_suite(data)


def test_load_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "cases.json"
    path.write_text(json.dumps({"format": 1, "categories": {"g": {"expect": {"clean": True}, "cases": ["hi"]}}}))
    assert [c.text for c in load_suite(path).cases] == ["hi"]


def test_markdown_table_has_a_row_per_category_and_a_column_per_model() -> None:
    cases = [case("calm", "a", clean=True), case("rude", "b", clean=True)]
    ours = run_suite(STUB, cases)
    peer = tally(cases[:1], [set()])
    table = markdown_table({"a": "Category A", "b": "Category B"}, {"ours": ours, "peer": peer}).splitlines()
    assert table[0] == "| category | cases | ours | peer |"
    assert table[2] == "| Category A | 1 | 100% (1/1) | 100% (1/1) |"
    assert table[3] == "| Category B | 1 | 0% (0/1) | — |"
