"""Language codes as requests send them and as the operator sets them: checked, bounded, never made up.

Perspective's ``languages`` (``comments:analyze`` and ``:suggestscore``) are checked
alike: a BCP-47 shape matched whole, at most ``MAX_LANGUAGE_CHARS`` characters, each
code once. ``detectedLanguages`` lists only what the detector listed. The fallback
must be a language the loaded model scores, at start-up and on reload. A suggestion
trains the English model only when its first language is English.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from model import load_model
from model.languages import is_english
from service.app import create_app
from service.core.languages import FallbackError, check_fallback
from service.core.schemas import MAX_LANGUAGE_CHARS
from service.reload import load_checked
from service.settings import Settings
from tests.service.conftest import running
from tests.service.multilingual import GERMAN_THANKS
from tests.service.test_reload import ADMIN, KEY, point, run_service

pytestmark = pytest.mark.anyio
ANALYZE = "/v1alpha1/comments:analyze"
SUGGEST = "/v1alpha1/comments:suggestscore"
ENGLISH = "This is a perfectly ordinary English sentence about the weather."


@pytest.fixture
async def persp(tiny_artifact: Path, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for c in running(create_app(Settings(model_path=tiny_artifact, suggestions_db=tmp_path / "s.db"))):
        yield c


def analyze_body(text: str = ENGLISH, **extra: Any) -> dict[str, Any]:
    return {"comment": {"text": text}, "requestedAttributes": {"TOXICITY": {}}, **extra}


def suggest_body(languages: list[str]) -> dict[str, Any]:
    return {
        "comment": {"text": ENGLISH},
        "attributeScores": {"TOXICITY": {"summaryScore": {"value": 0}}},
        "languages": languages,
    }


def invalid_language(r: httpx.Response) -> dict[str, Any]:
    assert r.status_code == 400, r.text
    error: dict[str, Any] = r.json()["error"]
    assert error["status"] == "INVALID_ARGUMENT" and error["details"][0]["errorType"] == "INVALID_LANGUAGE", error
    return error


@pytest.mark.parametrize("code", ["en\n", "en\r\n", " en", "x", "", "e n", "en-"])
@pytest.mark.parametrize("path", [ANALYZE, SUGGEST])
async def test_a_malformed_code_is_refused_on_both_routes(persp: httpx.AsyncClient, path: str, code: str) -> None:
    body = analyze_body(languages=[code]) if path == ANALYZE else suggest_body([code])
    error = invalid_language(await persp.post(path, json=body))
    assert error["message"].startswith("Invalid language code")


@pytest.mark.parametrize("path", [ANALYZE, SUGGEST])
async def test_a_code_over_the_limit_is_refused_naming_it(persp: httpx.AsyncClient, path: str) -> None:
    long = "en-" + "-".join(["abcdefgh"] * 2000)  # the shape of a tag, 18 KB long
    body = analyze_body(languages=[long]) if path == ANALYZE else suggest_body([long])
    error = invalid_language(await persp.post(path, json=body))
    said = json.dumps(error)
    assert str(MAX_LANGUAGE_CHARS) in error["message"] and long not in said and len(said) < 2000
    at_limit = "en-" + "-".join(["abcdefgh"] * 3) + "-abcde"
    assert len(at_limit) == MAX_LANGUAGE_CHARS
    body = analyze_body(languages=[at_limit]) if path == ANALYZE else suggest_body([at_limit])
    assert (await persp.post(path, json=body)).status_code == 200


async def test_analyze_echoes_each_code_once(persp: httpx.AsyncClient) -> None:
    r = await persp.post(ANALYZE, json=analyze_body(languages=["en"] * 16))
    assert r.status_code == 200 and r.json()["languages"] == ["en"]


async def test_suggestscore_stores_checked_codes_each_once(tiny_artifact: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    async for c in running(create_app(Settings(model_path=tiny_artifact, suggestions_db=db))):
        r = await c.post(SUGGEST, json=suggest_body(["de", "en", "de"]))
        assert r.status_code == 200, r.text
        assert (await c.post(SUGGEST, json=suggest_body(["x"]))).status_code == 400
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT languages FROM suggestions").fetchall()
    assert [json.loads(row[0]) for row in rows] == [["de", "en"]]


@pytest.mark.parametrize(
    ("codes", "english"),
    [(None, True), ([], True), (["en"], True), (["en-GB", "de"], True), (["de", "en"], False), (["hi-Latn"], False)],
)
def test_a_suggestion_trains_english_only_when_its_first_language_is_english(codes: Any, english: bool) -> None:
    assert is_english(codes) is english
    assert is_english(json.dumps(codes)) is english  # as the store keeps it


async def test_nothing_detected_means_no_detected_languages(multilingual_artifact: Path) -> None:
    off = Settings(model_path=multilingual_artifact, language_detection=False)
    async for c in running(create_app(off)):
        r = await c.post(ANALYZE, json=analyze_body(GERMAN_THANKS))
        assert r.status_code == 200 and r.json()["languages"] == ["en"]
        assert "detectedLanguages" not in r.json()  # the detector is off: it found nothing
    async for c in running(create_app(Settings(model_path=multilingual_artifact))):
        short = await c.post(ANALYZE, json=analyze_body("lol"))
        assert short.json()["languages"] == ["en"] and "detectedLanguages" not in short.json()
        german = await c.post(ANALYZE, json=analyze_body(GERMAN_THANKS))
        assert german.json()["detectedLanguages"][0] == "de"


def test_the_fallback_setting_takes_a_script_subtag() -> None:
    assert Settings(language_fallback="hi-Latn").language_fallback == "hi-Latn"
    for bad in ("en\n", "english", "hi-latin", "en-"):
        with pytest.raises(ValueError, match="language_fallback"):
            Settings(language_fallback=bad)


@pytest.mark.slow  # loads and warms up the multilingual and tiny models
def test_a_fallback_the_model_scores_nothing_in_is_refused(multilingual_artifact: Path, tiny_artifact: Path) -> None:
    multi = load_model(multilingual_artifact)
    check_fallback(multi, "hi-Latn")  # Hinglish has a model here
    check_fallback(multi, "")
    for code in ("xx", "ja", "id"):
        with pytest.raises(FallbackError, match=f"TOXICITY_LANGUAGE_FALLBACK={code}: .*languages scored: English"):
            check_fallback(multi, code)
    with pytest.raises(FallbackError, match="German"):  # the list names what the model scores
        check_fallback(multi, "xx")
    with pytest.raises(FallbackError, match=r"languages scored: English \(en\)$|English \(en\); set"):
        load_checked(Settings(model_path=tiny_artifact, language_fallback="de"))


@pytest.mark.slow  # starts the service in a subprocess
def test_start_up_exits_2_on_a_fallback_the_model_does_not_score(tmp_path: Path, tiny_artifact: Path) -> None:
    done = run_service(tmp_path, TOXICITY_MODEL_PATH=str(tiny_artifact), TOXICITY_LANGUAGE_FALLBACK="ja")
    assert done.returncode == 2, done.stderr
    line = done.stderr.strip()
    assert (
        line.startswith("toxicity service: invalid settings: TOXICITY_LANGUAGE_FALLBACK=ja") and "English (en)" in line
    )


@pytest.mark.slow  # loads two models
async def test_a_reload_to_a_model_without_the_fallback_keeps_the_old_one(
    tmp_path: Path, multilingual_artifact: Path, tiny_artifact: Path
) -> None:
    link = tmp_path / "current"
    link.symlink_to(multilingual_artifact.resolve(), target_is_directory=True)
    settings = Settings(model_path=link, api_keys="s3cret", admin_keys="0perat0r", language_fallback="de")
    async for c in running(create_app(settings)):
        before = (await c.get("/v1/model", headers=KEY)).json()["version"]
        point(link, tiny_artifact)  # English only: German scores nothing there
        r = await c.post("/v1/admin/reload", headers=ADMIN)
        assert r.status_code == 409, r.text
        assert "TOXICITY_LANGUAGE_FALLBACK=de" in r.json()["error"]["message"]
        assert (await c.get("/v1/model", headers=KEY)).json()["version"] == before
        short = await c.post("/v1/score", json={"comments": [{"text": "ok"}]}, headers=KEY)
        assert short.json()["results"][0]["language"]["code"] == "de"


async def test_the_coral_example_has_the_metadata_the_route_returns(tiny_artifact: Path) -> None:
    from tests.service.test_coral import NEW, coral_request, post

    async for c in running(create_app(Settings(model_path=tiny_artifact, coral_secrets=NEW))):
        schema = (await c.get("/openapi.json")).json()["components"]["schemas"]["CoralModerationResponse"]
        example = schema["examples"][0]["metadata"]["toxicity"]
        r = await post(c, coral_request("you are a moron and a fool, you pathetic clown"), NEW)
        assert r.status_code == 200, r.text
        returned = r.json()["metadata"]["toxicity"]
        assert returned["language"] == example["language"] == "en"
        assert set(returned) == set(example) - {"status"}  # no status rules are set here


def test_an_unsure_comment_is_recorded_in_its_likely_language_when_that_has_a_model() -> None:
    from model import load_model
    from model.language_id import Detector
    from service.core.languages import recorded

    root, detector = load_model(), Detector()
    assert recorded("Você é um idiota", None, root, detector, "en") == ["pt"]  # too short to be sure: not English
    assert recorded("lol idiot", None, root, detector, "en") == ["en"]  # a guess with no model is noise
    assert recorded("ok", None, root, detector, "en") == ["en"]
    assert recorded("Você é um idiota", ["en"], root, detector, "en") == ["en"]  # the client's word wins
