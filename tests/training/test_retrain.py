"""Retraining from moderators' decisions: feedback files, the gate (poisoning refused, honest promoted), the command."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from model import ToxicityModel, load_model
from service.feedback import queue
from service.perspective.store import Suggestion, SuggestionStore
from tests.conftest import TINY_PARAMS, tiny_corpus, tiny_records
from training.cli import main
from training.errors import TrainingError
from training.feedback import FEEDBACK_SOURCE, FeedbackRow, accepted_records, read_feedback, write_feedback
from training.gate import Margins, gate
from training.records import Record
from training.retrain import promote, retrain
from training.retrain_cli import base_c

GRONKS = [f"what a gronk you are, {name} number {i}" for i, name in enumerate(["sam", "kim", "lee", "max"] * 8)]
"""Insults in a word the tiny corpus never saw: the tiny model scores them low until moderators say otherwise."""


def _store_with(path: Path, texts: list[str], label: float, source: str = "console") -> list[int]:
    store = SuggestionStore(path)
    try:
        scores = {"TOXICITY": {"summaryScore": {"value": label}}, "INSULT": {"summaryScore": {"value": label}}}
        return [store.add(Suggestion(t, None, None, scores, None, None, None, None, source=source)) for t in texts]
    finally:
        store.close()


def test_store_and_its_exports_read_the_same(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    ids = _store_with(path, ["first, comment", 'second "quoted"', "third"], 0.9)
    store = SuggestionStore(path)
    queue.review(store, ids[:2], "accepted")
    queue.review(store, ids[2:], "rejected")
    exported = "".join(queue.export_chunks(store, queue.Filters(status="accepted"), "csv"))
    store.close()
    (tmp_path / "service.csv").write_text(exported, encoding="utf-8")

    rows = read_feedback(path)
    assert [(r.id, r.attribute, r.status, r.label) for r in rows][:2] == [
        (ids[0], "TOXICITY", "accepted", 0.9),
        (ids[0], "INSULT", "accepted", 0.9),
    ]
    accepted = [r for r in rows if r.status == "accepted"]
    from_service = read_feedback(tmp_path / "service.csv")
    assert [(r.id, r.attribute, r.text) for r in from_service] == [(r.id, r.attribute, r.text) for r in accepted]
    for name in ("out.csv", "out.jsonl"):
        write_feedback(rows, tmp_path / name)
        assert read_feedback(tmp_path / name) == rows

    records, skipped = accepted_records(rows, 5.0)
    assert [(r.text, dict(r.labels), r.source, r.weight) for r in records] == [
        ("first, comment", {"TOXICITY": 1, "INSULT": 1}, FEEDBACK_SOURCE, 5.0),
        ('second "quoted"', {"TOXICITY": 1, "INSULT": 1}, FEEDBACK_SOURCE, 5.0),
    ]
    assert skipped == {"status rejected": 2}


def test_suggestions_in_another_language_are_left_out_of_an_english_retrain(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    store = SuggestionStore(path)
    scores = {"TOXICITY": {"summaryScore": {"value": 1.0}}}
    made = [
        store.add(Suggestion(text, None, None, scores, languages, None, None, None))
        for text, languages in (
            ("du bist ein Idiot", ["de"]),
            ("you idiot", ["en-GB"]),
            ("older row, language unknown", None),
            ("seu idiota", ["pt", "es"]),
            ("German first, English too", ["de", "en"]),  # the comment is German: left out
            ("English first", ["en", "de"]),
        )
    ]
    store.close()
    assert [r.id for r in read_feedback(path)] == [made[1], made[2], made[5]]


def test_the_latest_decision_wins_and_unknown_attributes_are_skipped() -> None:
    rows = [
        FeedbackRow(1, "", "api", "accepted", "TOXICITY", 1.0, "same text"),
        FeedbackRow(2, "", "console", "accepted", "TOXICITY", 0.0, "Same text!"),
        FeedbackRow(3, "", "api", "accepted", "LIKELY_TO_REJECT", 1.0, "same text"),
    ]
    records, skipped = accepted_records(rows, 1.0)
    assert [dict(r.labels) for r in records] == [{"TOXICITY": 0}]
    assert skipped == {"unknown attribute LIKELY_TO_REJECT": 1}


def test_bad_feedback_files_are_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\n', encoding="utf-8")
    with pytest.raises(TrainingError, match=r"bad.jsonl:1: not a feedback row"):
        read_feedback(bad)
    other = tmp_path / "x.txt"
    other.write_text("hello", encoding="utf-8")
    with pytest.raises(TrainingError, match="expected a suggestion store"):
        read_feedback(other)
    with pytest.raises(TrainingError, match="no such file"):
        read_feedback(tmp_path / "missing.csv")


def _row(
    attribute: str, base: float | None, candidate: float | None, source: str = "all", n: int = 1000, **more: float
) -> dict[str, object]:
    row: dict[str, object] = {
        "part": "shared validation",
        "attribute": attribute,
        "source": source,
        "n": n,
        "base_roc_auc": base,
        "candidate_roc_auc": candidate,
    }
    return row | more


def test_the_gate_refuses_a_loss_past_the_margin_unless_forced(tiny_model: ToxicityModel) -> None:
    m = Margins()
    ok = gate(tiny_model, tiny_model, [_row("TOXICITY", 0.9, 0.896), _row("INSULT", 0.8, 0.85)], m, False)
    assert ok.promoted and ok.rule.startswith("promoted by the gate") and "2 attributes" in ok.rule
    worse = gate(tiny_model, tiny_model, [_row("TOXICITY", 0.9, 0.89), _row("INSULT", 0.8, 0.85)], m, False)
    assert not worse.promoted and worse.failed == ["roc_auc"]
    assert (
        "TOXICITY ROC-AUC on all (1000 rows) 0.8900 vs the base's 0.9000" in worse.rule and "INSULT" not in worse.rule
    )
    forced = gate(tiny_model, tiny_model, [_row("TOXICITY", 0.9, 0.5)], m, True)
    assert forced.promoted and forced.rule.startswith("forced (--force)") and "TOXICITY" in forced.rule
    empty = gate(tiny_model, tiny_model, [_row("TOXICITY", None, None)], m, False)
    assert not empty.promoted and empty.failed == ["compared"]


def test_the_gate_judges_brier_and_agreement_per_source_not_only_roc_auc(tiny_model: ToxicityModel) -> None:
    m = Margins(roc_auc=0.005, brier=0.005, agreement=0.005)
    same = {"base_brier": 0.02, "candidate_brier": 0.02, "base_agreement": 0.97, "candidate_agreement": 0.97}
    pooled = _row("TOXICITY", 1.0, 1.0, **same)
    # ROC-AUC unchanged, but the probabilities moved: the Brier score rose.
    brier = _row("TOXICITY", 1.0, 1.0, "news", 400, **(same | {"candidate_brier": 0.03}))
    decision = gate(tiny_model, tiny_model, [pooled, brier], m, False)
    assert not decision.promoted and decision.failed == ["brier"]
    assert "rule brier" in decision.rule and "TOXICITY Brier score on news (400 rows)" in decision.rule
    # Agreement down 0.006 on one source (the poisoning run's 1.000 to 0.994) is refused.
    agreement = _row("TOXICITY", 1.0, 1.0, "forum", 1000, **(same | {"candidate_agreement": 0.964}))
    decision = gate(tiny_model, tiny_model, [pooled, agreement], m, False)
    assert not decision.promoted and decision.failed == ["agreement"]
    # In a part of 50 rows one row is 0.02: one row's change never decides, two rows do.
    one_row = _row("TOXICITY", 1.0, 1.0, "small", 50, **(same | {"candidate_agreement": 0.95}))
    assert gate(tiny_model, tiny_model, [pooled, one_row], m, False).promoted
    two_rows = _row("TOXICITY", 1.0, 1.0, "small", 50, **(same | {"candidate_agreement": 0.93}))
    assert gate(tiny_model, tiny_model, [pooled, two_rows], m, False).failed == ["agreement"]
    # Rows of the held-out feedback report the correction; they are not gated.
    held = _row("TOXICITY", 1.0, 0.5, **same) | {"part": "held-out feedback"}
    assert gate(tiny_model, tiny_model, [pooled, held], m, False).promoted


@pytest.mark.slow
def test_retrain_learns_the_corrections_and_the_gate_decides(tiny_artifact: Path, tmp_path: Path) -> None:
    base = load_model(tiny_artifact)
    params = replace(TINY_PARAMS, validation_fraction=0.25, seed=0)
    rows = [FeedbackRow(i, "", "console", "accepted", "TOXICITY", 1.0, t) for i, t in enumerate(GRONKS)]
    feedback, _ = accepted_records(rows, 5.0)
    out = tmp_path / "serving"
    result = retrain(tiny_corpus(), feedback, base, params, tmp_path / "candidate", out)

    assert result.counts["feedback_trained"] + result.counts["feedback_held_out"] == len(GRONKS)
    assert result.counts["feedback_held_out"] > 0 and result.counts["feedback_trained"] > 0
    assert result.decision.promoted, result.decision.rule
    assert result.promoted_to == out
    promoted = load_model(out)
    before = base.score(GRONKS)
    after = promoted.score(GRONKS)
    gained = np.array([a["TOXICITY"] - b["TOXICITY"] for a, b in zip(after, before, strict=True)])
    assert gained.min() > 0.05 and gained.mean() > 0.1, gained  # every correction moved, trained or held out

    report = json.loads((out / "retrain.json").read_text(encoding="utf-8"))
    assert report["promoted"] is True and report["rule"] == result.decision.rule
    parts = {(r["part"], r["source"]) for r in report["comparison"]}
    assert ("held-out feedback", "feedback") in parts
    assert {("shared validation", "tiny-a"), ("shared validation", "tiny-b")} <= parts
    held = next(r for r in report["comparison"] if r["part"] == "held-out feedback" and r["attribute"] == "TOXICITY")
    assert held["candidate_agreement"] > held["base_agreement"]
    card = (out / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "## Compared with the base model" in card and "promoted by the gate" in card

    # A margin no real model can meet below zero loss: the same data is refused, and nothing is promoted.
    refused_out = tmp_path / "kept"
    never = Margins(roc_auc=-1.0)
    refused = retrain(tiny_corpus(), feedback, base, params, tmp_path / "c2", refused_out, margins=never)
    assert not refused.decision.promoted and refused.decision.rule.startswith("refused by the gate (rule roc_auc)")
    assert not refused_out.exists()
    assert (tmp_path / "c2" / "retrain.json").exists()


def poisoned(n: int = 20) -> list[Record]:
    """Return ``n`` of the tiny corpus's insults relabelled non-toxic, as accepted feedback."""
    insults = [r.text for r in tiny_corpus().records if r.labels["INSULT"] == 1 and r.labels["TOXICITY"] == 1]
    rows = [FeedbackRow(i, "", "api", "accepted", "TOXICITY", 0.0, t) for i, t in enumerate(insults[:n])]
    return accepted_records(rows, 5.0)[0]


