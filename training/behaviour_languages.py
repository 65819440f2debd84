"""Behaviour cases in languages other than English, scored by each language's own sub-model.

Per language, a few hand-written comments in four categories (issue 25, section 3):

- ``insult``: a personal insult; it should flag TOXICITY or INSULT;
- ``group_mention``: a neutral sentence naming a religion, origin or gender; clean;
- ``news``: ordinary news prose; clean;
- ``identity_attack``: an attack on a group, where the language's data labels one.

The cases live in ``tests/model/behaviour/languages.json``; each gives its text, its
expectation (``flag`` or ``clean``, as in ``training.behaviour``) and an English gloss
in ``note``. ``docs/language-behaviour.md`` shows, from each language's training rows,
that the words the cases rely on are ones the data covers.

``run_language_suite`` scores each language's cases with that language's model
(``model.languages.get(tag).model``) at its default thresholds; only the attributes
that language scores can flag a case. A language without a sub-model passes none of
its cases. Imports ``model`` and ``training.behaviour`` only.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from model.languages import NAMES, Languages, normalise_tag
from training.behaviour import Case, Scorer, expectation, run_suite

DEFAULT_LANGUAGE_CASES = Path(__file__).resolve().parents[1] / "tests" / "model" / "behaviour" / "languages.json"
FORMAT = 1
CATEGORIES = ("insult", "group_mention", "news", "identity_attack")
MAX_CASES = 50
"""Cases per (language, category) a case file may hold: a hand-written suite, not a data set."""

Counts = dict[str, dict[str, tuple[int, int]]]
"""Language tag -> category -> (passed, total)."""


class HasLanguages(Protocol):
    """What the runner needs of a model: its catalogue of languages (``ToxicityModel`` has it)."""

    @property
    def languages(self) -> Languages | None:
        """Return the catalogue (``None`` on a sub-model)."""
        ...


def parse_language_suite(data: Mapping[str, Any]) -> dict[str, list[Case]]:
    """Return ``{tag: cases}`` from a parsed case file; an error names the language, category and case."""
    if data.get("format") != FORMAT:
        raise ValueError(f"language case file format {data.get('format')!r} is not {FORMAT}")
    out: dict[str, list[Case]] = {}
    seen: dict[str, str] = {}
    for tag, categories in data["languages"].items():
        if normalise_tag(tag) != tag or tag not in NAMES or tag == "en":
            raise ValueError(f"{tag!r} is not a catalogue tag of a language other than English ({', '.join(NAMES)})")
        unknown = set(categories) - set(CATEGORIES)
        if unknown:
            raise ValueError(f"{tag}: unknown category(ies) {sorted(unknown)}; known: {', '.join(CATEGORIES)}")
        cases: list[Case] = []
        for category, entries in categories.items():
            if len(entries) > MAX_CASES:
                raise ValueError(f"{tag} {category}: {len(entries)} cases, more than {MAX_CASES}")
            for i, raw in enumerate(entries, start=1):
                case_id = f"{tag}-{category}-{i:02d}"
                entry = dict(raw)
                text = str(entry.pop("text", "")).strip()
                entry.pop("note", None)  # the English gloss, for readers of the file
                if text in seen:
                    raise ValueError(f"case {case_id} repeats the text of {seen[text]}")
                seen[text] = case_id
                cases.append(Case(id=case_id, category=category, text=text, **expectation(entry, case_id)))
        out[tag] = cases
    return out


def load_language_suite(path: Path = DEFAULT_LANGUAGE_CASES) -> dict[str, list[Case]]:
    """Read a language case file (``tests/model/behaviour/languages.json`` by default)."""
    return parse_language_suite(json.loads(path.read_text(encoding="utf-8")))


def language_results(
    model: HasLanguages, suite: Mapping[str, list[Case]] | None = None
) -> dict[str, dict[str, dict[str, Any]]]:
    """Return ``{tag: {category: {"passed", "total", "rate", "failures", "unscored"}}}``.

    A case is judged by the language's own model at its default thresholds. A case that
    expects a flag on attributes the language does not score cannot be judged (the
    service answers such a pair with an error, never a score): it counts in
    ``unscored``, not in ``total``. So does every case of a language without a model,
    and ``reason`` says why. A category none of whose cases could be judged has
    ``total`` 0 and ``rate`` None.
    """
    suite = load_language_suite() if suite is None else suite
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for tag, cases in suite.items():
        entry = model.languages.get(tag) if model.languages is not None else None
        sub = entry.model if entry is not None else None
        why = entry.reason if entry is not None else "the model has no catalogue of languages"
        out[tag] = judge(sub, cases, why)
    return out


def judge(sub: Scorer | None, cases: list[Case], reason: str = "") -> dict[str, dict[str, Any]]:
    """Return one language's results per category (``language_results``' form) from its model, if any."""
    scored = set(sub.scored_attributes) if sub is not None else set()
    judged = [c for c in cases if sub is not None and (not c.flag or scored & set(c.flag))]
    results = run_suite(sub, judged) if sub is not None and judged else {}
    judged_set = set(judged)  # equality, as list membership was, in constant time
    for case in cases:
        slot = results.setdefault(case.category, {"passed": 0, "total": 0, "rate": None, "failures": []})
        slot.setdefault("unscored", 0)
        if case not in judged_set:
            slot["unscored"] += 1
            if sub is None:
                slot["reason"] = f"no model for this language: {reason}"
    return results


def run_language_suite(model: HasLanguages, suite: Mapping[str, list[Case]] | None = None) -> Counts:
    """Return ``{tag: {category: (passed, total)}}`` for every language of the case file."""
    return {
        tag: {category: (int(e["passed"]), int(e["total"])) for category, e in categories.items()}
        for tag, categories in language_results(model, suite).items()
    }


def markdown_table(counts: Counts) -> str:
    """Return one row per language, one column per category: ``passed/total``."""
    lines = [
        "| language | " + " | ".join(CATEGORIES) + " |",
        "| --- | " + " | ".join("---:" for _ in CATEGORIES) + " |",
    ]
    for tag, categories in counts.items():
        cells = [f"{categories[c][0]}/{categories[c][1]}" if c in categories else "—" for c in CATEGORIES]
        lines.append(f"| {tag} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the language suite's pass counts for a model artifact (the shipped one by default)."""
    from model import load_model

    parser = argparse.ArgumentParser(prog="python -m training.behaviour_languages", description=main.__doc__)
    parser.add_argument("model", nargs="?", type=Path, help="an artifact folder (default: the shipped model)")
    parser.add_argument("--failures", action="store_true", help="also list each failing case and its scores")
    args = parser.parse_args(argv)
    results = language_results(load_model(args.model))
    counts = {tag: {c: (e["passed"], e["total"]) for c, e in cats.items()} for tag, cats in results.items()}
    print(markdown_table(counts))
    if args.failures:
        for categories in results.values():
            for entry in categories.values():
                for f in entry["failures"]:
                    flagged = ", ".join(f["flagged"]) or "nothing"
                    print(f"{f['id']}: expected {f['expected']}, flagged {flagged} {f.get('scores', '')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
