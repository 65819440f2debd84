"""Key roles and key headers (issue 20, point 7 and the ``X-Goog-Api-Key`` part of point 8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.app import create_app
from service.settings import Settings
from tests.service.conftest import running

pytestmark = pytest.mark.anyio

RELOAD = "/v1/admin/reload"
ANALYZE = "/v1alpha1/comments:analyze"
BODY = {"comment": {"text": "thanks for the recipe"}, "requestedAttributes": {"TOXICITY": {}}, "languages": ["en"]}


async def test_a_scoring_key_cannot_reach_operator_routes(tiny_artifact: Path, tmp_path: Path) -> None:
    # Before: any key that could score comments could also reload the model.
    scorer = {"Authorization": "Bearer scorer"}
    async for c in running(create_app(Settings(model_path=tiny_artifact, api_keys="scorer"))):
        assert (await c.post("/v1/score", json={"comments": [{"text": "hi"}]}, headers=scorer)).status_code == 200
        r = await c.post(RELOAD, headers=scorer)
        assert r.status_code == 403, r.text
        assert r.json()["error"]["code"] == "admin_disabled" and "TOXICITY_ADMIN_KEYS" in r.json()["error"]["message"]
    keys_file = tmp_path / "admin-keys"
    keys_file.write_text("# operators\nfile-op\n")
    settings = Settings(model_path=tiny_artifact, api_keys="scorer", admin_keys="op", admin_keys_file=keys_file)
    async for c in running(create_app(settings)):
        r = await c.post(RELOAD, headers=scorer)
        assert r.status_code == 403
        assert r.json()["error"]["code"] == "forbidden" and "TOXICITY_ADMIN_KEYS" in r.json()["error"]["message"]
        assert (await c.post(RELOAD, headers={"X-API-Key": "guess"})).status_code == 401
        assert (await c.post(RELOAD)).status_code == 401
        for operator in ("op", "file-op"):
            assert (await c.post(RELOAD, headers={"Authorization": f"Bearer {operator}"})).status_code == 200
        # An operator key is not a scoring key.
        assert (
            await c.post("/v1/score", json={"comments": [{"text": "hi"}]}, headers={"X-API-Key": "op"})
        ).status_code == 401


async def test_the_perspective_routes_take_the_key_as_x_goog_api_key(tiny_artifact: Path) -> None:
    # Before: only ?key= was read, so clients sending Google's header were refused.
    async for c in running(create_app(Settings(model_path=tiny_artifact, api_keys="k1"))):
        r = await c.post(ANALYZE, json=BODY, headers={"X-Goog-Api-Key": "k1"})
        assert r.status_code == 200, r.text
        assert "TOXICITY" in r.json()["attributeScores"]
        wrong = await c.post(ANALYZE, json=BODY, headers={"X-Goog-Api-Key": "k2"})
        assert wrong.status_code == 400 and wrong.json()["error"]["details"][0]["reason"] == "API_KEY_INVALID"
        # ?key= still works, and is read first when both are sent.
        assert (await c.post(f"{ANALYZE}?key=k1", json=BODY, headers={"X-Goog-Api-Key": "k2"})).status_code == 200
