"""The hot scoring routes answer exactly as the FastAPI routes they shortcut."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, Depends, Request, Response

from service.app import create_app
from service.core.auth import native_key
from service.core.schemas import ScoreRequest
from service.middleware.hot_routes import HotRoute, hot_route, hot_routes
from service.routes import native
from service.settings import Settings
from tests.service.conftest import running

pytestmark = pytest.mark.anyio

KEY = "k-hot-routes-test"

# (path, body, headers): good requests, and every kind of failure the routes answer.
# With keys configured, requests without headers send the right key.
REQUESTS: list[tuple[str, Any, dict[str, str]]] = [
    ("/v1/score", {"comments": [{"text": "you are an idiot"}]}, {}),
    ("/v1/score", {"comments": [{"text": "thanks", "id": "a"}, {"text": "what a stupid take"}]}, {}),
    ("/v1/score", {"comments": [{"text": "you idiot"}], "attributes": ["TOXICITY"], "explain": True}, {}),
    ("/v1/score", {"comments": [{"text": "hello"}], "thresholds": {"TOXICITY": 0.01}}, {}),
    ("/v1/score", {"comments": [{"text": "hello"}]}, {"X-API-Key": "wrong"}),
    ("/v1/score", {"comments": [{"text": "   "}]}, {}),
    ("/v1/score", {"comments": [{"text": "x" * 300}]}, {}),
    ("/v1/score", {"comments": [{"text": "a"}] * 6}, {}),
    ("/v1/score", {"comments": [{"text": "a"}], "attributes": ["NOPE"]}, {}),
    ("/v1/score", {"comments": [{"text": "a"}], "thresholds": {"NOPE": 0.5}}, {}),
    ("/v1/score", {"comments": [{"text": 5}]}, {}),
    ("/v1/score", {"comments": []}, {}),
    ("/v1/score", [1, 2], {}),
    ("/v1/score", None, {}),
    (
        "/v1alpha1/comments:analyze",
        {"comment": {"text": "you idiot"}, "requestedAttributes": {"TOXICITY": {}}, "doNotStore": True},
        {},
    ),
    (
        "/v1alpha1/comments:analyze",
        {"comment": {"text": "fine. you idiot."}, "requestedAttributes": {"INSULT": {"scoreThreshold": 0.1}}},
        {},
    ),
    ("/v1alpha1/comments:analyze", {"comment": {"text": "a"}, "requestedAttributes": {"NOPE": {}}}, {}),
    ("/v1alpha1/comments:analyze", {"comment": {"text": "a"}}, {}),
    ("/v1alpha1/comments:analyze", {"comment": {"text": ""}, "requestedAttributes": {"TOXICITY": {}}}, {}),
    ("/v1alpha1/comments:analyze?key=wrong", {"comment": {"text": "a"}, "requestedAttributes": {"TOXICITY": {}}}, {}),
]


async def _answers(app_settings: Settings, hot: bool) -> list[tuple[int, Any, dict[str, str]]]:
    app = create_app(app_settings)
    if not hot:
        app.state.hot_routes.clear()
    out = []
    async for client in running(app):
        for path, body, headers in REQUESTS:
            if app_settings.api_keys and not headers:
                if path.startswith("/v1/"):
                    headers = {"Authorization": f"Bearer {app_settings.api_keys}"}
                elif "key=" not in path:
                    path += f"?key={app_settings.api_keys}"
            r = await client.post(path, json=body, headers=headers)
            kept = {k: v for k, v in r.headers.items() if k not in ("x-request-id", "date")}
            out.append((r.status_code, r.json(), kept))
        metrics = (await client.get("/metrics")).text
    # Counts only: how long requests took differs from run to run.
    counted = sorted(
        line
        for line in metrics.splitlines()
        if line.startswith(("toxicity_comments_scored_total", "toxicity_http_requests_total"))
        or line.startswith("toxicity_http_request_duration_seconds_count")
    )
    out.append((0, counted, {}))
    return out


@pytest.mark.parametrize("keys", ["", KEY], ids=["open", "with-keys"])
async def test_hot_and_framework_routes_answer_alike(tiny_artifact: Path, keys: str) -> None:
    settings = Settings(model_path=tiny_artifact, max_batch=5, max_text_bytes=200, api_keys=keys)
    hot = await _answers(settings, hot=True)
    framework = await _answers(settings, hot=False)
    statuses = [status for status, _, _ in hot[:-1]]
    assert 200 in statuses and 422 in statuses and 400 in statuses and (401 in statuses) == bool(keys)
    for (path, body, _), a, b in zip(REQUESTS, hot, framework, strict=False):
        assert a == b, (path, body)
    assert hot[-1] == framework[-1]  # the same metrics: route templates, statuses, comments scored


async def test_good_requests_take_the_hot_path(tiny_artifact: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[str] = []
    answer = HotRoute.answer

    async def spy(self: HotRoute, scope: Any, receive: Any) -> Response | None:
        response = await answer(self, scope, receive)
        served.append(f"{scope['path']} {'hot' if response is not None else 'framework'}")
        return response

    monkeypatch.setattr(HotRoute, "answer", spy)
    settings = Settings(model_path=tiny_artifact, perspective_prefix="/perspective")
    async for client in running(create_app(settings)):
        assert (await client.post("/v1/score", json={"comments": [{"text": "hi"}]})).status_code == 200
        assert (await client.post("/v1/score", json={"comments": [{"text": ""}]})).status_code == 422
        good = {"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {}}}
        assert (await client.post("/perspective/v1alpha1/comments:analyze", json=good)).status_code == 200
        assert (await client.get("/v1/model")).status_code == 200  # not a hot route: never consulted
    assert served == [
        "/v1/score hot",
        "/v1/score framework",
        "/perspective/v1alpha1/comments:analyze hot",
    ]


def test_the_scoring_routes_are_hot() -> None:
    app = create_app(Settings(perspective_prefix="/p"))
    assert set(app.state.hot_routes) == {
        "/v1/score",
        "/v1alpha1/comments:analyze",
        "/p/v1alpha1/comments:analyze",
        "/v1/moderations",
        "/integrations/coral/moderation",
    }
    assert app.state.hot_routes["/v1/score"].guards == (native_key,)


async def _guard(request: Request) -> None:
    return None


def test_routes_needing_more_than_a_body_and_the_request_are_not_hot() -> None:
    router = APIRouter(dependencies=[Depends(_guard)])

    @router.post("/query")
    async def with_query(body: ScoreRequest, request: Request, q: int = 0) -> Response:
        return Response()

    @router.post("/sync")
    def sync(body: ScoreRequest, request: Request) -> Response:
        return Response()

    @router.post("/embedded")
    async def embedded(a: ScoreRequest, b: ScoreRequest, request: Request) -> Response:
        return Response()

    @router.get("/get")
    async def get(request: Request) -> Response:
        return Response()

    @router.post("/injected")
    async def injected(body: ScoreRequest, request: Request, guard: Annotated[None, Depends(_guard)]) -> Response:
        return Response()

    @router.post("/plain")
    async def plain(body: ScoreRequest, request: Request) -> Response:
        return Response()

    assert set(hot_routes([("", router)])) == {"/plain"}
    route = next(r for r in native.router.routes if getattr(r, "path", "") == "/v1/score")
    plan = hot_route(route)  # type: ignore[arg-type]
    assert plan is not None and plan.body_name == "request" and plan.request_name == "http"


async def test_a_root_path_goes_to_the_framework(tiny_artifact: Path) -> None:
    app = create_app(Settings(model_path=tiny_artifact))
    async for client in running(app):
        transport = httpx.ASGITransport(app=client._transport.app, root_path="/base")  # type: ignore[attr-defined]
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as rooted:
            r = await rooted.post("/base/v1/score", json={"comments": [{"text": "hi"}]})
            assert r.status_code == 200
            assert set(r.json()["results"][0]["scores"]) >= {"TOXICITY"}
