"""Coral's external moderation phase (``POST /integrations/coral/moderation``), signed as Coral signs, in-process."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from service.app import create_app
from service.middleware.hot_routes import HotRoute
from service.settings import Settings
from tests.service.conftest import running

pytestmark = pytest.mark.anyio
URL = "/integrations/coral/moderation"
OLD = "whsec_old_" + "1f" * 32
NEW = "whsec_new_" + "a7" * 32
INSULT = "you are a moron and a fool"
FRIENDLY = "thanks friend, what a lovely song"


def coral_request(body: str, action: str = "NEW", **extra: Any) -> dict[str, Any]:
    """A request body as Coral builds it (older releases' tenant form unless ``extra`` says otherwise)."""
    out: dict[str, Any] = {
        "tenant": {"id": "19ba5794", "domain": "news.example.org"},
        "action": action,
        "comment": {"body": body, "parentID": None},
        "author": {"id": "baf4e943", "role": "COMMENTER"},
        "story": {"id": "245b3856", "url": "https://news.example.org/a-story/"},
        "site": {"id": "a4bede88"},
    }
    out.update(extra)
    return out


def as_coral_sends(payload: dict[str, Any], *secrets: str) -> tuple[bytes, dict[str, str]]:
    """Serialise as JSON.stringify(payload, null, 2) and sign with each secret: sha256=<hex>, comma-separated."""
    raw = json.dumps(payload, indent=2, ensure_ascii=False).encode("utf-8")
    signatures = [f"sha256={hmac.new(s.encode(), raw, hashlib.sha256).hexdigest()}" for s in secrets]
    return raw, {"Content-Type": "application/json", "X-Coral-Signature": ",".join(signatures)}


async def post(client: httpx.AsyncClient, payload: dict[str, Any], *secrets: str) -> httpx.Response:
    raw, headers = as_coral_sends(payload, *secrets)
    return await client.post(URL, content=raw, headers=headers)


async def app_client(tiny_artifact: Path, **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    base = {"model_path": tiny_artifact, "max_text_bytes": 200, "max_body_bytes": 4096}
    async for c in running(create_app(Settings(**{**base, **settings}))):
        yield c


@pytest.fixture
async def coral(tiny_artifact: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The service configured with the new secret and, while Coral rotates, the old one."""
    async for c in app_client(tiny_artifact, coral_secrets=f"{NEW},{OLD}"):
        yield c


def plain_error(r: httpx.Response, status: int, code: str, *words: str) -> None:
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert error["status"] == status and error["code"] == code, error
    for word in words:
        assert word in error["message"], (word, error["message"])


async def test_a_toxic_comment_is_flagged_with_its_attributes_and_scores(coral: httpx.AsyncClient) -> None:
    r = await post(coral, coral_request(f"<p>{INSULT}</p>"), NEW)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"actions", "metadata"}  # no status unless the operator asks for one
    [action] = body["actions"]
    assert action["actionType"] == "FLAG" and action["reason"] == "COMMENT_DETECTED_TOXIC"
    native = (await coral.post("/v1/score", json={"comments": [{"text": INSULT}]})).json()["results"][0]
    meta = body["metadata"]["toxicity"]
    assert meta["scores"] == native["scores"]  # the HTML was read as the text it shows
    assert meta["flagged"] == native["flagged"] and "INSULT" in meta["flagged"]
    for name in meta["flagged"]:
        assert f"{name} {meta['scores'][name]:.2f} (threshold" in action["additionalDetails"]
    assert meta["model"] in action["additionalDetails"]


@pytest.mark.parametrize("body", [FRIENDLY, f"<p>{FRIENDLY}</p>", "", "   ", "<img src='a.gif'>"])
async def test_nothing_wrong_is_204_without_a_body(coral: httpx.AsyncClient, body: str) -> None:
    r = await post(coral, coral_request(body, "EDIT"), NEW)
    assert r.status_code == 204 and r.content == b""


@pytest.mark.parametrize(
    ("signed_with", "configured"),
    [((NEW,), "both"), ((OLD,), "both"), ((OLD, NEW), "both"), ((OLD, NEW), "new only"), ((NEW, OLD), "old only")],
)
async def test_any_presented_signature_under_any_configured_secret_passes(
    tiny_artifact: Path, signed_with: tuple[str, ...], configured: str
) -> None:
    secrets = {"both": f"{NEW},{OLD}", "new only": NEW, "old only": OLD}[configured]
    async for client in app_client(tiny_artifact, coral_secrets=secrets):
        r = await post(client, coral_request(INSULT), *signed_with)
        assert r.status_code == 200, r.text


async def test_unsigned_wrongly_signed_and_tampered_requests_are_refused(coral: httpx.AsyncClient) -> None:
    payload = coral_request(FRIENDLY)
    raw, headers = as_coral_sends(payload, NEW)
    unsigned = await coral.post(URL, content=raw, headers={"Content-Type": "application/json"})
    plain_error(unsigned, 401, "signature_missing", "X-Coral-Signature")
    assert unsigned.headers["www-authenticate"].startswith("X-Coral-Signature")
    other = as_coral_sends(payload, "whsec_someone_else_entirely")[1]
    plain_error(await coral.post(URL, content=raw, headers=other), 401, "signature_invalid", "TOXICITY_CORAL_SECRETS")
    # The signature of the friendly comment on a body that now carries an insult.
    tampered = raw.replace(FRIENDLY.encode(), INSULT.encode())
    assert tampered != raw
    plain_error(await coral.post(URL, content=tampered, headers=headers), 401, "signature_invalid")
    # Re-indenting changes the bytes: the signature covers the raw body, not its meaning.
    compact = json.dumps(payload).encode()
    plain_error(await coral.post(URL, content=compact, headers=headers), 401, "signature_invalid")
    for bad in ("sha256=", "sha1=" + "0" * 40, "garbage", headers["X-Coral-Signature"][7:]):
        plain_error(await coral.post(URL, content=raw, headers={"X-Coral-Signature": bad}), 401, "signature_invalid")
    many = ",".join([headers["X-Coral-Signature"]] * 17)
    plain_error(
        await coral.post(URL, content=raw, headers={"X-Coral-Signature": many}), 401, "signature_invalid", "limit is 16"
    )
    # An unsigned request with a body that is not Coral's is refused for its signature, not its shape.
    plain_error(await coral.post(URL, json={"nothing": "here"}), 401, "signature_missing")


async def test_without_a_secret_the_route_is_off(tiny_artifact: Path) -> None:
    async for client in app_client(tiny_artifact):
        r = await post(client, coral_request(INSULT), NEW)
        plain_error(r, 404, "not_found", "TOXICITY_CORAL_SECRETS")
        contract = (await client.get("/v1/model")).json()["contracts"]["coral"]
        assert contract["enabled"] is False


async def test_statuses_only_above_the_operators_stricter_thresholds(tiny_artifact: Path) -> None:
    rules = {"coral_premod_thresholds": "INSULT=0.5", "coral_reject_thresholds": "THREAT=0.5, IDENTITY_ATTACK=0.99"}
    async for client in app_client(tiny_artifact, coral_secrets=NEW, **rules):
        premod = (await post(client, coral_request(INSULT), NEW)).json()
        assert premod["status"] == "PREMOD"
        assert "INSULT" in premod["metadata"]["toxicity"]["status"]
        assert "TOXICITY_CORAL_PREMOD_THRESHOLDS" in premod["metadata"]["toxicity"]["status"]
        rejected = (await post(client, coral_request("I will hurt you, damn clown"), NEW)).json()
        assert rejected["status"] == "REJECTED"  # also at the premod threshold: the stricter outcome wins
        assert rejected["actions"][0]["reason"] == "COMMENT_DETECTED_TOXIC"
        assert (await post(client, coral_request(FRIENDLY), NEW)).status_code == 204
        contract = (await client.get("/v1/model")).json()["contracts"]["coral"]
        assert contract["enabled"] is True
        assert contract["status"] == {"REJECTED": {"THREAT": 0.5, "IDENTITY_ATTACK": 0.99}, "PREMOD": {"INSULT": 0.5}}


async def test_both_tenant_forms_and_unknown_fields_are_accepted(coral: httpx.AsyncClient) -> None:
    later = coral_request(INSULT, tenantID="19ba5794", tenantDomain="news.example.org")
    del later["tenant"]
    later["somethingNew"] = {"added": "in a later release"}
    assert (await post(coral, later, NEW)).status_code == 200


@pytest.mark.parametrize(
    ("payload", "code", "words"),
    [
        (coral_request("x" * 201), "comment_too_long", ("comment.body", "201 bytes", "limit is 200")),
        ({**coral_request(INSULT), "action": "DELETE"}, "literal_error", ("action",)),
        ({"action": "NEW"}, "missing_field", ("comment",)),
        (coral_request(["not", "text"]), "string_type", ("comment.body",)),
    ],
)
async def test_signed_but_invalid_bodies_get_plain_json_errors(
    coral: httpx.AsyncClient, payload: dict[str, Any], code: str, words: tuple[str, ...]
) -> None:
    plain_error(await post(coral, payload, NEW), 422, code, *words)


async def test_the_hot_path_and_the_framework_answer_alike(
    tiny_artifact: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: list[bool] = []
    answer = HotRoute.answer

    async def spy(self: HotRoute, scope: Any, receive: Any) -> Any:
        response = await answer(self, scope, receive)
        served.append(response is not None)
        return response

    monkeypatch.setattr(HotRoute, "answer", spy)
    good, headers = as_coral_sends(coral_request(INSULT), NEW)
    cases = [
        (good, headers),
        as_coral_sends(coral_request(FRIENDLY), NEW),
        (good, {"Content-Type": "application/json"}),  # unsigned
        (good.replace(b"moron", b"mormon"), headers),  # tampered
        as_coral_sends(coral_request("x" * 201), NEW),  # too long
        as_coral_sends({"action": "NEW"}, NEW),  # not Coral's body
    ]
    answers = {}
    for hot in (True, False):
        app = create_app(Settings(model_path=tiny_artifact, max_text_bytes=200, coral_secrets=NEW))
        if not hot:
            app.state.hot_routes.clear()
        async for client in running(app):
            answers[hot] = [
                (r.status_code, r.content) for r in [await client.post(URL, content=b, headers=h) for b, h in cases]
            ]
    assert [status for status, _ in answers[True]] == [200, 204, 401, 401, 422, 422]
    assert answers[True] == answers[False]
    # Good requests are answered on the hot path; the others are handed back, their body read once already.
    assert served == [True, True, False, False, False, False]


async def test_comment_text_is_never_logged(coral: httpx.AsyncClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    marker = "Zorblax the councillor is a moron and a fool qwertyuiop"
    assert (await post(coral, coral_request(marker), NEW)).status_code == 200
    assert (await post(coral, coral_request("y" * 300), NEW)).status_code == 422
    assert "Zorblax" not in caplog.text and "qwertyuiop" not in caplog.text and "yyyy" not in caplog.text


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"coral_secrets": "short"}, "at least 16 characters"),
        ({"coral_secrets": ",".join(f"secret-number-{i:04d}" for i in range(9))}, "limit is 8"),
        ({"coral_premod_thresholds": "TOXIC=0.9"}, "not ATTRIBUTE=score"),
        ({"coral_reject_thresholds": "THREAT=1.5"}, r"must be in \(0, 1\]"),
        ({"coral_reject_thresholds": "THREAT=high"}, "not a number"),
    ],
)
def test_invalid_coral_settings_fail_clearly_without_quoting_secrets(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError, match=message) as err:
        Settings(**kwargs)  # type: ignore[arg-type]
    assert "secret-number" not in str(err.value) and "short" not in str(err.value)


def test_secrets_stay_out_of_the_settings_repr() -> None:
    assert NEW not in repr(Settings(coral_secrets=NEW))


async def test_the_documented_examples_answer_on_the_shipped_model() -> None:
    async for client in running(create_app(Settings(coral_secrets=NEW))):
        op = (await client.get("/openapi.json")).json()["paths"][URL]["post"]
        assert {"200", "204", "401", "404", "422"} <= set(op["responses"])
        examples = op["requestBody"]["content"]["application/json"]["examples"]
        hostile = await post(client, examples["hostile"]["value"], NEW)
        assert hostile.status_code == 200 and hostile.json()["actions"][0]["actionType"] == "FLAG"
        assert (await post(client, examples["friendly"]["value"], NEW)).status_code == 204
