"""Real clients against a live uvicorn: the official ``openai`` package, and a request signed as Coral signs it."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from pathlib import Path

import httpx
import pytest

from tests.live import live_server

pytestmark = pytest.mark.slow

KEY = "moderation-key-1"
LIMITED_KEY = "moderation-key-2"
CORAL_SECRETS = ("whsec_new_" + "a7" * 32, "whsec_old_" + "1f" * 32)
INSULT = "Zorblax, you are a pathetic idiot and nobody here wants to read your garbage."
FRIENDLY = "Thanks for the thoughtful reply, I hadn't considered the budget side of this."


def test_openai_client_and_coral_against_a_live_server(tmp_path: Path) -> None:
    import openai
    from openai.types import Moderation, ModerationCreateResponse

    env = {
        "TOXICITY_API_KEYS": f"{KEY},{LIMITED_KEY}",
        "TOXICITY_CORAL_SECRETS": ",".join(CORAL_SECRETS),
        "TOXICITY_RATE_LIMIT_PER_SECOND": "0.01",
        "TOXICITY_RATE_LIMIT_BURST": "30",
    }
    with live_server(tmp_path, env) as server:
        client = openai.OpenAI(base_url=f"{server.url}/v1", api_key=KEY, max_retries=0)
        forms: list[object] = [
            INSULT,
            [INSULT, FRIENDLY],
            [{"type": "text", "text": INSULT}, {"type": "text", "text": FRIENDLY}],
        ]
        for given in forms:
            created = client.moderations.create(input=given, model="omni-moderation-latest")  # type: ignore[arg-type]
            assert isinstance(created, ModerationCreateResponse)
            assert created.id.startswith("modr-") and created.model == "omni-moderation-latest"
            assert all(isinstance(r, Moderation) for r in created.results)
            insult = created.results[0]
            assert insult.flagged and insult.categories.harassment
            assert insult.category_scores.harassment > 0.9
            assert insult.categories.sexual_minors is False and insult.category_scores.self_harm_intent == 0.0
            assert insult.category_applied_input_types.harassment == ["text"]
            assert insult.category_applied_input_types.violence_graphic == []
            if len(created.results) > 1:
                assert not created.results[1].flagged
        assert client.moderations.create(input=FRIENDLY).model  # model is optional

        with pytest.raises(openai.BadRequestError) as bad:
            client.moderations.create(input=[{"type": "image_url", "image_url": {"url": "https://x.example/a.png"}}])
        assert bad.value.status_code == 400 and bad.value.code == "image_input_not_supported"
        assert bad.value.param == "input[0]" and "text only" in bad.value.message
        with pytest.raises(openai.BadRequestError) as bad:
            client.moderations.create(input=["fine"] * 1001)
        assert bad.value.code == "too_many_inputs" and "limit is 1000" in bad.value.message
        with (
            openai.OpenAI(base_url=f"{server.url}/v1", api_key="wrong", max_retries=0) as wrong,
            pytest.raises(openai.AuthenticationError) as denied,
        ):
            wrong.moderations.create(input="hi")
        assert denied.value.code == "invalid_api_key"
        limited = openai.OpenAI(base_url=f"{server.url}/v1", api_key=LIMITED_KEY, max_retries=0)
        for _ in range(30):  # the burst
            limited.moderations.create(input=FRIENDLY)
        with pytest.raises(openai.RateLimitError) as slow_down:
            limited.moderations.create(input=FRIENDLY)
        assert slow_down.value.code == "rate_limit_exceeded" and slow_down.value.type == "requests"
        client.close()
        limited.close()

        # Coral: JSON.stringify(request, null, 2), signed with both secrets while one is rotated out.
        request = {
            "action": "NEW",
            "comment": {"body": f"<p>{INSULT}</p>", "parentID": None},
            "author": {"id": "u-1", "role": "COMMENTER"},
            "story": {"id": "s-1", "url": "https://news.example.org/a-story/"},
            "site": {"id": "site-1"},
            "tenantID": "t-1",
            "tenantDomain": "news.example.org",
        }
        raw = json.dumps(request, indent=2).encode()
        signature = ",".join(f"sha256={hmac.new(s.encode(), raw, hashlib.sha256).hexdigest()}" for s in CORAL_SECRETS)
        coral = httpx.post(
            f"{server.url}/integrations/coral/moderation",
            content=raw,
            headers={"Content-Type": "application/json", "X-Coral-Signature": signature},
        )
        assert coral.status_code == 200, coral.text
        assert coral.json()["actions"][0]["reason"] == "COMMENT_DETECTED_TOXIC"
        refused = httpx.post(f"{server.url}/integrations/coral/moderation", content=raw + b"\n")
        assert refused.status_code == 401
        time.sleep(0.5)  # access lines are flushed within 0.1 s
    log = server.log.read_text()
    assert "Zorblax" not in log and "garbage" not in log, "comment text leaked into the log"
    assert "/v1/moderations" in log and "/integrations/coral/moderation" in log
