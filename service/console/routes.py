"""``GET /console`` and its assets: a page for moderators, served from this package, loading nothing from elsewhere.

The page (``static/index.html``, ``console.css`` and the JavaScript modules listed in
``ASSETS``) is plain HTML, CSS and JavaScript with no library and no build step: it calls the service's own API
(``/v1/model``, ``/v1/score`` with explanations, ``/v1/suggestions`` or
Perspective's ``comments:suggestscore``, and the operator review API) with the key
the moderator types, kept in the tab's session storage. The page itself and its
assets need no key: they hold no data.

Only the files listed in ``ASSETS`` are served, so no request path reaches the file
system. The policy forbids inline scripts and styles and every other host, and
``Referrer-Policy`` keeps the page's address out of other sites' logs.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from service.core.errors import ApiError

STATIC = Path(__file__).parent / "static"
SCRIPT = "text/javascript; charset=utf-8"
ASSETS = {
    "console.css": "text/css; charset=utf-8",
    "console.js": SCRIPT,  # the page's entry module: wires the controls to the four below
    "api.js": SCRIPT,  # state, DOM helpers, the API client, the loaded model
    "single.js": SCRIPT,  # one comment: bars, highlights, sentences, "this is wrong"
    "batch.js": SCRIPT,  # many comments: files, the table, CSV export
    "queue.js": SCRIPT,  # the review queue
}
"""Every asset the page loads, with its media type."""

POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": POLICY,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    # A new release's page and script must not be mixed with a cached older one.
    "Cache-Control": "no-cache",
}

router = APIRouter(include_in_schema=False)


@cache
def _read(name: str) -> bytes:
    return (STATIC / name).read_bytes()


@router.get("/console")
def console() -> HTMLResponse:
    """Serve the console page."""
    return HTMLResponse(_read("index.html"), headers=HEADERS)


@router.get("/console/assets/{name}")
def asset(name: str) -> Response:
    """Serve one of the page's listed assets; 404 for any other name."""
    media_type = ASSETS.get(name)
    if media_type is None:
        raise ApiError.one(
            404, "not_found", f"no such console asset; the console serves {', '.join(sorted(ASSETS))}", "path"
        )
    return Response(_read(name), media_type=media_type, headers=HEADERS)
