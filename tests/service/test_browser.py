"""Headless Chromium opens /docs, runs "Try it out" on POST /v1/score and sees scores.

Uses Debian's Chromium (``apt-get install chromium``) through Playwright; nothing is
downloaded. Skips when Chromium is absent, unless TOXICITY_REQUIRE_BROWSER is set
(as ``.ci/run`` does), in which case its absence fails the test.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.live import ROOT, Server, live_server

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


# Read at import: the autouse fixture clears TOXICITY_* before each test runs.
REQUIRE_BROWSER = bool(os.environ.get("TOXICITY_REQUIRE_BROWSER"))


def _require_browser() -> None:
    if CHROMIUM.exists():
        return
    if REQUIRE_BROWSER:
        pytest.fail(f"{CHROMIUM} is missing but TOXICITY_REQUIRE_BROWSER is set: apt-get install chromium")
    pytest.skip(f"needs Debian's Chromium at {CHROMIUM} (apt-get install chromium)")


@contextmanager
def browser_page(tmp_path: Path, env: dict[str, str] | None = None) -> Iterator[tuple[Server, Page]]:
    """Yield a live server and a headless Chromium page beside it, both stopped at the end."""
    _require_browser()
    from playwright.sync_api import sync_playwright

    with live_server(tmp_path, env) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        try:
            yield server, browser.new_page(viewport={"width": 1280, "height": 1600})
        finally:
            browser.close()


def try_it_out(page: Page) -> Locator:
    """Run Try it out on ``POST /v1/score`` with its default example; return the operation's block."""
    op = page.locator("#operations-native_API-score_v1_score_post")
    op.locator(".opblock-summary").click()
    op.get_by_role("button", name="Try it out").click()
    op.get_by_role("button", name="Execute").click()
    op.locator(".live-responses-table tr.response .response-col_status").first.wait_for(timeout=30_000)
    return op


@pytest.mark.slow
def test_docs_try_it_out_scores_the_example(tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "docs-try-it-out.png"
    requests: list[str] = []
    with browser_page(tmp_path) as (server, page):
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{server.url}/docs", wait_until="networkidle")
        op = try_it_out(page)
        status = op.locator(".live-responses-table tr.response .response-col_status").first
        body = op.locator(".live-responses-table tr.response .response-col_description pre").first
        body.wait_for(timeout=30_000)
        assert status.inner_text().strip().startswith("200")
        scores = json.loads(body.inner_text())["results"][0]["scores"]
        assert set(scores) >= {"TOXICITY", "INSULT"}
        assert scores["TOXICITY"] > 0.5  # the default example is the hostile comment
        op.scroll_into_view_if_needed()
        page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    # Nothing but the server itself was contacted: the page works offline.
    assert requests and all(u.startswith(server.url) or u.startswith("data:") for u in requests), requests


@pytest.mark.slow
def test_with_keys_authorize_lets_try_it_out_score(tmp_path: Path) -> None:
    with browser_page(tmp_path, {"TOXICITY_API_KEYS": "moderator-key"}) as (server, page):
        page.goto(f"{server.url}/docs", wait_until="networkidle")
        page.locator("button.authorize").first.click()
        dialog = page.locator(".dialog-ux")
        dialog.locator("input").first.fill("moderator-key")  # the first scheme: Authorization: Bearer
        dialog.locator("button.modal-btn.authorize").first.click()
        dialog.locator("button.btn-done").first.click()
        status = try_it_out(page).locator(".live-responses-table tr.response .response-col_status").first
        assert status.inner_text().strip().startswith("200")


@pytest.mark.slow
def test_redoc_renders_and_loads_nothing_from_outside(tmp_path: Path) -> None:
    requests: list[str] = []
    with browser_page(tmp_path) as (server, page):
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{server.url}/redoc", wait_until="networkidle")
        # Redoc rendered the document: the API's title and the scoring operation.
        page.get_by_role("heading", name="Comment toxicity service").first.wait_for(timeout=30_000)
        assert page.get_by_text("/v1/score").count() > 0
    outside = [u for u in requests if not (u.startswith(server.url) or u.startswith(("data:", "blob:")))]
    assert requests and not outside, outside
