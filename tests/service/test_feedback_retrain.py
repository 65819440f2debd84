"""End to end (issue 23): corrections through the API -> review -> export -> retrain -> gate -> reload -> new scores."""

from __future__ import annotations

import shutil
from dataclasses import replace
from functools import partial
from pathlib import Path

import anyio.to_thread
import pytest

from model import load_model
from service.app import create_app
from service.settings import Settings
from tests.conftest import TINY_PARAMS, tiny_corpus
from tests.service.conftest import running
from tests.training.test_retrain import GRONKS
from training.feedback import accepted_records, read_feedback
from training.retrain import retrain

SCORER = {"Authorization": "Bearer score-key"}
ADMIN = {"Authorization": "Bearer op-key"}


@pytest.mark.slow
@pytest.mark.anyio
async def test_accepted_corrections_change_the_served_scores(tiny_artifact: Path, tmp_path: Path) -> None:
    serving = tmp_path / "serving"
    shutil.copytree(tiny_artifact, serving)  # promotion replaces it: never the session's artifact
    settings = Settings(
        model_path=serving,
        api_keys="score-key",
        admin_keys="op-key",
        suggestions_db=tmp_path / "s.sqlite3",
        suggest_per_minute=0,
    )
    async for client in running(create_app(settings)):
        body = {"comments": [{"text": t} for t in GRONKS[:5]]}
        before = (await client.post("/v1/score", json=body, headers=SCORER)).json()["results"]

        for i, text in enumerate(GRONKS):  # half from the console page's route, half through Perspective's
            if i % 2:
                r = await client.post(
                    "/v1/suggestions",
                    json={"text": text, "attribute": "TOXICITY", "label": 1, "source": "console"},
                    headers=SCORER,
                )
            else:
                suggestion = {
                    "comment": {"text": text},
                    "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}},
                }
                r = await client.post("/v1alpha1/comments:suggestscore", params={"key": "score-key"}, json=suggestion)
            assert r.status_code == 200, r.text
        wrong = await client.post(
            "/v1/suggestions",
            json={"text": "thanks friend, lovely song", "attribute": "TOXICITY", "label": 1},
            headers=SCORER,
        )
        pending = (await client.get("/v1/admin/suggestions", params={"limit": 200}, headers=ADMIN)).json()
        ids = [s["id"] for s in pending["suggestions"] if s["id"] != wrong.json()["id"]]
        assert {s["source"] for s in pending["suggestions"]} == {"api", "console"}
        review = {"ids": ids, "status": "accepted"}
        assert (await client.post("/v1/admin/suggestions/review", json=review, headers=ADMIN)).json() == {
            "updated": len(GRONKS)
        }
        reject = {"ids": [wrong.json()["id"]], "status": "rejected"}
        assert (await client.post("/v1/admin/suggestions/review", json=reject, headers=ADMIN)).json() == {"updated": 1}
        export = await client.get("/v1/admin/suggestions/export", params={"format": "jsonl"}, headers=ADMIN)
        kept = tmp_path / "accepted.jsonl"  # what a site keeps outside the service
        kept.write_bytes(export.content)

        feedback, skipped = accepted_records(read_feedback(kept), 5.0)
        assert len(feedback) == len(GRONKS) and not skipped
        params = replace(TINY_PARAMS, validation_fraction=0.25, seed=0)
        base = load_model(serving)
        run = partial(
            retrain, tiny_corpus(), feedback, base, params, tmp_path / "candidate", serving, feedback_files=[kept]
        )
        result = await anyio.to_thread.run_sync(run)
        assert result.decision.promoted, result.decision.rule

        reloaded = await client.post("/v1/admin/reload", headers=ADMIN)
        assert reloaded.status_code == 200, reloaded.text
        assert reloaded.json()["version"] != reloaded.json()["previous"]
        after = (await client.post("/v1/score", json=body, headers=SCORER)).json()["results"]
        for old, new in zip(before, after, strict=True):
            assert new["scores"]["TOXICITY"] > old["scores"]["TOXICITY"] + 0.05
