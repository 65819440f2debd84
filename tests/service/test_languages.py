"""Languages on ``POST /v1/score`` and ``GET /v1/model``: each comment scored by its own language's model.

The app serves ``multilingual_artifact`` (tiny English, German and Hinglish models;
Indonesian listed without one). Expected scores come from loading the same artifact
with ``load_model`` and scoring with the language's sub-model directly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from model import Status, ToxicityModel, load_model
from model.languages import Language
from tests.service.multilingual import GERMAN_INSULT, GERMAN_THANKS, HINGLISH_INSULT, INDONESIAN

pytestmark = pytest.mark.anyio
ENGLISH_INSULT = "you are a moron and a fool, you pathetic clown"


@pytest.fixture(scope="module")
def root(multilingual_artifact: Path) -> ToxicityModel:
    """The served artifact, loaded apart from the app."""
    return load_model(multilingual_artifact)


def language(root: ToxicityModel, tag: str, text: str | None = None) -> Language:
    assert root.languages is not None
    return root.languages.get(tag, text)


def sub(root: ToxicityModel, tag: str, text: str | None = None) -> ToxicityModel:
    model = language(root, tag, text).model
    assert model is not None, f"the artifact has no {tag} model"
    return model


async def score(client: httpx.AsyncClient, *comments: dict[str, Any], **extra: Any) -> list[dict[str, Any]]:
    r = await client.post("/v1/score", json={"comments": list(comments), **extra})
    assert r.status_code == 200, r.text
    results: list[dict[str, Any]] = r.json()["results"]
    return results


def assert_scored_by(result: dict[str, Any], model: ToxicityModel, text: str) -> None:
    expected = model.score([text], list(result["scores"]))[0]
    assert result["scores"] == pytest.approx(expected, abs=1e-9)


async def test_a_named_language_is_scored_by_its_own_model(multi: httpx.AsyncClient, root: ToxicityModel) -> None:
    [result] = await score(multi, {"text": GERMAN_INSULT, "language": "de-DE"}, attributes=["TOXICITY"])
    assert result["language"] == {
        "code": "de",
        "name": "German",
        "source": "request",
        "confidence": None,
        "experimental": result["language"]["experimental"],
    }
    assert list(result["scores"]) == ["TOXICITY"]
    assert_scored_by(result, sub(root, "de"), GERMAN_INSULT)
    assert result["scores"] != pytest.approx(root.score([GERMAN_INSULT], ["TOXICITY"])[0])  # not English's guess
    assert "errors" not in result


async def test_the_language_is_detected_with_its_confidence(multi: httpx.AsyncClient, root: ToxicityModel) -> None:
    [german, short] = await score(multi, {"text": GERMAN_THANKS}, {"text": "ok"})
    assert german["language"]["code"] == "de" and german["language"]["source"] == "detected"
    assert 0.7 <= german["language"]["confidence"] <= 1.0
    assert_scored_by(german, sub(root, "de"), GERMAN_THANKS)
    # Too short to detect: the fallback language (English), scored by the root model.
    assert short["language"] == {
        "code": "en",
        "name": "English",
        "source": "fallback",
        "confidence": None,
        "experimental": short["language"]["experimental"],
    }
    assert_scored_by(short, root, "ok")


async def test_an_explicit_language_beats_detection(multi: httpx.AsyncClient, root: ToxicityModel) -> None:
    [result] = await score(multi, {"text": GERMAN_INSULT, "language": "en"})
    assert result["language"]["code"] == "en" and result["language"]["source"] == "request"
    assert list(result["scores"]) == list(root.scored_attributes)
    assert_scored_by(result, root, GERMAN_INSULT)


async def test_hindi_in_latin_script_goes_to_the_hinglish_model(multi: httpx.AsyncClient, root: ToxicityModel) -> None:
    [result] = await score(multi, {"text": HINGLISH_INSULT, "language": "hi"}, attributes=["TOXICITY"])
    assert result["language"]["code"] == "hi-Latn"
    assert_scored_by(result, sub(root, "hi", HINGLISH_INSULT), HINGLISH_INSULT)


async def test_an_attribute_the_language_does_not_score_is_an_error_not_a_guess(
    multi: httpx.AsyncClient, root: ToxicityModel
) -> None:
    german = language(root, "de")
    assert german.status("THREAT") == Status.UNSUPPORTED
    [result] = await score(multi, {"text": GERMAN_INSULT, "language": "de"}, attributes=["THREAT", "TOXICITY"])
    assert list(result["scores"]) == ["TOXICITY"]
    [error] = result["errors"]
    assert error["code"] == "language_not_supported_by_attribute" and error["attribute"] == "THREAT"
    assert "German (de)" in error["message"] and "English (en)" in error["message"]
    # By default every attribute the English model scores is asked for: German's gaps are listed too.
    [default] = await score(multi, {"text": GERMAN_INSULT, "language": "de"})
    missing = {e["attribute"] for e in default["errors"]}
    assert missing == {a for a in root.scored_attributes if german.status(a) == Status.UNSUPPORTED}
    assert set(default["scores"]) == set(root.scored_attributes) - missing


async def test_a_language_without_a_model_gets_an_error_and_the_batch_is_still_scored(
    multi: httpx.AsyncClient, root: ToxicityModel
) -> None:
    results = await score(
        multi,
        {"text": INDONESIAN, "language": "id", "id": "i"},
        {"text": "Gracias por el artículo", "language": "es"},
        {"text": ENGLISH_INSULT},
    )
    for result, name in zip(results, ("Indonesian (id)", "Spanish (es)"), strict=False):
        assert result["scores"] == {} and result["flagged"] == []
        [error] = result["errors"]
        assert error["code"] == "language_not_supported" and error["attribute"] is None
        assert name in error["message"] and "English (en)" in error["message"]
    assert "non-commercial" in results[0]["errors"][0]["message"]  # the artifact's reason
    assert_scored_by(results[2], root, ENGLISH_INSULT)


async def test_a_mixed_batch_scores_each_comment_in_its_own_language(
    multi: httpx.AsyncClient, root: ToxicityModel
) -> None:
    comments = [
        {"text": ENGLISH_INSULT, "language": "en"},
        {"text": GERMAN_INSULT, "language": "de"},
        {"text": GERMAN_THANKS},
        {"text": HINGLISH_INSULT, "language": "hi-Latn"},
        {"text": "thanks friend, what a lovely song"},
    ]
    results = await score(multi, *comments, attributes=["TOXICITY"])
    models = [root, sub(root, "de"), sub(root, "de"), sub(root, "hi-Latn"), root]
    for comment, result, model in zip(comments, results, models, strict=True):
        assert result["language"]["code"] == model.language
        assert_scored_by(result, model, comment["text"])


async def test_flags_use_each_languages_thresholds_and_explicit_numbers_everywhere(
    multi: httpx.AsyncClient, root: ToxicityModel
) -> None:
    german = sub(root, "de")
    [result] = await score(multi, {"text": GERMAN_INSULT, "language": "de"}, attributes=["TOXICITY"])
    limit = german.thresholds()["TOXICITY"]
    assert result["flagged"] == (["TOXICITY"] if result["scores"]["TOXICITY"] >= limit else [])
    value = result["scores"]["TOXICITY"]
    [low] = await score(
        multi, {"text": GERMAN_INSULT, "language": "de"}, attributes=["TOXICITY"], thresholds={"TOXICITY": value}
    )
    [high] = await score(
        multi,
        {"text": GERMAN_INSULT, "language": "de"},
        attributes=["TOXICITY"],
        thresholds={"TOXICITY": min(1.0, value + 1e-6)},
    )
    assert low["flagged"] == ["TOXICITY"] and high["flagged"] == []
    [preset] = await score(multi, {"text": GERMAN_THANKS, "language": "de"}, thresholds="high_recall")
    assert preset["flagged"] == [
        a for a, v in preset["scores"].items() if v >= german.presets()["high_recall"].get(a, german.thresholds()[a])
    ]


async def test_experimental_attributes_are_named_and_explanations_use_the_language_model(
    multi: httpx.AsyncClient, root: ToxicityModel
) -> None:
    german = language(root, "de")
    [result] = await score(multi, {"text": GERMAN_INSULT, "language": "de"}, explain=True)
    assert result["language"]["experimental"] == [
        a for a in result["scores"] if german.status(a) == Status.EXPERIMENTAL
    ]
    assert set(result["explanation"]) == set(result["scores"])
    model = sub(root, "de")
    for name, explanation in result["explanation"].items():
        [expected] = model.explain(GERMAN_INSULT, [name])
        assert explanation["logit"] == pytest.approx(expected.logit, abs=1e-4)
    [unscored] = await score(multi, {"text": INDONESIAN, "language": "id"}, explain=True)
    assert unscored["explanation"] == {}


@pytest.mark.parametrize("code", ["", "d", "de!", "x" * 36, "de--DE", "en US"])
async def test_a_malformed_language_is_a_422_naming_the_field(multi: httpx.AsyncClient, code: str) -> None:
    r = await multi.post("/v1/score", json={"comments": [{"text": "hallo"}, {"text": "hallo", "language": code}]})
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["field"] == "comments[1].language", error


async def test_english_results_change_only_by_the_language_field(client: httpx.AsyncClient) -> None:
    [result] = await score(client, {"text": ENGLISH_INSULT, "id": "a"})
    assert list(result) == ["id", "scores", "flagged", "explanation", "language"]
    assert result["language"]["code"] == "en"


async def test_without_fallback_an_undetected_language_is_a_per_comment_error(multilingual_artifact: Path) -> None:
    from service.app import create_app
    from service.settings import Settings
    from tests.service.conftest import running

    async for c in running(create_app(Settings(model_path=multilingual_artifact, language_fallback=""))):
        short, german = await score(c, {"text": "ok"}, {"text": GERMAN_THANKS})
        assert short["language"] is None and short["scores"] == {}
        assert short["errors"][0]["code"] == "language_detection_failed"
        assert "TOXICITY_LANGUAGE_FALLBACK" in short["errors"][0]["message"]
        assert german["language"]["code"] == "de" and german["scores"]


async def test_with_detection_off_a_comment_without_language_is_scored_in_the_fallback(
    multilingual_artifact: Path, root: ToxicityModel
) -> None:
    from service.app import create_app
    from service.settings import Settings
    from tests.service.conftest import running

    settings = Settings(model_path=multilingual_artifact, language_detection=False)
    async for c in running(create_app(settings)):
        german, named = await score(c, {"text": GERMAN_THANKS}, {"text": GERMAN_THANKS, "language": "de"})
        assert german["language"]["code"] == "en" and german["language"]["source"] == "fallback"
        assert_scored_by(german, root, GERMAN_THANKS)
        assert named["language"]["code"] == "de" and named["language"]["source"] == "request"
        assert_scored_by(named, sub(root, "de"), GERMAN_THANKS)


async def test_get_model_lists_every_language_with_statuses_and_metrics(
    multi: httpx.AsyncClient, root: ToxicityModel
) -> None:
    info = (await multi.get("/v1/model")).json()
    by_code = {entry["code"]: entry for entry in info["languages"]}
    assert info["languages"][0]["code"] == "en"
    assert {"de", "hi-Latn", "id", "es", "it", "nl", "pl", "cs", "sv"} <= set(by_code)
    german = language(root, "de")
    for name, entry in by_code["de"]["attributes"].items():
        assert entry["status"] == german.status(name).value
        assert entry["metrics"] == dict(german.metrics.get(name, {}))
    assert by_code["de"]["scored"] and by_code["de"]["sources"] == list(german.sources)
    assert not by_code["id"]["scored"] and "non-commercial" in by_code["id"]["reason"]
    assert {"id", "es", "sv"} <= set(info["unsupported_languages"])
    assert "de" not in info["unsupported_languages"]
    assert by_code["en"]["attributes"]["TOXICITY"]["metrics"] == info["metrics"]["TOXICITY"]
