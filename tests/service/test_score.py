from __future__ import annotations

import httpx
import numpy as np
import pytest

from model import ToxicityModel
from service.core.schemas import ScoreResponse

pytestmark = pytest.mark.anyio


async def test_single_and_batch_in_request_order(client: httpx.AsyncClient) -> None:
    texts = ["you are a moron and a fool", "thanks friend, what a lovely song", "I will hurt you, damn clown"]
    r = await client.post("/v1/score", json={"comments": [{"text": t, "id": f"c{i}"} for i, t in enumerate(texts)]})
    assert r.status_code == 200
    body = r.json()
    assert [x["id"] for x in body["results"]] == ["c0", "c1", "c2"]
    assert body["model"]["version"]
    first, nice, threat = body["results"]
    assert first["scores"]["INSULT"] > nice["scores"]["INSULT"]
    assert threat["scores"]["THREAT"] > nice["scores"]["THREAT"]
    assert "INSULT" in first["flagged"] and "INSULT" not in nice["flagged"]
    assert all(x["explanation"] is None for x in body["results"])
    one = await client.post("/v1/score", json={"comments": [{"text": texts[2]}]})
    assert one.json()["results"][0]["scores"] == pytest.approx(threat["scores"])
    assert one.json()["results"][0]["id"] is None


async def test_attributes_and_thresholds(client: httpx.AsyncClient, tiny_model: ToxicityModel) -> None:
    text = "you are a moron and a fool"
    r = await client.post("/v1/score", json={"comments": [{"text": text}], "attributes": ["INSULT", "TOXICITY"]})
    result = r.json()["results"][0]
    assert list(result["scores"]) == ["INSULT", "TOXICITY"]
    score = result["scores"]["INSULT"]
    above = await client.post(
        "/v1/score",
        json={"comments": [{"text": text}], "attributes": ["INSULT"], "thresholds": {"INSULT": score}},
    )
    assert above.json()["results"][0]["flagged"] == ["INSULT"]
    below = await client.post(
        "/v1/score",
        json={
            "comments": [{"text": text}],
            "attributes": ["INSULT"],
            "thresholds": {"INSULT": min(1.0, score + 1e-6)},
        },
    )
    assert below.json()["results"][0]["flagged"] == []
    default = await client.post("/v1/score", json={"comments": [{"text": text}]})
    assert set(default.json()["results"][0]["scores"]) == set(tiny_model.scored_attributes)


async def test_explanations_are_exact_and_point_at_the_original(
    client: httpx.AsyncClient, tiny_model: ToxicityModel
) -> None:
    text = "Hey 🙂 @Sam, y0u are a M0R0N!!! &amp; you f o o l 👍🏽"
    r = await client.post("/v1/score", json={"comments": [{"text": text}], "explain": True})
    explanation = r.json()["results"][0]["explanation"]
    logits = tiny_model.logits([text])[0]
    for name, e in explanation.items():
        column = tiny_model.attributes.index(name)
        total = e["intercept"] + sum(s["weight"] for s in e["spans"]) + e["other"]
        assert total == pytest.approx(e["logit"], abs=1e-9)  # other takes up the rounding
        assert e["logit"] == pytest.approx(logits[column], abs=5e-5)  # rounded to 4 decimals for reading
        assert all(s["weight"] == round(s["weight"], 4) for s in e["spans"])
        for s in e["spans"]:
            assert 0 <= s["start"] < s["end"] <= len(text)
            assert text[s["start"] : s["end"]] == s["text"]
    spans = {s["text"] for s in explanation["INSULT"]["spans"]}
    assert "M0R0N!!!" in spans
    assert "f o o l" in spans


async def test_explanation_truncation_keeps_the_sum(tiny_artifact, tiny_model: ToxicityModel) -> None:  # type: ignore[no-untyped-def]
    from service.app import create_app
    from service.settings import Settings
    from tests.service.conftest import running

    text = " ".join(["you are a moron and a fool"] * 5 + ["thanks friend"])
    async for c in running(create_app(Settings(model_path=tiny_artifact, max_explain_spans=2))):
        r = await c.post("/v1/score", json={"comments": [{"text": text}], "explain": True, "attributes": ["INSULT"]})
        e = r.json()["results"][0]["explanation"]["INSULT"]
        assert len(e["spans"]) == 2
        assert e["other"] != 0
        assert e["intercept"] + sum(s["weight"] for s in e["spans"]) + e["other"] == pytest.approx(
            float(tiny_model.logits([text])[0][tiny_model.attributes.index("INSULT")]), abs=1e-4
        )
        weights = [abs(s["weight"]) for s in e["spans"]]
        assert weights == sorted(weights, reverse=True)


