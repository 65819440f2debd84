"""Languages through the HTTP APIs on the shipped model: its real sub-models, statuses and errors.

The other language tests run on a tiny artifact built for them; these check that the
shipped artifact's catalogue reaches every contract as the card states it.
"""

from __future__ import annotations

import httpx
import pytest

from model import load_model

pytestmark = pytest.mark.anyio

GERMAN_INSULT = "Du bist so ein dummer Vollidiot, halt einfach die Klappe."
PORTUGUESE_NEWS = "A prefeitura anunciou ontem a reforma da escola municipal do bairro."
SPANISH = "Gracias por el artículo, me pareció muy interesante y bien escrito."
ENGLISH_INSULT = "You are a pathetic idiot and nobody wants to read your garbage."


async def test_a_mixed_batch_is_scored_in_each_comments_language(shipped_client: httpx.AsyncClient) -> None:
    comments = [
        {"text": GERMAN_INSULT, "id": "de"},
        {"text": SPANISH, "id": "es"},
        {"text": ENGLISH_INSULT, "id": "en"},
        {"text": PORTUGUESE_NEWS, "id": "pt", "language": "pt-BR"},
    ]
    r = await shipped_client.post("/v1/score", json={"comments": comments})
    assert r.status_code == 200, r.text
    de, es, en, pt = r.json()["results"]
    root = load_model()
    assert root.languages is not None
    german = root.languages.get("de").model
    assert german is not None
    assert de["language"]["code"] == "de" and de["language"]["source"] == "detected"
    assert de["scores"] == pytest.approx(german.score([GERMAN_INSULT], list(de["scores"]))[0], abs=1e-9)
    assert "TOXICITY" in de["flagged"]
    assert {e["attribute"] for e in de["errors"]} >= {"THREAT", "SEVERE_TOXICITY"}
    assert es["scores"] == {} and es["errors"][0]["code"] == "language_not_supported"
    assert "Spanish (es)" in es["errors"][0]["message"]
    assert en["language"]["code"] == "en" and "errors" not in en and "INSULT" in en["flagged"]
    assert pt["language"] == {**pt["language"], "code": "pt", "source": "request"}
    assert pt["flagged"] == []


async def test_perspective_scores_german_and_refuses_what_german_does_not_score(
    shipped_client: httpx.AsyncClient,
) -> None:
    path = "/v1alpha1/comments:analyze"
    ok = await shipped_client.post(
        path, json={"comment": {"text": GERMAN_INSULT}, "requestedAttributes": {"TOXICITY": {}, "INSULT": {}}}
    )
    assert ok.status_code == 200, ok.text
    body = ok.json()
    assert body["languages"] == ["de"] and body["attributeScores"]["INSULT"]["summaryScore"]["value"] > 0.5
    refused = await shipped_client.post(
        path, json={"comment": {"text": GERMAN_INSULT}, "requestedAttributes": {"THREAT": {}}}
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == "Attribute THREAT does not support request languages: de"


async def test_get_model_lists_the_shipped_languages(shipped_client: httpx.AsyncClient) -> None:
    info = (await shipped_client.get("/v1/model")).json()
    by_code = {entry["code"]: entry for entry in info["languages"]}
    assert by_code["de"]["attributes"]["TOXICITY"]["status"] == "supported"
    assert by_code["de"]["attributes"]["TOXICITY"]["metrics"]["roc_auc"] > 0.8
    assert by_code["zh"]["attributes"]["TOXICITY"]["status"] == "supported"
    for code in ("es", "it", "nl", "pl", "cs", "sv", "id", "ja", "hi-Latn"):
        assert all(a["status"] == "unsupported" for a in by_code[code]["attributes"].values()), code
