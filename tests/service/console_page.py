"""Helpers that drive the moderators' console (``/console``) in headless Chromium, shared by its tests.

``test_console_browser.py`` drives every part of the page; ``test_feedback_retrain.py``
records corrections and works the review queue through it on the way to a retrain.
The browser itself comes from ``test_browser.browser_page``.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

INSULT = "You are a pathetic idiot and nobody here wants to read your garbage."
FRIENDLY = "Thanks for the thoughtful reply, have a good weekend!"
TIMEOUT = 30_000
"""Milliseconds a page is given to show a result (a cold server scores its first batch slowly)."""


def stored(tmp_path: Path) -> list[tuple[str, dict[str, object]]]:
    """Return every suggestion in the live server's store: its text and attribute scores."""
    (db,) = tmp_path.glob("suggestions-*.sqlite3")
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT comment_text, attribute_scores FROM suggestions ORDER BY id").fetchall()
    return [(text, json.loads(scores)) for text, scores in rows]


def status(page: Page, contains: str) -> str:
    """Wait until the status line contains ``contains``; return it."""
    line = page.locator("#status")
    line.filter(has_text=contains).wait_for(timeout=TIMEOUT)
    return line.inner_text()


def score_with_keyboard(page: Page, text: str) -> None:
    """Type a comment and submit it with Tab and Enter."""
    page.locator("#one-text").fill(text)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")


def use_api_key(page: Page, key: str) -> None:
    """Type the API key as a moderator does and wait until the page has loaded the model with it."""
    page.locator("#api-key").fill(key)
    page.locator("#api-key").press("Tab")  # change: stored for the tab, the model loads
    page.locator("#model-line").filter(has_text="attributes").wait_for(timeout=TIMEOUT)


def score_batch(page: Page, texts: list[str]) -> None:
    """Paste ``texts`` one per line and score them; wait for the table."""
    page.locator("#many-text").fill("\n".join(texts))
    page.locator("#many-submit").click()
    status(page, f"Scored {len(texts)} comments")


def correct_row(page: Page, n: int, attribute: str, label: int) -> int:
    """Record "this is wrong" for comment ``n`` of the batch table; return the stored suggestion's id."""
    page.get_by_role("button", name=f"This is wrong: comment {n}", exact=True).click()
    form = page.locator("#many-correct form.correct")
    form.locator("select[name=attribute]").select_option(attribute)
    form.locator("select[name=label]").select_option(str(label))
    with page.expect_response(lambda r: r.url.endswith("/v1/suggestions")) as answer:
        form.locator("button[type=submit]").click()
    assert answer.value.status == 200, answer.value.text()
    ident = answer.value.json()["id"]
    assert isinstance(ident, int)
    status(page, f"as suggestion {ident}")
    return ident


def load_queue(page: Page, admin_key: str, source: str = "", queue_status: str = "pending") -> list[int]:
    """Load the review queue with these filters; return the ids shown, in the page's order."""
    page.locator("#admin-key").fill(admin_key)
    page.locator("#queue-status").select_option(queue_status)
    page.locator("#queue-source").select_option(source)
    page.locator("#status").evaluate("line => { line.textContent = ''; }")  # so an earlier load's line is not read
    with page.expect_response(lambda r: "/v1/admin/suggestions?" in r.url):
        page.locator("#queue-load").click()
    status(page, "suggestions shown")
    ids = page.locator("#queue-table tbody tr").evaluate_all("rows => rows.map(r => Number(r.dataset.id))")
    return [int(i) for i in ids]