async def test_batch_scores_equal_single_scores(client: httpx.AsyncClient, tiny_model: ToxicityModel) -> None:
    texts = ["a", "you fool", "lovely recipe, thanks", "all those people are jerks"]
    r = await client.post("/v1/score", json={"comments": [{"text": t} for t in texts]})
    got = np.array([[res["scores"][a] for a in tiny_model.scored_attributes] for res in r.json()["results"]])
    want = tiny_model.probabilities(texts)
    np.testing.assert_allclose(got, want[:, [tiny_model.attributes.index(a) for a in tiny_model.scored_attributes]])


@pytest.mark.parametrize("preset", ["high_precision", "balanced", "high_recall"])
async def test_a_preset_names_the_thresholds(client: httpx.AsyncClient, tiny_model: ToxicityModel, preset: str) -> None:
    texts = ["you are a moron and a fool", "thanks teacher, what a lovely song", "you idiot, thanks"]
    body = {"comments": [{"text": t} for t in texts], "attributes": ["TOXICITY", "INSULT"], "thresholds": preset}
    r = await client.post("/v1/score", json=body)
    assert r.status_code == 200, r.text
    cut = tiny_model.presets()[preset]
    for result in r.json()["results"]:
        assert result["flagged"] == [a for a in ("TOXICITY", "INSULT") if result["scores"][a] >= cut[a]]


async def test_an_unknown_preset_is_refused_with_the_known_ones(client: httpx.AsyncClient) -> None:
    r = await client.post("/v1/score", json={"comments": [{"text": "hi"}], "thresholds": "strict"})
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["field"].startswith("thresholds"), error
    assert "high_precision" in r.text


async def test_model_info(client: httpx.AsyncClient, tiny_model: ToxicityModel) -> None:
    r = await client.get("/v1/model")
    info = r.json()
    assert info["version"] == tiny_model.version
    names = [a["name"] for a in info["attributes"]]
    assert names == ["TOXICITY", "SEVERE_TOXICITY", "INSULT", "THREAT", "IDENTITY_ATTACK", "PROFANITY"]
    for a in info["attributes"]:
        assert a["definition"] and a["status"] in ("supported", "experimental", "unsupported") and a["reason"]
    assert "roc_auc" in info["metrics"]["TOXICITY"]
    assert info["training_data"]["train_comments"] > 0
    assert info["limits"] == {
        "max_text_bytes": 200,
        "max_batch": 5,
        "max_body_bytes": 4096,
        "max_explain_chars": 100_000,
        "max_span_sentences": 1_000,
    }
    toxicity = next(a for a in info["attributes"] if a["name"] == "TOXICITY")
    assert set(toxicity["presets"]) == {"high_precision", "balanced", "high_recall"}
    assert toxicity["presets"]["balanced"]["threshold"] == toxicity["default_threshold"]
    assert toxicity["presets"]["high_recall"]["recall"] is not None and toxicity["presets"]["balanced"]["rule"]


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    version = (await client.get("/v1/model")).json()["version"]
    assert ready.json()["model"] == version
    assert (await client.get("/healthz")).json() == {"status": "ok", "model": version}


async def test_not_ready_before_the_model_loads(tiny_artifact) -> None:  # type: ignore[no-untyped-def]
    from service.app import create_app
    from service.settings import Settings

    app = create_app(Settings(model_path=tiny_artifact))
    # No lifespan: nothing is loaded.
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        assert (await c.get("/healthz")).json() == {"status": "ok", "model": None}
        assert (await c.get("/readyz")).status_code == 503
        r = await c.post("/v1/score", json={"comments": [{"text": "hi"}]})
        assert r.status_code == 503
        assert r.json()["error"]["code"] == "model_not_ready"


async def test_responses_are_what_the_documented_model_would_write(client: httpx.AsyncClient) -> None:
    # The route builds its body from plain dicts for speed; ScoreResponse documents it. Same bytes.
    texts = ["you are a moron and a fool", "thanks friend 🎶", "I will hurt you, damn clown", "ok"]
    for body in (
        {"comments": [{"text": texts[0]}]},
        {"comments": [{"text": t, "id": f"c{i}"} for i, t in enumerate(texts)], "thresholds": {"INSULT": 0.01}},
        {"comments": [{"text": texts[0]}, {"text": texts[2]}], "explain": True, "attributes": ["THREAT", "INSULT"]},
    ):
        r = await client.post("/v1/score", json=body)
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/json"
        assert ScoreResponse.model_validate_json(r.content).model_dump_json(by_alias=True).encode() == r.content
