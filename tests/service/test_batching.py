"""Small scoring requests that start together are scored in one model call, each getting its own rows."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest

from model import ToxicityModel
from service.app import create_app
from service.core.batcher import ScoreBatcher
from service.settings import Settings
from tests.service.conftest import running

pytestmark = pytest.mark.anyio

TEXTS = [
    "you are an idiot",
    "thanks for the thoughtful article",
    "I will find you and hurt you",
    "what a stupid, stupid take",
    "the council meets on Tuesday",
    "go back to where you came from",
    "shut up, moron",
    "great point, I had not thought of that",
]


class Recorder:
    """Wrap a model's ``score`` and record every call's texts and attributes."""

    def __init__(self, model: ToxicityModel, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[tuple[list[str], tuple[str, ...] | None]] = []
        score = model.score

        def recording(texts: Sequence[str], attributes: Sequence[str] | None = None) -> list[dict[str, float]]:
            self.calls.append((list(texts), None if attributes is None else tuple(attributes)))
            return score(texts, attributes)

        monkeypatch.setattr(model, "score", recording)


async def test_concurrent_requests_share_a_call_and_keep_their_own_scores(monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app(Settings())
    async for client in running(app):
        model: ToxicityModel = app.state.model
        alone = [model.score([t])[0] for t in TEXTS]
        recorder = Recorder(model, monkeypatch)
        # One request of two comments among single ones: its rows stay together and in order.
        bodies = [{"comments": [{"text": t, "id": str(i)}]} for i, t in enumerate(TEXTS[:6])]
        bodies.append({"comments": [{"text": TEXTS[6], "id": "6"}, {"text": TEXTS[7], "id": "7"}]})
        answers = await asyncio.gather(*(client.post("/v1/score", json=b) for b in bodies))
        assert [r.status_code for r in answers] == [200] * len(bodies)
        results = [result for r in answers for result in r.json()["results"]]
        assert [r["id"] for r in results] == [str(i) for i in range(len(TEXTS))]
        for result, expected in zip(results, alone, strict=True):
            assert result["scores"] == pytest.approx(expected, abs=1e-12)
    batched = [texts for texts, _ in recorder.calls if len(texts) > 2]
    assert batched, f"no call scored more than one request: {recorder.calls}"
    assert sorted(t for texts, _ in recorder.calls for t in texts) == sorted(TEXTS)  # each comment scored once


async def test_requests_for_other_attributes_get_their_own_call(monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app(Settings())
    async for client in running(app):
        recorder = Recorder(app.state.model, monkeypatch)
        bodies: list[dict[str, Any]] = [
            {"comments": [{"text": TEXTS[0]}]},
            {"comments": [{"text": TEXTS[1]}], "attributes": ["INSULT"]},
            {"comments": [{"text": TEXTS[2]}]},
            {"comments": [{"text": TEXTS[3]}], "attributes": ["INSULT"]},
        ]
        answers = await asyncio.gather(*(client.post("/v1/score", json=b) for b in bodies))
        keys = [set(r.json()["results"][0]["scores"]) for r in answers]
    assert keys[1] == keys[3] == {"INSULT"}
    assert keys[0] == keys[2] and len(keys[0]) > 1
    by_attributes = {attributes: texts for texts, attributes in recorder.calls}
    assert sorted(by_attributes[("INSULT",)]) == sorted([TEXTS[1], TEXTS[3]])
    assert len(recorder.calls) == 2


async def test_concurrent_perspective_requests_answer_as_one_at_a_time() -> None:
    app = create_app(Settings())
    bodies = [
        {"comment": {"text": t}, "languages": ["en"], "requestedAttributes": {"TOXICITY": {}, "INSULT": {}}}
        for t in TEXTS
    ]
    async for client in running(app):
        one_by_one = [(await client.post("/v1alpha1/comments:analyze", json=b)).json() for b in bodies]
        together = await asyncio.gather(*(client.post("/v1alpha1/comments:analyze", json=b) for b in bodies))
    assert [r.json() for r in together] == one_by_one


class FakeModel:
    """Scores a text by its length; raises on the text "boom"."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def score(self, texts: Sequence[str], attributes: Sequence[str] | None = None) -> list[dict[str, float]]:
        self.calls.append(list(texts))
        if "boom" in texts:
            raise ValueError("boom")
        return [{name: float(len(t)) for name in attributes or ("A",)} for t in texts]


async def test_a_failing_request_fails_alone() -> None:
    batcher, model = ScoreBatcher(), FakeModel()
    asks = [batcher.score(model, texts, ("A",)) for texts in (["a"], ["boom"], ["ccc", "dd"])]  # type: ignore[arg-type]
    results = await asyncio.wait_for(asyncio.gather(*asks, return_exceptions=True), timeout=10)
    assert results[0] == [{"A": 1.0}]
    assert isinstance(results[1], ValueError)
    assert results[2] == [{"A": 3.0}, {"A": 2.0}]
    assert model.calls[0] == ["a", "boom", "ccc", "dd"]  # tried together first, then one by one


async def test_a_cancelled_request_is_not_scored() -> None:
    batcher, model = ScoreBatcher(), FakeModel()
    first = batcher.score(model, ["a"], ("A",))  # type: ignore[arg-type]
    gone = batcher.score(model, ["gone"], ("A",))  # type: ignore[arg-type]
    gone.cancel()  # the client went away before its batch ran
    assert await asyncio.wait_for(first, timeout=10) == [{"A": 1.0}]
    assert model.calls == [["a"]]


async def test_one_client_at_a_time_is_scored_without_waiting() -> None:
    batcher, model = ScoreBatcher(), FakeModel()
    batcher.SOLO_LIMIT, batcher.DIRECT_ASKS = 3, 2  # type: ignore[misc]
    done_on_return = []
    for i in range(7):
        future = batcher.score(model, [str(i)], ("A",))  # type: ignore[arg-type]
        done_on_return.append(future.done())
        assert await future == [{"A": 1.0}]
    # Three lone batches switch to direct scoring for two asks; then batching is tried again.
    assert done_on_return == [False, False, False, True, True, False, False]
    # Two lone batches since: a pair now is batched, and resets the count.
    together = [batcher.score(model, [t], ("A",)) for t in ("x", "y")]  # type: ignore[arg-type]
    assert not any(f.done() for f in together)
    await asyncio.gather(*together)
    assert model.calls[-1] == ["x", "y"]
    lone = batcher.score(model, ["z"], ("A",))  # type: ignore[arg-type]
    assert not lone.done()  # one lone batch since the pair: still batching
    await lone
