"""The behaviour suite: hand-written comments per known failure, and the runner that scores them.

Each case expects one of two outcomes at the model's default thresholds:

- ``flag``: at least one of the listed attributes is at or above its threshold;
- ``clean``: no scored attribute is at or above its threshold, except those the case
  ``allow``s (friendly swearing may be profane without being toxic).

The cases live in ``tests/model/behaviour/cases.json`` (a category gives the
expectation its cases share; a case may override it). ``run_suite`` returns a pass
rate per category: the tests hold each rate to a minimum, and the model card and
``bench/peer.py`` report them.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from model.attributes import ATTRIBUTE_NAMES

DEFAULT_CASES = Path(__file__).resolve().parents[1] / "tests" / "model" / "behaviour" / "cases.json"
FORMAT = 1


class Scorer(Protocol):
    """What the runner needs of a model (``ToxicityModel`` has it)."""

    @property
    def scored_attributes(self) -> tuple[str, ...]:
        """Return the attributes the model scores."""
        ...

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """Return, per text, attribute -> probability."""
        ...

    def thresholds(self) -> dict[str, float]:
        """Return the default threshold per scored attribute."""
        ...


@dataclass(frozen=True, slots=True)
class Case:
    """One hand-written comment and what the model should make of it."""

    id: str
    category: str
    text: str
    flag: tuple[str, ...] = ()
    """Pass when any of these attributes is at or above its threshold."""
    clean: bool = False
    """Pass when no scored attribute (outside ``allow``) is at or above its threshold."""
    allow: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if bool(self.flag) == self.clean:
            raise ValueError(f"case {self.id}: give either 'flag' or 'clean': true, not both or neither")
        unknown = [a for a in (*self.flag, *self.allow) if a not in ATTRIBUTE_NAMES]
        if unknown:
            raise ValueError(f"case {self.id}: unknown attribute(s) {unknown}")
        if not self.text.strip():
            raise ValueError(f"case {self.id}: empty text")

    @property
    def expected(self) -> str:
        """Describe the expectation, for failure reports."""
        if self.flag:
            return "flag " + " or ".join(self.flag)
        return "clean" + (f" (allowing {', '.join(self.allow)})" if self.allow else "")

    def passes(self, flagged: Collection[str]) -> bool:
        """Return whether a result that flagged ``flagged`` meets this case's expectation."""
        if self.flag:
            return any(a in flagged for a in self.flag)
        return all(a in self.allow for a in flagged)


@dataclass(frozen=True, slots=True)
class Suite:
    """The cases of a case file and each category's title, in file order."""

    cases: list[Case]
    titles: dict[str, str]


def expectation(entry: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Return a case's or a category's expectation (``flag``, ``clean``, ``allow``); ``where`` names it in errors."""
    known = {"flag", "clean", "allow"}
    extra = set(entry) - known
    if extra:
        raise ValueError(f"{where}: unknown key(s) {sorted(extra)}")
    out: dict[str, Any] = {}
    if "flag" in entry:
        out["flag"] = tuple(entry["flag"])
    if "clean" in entry:
        out["clean"] = bool(entry["clean"])
    if "allow" in entry:
        out["allow"] = tuple(entry["allow"])
    return out


def parse_suite(data: Mapping[str, Any]) -> Suite:
    """Return the suite described by a parsed case file."""
    if data.get("format") != FORMAT:
        raise ValueError(f"case file format {data.get('format')!r} is not {FORMAT}")
    cases: list[Case] = []
    titles: dict[str, str] = {}
    seen: dict[str, str] = {}
    for name, category in data["categories"].items():
        titles[name] = str(category.get("title", name))
        default = expectation(category.get("expect", {}), name)
        for i, raw in enumerate(category["cases"], start=1):
            entry = {"text": raw} if isinstance(raw, str) else dict(raw)
            case_id = str(entry.pop("id", f"{name}-{i:03d}"))
            text = str(entry.pop("text"))
            entry.pop("note", None)  # for readers of the file only
            expect = {**default, **expectation(entry, case_id)}
            if "flag" in entry:  # a case's own expectation replaces its category's
                expect.pop("clean", None)
                if "allow" not in entry:
                    expect.pop("allow", None)
            elif "clean" in entry:
                expect.pop("flag", None)
            if text in seen:
                raise ValueError(f"case {case_id} repeats the text of {seen[text]}")
            seen[text] = case_id
            cases.append(Case(id=case_id, category=name, text=text, **expect))
    return Suite(cases, titles)


def load_suite(path: Path = DEFAULT_CASES) -> Suite:
    """Read a case file (``tests/model/behaviour/cases.json`` by default)."""
    return parse_suite(json.loads(path.read_text(encoding="utf-8")))


def load_cases(path: Path = DEFAULT_CASES) -> list[Case]:
    """Return the cases of a case file."""
    return load_suite(path).cases


def tally(
    cases: Sequence[Case], flagged: Sequence[Collection[str]], detail: Sequence[Any] | None = None
) -> dict[str, dict[str, Any]]:
    """Return ``{category: {"passed", "total", "rate", "failures"}}`` given what was flagged per case.

    ``detail`` (one item per case, such as its scores) is copied into each failure.
    """
    out: dict[str, dict[str, Any]] = {}
    for i, (case, hits) in enumerate(zip(cases, flagged, strict=True)):
        entry = out.setdefault(case.category, {"passed": 0, "total": 0, "rate": 0.0, "failures": []})
        entry["total"] += 1
        if case.passes(hits):
            entry["passed"] += 1
        else:
            failure: dict[str, Any] = {
                "id": case.id,
                "text": case.text,
                "expected": case.expected,
                "flagged": sorted(hits),
            }
            if detail is not None:
                failure["scores"] = detail[i]
            entry["failures"].append(failure)
    for entry in out.values():
        entry["rate"] = entry["passed"] / entry["total"]
    return out


def run_suite(
    model: Scorer, cases: Sequence[Case], thresholds: Mapping[str, float] | None = None
) -> dict[str, dict[str, Any]]:
    """Score every case and return pass counts, rate and failures per category.

    ``thresholds`` overrides the model's defaults attribute by attribute; only
    attributes the model scores can flag a case.
    """
    cut = {**model.thresholds(), **(thresholds or {})}
    scored = [a for a in model.scored_attributes if a in cut]
    rows = model.score([c.text for c in cases]) if cases else []
    flagged = [{a for a in scored if a in row and row[a] >= cut[a]} for row in rows]
    detail = [{a: round(row[a], 3) for a in scored if a in row} for row in rows]
    return tally(cases, flagged, detail)


def rates(results: Mapping[str, Mapping[str, Any]]) -> dict[str, float]:
    """Return each category's pass rate."""
    return {name: float(entry["rate"]) for name, entry in results.items()}


def markdown_table(titles: Mapping[str, str], columns: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> str:
    """Return a markdown table of pass rates: one row per category, one column per result set."""
    names = list(columns)
    lines = [
        "| category | cases | " + " | ".join(names) + " |",
        "| --- | ---: | " + " | ".join("---:" for _ in names) + " |",
    ]
    for category, title in titles.items():
        cells = []
        total = 0
        for name in names:
            entry = columns[name].get(category)
            if entry is None:
                cells.append("—")
                continue
            total = entry["total"]
            cells.append(f"{entry['rate']:.0%} ({entry['passed']}/{entry['total']})")
        lines.append(f"| {title} | {total} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def categories(cases: Iterable[Case]) -> list[str]:
    """Return the categories of ``cases`` in first-seen order."""
    return list(dict.fromkeys(c.category for c in cases))