@pytest.mark.slow
def test_a_poisoning_run_is_refused_though_roc_auc_stays_put(tiny_artifact: Path, tmp_path: Path) -> None:
    base = load_model(tiny_artifact)
    params = replace(TINY_PARAMS, validation_fraction=0.25, seed=0)
    out = tmp_path / "serving"
    result = retrain(tiny_corpus(), poisoned(), base, params, tmp_path / "candidate", out)
    assert not result.decision.promoted and not out.exists()
    assert result.decision.failed == ["agreement"], result.decision.rule
    pooled = next(r for r in result.comparison if r["attribute"] == "TOXICITY" and r["source"] == "all")
    assert pooled["candidate_roc_auc"] == pooled["base_roc_auc"]  # what the ROC-AUC-only gate let through
    assert pooled["candidate_agreement"] < pooled["base_agreement"]
    report = json.loads((tmp_path / "candidate" / "retrain.json").read_text(encoding="utf-8"))
    assert report["failed_rules"] == ["agreement"] and report["margins"] == Margins().as_dict()
    card = (tmp_path / "candidate" / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "refused by the gate (rule agreement)" in card and "Brier base" in card


@pytest.mark.slow
def test_the_command_prints_its_margins_and_refuses_a_poisoning_run(
    tiny_artifact: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    attributes = ["TOXICITY", "INSULT", "THREAT", "PROFANITY", "IDENTITY_ATTACK", "SEVERE_TOXICITY"]
    table = tmp_path / "corpus.csv"
    lines = ["text," + ",".join(attributes)]
    lines += [f'"{r.text}",' + ",".join(str(r.labels[a]) for a in attributes) for r in tiny_records(480)]
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    feedback = tmp_path / "poison.csv"
    write_feedback(
        [FeedbackRow(i, "", "api", "accepted", "TOXICITY", 0.0, r.text) for i, r in enumerate(poisoned(40))], feedback
    )
    labels = [arg for a in attributes for arg in ("--label", f"{a}={a}")]
    args = ["retrain", "--no-shared", "--table", str(table), *labels, "--feedback", str(feedback)]
    args += ["--base", str(tiny_artifact), "--out", str(tmp_path / "out"), "--agreement-margin", "0.01", "--quiet"]
    assert main(args) == 3
    out = capsys.readouterr().out
    assert (
        "gate: ROC-AUC may fall by at most 0.005, the Brier score rise by at most 0.005, and agreement fall by at most 0.01"
        in out
    )
    assert "refused by the gate (rule agreement" in out
    assert not (tmp_path / "out").exists()


def test_cli_refuses_bad_flags_with_a_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feedback = tmp_path / "f.csv"
    write_feedback([], feedback)
    for flag in ("--auc-margin", "--brier-margin", "--agreement-margin"):
        code = main(["retrain", "--feedback", str(feedback), flag, "-1", "--no-shared", "--out", str(tmp_path / "o")])
        assert code == 2
        assert f"{flag} must be 0 or more" in capsys.readouterr().err
    code = main(["retrain", "--feedback", str(tmp_path / "none.csv"), "--out", str(tmp_path / "o")])
    assert code == 2
    assert "no such file" in capsys.readouterr().err


def test_cli_exports_a_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.sqlite3"
    ids = _store_with(path, ["one", "two"], 0.0)
    store = SuggestionStore(path)
    queue.review(store, ids[:1], "accepted")
    store.close()
    assert main(["feedback", "export", "--store", str(path), "--out", str(tmp_path / "a.jsonl")]) == 0
    rows = read_feedback(tmp_path / "a.jsonl")
    assert {(r.id, r.text, r.label) for r in rows} == {(ids[0], "one", 0.0)}

    other = tmp_path / "other.sqlite3"
    SuggestionStore(other).close()  # the service makes the store; import only adds to it
    for expected in (1, 0):  # the second import finds the suggestion there
        assert main(["feedback", "import", "--store", str(other), str(tmp_path / "a.jsonl")]) == 0
        assert f"{expected} suggestions added" in capsys.readouterr().out
    back = read_feedback(other)
    assert [(r.text, r.attribute, r.label, r.status, r.received_at) for r in back] == [
        (r.text, r.attribute, r.label, r.status, r.received_at) for r in rows
    ]
    assert main(["feedback", "import", "--store", str(tmp_path / "none.sqlite3"), str(tmp_path / "a.jsonl")]) == 2
    assert "start the service once" in capsys.readouterr().err


def test_promote_replaces_a_folder_or_repoints_a_symlink(tmp_path: Path) -> None:
    candidate = tmp_path / "candidate"
    candidate.mkdir()
    (candidate / "manifest.json").write_text("new", encoding="utf-8")
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "manifest.json").write_text("old", encoding="utf-8")
    (folder / "stale.txt").write_text("old", encoding="utf-8")
    promote(candidate, folder, "v2")
    assert sorted(p.name for p in folder.iterdir()) == ["manifest.json"]
    assert (folder / "manifest.json").read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["candidate", "folder"]

    old = tmp_path / "model-v1"
    old.mkdir()
    link = tmp_path / "current"
    link.symlink_to(old, target_is_directory=True)
    promote(candidate, link, "v2")
    assert link.is_symlink() and link.resolve() == (tmp_path / "current-v2").resolve()
    assert (link / "manifest.json").read_text(encoding="utf-8") == "new"
    assert old.is_dir()  # the previous version stays for a rollback


def test_a_retrain_keeps_the_base_models_c_per_head(tiny_artifact: Path, tmp_path: Path) -> None:
    """A few new rows must not flip a head's C: the retrain fits each head at the base's C, and says so."""
    base = load_model(tiny_artifact)
    chosen = base_c(base.manifest)
    assert {a for a, _ in chosen} == set(base.attributes)
    odd = tuple((a, 0.37) for a, _ in chosen)  # a C the search grid does not hold: only c_fixed can give it
    params = replace(TINY_PARAMS, validation_fraction=0.25, seed=0, c_grid=(1.0, 4.0), c_fixed=odd)
    assert params.c_grid_for("TOXICITY") == (0.37,) and params.c_grid_for("NOT_FIXED") == (1.0, 4.0)
    rows = [FeedbackRow(i, "", "console", "accepted", "TOXICITY", 1.0, t) for i, t in enumerate(GRONKS)]
    feedback, _ = accepted_records(rows, 5.0)
    result = retrain(tiny_corpus(), feedback, base, params, tmp_path / "candidate", None)
    manifest = json.loads((tmp_path / "candidate" / "manifest.json").read_text(encoding="utf-8"))
    assert {a: e["hyperparameters"]["C"] for a, e in manifest["attributes"].items() if "hyperparameters" in e} == dict(
        odd
    )
    assert result.counts["feedback_trained"] > 0


@pytest.mark.slow
def test_the_command_passes_the_base_c_unless_asked_to_search(
    tiny_artifact: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = load_model(tiny_artifact)
    feedback = tmp_path / "f.csv"
    write_feedback([FeedbackRow(i, "", "api", "accepted", "TOXICITY", 1.0, t) for i, t in enumerate(GRONKS)], feedback)
    table = tmp_path / "corpus.csv"
    lines = ["text,TOXICITY"] + [f'"{r.text}",{r.labels["TOXICITY"]}' for r in tiny_records(480)]
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    args = [
        "retrain",
        "--no-shared",
        "--table",
        str(table),
        "--label",
        "TOXICITY=TOXICITY",
        "--feedback",
        str(feedback),
    ]
    args += ["--base", str(tiny_artifact), "--out", str(tmp_path / "out"), "--force"]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "keeping the base's C per attribute: " in err
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert [tuple(p) for p in manifest["parameters"]["c_fixed"]] == list(base_c(base.manifest))
    searched = tmp_path / "searched"
    assert main([*args[:-3], "--out", str(searched), "--force", "--search-c"]) == 0
    assert "keeping the base's C" not in capsys.readouterr().err
    assert json.loads((searched / "manifest.json").read_text(encoding="utf-8"))["parameters"]["c_fixed"] == []


def test_one_row_in_a_small_part_is_allowed_exactly_and_two_are_not(tiny_model: ToxicityModel) -> None:
    """The small-part rule counts rows: 1 of 150 is 1/150, not a rounded 0.0067 that fails its own bound.

    The shares are given rounded to 4 places, as reports carried them: the gate must judge by the counts.
    """
    m = Margins()  # agreement 0.005: one row is allowed in a part of fewer than 200
    for n in (3, 150, 170, 199):
        counts = {"base_agreed": n, "base_agreement": 1.0}
        one = _row(
            "TOXICITY", 0.9, 0.9, "tiny-a", n=n, **counts, candidate_agreed=n - 1, candidate_agreement=(n - 1) / n
        )
        assert gate(tiny_model, tiny_model, [one], m, False).promoted, n
        two = _row(
            "TOXICITY", 0.9, 0.9, "tiny-a", n=n, **counts, candidate_agreed=n - 2, candidate_agreement=(n - 2) / n
        )
        refused = gate(tiny_model, tiny_model, [two], m, False)
        assert not refused.promoted and refused.failed == ["agreement"], n
    assert "fewer than 200 rows" in Margins().describe()
    assert "fewer than 334 rows" in Margins(agreement=0.003).describe()  # 1/333 > 0.003: the rule applies at 333
