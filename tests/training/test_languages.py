"""Per-language sub-models: trained from sets the tests write, written beside English, loaded, checked, carried."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import numpy as np
import pytest

from model import load_model
from model.artifact import payload_of, save_artifact
from model.attributes import Status
from model.errors import ArtifactError, ArtifactIntegrityError
from tests.training.test_pipeline import write_table
from training.cli import main
from training.languages.bundle import carried
from training.languages.options import DEFAULT_MULTILINGUAL, parse_languages

GOOD = ["schönes Wetter heute", "danke für den Artikel", "gute Idee, Nachbar", "ein tolles Foto", "viel Erfolg"]
BAD = ["du Idiot", "was für ein Depp", "halt die Klappe, Trottel", "du bist so dumm", "Vollidiot"]


def write_germeval(folder: Path, n: int = 1400, seed: int = 1) -> Path:
    """Write a made-up GermEval 2018 file: insults (OFFENSE/INSULT) and friendly tweets (OTHER)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    lines = []
    for i in range(n):
        toxic = i % 2 == 0
        text = f"{rng.choice(BAD if toxic else GOOD)} {rng.choice(GOOD if toxic else GOOD[:2])} {i}"
        lines.append(f"{text}\t{'OFFENSE' if toxic else 'OTHER'}\t{'INSULT' if toxic else 'OTHER'}")
    (folder / "germeval2018.training.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def write_russian(folder: Path, n: int = 30) -> Path:
    """Write a made-up Russian Distorted Toxicity file, too small to measure anything."""
    folder.mkdir(parents=True)
    rows = ["comment_id\tsource\tcomments\tdistortion\ttoxicity\tcorrected"]
    rows += [f"{i}\tvk\t{'ты дурак' if i % 2 else 'хороший день'} {i}\t0\t{i % 2}\t" for i in range(n)]
    (folder / "russian_distorted_toxicity.train-part.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def multilingual_artifact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Train English from a table plus German and Russian from made-up sets, through ``toxicity train``."""
    root = tmp_path_factory.mktemp("multilingual")
    data = root / "data-multilingual"
    write_germeval(data / "de-germeval2018")
    write_russian(data / "ru-distorted-toxicity")
    table = write_table(root / "english.csv")
    out = root / "model"
    args = ["train", "--table", str(table), "--label", "TOXICITY=toxic", "--label", "INSULT=insult"]
    args += ["--multilingual-dir", str(data), "--languages", "de,ru", "--no-baseline", "--jobs", "1", "--quiet"]
    assert main([*args, "--out", str(out)]) == 0
    return out


@pytest.mark.slow
def test_a_trained_language_is_written_loaded_and_scores(multilingual_artifact: Path) -> None:
    model = load_model(multilingual_artifact)
    assert model.languages is not None
    german = model.languages.get("de-DE")
    assert german.model is not None and german.model.language == "de"
    assert german.model.languages is None
    scores = german.model.score(["du Idiot, halt die Klappe", "danke für den Artikel, schönes Wetter"])
    assert scores[0]["TOXICITY"] > 0.5 > scores[1]["TOXICITY"]
    texts = ["du Idiot", "danke, Nachbar", "Trottel! " * 40]
    assert german.model.fast_path_error is None
    np.testing.assert_allclose(
        german.model.probabilities(texts), german.model.reference_probabilities(texts), atol=1e-9
    )
    assert (multilingual_artifact / "languages" / "de.joblib").is_file()


@pytest.mark.slow
def test_status_and_figures_reach_the_manifest_and_card(multilingual_artifact: Path) -> None:
    manifest = json.loads((multilingual_artifact / "manifest.json").read_text())
    de = manifest["languages"]["de"]
    assert de["file"] == "languages/de.joblib" and de["sources"] == ["de-germeval2018"]
    toxicity = de["attributes"]["TOXICITY"]
    assert toxicity["status"] == "supported", toxicity["reason"]
    assert set(toxicity["presets"]) == {"high_precision", "balanced", "high_recall"}
    assert toxicity["metrics"]["roc_auc"] > 0.9 and toxicity["metrics"]["naive_roc_auc"] is not None
    assert de["attributes"]["PROFANITY"]["status"] == "unsupported"  # labelled, but never positive
    assert "THREAT" not in de["attributes"]  # no set labels it: simply absent
    model = load_model(multilingual_artifact)
    assert model.languages is not None
    assert model.languages.get("de").status("THREAT") == Status.UNSUPPORTED
    assert model.languages.get("de").status("TOXICITY") == Status.SUPPORTED
    ru = manifest["languages"]["ru"]  # 30 rows: nothing measurable, so no file and a reason
    assert "file" not in ru and ru["reason"].startswith("every attribute is unsupported")
    assert model.languages.get("ru").model is None
    card = (multilingual_artifact / "MODEL_CARD.md").read_text()
    assert "## Other languages" in card and "### German (`de`)" in card and "| Swedish | `sv` |" in card
    assert manifest["metrics"]["validation"]  # the English part is still there


@pytest.mark.slow
def test_carried_languages_are_written_unchanged(multilingual_artifact: Path, tmp_path: Path) -> None:
    model = load_model(multilingual_artifact)
    bundle = carried(model)
    assert set(bundle.payloads) == {"de"} and set(bundle.entries) == {"de", "ru"}
    manifest = {**model.manifest, **bundle.manifest_sections()}
    save_artifact(tmp_path / "again", payload_of(model), manifest, None, bundle.payloads)
    again = load_model(tmp_path / "again")
    assert again.languages is not None
    first, second = model.languages.get("de").model, again.languages.get("de").model  # type: ignore[union-attr]
    assert first is not None and second is not None
    np.testing.assert_array_equal(first.coef, second.coef)
    assert first.info == second.info
    written = json.loads((tmp_path / "again" / "manifest.json").read_text())["languages"]
    assert written["de"]["attributes"] == model.manifest["languages"]["de"]["attributes"]


def _with_language(src: Path, dst: Path, file: str, sha256: str | None = None) -> Path:
    shutil.copytree(src, dst)
    manifest = json.loads((dst / "manifest.json").read_text())
    (dst / "languages").mkdir()
    shutil.copy(dst / "model.joblib", dst / "languages" / "de.joblib")  # an English payload has a language's keys
    digest = manifest["artifact"]["sha256"] if sha256 is None else sha256
    manifest["languages"] = {"de": {"name": "German", "file": file, "sha256": digest, "sources": ["x"]}}
    (dst / "manifest.json").write_text(json.dumps(manifest))
    return dst


def test_a_language_file_is_loaded_only_when_its_sha256_matches(tiny_artifact: Path, tmp_path: Path) -> None:
    ok = load_model(_with_language(tiny_artifact, tmp_path / "ok", "languages/de.joblib"))
    assert ok.languages is not None and ok.languages.get("de").model is not None
    with pytest.raises(ArtifactIntegrityError, match="sha256"):
        load_model(_with_language(tiny_artifact, tmp_path / "bad", "languages/de.joblib", "0" * 64))


def test_a_language_file_outside_the_artifact_is_refused(tiny_artifact: Path, tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="outside the artifact"):
        load_model(_with_language(tiny_artifact, tmp_path / "escape", "../model.joblib"))


def test_an_english_only_artifact_loads_with_every_other_language_unsupported(tiny_model) -> None:  # type: ignore[no-untyped-def]
    assert tiny_model.languages is not None
    assert [lang.tag for lang in tiny_model.languages.scoring()] == ["en"]
    assert tiny_model.languages.get("de").model is None


def test_save_artifact_refuses_a_bad_language_tag(tiny_model, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for tag in ("en", "../x", "DE"):
        with pytest.raises(ValueError, match="language tag"):
            save_artifact(tmp_path / "m", payload_of(tiny_model), {}, None, {tag: payload_of(tiny_model)})


def test_languages_option() -> None:
    assert parse_languages("all") is None
    assert parse_languages("none") == frozenset()
    assert parse_languages("de, pt-BR,hi-Latn") == {"de", "pt", "hi-Latn"}
    for bad, named in (("xx", "xx"), ("en", "English is always trained"), (",", "expected all")):
        with pytest.raises(Exception, match=named):
            parse_languages(bad)


def test_asking_for_a_language_without_data_is_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = write_table(tmp_path / "english.csv")
    args = ["train", "--table", str(table), "--label", "TOXICITY=toxic", "--out", str(tmp_path / "m")]
    assert main([*args, "--languages", "de", "--multilingual-dir", str(tmp_path / "absent")]) == 2
    assert "--multilingual-dir" in capsys.readouterr().err
    write_russian(tmp_path / "ml" / "ru-distorted-toxicity")
    assert main([*args, "--languages", "de", "--multilingual-dir", str(tmp_path / "ml")]) == 2
    assert "no multilingual set in language(s) ['de']" in capsys.readouterr().err


@pytest.mark.slow
def test_on_the_real_sets_a_language_trains_as_langeval_measured_it() -> None:
    from training.langeval.designs import Caps
    from training.languages.run import train_languages

    data = DEFAULT_MULTILINGUAL
    if not (data / "ru-distorted-toxicity").is_dir():
        pytest.skip(f"the multilingual sets are not at {data} (../shared/data-multilingual)")
    bundle = train_languages(data, {"ru"}, Caps())
    ru = bundle.entries["ru"]
    assert ru["rows"]["train"] == ru["attributes"]["TOXICITY"]["training"]["rows"]
    assert ru["rows"]["tune"] + ru["rows"]["report"] > 0 and ru.get("fast_path_error") is None
    assert "id" not in bundle.entries  # only asked languages get entries
    named = train_languages(data, None, Caps(), sources=["ru-distorted-toxicity"])
    assert set(named.entries) == {"ru"}  # naming sets: only what they give, no licence notes for the others
    assert set(bundle.meta["data"]["licences"]) == {"ru-distorted-toxicity"}


@pytest.mark.slow
def test_a_retrain_of_a_multilingual_base_stays_multilingual(multilingual_artifact: Path, tmp_path: Path) -> None:
    from dataclasses import replace

    from tests.conftest import TINY_PARAMS, tiny_corpus
    from training.feedback import FeedbackRow, accepted_records
    from training.retrain import retrain

    base = load_model(multilingual_artifact)
    rows = [FeedbackRow(i, "", "console", "accepted", "TOXICITY", 1.0, f"what a gronk, {i}") for i in range(20)]
    feedback, _ = accepted_records(rows, 5.0)
    params = replace(TINY_PARAMS, validation_fraction=0.25, seed=0)
    retrain(tiny_corpus(), feedback, base, params, tmp_path / "candidate", None)
    candidate = load_model(tmp_path / "candidate")
    assert candidate.languages is not None and base.languages is not None
    before, after = base.languages.get("de").model, candidate.languages.get("de").model
    assert before is not None and after is not None
    np.testing.assert_array_equal(before.coef, after.coef)
    texts = ["du Idiot", "danke für den Artikel"]
    np.testing.assert_array_equal(before.probabilities(texts), after.probabilities(texts))
    written = json.loads((tmp_path / "candidate" / "manifest.json").read_text())
    assert written["languages"]["de"]["attributes"] == base.manifest["languages"]["de"]["attributes"]
    assert "file" not in written["languages"]["ru"]
    assert written["multilingual"]["carried_from"] == base.version
    assert "### German (`de`)" in (tmp_path / "candidate" / "MODEL_CARD.md").read_text()


def test_building_a_model_leaves_its_payload_as_written(tiny_model) -> None:  # type: ignore[no-untyped-def]
    from model.artifact import build_model

    payload = payload_of(tiny_model)
    built = build_model(payload, tiny_model.manifest, language="de")
    built.reference_probabilities(["you are a clown"])
    for name in ("word", "char"):  # packed, not a dict of terms: a sub-model written from it loads fast
        # (Not ``_stop_words_id``: scikit-learn caches that on any vectoriser that has built an analyser,
        # so a session fixture other tests scored with carries it whatever build_model does.)
        assert not hasattr(payload[name], "vocabulary_")
