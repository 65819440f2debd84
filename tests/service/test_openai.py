"""OpenAI's moderation contract (``POST /v1/moderations``), driven in-process; the official client is in test_integration_clients."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.app import create_app
from service.openai.mapping import CATEGORIES, NAMES
from service.settings import Settings
from tests.service.conftest import running

pytestmark = pytest.mark.anyio
URL = "/v1/moderations"
INSULT = "you are a moron and a fool"
FRIENDLY = "thanks friend, what a lovely song"
THREAT = "I will hurt you, damn clown"
IDENTITY = "all those people are idiots, ban them"
UNSUPPORTED = {
    "illicit",
    "illicit/violent",
    "self-harm",
    "self-harm/instructions",
    "self-harm/intent",
    "sexual",
    "sexual/minors",
    "violence/graphic",
}


def openai_error(r: httpx.Response, status: int, code: str, param: str | None, *words: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"message", "type", "param", "code"}
    error = body["error"]
    assert error["code"] == code and error["param"] == param, error
    assert error["type"] == ("requests" if status == 429 else "invalid_request_error")
    for word in words:
        assert word in error["message"], (word, error["message"])
    return dict(error)


async def native_scores(client: httpx.AsyncClient, texts: list[str]) -> list[dict[str, float]]:
    r = await client.post("/v1/score", json={"comments": [{"text": t} for t in texts]})
    assert r.status_code == 200
    return [x["scores"] for x in r.json()["results"]]


@pytest.mark.parametrize(
    "given",
    [INSULT, [INSULT, FRIENDLY], [{"type": "text", "text": INSULT}, {"type": "text", "text": FRIENDLY}]],
    ids=["string", "strings", "parts"],
)
async def test_every_input_form_gets_one_result_per_input_in_order(client: httpx.AsyncClient, given: Any) -> None:
    r = await client.post(URL, json={"input": given, "model": "omni-moderation-latest"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert re.fullmatch(r"modr-[0-9a-f]{32}", body["id"])
    assert body["model"] == "omni-moderation-latest"
    results = body["results"]
    assert len(results) == (1 if isinstance(given, str) else 2)
    assert results[0]["flagged"] is True and results[0]["categories"]["harassment"] is True
    if len(results) == 2:
        assert results[1]["flagged"] is False and not any(results[1]["categories"].values())
    for result in results:
        for key in ("categories", "category_scores", "category_applied_input_types"):
            assert list(result[key]) == list(NAMES) and len(NAMES) == 13
        for name in UNSUPPORTED:  # not modelled: never a judgement
            assert result["categories"][name] is False
            assert result["category_scores"][name] == 0.0
            assert result["category_applied_input_types"][name] == []
        for name in set(NAMES) - UNSUPPORTED:
            assert result["category_applied_input_types"][name] == ["text"]


async def test_without_a_model_the_loaded_version_is_named(client: httpx.AsyncClient) -> None:
    r = await client.post(URL, json={"input": FRIENDLY})
    version = (await client.get("/v1/model")).json()["version"]
    assert r.json()["model"] == version
    ids = {(await client.post(URL, json={"input": FRIENDLY})).json()["id"] for _ in range(3)}
    assert len(ids) == 3


async def test_categories_follow_the_table_from_the_native_scores(client: httpx.AsyncClient) -> None:
    texts = [INSULT, FRIENDLY, THREAT, IDENTITY]
    scores = await native_scores(client, texts)
    thresholds = {a["name"]: a["default_threshold"] for a in (await client.get("/v1/model")).json()["attributes"]}
    r = await client.post(URL, json={"input": texts})
    for row, result in zip(scores, r.json()["results"], strict=True):
        assert result["category_scores"]["harassment"] == max(row["INSULT"], row["TOXICITY"])
        assert result["category_scores"]["hate"] == row["IDENTITY_ATTACK"]
        assert result["category_scores"]["violence"] == row["THREAT"]
        assert result["category_scores"]["hate/threatening"] == min(row["IDENTITY_ATTACK"], row["THREAT"])
        for category in CATEGORIES:
            if not category.attributes:
                continue
            hits = [row[a] >= thresholds[a] for a in category.attributes]
            expected = any(hits) if category.rule == "any" else all(hits)
            assert result["categories"][category.name] is expected, category.name
        assert result["flagged"] is any(result["categories"].values())
    threat, identity = r.json()["results"][2:]
    assert threat["categories"]["violence"] and threat["categories"]["harassment/threatening"]
    assert identity["categories"]["hate"] and not identity["categories"]["hate/threatening"]
    assert not threat["categories"]["hate/threatening"]  # a threat alone is not a hateful one


async def test_a_preset_named_as_the_model_sets_the_thresholds(shipped_client: httpx.AsyncClient) -> None:
    texts = ["This is a stupid idea and you know it.", "What a dumb take.", "Shut up.", "You people never learn."]
    presets = {
        a["name"]: {p: v["threshold"] for p, v in a["presets"].items()}
        for a in (await shipped_client.get("/v1/model")).json()["attributes"]
    }
    scores = await native_scores(shipped_client, texts)
    flagged = {}
    for preset in ("high_recall", "high_precision"):
        r = await shipped_client.post(URL, json={"input": texts, "model": preset})
        assert r.json()["model"] == preset
        flagged[preset] = [x["categories"]["harassment"] for x in r.json()["results"]]
        assert flagged[preset] == [
            row["INSULT"] >= presets["INSULT"][preset] or row["TOXICITY"] >= presets["TOXICITY"][preset]
            for row in scores
        ]
    assert flagged["high_recall"] != flagged["high_precision"], "no text tells the presets apart"


@pytest.mark.parametrize(
    ("payload", "code", "param", "words"),
    [
        (
            {"input": [{"type": "image_url", "image_url": {"url": "https://x.example/a.png"}}]},
            "image_input_not_supported",
            "input[0]",
            ("image", "text only"),
        ),
        ({"input": [{"type": "text"}]}, "missing_text", "input[0].text", ("without `text`",)),
        ({"input": []}, "input_empty", "input", ("empty array",)),
        ({"input": ["a"] * 6}, "too_many_inputs", "input", ("6 items", "limit is 5", "TOXICITY_MAX_BATCH")),
        ({"input": ["fine", "x" * 201]}, "input_too_long", "input[1]", ("201 bytes", "limit is 200")),
        ({"input": "   "}, "input_empty", "input", ("empty",)),
        (
            {"input": INSULT, "temperature": 1},
            "unknown_parameter",
            "temperature",
            ("Unrecognized request argument supplied: temperature",),
        ),
        ({"input": ["ok", 7]}, "string_type", "input[1]", ("input[1]",)),
        ({"input": [{"type": "text", "text": 7}]}, "string_type", "input[0].text", ("input[0].text",)),
        ({"model": "x"}, "missing_field", "input", ("input",)),
        ({"input": "x", "model": "m" * 257}, "string_too_long", "model", ("256",)),
    ],
)
async def test_bad_input_is_a_400_in_openais_shape(
    client: httpx.AsyncClient, payload: dict[str, Any], code: str, param: str, words: tuple[str, ...]
) -> None:
    openai_error(await client.post(URL, json=payload), 400, code, param, *words)


async def test_bad_json_and_oversized_bodies_are_400s_too(client: httpx.AsyncClient) -> None:
    openai_error(await client.post(URL, content=b'{"input": '), 400, "invalid_json", None, "not valid JSON")
    big = {"input": ["x" * 100] * 50}  # over the fixture's 4096-byte body cap
    openai_error(
        await client.post(URL, json=big), 400, "request_too_large", None, "limit is 4096", "TOXICITY_MAX_BODY_BYTES"
    )


@pytest.fixture
async def keyed(tiny_artifact: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        model_path=tiny_artifact, api_keys="k-one,k-two", rate_limit_per_second=0.01, rate_limit_burst=3
    )
    async for c in running(create_app(settings)):
        yield c


async def test_bearer_keys_and_the_rate_limit(keyed: httpx.AsyncClient) -> None:
    missing = openai_error(await keyed.post(URL, json={"input": INSULT}), 401, "missing_api_key", None, "Bearer")
    assert "k-one" not in missing["message"]
    r = await keyed.post(URL, json={"input": INSULT}, headers={"Authorization": "Bearer k-wrong"})
    openai_error(r, 401, "invalid_api_key", None, "Incorrect API key")
    assert r.headers["www-authenticate"].startswith("Bearer")
    # X-API-Key works as on the native API (the rate limiter and the OpenAPI document read keys so on /v1/).
    assert (await keyed.post(URL, json={"input": INSULT}, headers={"X-API-Key": "k-one"})).status_code == 200
    ok = [await keyed.post(URL, json={"input": INSULT}, headers={"Authorization": "Bearer k-two"}) for _ in range(3)]
    assert [x.status_code for x in ok] == [200, 200, 200]
    limited = await keyed.post(URL, json={"input": INSULT}, headers={"Authorization": "Bearer k-two"})
    openai_error(limited, 429, "rate_limit_exceeded", None, "rate limit")
    assert int(limited.headers["retry-after"]) >= 1


async def test_get_model_lists_the_mapping_and_the_unsupported_categories(client: httpx.AsyncClient) -> None:
    mapping = (await client.get("/v1/model")).json()["contracts"]["openai_moderation"]
    assert set(mapping["unsupported"]) == UNSUPPORTED
    rows = {c["name"]: c for c in mapping["categories"]}
    assert list(rows) == list(NAMES)
    assert rows["harassment"]["attributes"] == ["INSULT", "TOXICITY"] and rows["harassment"]["rule"] == "any"
    assert rows["hate/threatening"] == {
        **rows["hate/threatening"],
        "attributes": ["IDENTITY_ATTACK", "THREAT"],
        "rule": "all",
    }
    assert rows["sexual"]["supported"] is False and rows["violence"]["supported"] is True


async def test_the_documented_examples_answer(shipped_client: httpx.AsyncClient) -> None:
    spec = (await shipped_client.get("/openapi.json")).json()
    op = spec["paths"][URL]["post"]
    assert {"400", "401", "429", "503"} <= set(op["responses"]) and "422" not in op["responses"]
    for status in ("400", "401", "429", "503"):  # each its own example, in OpenAI's shape
        error = op["responses"][status]["content"]["application/json"]["example"]["error"]
        assert set(error) == {"message", "type", "param", "code"} and error["message"], status
    examples = op["requestBody"]["content"]["application/json"]["examples"]
    assert set(examples) == {"string", "strings", "parts"}
    for name, example in examples.items():
        r = await shipped_client.post(URL, json=example["value"])
        assert r.status_code == 200, name
    flagged = (await shipped_client.post(URL, json=examples["string"]["value"])).json()["results"][0]
    assert flagged["flagged"] and flagged["categories"]["harassment"]


async def test_the_hot_path_and_the_framework_answer_alike(tiny_artifact: Path) -> None:
    cases: list[tuple[Any, dict[str, str]]] = [
        ({"input": INSULT}, {"Authorization": "Bearer k-one"}),
        ({"input": [FRIENDLY, THREAT], "model": "balanced"}, {"Authorization": "Bearer k-one"}),
        ({"input": [{"type": "image_url", "image_url": {"url": "u"}}]}, {"Authorization": "Bearer k-one"}),
        ({"input": ["a"] * 6}, {"Authorization": "Bearer k-one"}),
        ({"input": "a", "stream": True}, {"Authorization": "Bearer k-one"}),
        ({"input": INSULT}, {"Authorization": "Bearer nope"}),
    ]
    answers = {}
    for hot in (True, False):
        app = create_app(Settings(model_path=tiny_artifact, max_batch=5, api_keys="k-one"))
        if not hot:
            app.state.hot_routes.clear()
        async for client in running(app):
            replies = [await client.post(URL, json=body, headers=headers) for body, headers in cases]
            answers[hot] = [(r.status_code, {k: v for k, v in r.json().items() if k != "id"}) for r in replies]
    assert [status for status, _ in answers[True]] == [200, 200, 400, 400, 400, 401]
    assert answers[True] == answers[False]
