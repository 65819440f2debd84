"""Training end to end on data the tests write: determinism, CLI, artifact contents."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from model import load_model
from model.attributes import ATTRIBUTE_NAMES
from tests.conftest import TINY_PARAMS, tiny_corpus, tiny_records
from training.cli import main
from training.pipeline import train
from training.source_features import augment


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_training_is_deterministic(tmp_path: Path, n_jobs: int) -> None:
    # With two jobs the vectorisers, cross-validation fits and baselines run in
    # parallel processes; the result must not depend on it.
    params = dataclasses.replace(TINY_PARAMS, n_jobs=n_jobs)
    a = train(tiny_corpus(), params, tmp_path / "a")
    b = train(tiny_corpus(), params, tmp_path / "b")
    one = a if params == TINY_PARAMS else train(tiny_corpus(), TINY_PARAMS, tmp_path / "one")
    assert a.metrics == b.metrics
    assert a.baseline == b.baseline
    np.testing.assert_array_equal(a.model.coef, b.model.coef)
    texts = [r.text for r in tiny_records(30, seed=99)]
    np.testing.assert_array_equal(a.model.probabilities(texts), b.model.probabilities(texts))
    assert a.manifest["artifact"]["sha256"] == b.manifest["artifact"]["sha256"]
    assert a.metrics == one.metrics
    assert [c.to_dict() for c in a.model.calibrators] == [c.to_dict() for c in one.model.calibrators]


def test_a_different_seed_changes_the_split(tmp_path: Path) -> None:
    a = tiny_corpus(seed=0)
    b = tiny_corpus(seed=5)
    assert a.validation != b.validation


def test_artifact_has_manifest_card_and_plots(tiny_artifact: Path) -> None:
    manifest = json.loads((tiny_artifact / "manifest.json").read_text())
    for key in (
        "format_version",
        "artifact",
        "libraries",
        "git_commit",
        "parameters",
        "metrics",
        "thresholds",
        "attributes",
        "data",
    ):
        assert key in manifest, key
    assert set(manifest["libraries"]) >= {"python", "scikit-learn", "numpy", "joblib"}
    assert set(manifest["attributes"]) == set(ATTRIBUTE_NAMES)
    for name, entry in manifest["attributes"].items():
        assert entry["status"] in ("supported", "experimental", "unsupported"), name
        assert entry["reason"], name
    assert manifest["attributes"]["SEVERE_TOXICITY"]["status"] == "experimental"
    assert manifest["metrics"]["naive_baseline"], "baseline fitted in the same run"
    card = (tiny_artifact / "MODEL_CARD.md").read_text()
    for heading in (
        "## Intended use",
        "## Label mapping",
        "## Validation metrics",
        "## Limitations and ethical considerations",
    ):
        assert heading in card
    for plot in ("roc.png", "pr.png", "reliability.png"):
        assert (tiny_artifact / "plots" / plot).read_bytes().startswith(b"\x89PNG")
        assert f"plots/{plot}" in card
    assert not list(tiny_artifact.glob(".*.tmp")), "no temporary files left behind"


def test_tiny_model_learns_the_pattern(tiny_model) -> None:  # type: ignore[no-untyped-def]
    hostile, friendly = tiny_model.score(["you are a moron and a fool", "thanks teacher, what a lovely song"])
    assert hostile["INSULT"] > friendly["INSULT"]
    assert hostile["TOXICITY"] > friendly["TOXICITY"]


def test_each_head_trains_only_on_known_labels(tmp_path: Path) -> None:
    records = tiny_records()
    # Hide THREAT everywhere but keep the rest: THREAT must be reported unsupported.
    stripped = [
        type(r)(text=r.text, source=r.source, labels={k: v for k, v in r.labels.items() if k != "THREAT"})
        for r in records
    ]
    result = train(tiny_corpus(stripped), TINY_PARAMS, None, baseline=False)
    assert "THREAT" not in result.model.attributes
    assert result.manifest["attributes"]["THREAT"]["status"] == "unsupported"
    assert "0 positive" in result.manifest["attributes"]["THREAT"]["reason"]


def test_augment_layout() -> None:
    import scipy.sparse as sp

    x = sp.csr_matrix(np.array([[1.0, 0.0, 2.0], [0.0, 3.0, 0.0]]))
    out = augment(x, np.array([1, 0]), 2).toarray()
    np.testing.assert_array_equal(
        out,
        [[1, 0, 2, 0, 0, 0, 1, 0, 2, 0, 1], [0, 3, 0, 0, 3, 0, 0, 0, 0, 1, 0]],
    )


def test_augment_matches_stacking_the_three_blocks() -> None:
    import scipy.sparse as sp

    rng = np.random.default_rng(7)
    dense = rng.random((300, 50)) * (rng.random((300, 50)) < 0.1)
    dense[5] = 0  # an empty row
    x = sp.csr_matrix(dense)
    sources = rng.integers(0, 4, size=300)
    specific = sp.csr_matrix((x.data, x.indices + 50 * np.repeat(sources, np.diff(x.indptr)), x.indptr), (300, 200))
    indicator = sp.csr_matrix((np.ones(300), sources, np.arange(301)), shape=(300, 4))
    expected = sp.hstack([x, specific, indicator], format="csr")
    out = augment(x, sources, 4)
    assert out.shape == expected.shape == (300, 254)
    np.testing.assert_array_equal(out.indptr, expected.indptr)
    np.testing.assert_array_equal(out.indices, expected.indices)
    np.testing.assert_array_equal(out.data, expected.data)


def write_table(path: Path) -> Path:
    lines = ["text,toxic,insult"]
    for r in tiny_records(480, seed=3):
        lines.append(f'"{r.text}",{r.labels["TOXICITY"]},{r.labels["INSULT"]}')
    path.write_text("\n".join(lines) + "\n")
    return path


def test_cli_train_and_evaluate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = write_table(tmp_path / "mine.csv")
    out = tmp_path / "model"
    # Files given and no --with-shared: the shared sets are not read, even where ../shared/data exists.
    args = ["--table", str(table), "--label", "TOXICITY=toxic", "--label", "INSULT=insult"]
    assert main(["train", *args, "--out", str(out), "--jobs", "1"]) == 0
    captured = capsys.readouterr()
    assert "cross-validation fits done" in captured.err  # progress
    assert "TOXICITY" in captured.out
    # Attributes the data cannot train are named at the end of the run, loudly, with the rule.
    warning = captured.err[captured.err.index("NOT TRAINED") :]
    assert "WARNING: 4 attribute(s) NOT TRAINED" in captured.err
    for name in ("SEVERE_TOXICITY", "THREAT", "IDENTITY_ATTACK", "PROFANITY"):
        assert f"  {name}: only 0 positive and 0 negative training labels (at least 50 of each" in warning
    model = load_model(out)
    assert model.attributes == ("TOXICITY", "INSULT")
    assert list(model.manifest["data"]["sources"]) == ["mine"]
    # The card describes only this data, and reproduces the exact command.
    card = (out / "MODEL_CARD.md").read_text()
    assert "The files given to `toxicity train`, and nothing else" in card
    assert "shared/data" not in card.replace(str(tmp_path), "")
    assert "### olid" not in card and "### generic, Jigsaw 2018 and Civil Comments 2019 formats" in card
    assert f"toxicity train --table {table} --label TOXICITY=toxic --label INSULT=insult --out {out} --jobs 1" in card
    report = tmp_path / "eval.json"
    assert main(["evaluate", "--model", str(out), *args, "--split", "report", "--json", str(report)]) == 0
    first = json.loads(report.read_text())
    assert {source for by_source in first["metrics"].values() for source in by_source} <= {"mine", "all"}
    assert main(["evaluate", "--model", str(out), *args, "--json", str(report)]) == 0
    assert json.loads(report.read_text()) == first  # deterministic, and the report half by default
    # Evaluating on the report half reproduces the training run's own validation metrics.
    assert first["metrics"] == model.manifest["metrics"]["validation"]


def test_a_run_that_trains_every_attribute_warns_of_nothing(tiny_artifact: Path) -> None:
    from training.cli import not_trained

    assert not_trained(json.loads((tiny_artifact / "manifest.json").read_text())) == ""


def test_cli_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("text,toxic\nhello,7\n")
    code = main(
        [
            "train",
            "--no-shared",
            "--table",
            str(bad),
            "--label",
            "TOXICITY=toxic",
            "--out",
            str(tmp_path / "m"),
        ]
    )
    assert code == 2
    assert "bad.csv:2: label TOXICITY: 7 is outside [0, 1]" in capsys.readouterr().err
    assert main(["train", "--no-shared", "--out", str(tmp_path / "m")]) == 2
    assert "no training data" in capsys.readouterr().err
