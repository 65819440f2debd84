"""Languages on the contracts: Perspective's ``comments:analyze``, OpenAI's moderations and Coral's phase.

Same artifact and same rule as ``test_languages``: the comment's language (given or
detected) picks the model; a pair the language does not score is never scored by
the English model.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from model import Status, ToxicityModel, load_model
from service.app import create_app
from service.openai import mapping
from service.settings import Settings
from tests.service.conftest import running
from tests.service.multilingual import GERMAN_INSULT, GERMAN_THANKS, HINGLISH_INSULT, INDONESIAN
from tests.service.test_coral import coral_request
from tests.service.test_coral import post as coral_post
from tests.service.test_openai import openai_error
from tests.service.test_perspective import google_error

pytestmark = pytest.mark.anyio
ANALYZE = "/v1alpha1/comments:analyze"
ENGLISH_INSULT = "you are a moron and a fool, you pathetic clown"
SECRET = "whsec_test_" + "5e" * 32


@pytest.fixture(scope="module")
def root(multilingual_artifact: Path) -> ToxicityModel:
    return load_model(multilingual_artifact)


def sub(root: ToxicityModel, tag: str, text: str | None = None) -> ToxicityModel:
    assert root.languages is not None
    model = root.languages.get(tag, text).model
    assert model is not None
    return model


async def analyze(client: httpx.AsyncClient, text: str, *attributes: str, **extra: Any) -> httpx.Response:
    body = {"comment": {"text": text}, "requestedAttributes": {a: {} for a in attributes}, **extra}
    return await client.post(ANALYZE, json=body)


def summary(r: httpx.Response, attribute: str) -> float:
    assert r.status_code == 200, r.text
    value: float = r.json()["attributeScores"][attribute]["summaryScore"]["value"]
    return value


async def test_perspective_scores_a_named_language_with_its_model(
    multi: httpx.AsyncClient, root: ToxicityModel
) -> None:
    r = await analyze(multi, GERMAN_INSULT, "TOXICITY", languages=["de"])
    assert summary(r, "TOXICITY") == pytest.approx(sub(root, "de").score([GERMAN_INSULT], ["TOXICITY"])[0]["TOXICITY"])
    assert r.json()["languages"] == ["de"] and "detectedLanguages" not in r.json()


async def test_perspective_detects_and_reports_the_language(multi: httpx.AsyncClient, root: ToxicityModel) -> None:
    r = await analyze(multi, GERMAN_THANKS, "TOXICITY")
    assert summary(r, "TOXICITY") == pytest.approx(sub(root, "de").score([GERMAN_THANKS], ["TOXICITY"])[0]["TOXICITY"])
    assert r.json()["languages"] == ["de"] and r.json()["detectedLanguages"][0] == "de"


async def test_perspective_refuses_an_unsupported_pair_in_its_words(multi: httpx.AsyncClient) -> None:
    r = await analyze(multi, GERMAN_INSULT, "TOXICITY", "THREAT", languages=["de"])
    google_error(
        r, 400, "Attribute THREAT does not support request languages: de", "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE"
    )
    r = await analyze(multi, GERMAN_INSULT, "THREAT")  # detected German
    google_error(
        r, 400, "Attribute THREAT does not support request languages: de", "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE"
    )
    r = await analyze(multi, INDONESIAN, "TOXICITY", languages=["id"])
    google_error(
        r, 400, "Attribute TOXICITY does not support request languages: id", "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE"
    )


async def test_perspective_takes_the_first_request_language_that_scores_everything(
    multi: httpx.AsyncClient, root: ToxicityModel
) -> None:
    # German does not score THREAT; English, listed second, does: English scores the comment.
    r = await analyze(multi, GERMAN_INSULT, "THREAT", languages=["de", "en"])
    assert summary(r, "THREAT") == pytest.approx(root.score([GERMAN_INSULT], ["THREAT"])[0]["THREAT"])
    r = await analyze(multi, GERMAN_INSULT, "TOXICITY", languages=["id", "de"])
    assert summary(r, "TOXICITY") == pytest.approx(sub(root, "de").score([GERMAN_INSULT], ["TOXICITY"])[0]["TOXICITY"])


async def test_perspective_hindi_in_latin_script_and_spans_use_the_language_model(
    multi: httpx.AsyncClient, root: ToxicityModel
) -> None:
    hinglish = sub(root, "hi", HINGLISH_INSULT)
    assert hinglish.language == "hi-Latn"
    text = f"{HINGLISH_INSULT}. bahut accha likha bhai."
    r = await analyze(multi, text, "TOXICITY", languages=["hi"], spanAnnotations=True)
    body = r.json()["attributeScores"]["TOXICITY"]
    assert body["summaryScore"]["value"] == pytest.approx(hinglish.score([text], ["TOXICITY"])[0]["TOXICITY"])
    for span in body["spanScores"]:
        piece = text[span["begin"] : span["end"]]
        assert span["score"]["value"] == pytest.approx(hinglish.score([piece], ["TOXICITY"])[0]["TOXICITY"])


async def test_openai_scores_each_input_in_its_detected_language(multi: httpx.AsyncClient, root: ToxicityModel) -> None:
    r = await multi.post("/v1/moderations", json={"input": [ENGLISH_INSULT, GERMAN_INSULT]})
    assert r.status_code == 200, r.text
    english, german = r.json()["results"]
    model = sub(root, "de")
    live = mapping.covered(model)
    expected = mapping.result(model.score([GERMAN_INSULT], mapping.needed(live))[0], model.thresholds(), live)
    assert german["category_scores"] == pytest.approx(expected["category_scores"])
    assert german["categories"] == expected["categories"]
    # German scores no THREAT: the threat categories are not applied, never English's guess.
    assert root.languages is not None and root.languages.get("de").status("THREAT") == Status.UNSUPPORTED
    for category in ("harassment/threatening", "violence"):
        assert german["category_applied_input_types"][category] == []
        assert german["category_scores"][category] == 0.0 and not german["categories"][category]
    assert english["category_applied_input_types"]["violence"] == ["text"]


async def test_openai_refuses_an_input_whose_language_scores_nothing(multi: httpx.AsyncClient) -> None:
    r = await multi.post("/v1/moderations", json={"input": [ENGLISH_INSULT, INDONESIAN]})
    openai_error(r, 400, "language_not_supported", "input[1]", "input[1]", "Indonesian (id)", "English (en)")


@pytest.fixture
async def coral(multilingual_artifact: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(model_path=multilingual_artifact, coral_secrets=SECRET, max_text_bytes=400)
    async for c in running(create_app(settings)):
        yield c


async def test_coral_scores_in_the_detected_language_and_skips_the_unscored(
    coral: httpx.AsyncClient, root: ToxicityModel
) -> None:
    german = sub(root, "de")
    r = await coral_post(coral, coral_request(f"<p>{GERMAN_INSULT}</p>"), SECRET)
    row = german.score([GERMAN_INSULT])[0]
    flagged = [a for a, v in row.items() if v >= german.thresholds()[a]]
    if flagged:
        assert r.status_code == 200, r.text
        metadata = r.json()["metadata"]["toxicity"]
        assert metadata["language"] == "de" and metadata["flagged"] == flagged
        assert metadata["scores"] == pytest.approx(row)
    else:
        assert r.status_code == 204
    # A language without a model: no automatic decision, the site's own moderation decides.
    r = await coral_post(coral, coral_request(f"<p>{INDONESIAN}</p>"), SECRET)
    assert r.status_code == 204 and r.content == b""


async def test_the_discovery_description_lists_the_languages(multi: httpx.AsyncClient) -> None:
    d = (await multi.get("/$discovery/rest", headers={"Host": "localhost"})).json()
    assert re.search(r"German \[de\]: TOXICITY \(supported, validation AUC [01]\.\d{3}\)", d["description"])
    assert "Indonesian [id]" in d["description"].split("Not scored")[1]
    assert "Spanish [es]" in d["description"].split("Not scored")[1]


def test_openai_categories_of_a_language_come_from_the_attributes_it_scores(root: ToxicityModel) -> None:
    for tag in ("de", "hi-Latn"):
        model = sub(root, tag)
        scored = set(model.scored_attributes)
        live = {c.name: c for c in mapping.covered(model)}
        for category in mapping.CATEGORIES:
            have = [a for a in category.attributes if a in scored]
            complete = len(have) == len(category.attributes)
            expected = bool(have) and (category.rule == "any" or complete)
            assert (category.name in live) == expected, (tag, category.name)
            if expected:
                assert live[category.name].attributes == tuple(have)
    assert {c.name: c.attributes for c in mapping.covered(root)} == {
        c.name: c.attributes for c in mapping.CATEGORIES if c.attributes
    }  # English scores every attribute the table names: its categories are unchanged
