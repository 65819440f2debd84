"""The documentation pages, ``/docs`` (Swagger UI) and ``/redoc``: local assets only, and a policy that keeps it so.

fastapi-offline vendors Swagger UI's and Redoc's files and serves them under
``STATIC_URL``; these routes build the two pages on them (FastAPI's own page
builders). Redoc's bundle points its footer logo at a CDN, so ``/redoc`` loads
the bundle from ``REDOC_BUNDLE_URL`` instead: the same file with that one address
replaced by an empty inline image, made once per process. Each page is answered
with a Content-Security-Policy that lets the browser load scripts, styles, images
and API calls only from the service itself, in case a later bundle adds another.

The OpenAPI document both pages read is FastAPI's, completed by
``service.routes.openapi_doc`` (key schemes for **Authorize**, an example per
error, the loaded model's own 200 example), and built again when a reload
changes the model.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

from service.routes.openapi_doc import document

STATIC_URL = "/static-offline-docs"
"""Where fastapi-offline mounts its vendored files (``FastAPIOffline``'s default)."""
REDOC_BUNDLE_URL = "/docs-assets/redoc.standalone.js"
REDOC_LOGO = re.compile(rb'src:"[^"]*/logo-mini\.svg"')
"""The footer logo's address in Redoc's bundle, wherever the bundle points it."""
EMPTY_IMAGE = b'src:"data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"'
"""A transparent 1x1 GIF, inline: the logo shows nothing and loads nothing."""

POLICY = "; ".join(
    (
        "default-src 'self'",
        # The page builders write their start-up code and a few styles inline.
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "frame-ancestors 'self'",
        "base-uri 'self'",
        "form-action 'self'",
    )
)


@lru_cache(maxsize=1)
def redoc_bundle() -> bytes:
    """Return fastapi-offline's Redoc bundle with its CDN logo replaced by an empty inline image."""
    path = Path(fastapi_offline.__file__).parent / "static" / "redoc.standalone.js"
    return REDOC_LOGO.sub(EMPTY_IMAGE, path.read_bytes())


def _page(html: HTMLResponse) -> HTMLResponse:
    html.headers["Content-Security-Policy"] = POLICY
    html.headers["Referrer-Policy"] = "no-referrer"
    return html


def install(app: FastAPI, docs_url: str = "/docs", redoc_url: str = "/redoc") -> None:
    """Add the two pages to ``app`` (built with ``docs_url=None, redoc_url=None`` and the assets mounted)."""
    openapi_url = app.openapi_url or "/openapi.json"
    build = app.openapi
    built_for: list[str | None] = []  # the model version the cached document's live examples came from

    def openapi() -> dict[str, Any]:
        model = getattr(app.state, "model", None)
        version = model.version if model is not None else None
        if app.openapi_schema is None or built_for != [version]:
            app.openapi_schema = None  # FastAPI's builder returns its cached document while one is set
            app.openapi_schema = document(app, build)
            built_for[:] = [version]
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend the schema

    @app.get(docs_url, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return _page(
            get_swagger_ui_html(
                openapi_url=f"{root}{openapi_url}",
                title=f"{app.title} - Swagger UI",
                swagger_js_url=f"{root}{STATIC_URL}/swagger-ui-bundle.js",
                swagger_css_url=f"{root}{STATIC_URL}/swagger-ui.css",
                swagger_favicon_url=f"{root}{STATIC_URL}/favicon.png",
                swagger_ui_parameters=app.swagger_ui_parameters,
            )
        )

    @app.get(REDOC_BUNDLE_URL, include_in_schema=False)
    def redoc_script() -> Response:
        return Response(
            redoc_bundle(), media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"}
        )

    @app.get(redoc_url, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return _page(
            get_redoc_html(
                openapi_url=f"{root}{openapi_url}",
                title=f"{app.title} - ReDoc",
                redoc_js_url=f"{root}{REDOC_BUNDLE_URL}",
                redoc_favicon_url=f"{root}{STATIC_URL}/favicon.png",
                with_google_fonts=False,
            )
        )
