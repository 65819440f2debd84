"""Answer the scoring routes' good requests without FastAPI's per-request routing.

FastAPI matches a request against every route in turn, builds a dependency plan's
worth of state and solves it, then validates the body. On a single-comment
``POST /v1/score`` that framework work cost more than scoring the comment: profiled
in process, route matching and dependency solving were about 40 % of the request.

``HotRoutes`` is plain ASGI middleware just inside ``BodyGuard``. For a hot route
(``POST /v1/score`` and ``comments:analyze``, found by exact path) it does what the
FastAPI route would do, with the route's own pieces:

1. runs the route's guard dependencies (the API-key checks);
2. validates the body ``BodyGuard`` already parsed with the route's own body field,
   exactly as FastAPI validates it;
3. calls the route's endpoint and sends the response it returns.

It serves only requests that succeed. Any failure (a bad key, a validation error,
a limit the endpoint enforces, a model not yet loaded) hands the untouched request
to FastAPI, which answers it the normal way, so every error keeps its exact shape
and the OpenAPI document is unchanged. A route whose signature needs anything
more than a body and the request (query or header parameters, other dependencies)
is not made hot at all.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from service.middleware.body_guard import PARSED

if TYPE_CHECKING:
    from fastapi._compat import ModelField  # the route's own body field (FastAPI's type)

Guard = Callable[[Request], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class HotRoute:
    """What answering one route takes: its guards, body field and endpoint."""

    route: APIRoute
    guards: tuple[Guard, ...]
    body: ModelField
    request_name: str

    @property
    def body_name(self) -> str:
        """Return the endpoint's parameter that takes the body."""
        return self.body.name

    async def answer(self, scope: Scope, receive: Receive) -> Response | None:
        """Return the route's response to a good request, or None to let FastAPI answer."""
        request = Request(scope, receive)
        try:
            for guard in self.guards:
                await guard(request)
            value, errors = self.body.validate(scope[PARSED], {}, loc=("body",))
            if errors:
                return None
            response = await self.route.endpoint(**{self.body.name: value, self.request_name: request})
        except Exception:  # noqa: BLE001 - FastAPI answers it again, with the app's error handling
            return None
        return response if isinstance(response, Response) else None


def _plain(dependant: Dependant) -> bool:
    """Return whether a dependant takes nothing from the request but the request itself."""
    return not (
        dependant.path_params
        or dependant.query_params
        or dependant.header_params
        or dependant.cookie_params
        or dependant.response_param_name
        or dependant.background_tasks_param_name
        or dependant.security_scopes_param_name
        or dependant.websocket_param_name
        or dependant.http_connection_param_name
    )


def hot_route(route: APIRoute) -> HotRoute | None:
    """Return the fast plan for ``route``, or None when its signature needs FastAPI."""
    dependant = route.dependant
    if route.methods != {"POST"} or not inspect.iscoroutinefunction(route.endpoint):
        return None
    if not _plain(dependant) or len(dependant.body_params) != 1 or dependant.request_param_name is None:
        return None
    if route._embed_body_fields:  # the body is the model itself, not {"name": model}
        return None
    guards: list[Guard] = []
    for dep in dependant.dependencies:
        call = dep.call
        if (
            call is None
            or dep.name is not None  # an endpoint parameter (its value is used), not a guard
            or dep.dependencies
            or dep.body_params
            or not _plain(dep)
            or dep.request_param_name is None
            or not inspect.iscoroutinefunction(call)
            or len(inspect.signature(call).parameters) != 1
        ):
            return None
        guards.append(call)
    return HotRoute(route, tuple(guards), dependant.body_params[0], dependant.request_param_name)


def hot_routes(routers: Iterable[tuple[str, APIRouter]]) -> dict[str, HotRoute]:
    """Return the hot plan of every route that can have one, by full path.

    ``routers`` are ``(prefix, router)`` pairs as the app includes them. Guards must be
    declared on the router or the route (``APIRouter(dependencies=...)``), where the
    route's own dependant lists them; ``include_router(dependencies=...)`` ones are
    not visible here, so routers with hot routes must not use them.
    """
    table = {}
    for prefix, router in routers:
        for route in router.routes:
            if isinstance(route, APIRoute):
                plan = hot_route(route)
                if plan is not None:
                    table[prefix + route.path] = plan
    return table


class HotRoutes:
    """ASGI middleware that answers good requests to hot routes directly (see the module)."""

    def __init__(self, app: ASGIApp, table: dict[str, HotRoute]) -> None:
        self.app = app
        self.table = table

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] == "http" and PARSED in scope and scope["method"] == "POST" and not scope.get("root_path"):
            hot = self.table.get(scope["path"])
            if hot is not None:
                response = await hot.answer(scope, receive)
                if response is not None:
                    scope["route"] = hot.route  # read by the access log and metrics, as FastAPI sets it
                    scope["endpoint"] = hot.route.endpoint
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)
