"""Every bad input gets a 4xx in the native error shape, naming the field and the limit."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
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
        "bell \x07 escape \x1b[31m and \u200b zero width",  # control characters are accepted; NUL is not
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


# The same bad inputs against both APIs, with the shipped model and the shipped limits
# (20,480 bytes of text, 1,000 comments, 4 MiB bodies). Each row names the request, the
# status and the words the error must contain (the problem, and the limit if any).

SCORE = "/v1/score"
ANALYZE = "/v1alpha1/comments:analyze"


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def shipped(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[httpx.AsyncClient]:
    """One app serving the shipped model with the shipped limits, shared by the tables below."""
    from service.app import create_app
    from service.settings import Settings
    from tests.service.conftest import running

    with pytest.MonkeyPatch.context() as env:
        for key in [k for k in os.environ if k.startswith("TOXICITY_")]:
            env.delenv(key)
        settings = Settings(suggestions_db=tmp_path_factory.mktemp("bad-input") / "suggestions.sqlite3")
    async for c in running(create_app(settings)):
        yield c


LIMIT = 20_480
CAP = 4 * 1024 * 1024


def native(text: Any, **extra: Any) -> bytes:
    return body({"comments": [{"text": text}], **extra})


def analyze(text: Any, **extra: Any) -> bytes:
    return body({"comment": {"text": text}, "requestedAttributes": {"TOXICITY": {}}, "languages": ["en"], **extra})


def nested(depth: int) -> bytes:
    return b'{"comments": ' + b"[" * depth + b"]" * depth + b"}"


BAD: list[tuple[str, str, bytes, int, str, tuple[str, ...]]] = [
    # id, path, raw body, status, code (native) or errorType (Perspective), words the error must contain
    ("native-empty", SCORE, native(""), 422, "comment_empty", ("comments[0].text", "empty")),
    ("native-whitespace", SCORE, native(" \t\n\u3000 "), 422, "comment_empty", ("comments[0].text", "whitespace")),
    ("analyze-empty", ANALYZE, analyze(""), 400, "COMMENT_EMPTY", ("Comment must be non-empty.",)),
    ("analyze-whitespace", ANALYZE, analyze(" \t\n "), 400, "COMMENT_EMPTY", ("Comment must be non-empty.",)),
    (
        "native-20KB+1",
        SCORE,
        native("é" * (LIMIT // 2) + "x"),
        422,
        "comment_too_long",
        ("comments[0].text is 20481 bytes of UTF-8", "the limit is 20480"),
    ),
    (
        "analyze-20KB+1",
        ANALYZE,
        analyze("x" * (LIMIT + 1)),
        400,
        "COMMENT_TOO_LONG",
        ("Comment text too long.", "20481 bytes", "the limit is 20480"),
    ),
    (
        "native-10MB-body",
        SCORE,
        native("x" * 10_000_000),
        413,
        "body_too_large",
        (f"the limit is {CAP} bytes", "TOXICITY_MAX_BODY_BYTES"),
    ),
    (
        "analyze-10MB-body",
        ANALYZE,
        analyze("x" * 10_000_000),
        413,
        "BODY_TOO_LARGE",
        (f"the limit is {CAP} bytes", "TOXICITY_MAX_BODY_BYTES"),
    ),
    ("native-invalid-json", SCORE, b'{"comments": [{"text": "hi"}', 400, "invalid_json", ("not valid JSON",)),
    ("analyze-invalid-json", ANALYZE, b'{"comment": {"text": "hi"', 400, "INVALID_JSON", ("Invalid JSON payload",)),
    (
        "native-invalid-utf8",
        SCORE,
        b'{"comments": [{"text": "\xff\xfe"}]}',
        400,
        "invalid_utf8",
        ("not valid UTF-8", "byte 24 (0xff)"),
    ),
    (
        "analyze-invalid-utf8",
        ANALYZE,
        b'{"comment": {"text": "caf\xe9"}, "requestedAttributes": {"TOXICITY": {}}}',
        400,
        "INVALID_UTF8",
        ("Invalid JSON payload", "not valid UTF-8", "0xe9"),
    ),
    (
        "native-lone-high-surrogate",
        SCORE,
        b'{"comments": [{"text": "a\\ud800b"}]}',
        400,
        "invalid_json",
        ("surrogate",),
    ),
    ("native-lone-low-surrogate", SCORE, b'{"comments": [{"text": "\\udc00"}]}', 400, "invalid_json", ("surrogate",)),
    (
        "analyze-lone-surrogate",
        ANALYZE,
        b'{"comment": {"text": "\\ud800"}, "requestedAttributes": {"TOXICITY": {}}}',
        400,
        "INVALID_JSON",
        ("Invalid JSON payload", "surrogate"),
    ),
    (
        "native-raw-NUL-in-string",
        SCORE,
        b'{"comments": [{"text": "a\x00b"}]}',
        400,
        "invalid_json",
        ("control character",),
    ),
    (
        "analyze-raw-NUL-in-string",
        ANALYZE,
        b'{"comment": {"text": "a\x00b"}, "requestedAttributes": {"TOXICITY": {}}}',
        400,
        "INVALID_JSON",
        ("control character",),
    ),
    # NUL escaped in JSON parses, and is refused as comment text (README, "Text and CPU").
    ("native-NUL-escape", SCORE, native("a\u0000b you idiot"), 422, "invalid_text", ("NUL", "character 1")),
    ("analyze-NUL-escape", ANALYZE, analyze("a\u0000b you idiot"), 400, "INVALID_TEXT", ("NUL", "character 1")),
    ("native-10000-nested", SCORE, nested(10_000), 400, "invalid_json", ("nested too deeply", "1024")),
    ("analyze-10000-nested", ANALYZE, nested(10_000), 400, "INVALID_JSON", ("nested too deeply", "1024")),
    ("native-text-number", SCORE, native(5), 422, "string_type", ("comments[0].text", "string")),
    ("native-text-null", SCORE, native(None), 422, "string_type", ("comments[0].text",)),
    ("native-comments-string", SCORE, body({"comments": "hi"}), 422, "list_type", ("comments",)),
    ("native-body-string", SCORE, body("hi"), 422, "model_attributes_type", ("body",)),
    ("native-thresholds-list", SCORE, native("hi", thresholds=[0.5]), 422, "dict_type", ("thresholds",)),
    ("analyze-text-number", ANALYZE, analyze(5), 400, "STRING_TYPE", ("comment.text",)),
    ("analyze-text-list", ANALYZE, analyze(["hi"]), 400, "STRING_TYPE", ("comment.text",)),
    (
        "analyze-attributes-list",
        ANALYZE,
        body({"comment": {"text": "hi"}, "requestedAttributes": ["TOXICITY"]}),
        400,
        "DICT_TYPE",
        ("requestedAttributes",),
    ),
    ("analyze-body-array", ANALYZE, body([1]), 400, "MODEL_ATTRIBUTES_TYPE", ("body",)),
    (
        "native-max_batch+1",
        SCORE,
        body({"comments": [{"text": "hi"}] * 1001}),
        422,
        "batch_too_large",
        ("1001 comments", "the limit is 1000", "TOXICITY_MAX_BATCH"),
    ),
    (
        "native-unknown-attribute",
        SCORE,
        native("hi", attributes=["FLIRTATION"]),
        422,
        "unknown_attribute",
        ("attributes[0]", "FLIRTATION"),
    ),
    (
        "native-language-field",
        SCORE,
        native("hi", languages=["de"]),
        422,
        "unknown_field",
        ("languages",),
    ),
    (
        "analyze-unknown-attribute",
        ANALYZE,
        body({"comment": {"text": "hi"}, "requestedAttributes": {"FLIRTATION": {}}, "languages": ["en"]}),
        400,
        "UNKNOWN_ATTRIBUTE",
        ("Unknown requested attribute: FLIRTATION",),
    ),
    (
        "analyze-unsupported-language",
        ANALYZE,
        analyze("hallo", languages=["xx"]),
        400,
        "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE",
        ("does not support request languages: xx",),
    ),
    (
        "analyze-malformed-language",
        ANALYZE,
        analyze("hallo", languages=["!!"]),
        400,
        "INVALID_LANGUAGE",
        ("Invalid language code: !!",),
    ),
    (
        "native-threshold-1e308",
        SCORE,
        native("hi", thresholds={"TOXICITY": 1e308}),
        422,
        "less_than_equal",
        ("thresholds.TOXICITY", "1"),
    ),
    (
        "native-threshold-2.0",
        SCORE,
        native("hi", thresholds={"TOXICITY": 2.0}),
        422,
        "less_than_equal",
        ("thresholds.TOXICITY", "1"),
    ),
    (
        "native-threshold-1e309",
        SCORE,
        b'{"comments": [{"text": "hi"}], "thresholds": {"TOXICITY": 1e309}}',
        400,
        "invalid_json",
        ("infinity",),
    ),
    (
        "analyze-threshold-1e309",
        ANALYZE,
        b'{"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {"scoreThreshold": 1e309}}}',
        400,
        "INVALID_JSON",
        ("infinity",),
    ),
    (
        "analyze-threshold-string",
        ANALYZE,
        body({"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {"scoreThreshold": "high"}}}),
        400,
        "FLOAT_TYPE",
        ("scoreThreshold",),
    ),
]


@pytest.mark.parametrize(("path", "raw", "status", "code", "words"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
async def test_bad_input_both_apis(
    shipped: httpx.AsyncClient, path: str, raw: bytes, status: int, code: str, words: tuple[str, ...]
) -> None:
    r = await shipped.post(path, content=raw, headers={"content-type": "application/json"})
    assert r.status_code == status, r.text
    error = r.json()["error"]
    if path == SCORE:
        assert error["status"] == status and error["code"] == code, error
        said = json.dumps(error)
    else:
        assert error["code"] == status and error["status"] == "INVALID_ARGUMENT", error
        assert error["details"][0]["errorType"] == code, error
        said = json.dumps(error, ensure_ascii=False)
    assert error["message"]
    for word in words:
        assert word in said, (word, error)


RIGHT_TO_LEFT = "אתה אידיוט \u202eidiot\u202c مرحبا بكم"
SCORES_IN_RANGE: list[tuple[str, str, bytes]] = [
    ("native-exactly-20KB-ascii", SCORE, native("x" * LIMIT)),
    ("native-exactly-20KB-2-byte", SCORE, native("é" * (LIMIT // 2))),
    ("native-exactly-20KB-4-byte", SCORE, native("😀" * (LIMIT // 4))),
    ("analyze-exactly-20KB", ANALYZE, analyze("é" * (LIMIT // 2))),
    ("native-control-characters", SCORE, native("a\u0007b\u001b[1m you idiot\u0085")),
    ("analyze-control-characters", ANALYZE, analyze("a\u0007b\u001b[1m you idiot\u0085")),
    ("native-emoji", SCORE, native("😀👍🏽🏳️‍🌈 you are a 🤡 🖕")),
    ("analyze-emoji", ANALYZE, analyze("😀👍🏽🏳️‍🌈 you are a 🤡 🖕")),
    # Named English, as analyze() names it: detected, this Hebrew and Arabic text is refused (neither is scored).
    ("native-right-to-left", SCORE, body({"comments": [{"text": RIGHT_TO_LEFT, "language": "en"}]})),
    ("analyze-right-to-left", ANALYZE, analyze("אתה אידיוט \u202eidiot\u202c مرحبا بكم")),
    ("native-combining-marks", SCORE, native("i\u0301d\u0308i\u0302o\u0303t\u0327 Z̸̢͉a̵̛͖l̷g̶o̸")),
    ("analyze-combining-marks", ANALYZE, analyze("i\u0301d\u0308i\u0302o\u0303t\u0327 Z̸̢͉a̵̛͖l̷g̶o̸")),
    (
        "analyze-threshold-1e308",
        ANALYZE,
        analyze("you idiot", requestedAttributes={"TOXICITY": {"scoreThreshold": 1e308}}),
    ),
    ("analyze-threshold-2.0", ANALYZE, analyze("you idiot", requestedAttributes={"TOXICITY": {"scoreThreshold": 2.0}})),
]


@pytest.mark.parametrize(("path", "raw"), [c[1:] for c in SCORES_IN_RANGE], ids=[c[0] for c in SCORES_IN_RANGE])
async def test_odd_valid_input_scores_in_range(shipped: httpx.AsyncClient, path: str, raw: bytes) -> None:
    r = await shipped.post(path, content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 200, r.text
    if path == SCORE:
        scores = list(r.json()["results"][0]["scores"].values())
        assert len(scores) >= 1
    else:
        attribute_scores = r.json()["attributeScores"]
        threshold = json.loads(raw)["requestedAttributes"]["TOXICITY"].get("scoreThreshold")
        if threshold is not None and threshold > 1:
            assert attribute_scores == {}  # every score is below the threshold, so none is returned
            return
        scores = [attribute_scores["TOXICITY"]["summaryScore"]["value"]]
    assert all(0.0 <= s <= 1.0 for s in scores), scores


async def test_right_to_left_text_without_a_language_is_refused_naming_it(shipped: httpx.AsyncClient) -> None:
    r = await shipped.post(SCORE, content=native(RIGHT_TO_LEFT), headers={"content-type": "application/json"})
    assert r.status_code == 200, r.text
    result = r.json()["results"][0]
    assert result["scores"] == {}  # never scored by the English model
    assert result["errors"][0]["code"] == "language_not_supported"
    assert result["language"]["code"] in result["errors"][0]["message"]
