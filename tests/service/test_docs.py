"""The OpenAPI page works offline, and every schema is described with examples."""

from __future__ import annotations

import re

import httpx
import pytest

pytestmark = pytest.mark.anyio

EXTERNAL = re.compile(r"""(?:src|href)=["'](?:https?:)?//""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_doc_pages_load_only_local_assets(client: httpx.AsyncClient, page: str) -> None:
    r = await client.get(page)
    assert r.status_code == 200
    html = r.text
    assert not EXTERNAL.search(html), "the page must not pull anything from another host"
    assets = re.findall(r"""(?:src|href)=["'](/[^"']+)["']""", html)
    assert assets
    for asset in assets:
        got = await client.get(asset)
        assert got.status_code == 200, asset
        assert len(got.content) > 100, asset
        if asset.endswith(".js"):  # nothing in a script fetches an image from elsewhere (Redoc's CDN logo did)
            assert b"https://cdn." not in got.content, asset
    if page == "/redoc":
        assert "fonts.googleapis.com" not in html
    # The browser is told to load only from the service, should a later bundle add another address.
    policy = r.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "img-src 'self' data:" in policy


async def test_openapi_schemas_have_descriptions_and_examples(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    schemas = spec["components"]["schemas"]
    for name in (
        "ScoreRequest",
        "Comment",
        "ScoreResponse",
        "CommentResult",
        "ExplanationOut",
        "SpanOut",
        "ModelInfo",
    ):
        assert schemas[name].get("description"), name
    for name in ("Comment", "ScoreRequest"):
        for prop, sub in schemas[name]["properties"].items():
            assert sub.get("description"), f"{name}.{prop}"
    op = spec["paths"]["/v1/score"]["post"]
    examples = op["requestBody"]["content"]["application/json"]["examples"]
    assert set(examples) == {"hostile", "friendly", "insult", "batch", "languages"}
    assert len(examples["batch"]["value"]["comments"]) == 3
    assert "Crookston" in examples["hostile"]["value"]["comments"][0]["text"]
    for status in ("200", "400", "413", "422", "503"):
        assert status in op["responses"], status


async def test_the_documented_examples_score(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    examples = spec["paths"]["/v1/score"]["post"]["requestBody"]["content"]["application/json"]["examples"]
    for name, example in examples.items():
        payload = example["value"]
        if any(len(c["text"].encode()) > 200 for c in payload["comments"]):
            continue  # the test client's limit is small; the shipped-model test covers these
        r = await client.post("/v1/score", json=payload)
        assert r.status_code == 200, name


async def test_examples_score_on_the_shipped_model(shipped_client: httpx.AsyncClient) -> None:
    spec = (await shipped_client.get("/openapi.json")).json()
    examples = spec["paths"]["/v1/score"]["post"]["requestBody"]["content"]["application/json"]["examples"]
    results = {}
    for name, example in examples.items():
        r = await shipped_client.post("/v1/score", json=example["value"])
        assert r.status_code == 200, name
        results[name] = r.json()["results"]
    assert results["hostile"][0]["scores"]["TOXICITY"] > results["friendly"][0]["scores"]["TOXICITY"]
    assert results["insult"][0]["flagged"] == ["TOXICITY", "INSULT"]


async def test_with_keys_the_document_says_how_to_send_them(tiny_artifact) -> None:  # type: ignore[no-untyped-def]
    from service.app import create_app
    from service.settings import Settings
    from tests.service.conftest import running

    app = create_app(Settings(model_path=tiny_artifact, api_keys="k", admin_keys="a"))
    async for c in running(app):
        spec = (await c.get("/openapi.json")).json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearer"] == {"type": "http", "scheme": "bearer", "description": schemes["bearer"]["description"]}
    assert schemes["apiKeyHeader"]["name"] == "X-API-Key" and schemes["key"]["in"] == "query"
    assert schemes["googApiKey"]["name"] == "X-Goog-Api-Key"
    assert spec["paths"]["/v1/score"]["post"]["security"] == [{"bearer": []}, {"apiKeyHeader": []}]
    assert spec["paths"]["/v1alpha1/comments:analyze"]["post"]["security"] == [{"key": []}, {"googApiKey": []}]
    assert "security" not in spec["paths"]["/healthz"]["get"]


async def test_without_keys_the_document_declares_no_key(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert "securitySchemes" not in spec.get("components", {})
    assert all("security" not in op for ops in spec["paths"].values() for op in ops.values())


async def test_every_error_response_has_its_own_example_in_its_routes_shape(shipped_client: httpx.AsyncClient) -> None:
    spec = (await shipped_client.get("/openapi.json")).json()
    seen = 0
    for path, operations in spec["paths"].items():
        for operation in operations.values():
            examples = {}
            for status, response in operation["responses"].items():
                content = response.get("content", {}).get("application/json", {})
                if not content.get("schema", {}).get("$ref", "").endswith("ErrorResponse"):
                    continue
                example = content.get("example")
                assert example is not None, (path, status)
                error = example["error"]
                google = "/v1alpha1/" in path or "$discovery" in path
                if path == "/v1/moderations":  # OpenAI's shape does not repeat the status
                    assert set(error) == {"message", "type", "param", "code"}, (path, status, error)
                else:
                    assert (error["code"] if google else error["status"]) == int(status), (path, status, error)
                assert error["message"], (path, status)
                examples[status] = error["message"]
                seen += 1
            assert len(set(examples.values())) == len(examples), f"{path}: one example shared by several statuses"
            if "/v1alpha1/" in path:
                assert "422" not in operation["responses"], f"{path}: Perspective routes answer 400, never 422"
    assert seen >= 20


async def test_documented_examples_are_what_the_service_answers(shipped_client: httpx.AsyncClient) -> None:
    spec = (await shipped_client.get("/openapi.json")).json()

    def example(path: str, status: int) -> dict:  # type: ignore[type-arg]
        return spec["paths"][path]["post"]["responses"][str(status)]["content"]["application/json"]["example"]

    not_json = await shipped_client.post(
        "/v1/score", content=b'{"comments": [{"text": "hello"}', headers={"content-type": "application/json"}
    )
    assert not_json.json() == example("/v1/score", 400)
    long_text = {"comments": [{"text": "x" * 20_481}]}
    assert (await shipped_client.post("/v1/score", json=long_text)).json() == example("/v1/score", 422)
    german = {"comment": {"text": "Ich komme morgen"}, "requestedAttributes": {"THREAT": {}}, "languages": ["de"]}
    got = await shipped_client.post("/v1alpha1/comments:analyze", json=german)
    assert got.json() == example("/v1alpha1/comments:analyze", 400)
    empty = {"comment": {"text": ""}, "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}}}
    got = await shipped_client.post("/v1alpha1/comments:suggestscore", json=empty)
    assert got.json() == example("/v1alpha1/comments:suggestscore", 400)
    # The 200 example is the loaded model's own answer to the request example.
    hostile = spec["paths"]["/v1/score"]["post"]["requestBody"]["content"]["application/json"]["examples"]["hostile"]
    answer = (await shipped_client.post("/v1/score", json={**hostile["value"], "explain": False})).json()
    documented = example("/v1/score", 200)
    assert documented["model"] == answer["model"]
    assert documented["results"][0]["flagged"] == answer["results"][0]["flagged"]
    for name, score in answer["results"][0]["scores"].items():
        assert abs(documented["results"][0]["scores"][name] - score) < 1e-4
