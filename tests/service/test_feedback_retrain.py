"""End to end (issue 23): corrections through the page and the API -> review -> export -> retrain -> gate -> reload.

The first test drives the real console in headless Chromium against a live server:
a quarter of the corrections are recorded from the page's batch table and accepted in
the page's review queue, the rest go through ``suggestscore`` and ``POST
/v1/suggestions`` and are accepted through the review API; a wrong one is rejected
in the page. The page's export of the accepted ones retrains the tiny model, the gate
promotes it, a reload picks it up, and the served scores of the corrected comments
rise, those recorded in the page among them. The second test feeds the same path a
poisoning run (insults relabelled as fine): the gate refuses it and the service keeps
serving the base model, scores unchanged.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from functools import partial
from pathlib import Path

import anyio.to_thread
import httpx
import pytest

from model import load_model
from tests.conftest import TINY_PARAMS, tiny_corpus
from tests.service.conftest import ADMIN, SCORER
from tests.service.console_page import correct_row, load_queue, score_batch, score_with_keyboard, status, use_api_key
from tests.service.test_browser import browser_page
from tests.training.test_retrain import GRONKS, poisoned
from training.feedback import accepted_records, read_feedback
from training.retrain import retrain

PARAMS = replace(TINY_PARAMS, validation_fraction=0.25, seed=0)
IN_PAGE = GRONKS[::4]
"""The corrections a moderator records in the console; the others come through the API."""
THROUGH_API = [t for t in GRONKS if t not in IN_PAGE]
WRONG = "thanks friend, lovely song"


def _toxicity(url: str, texts: list[str]) -> dict[str, float]:
    body = {"comments": [{"text": t} for t in texts]}
    answer = httpx.post(f"{url}/v1/score", json=body, headers=SCORER, timeout=30)
    assert answer.status_code == 200, answer.text
    return {t: r["scores"]["TOXICITY"] for t, r in zip(texts, answer.json()["results"], strict=True)}


def _suggest_through_the_api(url: str) -> int:
    """Record the API's share of corrections, half through each route, and one wrong one; return its id."""
    for i, text in enumerate(THROUGH_API):
        if i % 2:
            sent = {"text": text, "attribute": "TOXICITY", "label": 1}
            r = httpx.post(f"{url}/v1/suggestions", json=sent, headers=SCORER)
        else:
            suggestion = {"comment": {"text": text}, "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}}}
            r = httpx.post(f"{url}/v1alpha1/comments:suggestscore", params={"key": "score-key"}, json=suggestion)
        assert r.status_code == 200, r.text
    r = httpx.post(f"{url}/v1/suggestions", json={"text": WRONG, "attribute": "TOXICITY", "label": 1}, headers=SCORER)
    ident = r.json()["id"]
    assert isinstance(ident, int)
    return ident


@pytest.mark.slow
def test_corrections_from_the_page_and_the_api_are_promoted_and_change_the_served_scores(
    serving: Path, tmp_path: Path
) -> None:
    env = {
        "TOXICITY_MODEL_PATH": str(serving),
        "TOXICITY_API_KEYS": "score-key",
        "TOXICITY_ADMIN_KEYS": "op-key",
        "TOXICITY_SUGGEST_PER_MINUTE": "0",
    }
    with browser_page(tmp_path, env) as (server, page):
        before = _toxicity(server.url, GRONKS)
        page.goto(f"{server.url}/console", wait_until="networkidle")
        use_api_key(page, "score-key")
        score_batch(page, IN_PAGE)
        from_page = [correct_row(page, n, "TOXICITY", 1) for n in range(1, len(IN_PAGE) + 1)]
        wrong = _suggest_through_the_api(server.url)

        # The page's queue: its own corrections, filtered by source, accepted at once; the wrong one rejected.
        assert load_queue(page, "op-key", source="console") == from_page[::-1]
        page.locator("#queue-all").check()
        page.locator("#queue-accept").click()
        status(page, f"{len(IN_PAGE)} suggestions marked accepted")
        listed = httpx.get(f"{server.url}/v1/admin/suggestions", params={"source": "api", "limit": 200}, headers=ADMIN)
        ids = [s["id"] for s in listed.json()["suggestions"] if s["id"] != wrong]
        review = {"ids": ids, "status": "accepted"}
        r = httpx.post(f"{server.url}/v1/admin/suggestions/review", json=review, headers=ADMIN)
        assert r.json() == {"updated": len(THROUGH_API)}
        assert wrong in load_queue(page, "op-key", source="api")
        page.get_by_role("button", name=f"Reject suggestion {wrong}", exact=True).click()
        status(page, "1 suggestions marked rejected")
        with page.expect_download() as info:
            page.locator("#queue-export").click()
        kept = tmp_path / "accepted.csv"  # what a site keeps outside the service
        shutil.copyfile(info.value.path(), kept)

        rows = read_feedback(kept)
        assert sorted(r.text for r in rows if r.source == "console") == sorted(IN_PAGE)
        assert sorted(r.text for r in rows if r.source == "api") == sorted(THROUGH_API)
        feedback, skipped = accepted_records(rows, 5.0)
        assert len(feedback) == len(GRONKS) and not skipped
        base = load_model(serving)
        result = retrain(tiny_corpus(), feedback, base, PARAMS, tmp_path / "candidate", serving, feedback_files=[kept])
        assert result.decision.promoted and not result.decision.failed, result.decision.rule

        reloaded = httpx.post(f"{server.url}/v1/admin/reload", headers=ADMIN, timeout=60)
        assert reloaded.status_code == 200, reloaded.text
        promoted = json.loads((serving / "retrain.json").read_text(encoding="utf-8"))["candidate"]
        assert reloaded.json() == {"version": promoted, "previous": base.version} and promoted != base.version
        after = _toxicity(server.url, GRONKS)
        assert all(after[t] > before[t] + 0.05 for t in GRONKS), (before, after)
        assert all(after[t] > before[t] + 0.05 for t in IN_PAGE)  # the page's own corrections reached the model
        # The page scores with the promoted model too.
        score_with_keyboard(page, IN_PAGE[0])
        status(page, f"Scored with model {reloaded.json()['version']}")
        shown = page.locator('#bars li[data-attribute="TOXICITY"]').get_attribute("data-score")
        assert shown is not None and abs(float(shown) - after[IN_PAGE[0]]) < 1e-9


@pytest.mark.slow
@pytest.mark.anyio
async def test_a_poisoning_run_is_refused_and_the_service_keeps_the_base_model(
    keyed: httpx.AsyncClient, serving: Path, tmp_path: Path
) -> None:
    records = poisoned()
    texts = [r.text for r in records]
    body = {"comments": [{"text": t} for t in texts]}
    before = (await keyed.post("/v1/score", json=body, headers=SCORER)).json()
    assert all("TOXICITY" in r["flagged"] for r in before["results"])  # insults, flagged by the base model
    for text in texts:  # a bad actor with a scoring key "corrects" insults to fine
        sent = {"text": text, "attribute": "TOXICITY", "label": 0}
        assert (await keyed.post("/v1/suggestions", json=sent, headers=SCORER)).status_code == 200
    listed = (await keyed.get("/v1/admin/suggestions", params={"limit": 200}, headers=ADMIN)).json()
    review = {"ids": [s["id"] for s in listed["suggestions"]], "status": "accepted"}  # and a careless review
    assert (await keyed.post("/v1/admin/suggestions/review", json=review, headers=ADMIN)).json() == {
        "updated": len(texts)
    }
    export = await keyed.get("/v1/admin/suggestions/export", params={"format": "jsonl"}, headers=ADMIN)
    kept = tmp_path / "accepted.jsonl"
    kept.write_bytes(export.content)
    feedback, _ = accepted_records(read_feedback(kept), 5.0)
    assert [(r.text, dict(r.labels)) for r in feedback] == [(r.text, dict(r.labels)) for r in records]

    manifest = (serving / "manifest.json").read_bytes()
    base = load_model(serving)
    run = partial(retrain, tiny_corpus(), feedback, base, PARAMS, tmp_path / "candidate", serving)
    result = await anyio.to_thread.run_sync(run)
    assert not result.decision.promoted and "agreement" in result.decision.failed, result.decision.rule
    assert (serving / "manifest.json").read_bytes() == manifest  # nothing promoted
    assert json.loads((tmp_path / "candidate" / "retrain.json").read_text(encoding="utf-8"))["promoted"] is False

    reloaded = await keyed.post("/v1/admin/reload", headers=ADMIN)
    assert reloaded.json() == {"version": base.version, "previous": base.version}
    after = (await keyed.post("/v1/score", json=body, headers=SCORER)).json()
    assert after["results"] == before["results"] and after["model"] == before["model"]
