"""Perspective's comments:analyze / :suggestscore contract, driven in-process."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.app import create_app
from service.settings import Settings
from tests.service.conftest import running

pytestmark = pytest.mark.anyio
ANALYZE = "/v1alpha1/comments:analyze"
SUGGEST = "/v1alpha1/comments:suggestscore"
ERROR_TYPE = "type.googleapis.com/google.commentanalyzer.v1alpha1.Error"


@pytest.fixture
async def persp(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(suggestions_db=tmp_path / "s.db", perspective_prefix="/perspective")
    async for c in running(create_app(settings)):
        yield c


def google_error(r: httpx.Response, code: int, message: str, error_type: str) -> None:
    assert r.status_code == code, r.text
    assert r.json() == {
        "error": {
            "code": code,
            "message": message,
            "status": "INVALID_ARGUMENT",
            "details": [{"@type": ERROR_TYPE, "errorType": error_type}],
        }
    }


async def test_analyze_response_shape(persp: httpx.AsyncClient) -> None:
    body = {
        "comment": {"text": "You are a pathetic idiot.", "type": "PLAIN_TEXT"},
        "context": {"entries": [{"text": "the article", "type": "PLAIN_TEXT"}]},
        "requestedAttributes": {"TOXICITY": {}, "INSULT": {"scoreType": "PROBABILITY"}},
        "languages": ["en"],
        "doNotStore": True,
        "clientToken": "tok-1",
        "sessionId": "s-1",
        "communityId": "c-1",
    }
    r = await persp.post(ANALYZE, json=body)
    assert r.status_code == 200
    out = r.json()
    assert set(out) == {"attributeScores", "languages", "clientToken"}
    assert out["languages"] == ["en"]
    assert out["clientToken"] == "tok-1"
    for name in ("TOXICITY", "INSULT"):
        scores = out["attributeScores"][name]
        assert scores["summaryScore"]["type"] == "PROBABILITY"
        assert 0.5 < scores["summaryScore"]["value"] <= 1.0
        # Like Perspective, one span covers the whole comment when spans were not asked for.
        assert scores["spanScores"] == [{"begin": 0, "end": 25, "score": scores["summaryScore"]}]


async def test_google_client_query_parameters_are_ignored(persp: httpx.AsyncClient) -> None:
    body = {"comment": {"text": "hello there friend"}, "requestedAttributes": {"TOXICITY": {}}, "languages": ["en"]}
    r = await persp.post(
        f"{ANALYZE}?alt=json&$.xgafv=2&fields=attributeScores&prettyPrint=false&quotaUser=u1", json=body
    )
    assert r.status_code == 200


async def test_names_keep_their_version_suffix_and_snake_case_is_accepted(persp: httpx.AsyncClient) -> None:
    r = await persp.post(
        ANALYZE,
        json={"comment": {"text": "you fool"}, "requested_attributes": {"TOXICITY@1": {}}, "languages": ["en-US"]},
    )
    assert r.status_code == 200
    assert list(r.json()["attributeScores"]) == ["TOXICITY@1"]
    assert r.json()["languages"] == ["en-US"]


async def test_span_scores_are_sentences_in_utf16_units(persp: httpx.AsyncClient) -> None:
    text = "Hi 😀 there! You are a 𝐩𝐚𝐭𝐡𝐞𝐭𝐢𝐜 idiot. Bye 👍🏽"
    r = await persp.post(
        ANALYZE,
        json={
            "comment": {"text": text},
            "requestedAttributes": {"TOXICITY": {}},
            "languages": ["en"],
            "spanAnnotations": True,
        },
    )
    spans = r.json()["attributeScores"]["TOXICITY"]["spanScores"]
    units = text.encode("utf-16-le")
    pieces = [units[2 * s["begin"] : 2 * s["end"]].decode("utf-16-le") for s in spans]
    assert pieces == ["Hi 😀 there!", "You are a 𝐩𝐚𝐭𝐡𝐞𝐭𝐢𝐜 idiot.", "Bye 👍🏽"]
    # UTF-16 offsets differ from Python's: the emoji and bold letters are surrogate pairs.
    assert spans[-1]["end"] == len(units) // 2 != len(text)
    insult_span = spans[1]["score"]["value"]
    assert insult_span > max(spans[0]["score"]["value"], spans[2]["score"]["value"])


@pytest.mark.parametrize("text", ["a" + "." * 20_000 + "a", "Mr. " * 5_000, "." * 20_000])
async def test_span_scores_of_adversarial_text_do_not_stall_the_worker(persp: httpx.AsyncClient, text: str) -> None:
    # The old sentence pattern backtracked quadratically here (4 to 9 s of CPU for the first
    # text); the splitter is a linear scan now. A generous bound, not a speed target.
    start = time.process_time()
    r = await persp.post(
        ANALYZE,
        json={
            "comment": {"text": text},
            "requestedAttributes": {"TOXICITY": {}},
            "languages": ["en"],
            "spanAnnotations": True,
        },
    )
    assert r.status_code == 200, r.text
    assert time.process_time() - start < 3.0
    spans = r.json()["attributeScores"]["TOXICITY"]["spanScores"]
    assert spans and spans[-1]["end"] <= len(text)


async def test_score_threshold_omits_low_scores(persp: httpx.AsyncClient) -> None:
    text = "Thanks for the lovely article. You are an idiot."
    base = {"comment": {"text": text}, "languages": ["en"], "spanAnnotations": True}
    full = (await persp.post(ANALYZE, json={**base, "requestedAttributes": {"TOXICITY": {}}})).json()
    summary = full["attributeScores"]["TOXICITY"]["summaryScore"]["value"]
    spans = full["attributeScores"]["TOXICITY"]["spanScores"]
    low, high = sorted(s["score"]["value"] for s in spans)
    cut = (low + high) / 2
    r = (await persp.post(ANALYZE, json={**base, "requestedAttributes": {"TOXICITY": {"scoreThreshold": cut}}})).json()
    assert [s["score"]["value"] for s in r["attributeScores"]["TOXICITY"]["spanScores"]] == [high]
    r = await persp.post(
        ANALYZE, json={**base, "requestedAttributes": {"TOXICITY": {"scoreThreshold": summary + 1e-9}}}
    )
    assert r.status_code == 200 and r.json()["attributeScores"] == {}
    r = await persp.post(ANALYZE, json={**base, "requestedAttributes": {"TOXICITY": {"scoreThreshold": 1e30}}})
    assert r.status_code == 200 and r.json()["attributeScores"] == {}


async def test_html_comments_are_converted(persp: httpx.AsyncClient) -> None:
    html = "<p>You are a <b>pathetic</b>&nbsp;idiot</p><script>alert('x')</script>"
    plain = "You are a pathetic idiot"
    a = await persp.post(
        ANALYZE,
        json={"comment": {"text": html, "type": "HTML"}, "requestedAttributes": {"INSULT": {}}, "languages": ["en"]},
    )
    b = await persp.post(
        ANALYZE, json={"comment": {"text": plain}, "requestedAttributes": {"INSULT": {}}, "languages": ["en"]}
    )
    assert (
        a.json()["attributeScores"]["INSULT"]["summaryScore"] == b.json()["attributeScores"]["INSULT"]["summaryScore"]
    )


ERROR_CASES: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "empty",
        {"comment": {"text": ""}, "requestedAttributes": {"TOXICITY": {}}},
        "Comment must be non-empty.",
        "COMMENT_EMPTY",
    ),
    (
        "blank",
        {"comment": {"text": "  \n "}, "requestedAttributes": {"TOXICITY": {}}},
        "Comment must be non-empty.",
        "COMMENT_EMPTY",
    ),
    ("no comment", {"requestedAttributes": {"TOXICITY": {}}}, "Comment must be non-empty.", "COMMENT_EMPTY"),
    ("no attributes", {"comment": {"text": "hi"}}, "Missing requested_attributes", "NO_REQUESTED_ATTRIBUTES"),
    (
        "empty attributes",
        {"comment": {"text": "hi"}, "requestedAttributes": {}},
        "Missing requested_attributes",
        "NO_REQUESTED_ATTRIBUTES",
    ),
    (
        "unknown attribute",
        {"comment": {"text": "hi"}, "requestedAttributes": {"FLIRTATION": {}}},
        "Unknown requested attribute: FLIRTATION",
        "UNKNOWN_ATTRIBUTE",
    ),
    (
        "coral custom model",
        {"comment": {"text": "hi"}, "requestedAttributes": {"MY_CUSTOM_MODEL": {}}, "languages": ["en"]},
        "Unknown requested attribute: MY_CUSTOM_MODEL",
        "UNKNOWN_ATTRIBUTE",
    ),
    (
        "score type",
        {"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {"scoreType": "STD_DEV_SCORE"}}},
        "Requested score type STD_DEV_SCORE is not supported by attribute TOXICITY",
        "UNSUPPORTED_SCORE_TYPE",
    ),
    (
        "other languages",
        {"comment": {"text": "hola"}, "requestedAttributes": {"TOXICITY": {}}, "languages": ["es", "it"]},
        "Attribute TOXICITY does not support request languages: es, it",
        "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE",
    ),
    (
        "detected german",
        {
            "comment": {"text": "Du bist ein Idiot und ich hasse dich wirklich sehr"},
            "requestedAttributes": {"THREAT": {}},
        },
        "Attribute THREAT does not support request languages: de",
        "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE",
    ),
]


@pytest.mark.parametrize(("name", "body", "message", "error_type"), ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
async def test_errors_use_perspective_messages(
    persp: httpx.AsyncClient, name: str, body: dict[str, Any], message: str, error_type: str
) -> None:
    google_error(await persp.post(ANALYZE, json=body), 400, message, error_type)


async def test_too_long_keeps_perspectives_message_and_names_the_limit(persp: httpx.AsyncClient) -> None:
    r = await persp.post(ANALYZE, json={"comment": {"text": "x" * 20_481}, "requestedAttributes": {"TOXICITY": {}}})
    assert r.status_code == 400
    assert r.json() == {
        "error": {
            "code": 400,
            "message": "Comment text too long.",
            "status": "INVALID_ARGUMENT",
            "details": [
                {"@type": ERROR_TYPE, "errorType": "COMMENT_TOO_LONG"},
                {
                    "@type": "type.googleapis.com/google.rpc.BadRequest",
                    "fieldViolations": [
                        {
                            "field": "comment.text",
                            "description": "comment.text is 20481 bytes of UTF-8; the limit is 20480 "
                            "(TOXICITY_MAX_TEXT_BYTES)",
                        }
                    ],
                },
            ],
        }
    }


async def test_schema_errors_are_google_shaped(persp: httpx.AsyncClient) -> None:
    r = await persp.post(ANALYZE, json={"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {}}, "bogus": 1})
    google_error(r, 400, 'Invalid JSON payload received. Unknown name "bogus": Cannot find field.', "UNKNOWN_FIELD")
    r = await persp.post(ANALYZE, content=b"{nope")
    assert r.status_code == 400 and r.json()["error"]["message"].startswith("Invalid JSON payload received.")
    r = await persp.post(ANALYZE, json={"comment": {"text": 5}, "requestedAttributes": {"TOXICITY": {}}})
    assert r.status_code == 400 and r.json()["error"]["status"] == "INVALID_ARGUMENT"


async def test_short_or_uncertain_text_is_english(persp: httpx.AsyncClient) -> None:
    for text in ("lol", "ok", "😀😀", "Thanks!", "ur so dumb lmao"):
        r = await persp.post(ANALYZE, json={"comment": {"text": text}, "requestedAttributes": {"TOXICITY": {}}})
        assert r.status_code == 200, text
        assert r.json()["languages"] == ["en"]
        # What the detector listed (its unsure guesses), never the fallback made up as detected.
        listed = r.json().get("detectedLanguages")
        assert listed is None if text in ("lol", "ok", "😀😀") else listed[0] == "en", (text, listed)
    r = await persp.post(
        ANALYZE,
        json={
            "comment": {"text": "This is a perfectly ordinary English sentence about the weather."},
            "requestedAttributes": {"TOXICITY": {}},
        },
    )
    assert r.json()["detectedLanguages"][0] == "en"


async def test_strict_language_mode_fails_like_perspective(tmp_path: Path) -> None:
    async for c in running(create_app(Settings(suggestions_db=tmp_path / "s.db", language_fallback=""))):
        r = await c.post(ANALYZE, json={"comment": {"text": "lol"}, "requestedAttributes": {"TOXICITY": {}}})
        google_error(r, 400, "Unable to detect language", "LANGUAGE_DETECTION_FAILED")


async def test_coral_requests_at_root_and_under_a_prefix(persp: httpx.AsyncClient) -> None:
    for base in ("/v1alpha1", "/perspective/v1alpha1"):
        body = {
            "comment": {"text": "You are a pathetic idiot."},
            "doNotStore": True,
            "requestedAttributes": {"TOXICITY": {}},
            "languages": ["en"],
        }
        r = await persp.post(f"{base}/comments:analyze?key=K", json=body, timeout=0.8)
        assert r.status_code == 200
        assert r.json()["attributeScores"]["TOXICITY"]["summaryScore"]["value"] > 0.8  # Coral: toxic
        feedback = {
            "comment": {"text": "You are a pathetic idiot."},
            "context": {
                "entries": [
                    {"text": json.dumps({"url": "https://example.org/story?commentID=1", "Coral_comment_id": "1"})}
                ]
            },
            "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}},
            "languages": ["en"],
            "communityId": "Coral:https://example.org",
            "clientToken": "comment:1",
        }
        r = await persp.post(f"{base}/comments:suggestscore?key=K", json=feedback)
        assert r.status_code == 200
        assert r.json()["clientToken"] == "comment:1"


async def test_discourse_request(persp: httpx.AsyncClient) -> None:
    body = {
        "comment": {"text": "go away you clown"},
        "doNotStore": True,
        "sessionId": "abc",
        "requestedAttributes": {"TOXICITY": {"scoreType": "PROBABILITY"}},
    }
    r = await persp.post(ANALYZE, json=body)
    assert r.status_code == 200
    assert r.json()["languages"] == ["en"]
    assert "TOXICITY" in r.json()["attributeScores"]


async def test_suggestscore_persists_everything(store_settings: dict[str, Any]) -> None:
    async for c in running(create_app(Settings(**store_settings))):
        body = {
            "comment": {"text": "you are a clown"},
            "context": {"entries": [{"text": "parent"}]},
            "attributeScores": {
                "TOXICITY": {"summaryScore": {"value": 0}},
                "INSULT": {"spanScores": [{"begin": 0, "end": 3, "score": {"value": 1}}]},
            },
            "languages": ["en"],
            "communityId": "Coral:https://example.org",
            "clientToken": "comment:9",
            "sessionId": "sess",
        }
        r = await c.post(SUGGEST, json=body)
        assert r.json() == {"clientToken": "comment:9", "requestedLanguages": ["en"]}
    sql = (
        "SELECT comment_text, attribute_scores, languages, community_id, client_token, session_id, received_at,"
        " context FROM suggestions"
    )
    if "feedback_url" in store_settings:  # the same columns in PostgreSQL
        import psycopg

        with psycopg.connect(store_settings["feedback_url"]) as conn:
            row = conn.execute(sql).fetchone()
    else:
        with sqlite3.connect(store_settings["suggestions_db"]) as con:
            assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            row = con.execute(sql).fetchone()
    assert row is not None
    assert row[0] == "you are a clown"
    assert json.loads(row[1])["INSULT"]["spanScores"][0] == {"begin": 0, "end": 3, "score": {"value": 1.0}}
    assert json.loads(row[2]) == ["en"]
    assert row[3:6] == ("Coral:https://example.org", "comment:9", "sess")
    assert row[6].startswith("20")
    assert json.loads(row[7]) == {"entries": [{"text": "parent"}]}


SUGGEST_ERRORS: list[tuple[dict[str, Any], str, str]] = [
    ({"comment": {"text": "x"}}, "Missing attribute_scores", "NO_ATTRIBUTE_SCORES"),
    ({"comment": {"text": "x"}, "attributeScores": {}}, "Missing attribute_scores", "NO_ATTRIBUTE_SCORES"),
    (
        {"comment": {"text": "x"}, "attributeScores": {"TOXICITY": {}}},
        "Attribute scores for TOXICITY must set summary_score or span_scores",
        "EMPTY_ATTRIBUTE_SCORES",
    ),
    (
        {"comment": {"text": "x"}, "attributeScores": {"TOXICITY": {"summaryScore": {}}}},
        "Every score of TOXICITY must be explicitly set",
        "SCORE_NOT_SET",
    ),
    (
        {
            "comment": {"text": "x"},
            "attributeScores": {"TOXICITY": {"spanScores": [{"begin": 0, "score": {"value": 1}}]}},
        },
        "Every span score of TOXICITY must set begin, end and score",
        "INVALID_SPAN_SCORE",
    ),
    (
        {"comment": {"text": "x"}, "attributeScores": {"TOXICITY": {"summaryScore": {"value": 3}}}},
        "Probability score of TOXICITY must be in [0, 1]",
        "INVALID_SCORE",
    ),
    (
        {"comment": {"text": ""}, "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}}},
        "Comment must be non-empty.",
        "COMMENT_EMPTY",
    ),
]


@pytest.mark.parametrize(("body", "message", "error_type"), SUGGEST_ERRORS)
async def test_suggestscore_validates_like_perspective(
    persp: httpx.AsyncClient, body: dict[str, Any], message: str, error_type: str
) -> None:
    google_error(await persp.post(SUGGEST, json=body), 400, message, error_type)


async def test_api_keys_on_perspective_routes(tmp_path: Path) -> None:
    async for c in running(create_app(Settings(suggestions_db=tmp_path / "s.db", api_keys="k1,k2"))):
        body = {"comment": {"text": "hi there"}, "requestedAttributes": {"TOXICITY": {}}, "languages": ["en"]}
        expected = {
            "error": {
                "code": 400,
                "message": "API key not valid. Please pass a valid API key.",
                "status": "INVALID_ARGUMENT",
                "details": [
                    {
                        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                        "reason": "API_KEY_INVALID",
                        "domain": "googleapis.com",
                    }
                ],
            }
        }
        for url in (ANALYZE, f"{ANALYZE}?key=wrong", SUGGEST):
            r = await c.post(url, json=body)
            assert r.status_code == 400 and r.json() == expected, url
        assert (await c.post(f"{ANALYZE}?key=k2", json=body)).status_code == 200
        discovered = await c.get("/$discovery/rest?version=v1alpha1", headers={"Host": "localhost"})
        assert discovered.status_code == 200  # discovery stays open


async def test_discovery_document(persp: httpx.AsyncClient, tmp_path: Path) -> None:
    local = {"Host": "localhost:8000"}  # a loopback name: in TOXICITY_ALLOWED_HOSTS by default
    d = (await persp.get("/$discovery/rest?version=v1alpha1", headers=local)).json()
    assert d["rootUrl"] == "http://localhost:8000/"
    assert d["resources"]["comments"]["methods"]["analyze"]["path"] == "v1alpha1/comments:analyze"
    props = d["schemas"]["AnalyzeCommentRequest"]["properties"]
    assert {"comment", "requestedAttributes", "languages", "doNotStore", "clientToken", "spanAnnotations"} <= set(props)
    assert props["requestedAttributes"]["additionalProperties"] == {"$ref": "AttributeParameters"}
    prefixed = (await persp.get("/perspective/$discovery/rest", headers=local)).json()
    assert prefixed["rootUrl"] == "http://localhost:8000/perspective/"
    r = await persp.get("/$discovery/rest?version=v2")
    assert r.status_code == 404 and r.json()["error"]["status"] == "NOT_FOUND"
    async for c in running(
        create_app(Settings(suggestions_db=tmp_path / "x.db", public_base_url="https://tox.example.org/api"))
    ):
        assert (await c.get("/$discovery/rest")).json()["rootUrl"] == "https://tox.example.org/api/"
