"""Every bad input gets a 4xx in the native error shape, naming the field and the limit."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio

OK = {"comments": [{"text": "hello"}]}


def body(obj: Any) -> bytes:
    return json.dumps(obj).encode()


CASES: list[tuple[str, bytes, int, str, str | None, Any]] = [
    # name, raw body, status, code, field, limit
    ("empty text", body({"comments": [{"text": ""}]}), 422, "comment_empty", "comments[0].text", 1),
    (
        "whitespace text",
        body({"comments": [{"text": " \n\t "}]}),
        422,
        "comment_empty",
        "comments[0].text",
        1,
    ),
    (
        "text at the limit + 1",
        body({"comments": [{"text": "é" * 100 + "x"}]}),
        422,
        "comment_too_long",
        "comments[0].text",
        200,
    ),
    (
        "second text too long",
        body({"comments": [{"text": "ok"}, {"text": "x" * 201}]}),
        422,
        "comment_too_long",
        "comments[1].text",
        200,
    ),
    ("batch over max_batch", body({"comments": [{"text": "a"}] * 6}), 422, "batch_too_large", "comments", 5),
    ("no comments", body({"comments": []}), 422, "too_short", "comments", 1),
    ("comments missing", body({}), 422, "missing_field", "comments", None),
    ("invalid JSON", b'{"comments": [', 400, "invalid_json", "body", None),
    ("invalid UTF-8", b'{"comments": [{"text": "caf\xe9"}]}', 400, "invalid_utf8", "body", None),
    ("lone surrogate", b'{"comments": [{"text": "\\ud800"}]}', 400, "invalid_json", "body", None),
    ("text is a number", body({"comments": [{"text": 5}]}), 422, "string_type", "comments[0].text", None),
    ("comments is an object", body({"comments": {"text": "a"}}), 422, "list_type", "comments", None),
    ("explain is a string", body({**OK, "explain": "yes"}), 422, "bool_type", "explain", None),
    ("unknown field", body({**OK, "colour": "red"}), 422, "unknown_field", "colour", None),
    (
        "unknown attribute",
        body({**OK, "attributes": ["TOXICITY", "RUDENESS"]}),
        422,
        "unknown_attribute",
        "attributes[1]",
        "TOXICITY, SEVERE_TOXICITY, INSULT, THREAT, IDENTITY_ATTACK, PROFANITY",
    ),
    ("empty attribute list", body({**OK, "attributes": []}), 422, "no_attributes", "attributes", None),
    (
        "threshold above 1",
        body({**OK, "thresholds": {"INSULT": 1.5}}),
        422,
        "less_than_equal",
        "thresholds.INSULT",
        1.0,
    ),
    (
        "threshold below 0",
        body({**OK, "thresholds": {"INSULT": -0.1}}),
        422,
        "greater_than_equal",
        "thresholds.INSULT",
        0.0,
    ),
    (
        "threshold for unknown attribute",
        body({**OK, "thresholds": {"RUDENESS": 0.5}}),
        422,
        "unknown_attribute",
        "thresholds.RUDENESS",
        None,
    ),
    ("JSON array body", body([1, 2]), 422, "model_attributes_type", "body", None),
    (
        "id too long",
        body({"comments": [{"text": "a", "id": "x" * 257}]}),
        422,
        "string_too_long",
        "comments[0].id",
        256,
    ),
]


@pytest.mark.parametrize(("name", "raw", "status", "code", "field", "limit"), CASES, ids=[c[0] for c in CASES])
async def test_bad_input_table(
    client: httpx.AsyncClient, name: str, raw: bytes, status: int, code: str, field: str | None, limit: Any
) -> None:
    r = await client.post("/v1/score", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert set(error) >= {"status", "code", "message", "field", "limit"}
    assert error["status"] == status
    assert error["code"] == code, error
    assert error["field"] == field
    if limit is not None:
        assert error["limit"] == limit
    assert error["message"]


async def test_body_over_the_cap_is_413_before_parsing(client: httpx.AsyncClient) -> None:
    big = b'{"comments": [{"text": "' + b"a" * 5000 + b'"}]}'
    r = await client.post("/v1/score", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.json()["error"] == {
        "status": 413,
        "code": "body_too_large",
        "message": f"request body is {len(big)} bytes; the limit is 4096 bytes (TOXICITY_MAX_BODY_BYTES)",
        "field": "body",
        "limit": 4096,
    }


async def test_chunked_body_stops_being_read_at_the_cap(tiny_artifact) -> None:  # type: ignore[no-untyped-def]
    """Without Content-Length the guard counts bytes and stops at the cap, unread chunks untouched."""
    from service.app import create_app
    from service.settings import Settings

    app = create_app(Settings(model_path=tiny_artifact, max_body_bytes=4096, max_text_bytes=200))
    served: list[int] = []

    async def receive() -> dict[str, Any]:
        served.append(1)
        return {"type": "http.request", "body": b"x" * 1024, "more_body": True}  # endless

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/score",
        "raw_path": b"/v1/score",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json")],
        "client": ("127.0.0.1", 1),
        "server": ("test", 80),
    }
    await app(scope, receive, send)
    assert sent[0]["status"] == 413
    assert len(served) == 5  # 5 KiB read, then it stopped: the rest was never pulled
    assert json.loads(sent[1]["body"])["error"]["code"] == "body_too_large"


async def test_deep_nesting_is_a_400_not_a_crash(tiny_artifact) -> None:  # type: ignore[no-untyped-def]
    from service.app import create_app
    from service.settings import Settings
    from tests.service.conftest import running

    async for c in running(create_app(Settings(model_path=tiny_artifact))):
        for raw in (b"[" * 10_000 + b"]" * 10_000, b'{"comments": ' + b"[" * 5000 + b"]" * 5000 + b"}"):
            r = await c.post("/v1/score", content=raw)
            assert r.status_code == 400
            assert r.json()["error"] == {
                "status": 400,
                "code": "invalid_json",
                "message": "body is nested too deeply; the limit is 1024 levels",
                "field": "body",
                "limit": 1024,
            }
        # Nesting within the limit is parsed, then refused by the schema.
        r = await c.post("/v1/score", content=b'{"comments": ' + b"[" * 1000 + b"]" * 1000 + b"}")
        assert r.status_code == 422


async def test_wrong_content_type_still_parses_as_json(client: httpx.AsyncClient) -> None:
    r = await client.post("/v1/score", content=body(OK), headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200


async def test_bad_content_length(client: httpx.AsyncClient) -> None:
    r = await client.post("/v1/score", content=body(OK), headers={"content-length": "abc"})
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid_header"


@pytest.mark.parametrize(
    "text",
    [
        "x" * 200,  # exactly the limit
        "emoji 😀👍🏽 and ‮right-to-left‬ עברית and combining e\u0301\u0301\u0301",
        "nul \x00 byte and \u200b zero width",
        "١٢٣ arabic digits and 𝐛𝐨𝐥𝐝",
    ],
)
async def test_odd_but_valid_text_is_scored(client: httpx.AsyncClient, text: str) -> None:
    r = await client.post("/v1/score", json={"comments": [{"text": text}], "explain": True})
    assert r.status_code == 200, r.text
    for e in r.json()["results"][0]["explanation"].values():
        for s in e["spans"]:
            assert text[s["start"] : s["end"]] == s["text"]


async def test_unknown_route_and_method(client: httpx.AsyncClient) -> None:
    r = await client.get("/v1/nothing")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = await client.get("/v1/score")
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"
