"""Headless Chromium drives the moderators' console (``/console``) against a live server.

It scores a comment with the keyboard and reads the bars, thresholds and highlights;
pastes a batch, sorts, filters and exports it as CSV; records a correction ("this is
wrong") and finds it in the suggestion store; checks that the batch table fits the
window, and at 400 px is one card per comment reachable by keyboard; sees the review queue refused on a
server without operator keys; on a server with them, records corrections through the
page and through the API, filters the review queue by source and decides, and moves
the marks with a threshold profile; and, with keys on, sees the 401 and 429 messages and the key
kept in session storage. Screenshots (wide and 400 px) go to ``test-artifacts/``.
Skips like ``test_browser.py`` when Debian's Chromium is absent.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.service.console_page import (
    FRIENDLY,
    INSULT,
    TIMEOUT,
    correct_row,
    load_queue,
    score_batch,
    score_with_keyboard,
    status,
    stored,
    use_api_key,
)
from tests.service.test_browser import ARTIFACTS, browser_page

if TYPE_CHECKING:
    from playwright.sync_api import Page

BATCH = [FRIENDLY, INSULT, "What a lovely photo of the harbour.", "Shut up, you stupid moron."]


def fits(page: Page, selector: str) -> bool:
    """Whether the element shows all of its content without scrolling sideways."""
    return bool(page.locator(selector).evaluate("e => e.scrollWidth <= e.clientWidth"))


@pytest.mark.slow
def test_console_scores_explains_batches_exports_and_records_corrections(tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    requests: list[str] = []
    with browser_page(tmp_path) as (server, page):
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{server.url}/console", wait_until="networkidle")
        page.locator("#model-line").filter(has_text="attributes").wait_for(timeout=TIMEOUT)
        assert page.locator("#profile-row").is_hidden()  # this server lists no threshold profiles

        # One comment: bars with the API's own scores and thresholds, flagged ones marked.
        score_with_keyboard(page, INSULT)
        status(page, "Scored with model")
        expected = httpx.post(f"{server.url}/v1/score", json={"comments": [{"text": INSULT}]}).json()["results"][0]
        bars = page.locator("#bars li")
        shown = {bars.nth(i).get_attribute("data-attribute"): bars.nth(i) for i in range(bars.count())}
        assert set(shown) == set(expected["scores"])
        for name, bar in shown.items():
            assert bar.locator(".bar-value").inner_text() == f"{100 * expected['scores'][name]:.1f}%"
            assert ("flagged" in (bar.get_attribute("class") or "")) == (name in expected["flagged"])
            assert bar.locator(".bar-threshold").count() == 1
        assert "TOXICITY" in expected["flagged"]
        assert "TOXICITY" in page.locator("#one-flags").inner_text()
        assert page.locator("#one-language").inner_text().startswith("Scored in English (en")
        # Highlights: the insulting words raise the score; the page shows the text unchanged.
        page.locator("#explain-attribute").select_option("TOXICITY")
        assert page.locator("#highlighted").inner_text() == INSULT
        raising = page.locator("#highlighted mark.up")
        assert raising.count() > 0
        assert "idiot" in " ".join(raising.all_inner_texts())
        assert all(float(w or 0) > 0 for w in (m.get_attribute("data-weight") for m in raising.all()))

        # This is wrong: a correction lands in the suggestion store.
        page.locator("#one-correct button.wrong").click()
        form = page.locator("#one-correct form.correct")
        form.locator("select[name=attribute]").select_option("TOXICITY")
        assert form.locator("select[name=label]").input_value() == "0"  # flagged, so the correction says not
        form.locator("button[type=submit]").click()
        assert "Correction recorded (TOXICITY = 0)" in status(page, "Correction recorded")
        ((text, scores),) = stored(tmp_path)
        assert text == INSULT and "TOXICITY" in json.dumps(scores)

        # Many: paste, sort by an attribute, filter the flagged, export CSV.
        score_batch(page, BATCH)
        rows = page.locator("#many-table tbody tr")
        assert rows.count() == len(BATCH)
        # The table fits the window: short headers carry the full names; the action is the first column.
        assert fits(page, "#many-result .table-wrap")
        header = page.locator('#many-table th button[data-sort="TOXICITY"]')
        assert header.inner_text() == "Toxic" and header.get_attribute("aria-label") == "Sort by TOXICITY"
        assert rows.nth(0).locator("td").first.get_by_role("button", name="This is wrong").count() == 1
        page.locator('#many-table th button[data-sort="TOXICITY"]').click()
        column = page.locator('#many-table tbody td[data-attribute="TOXICITY"]').all_inner_texts()
        values = [float(c.rstrip("%")) for c in column]
        assert values == sorted(values, reverse=True)
        page.locator("#only-flagged").check()
        flagged = rows.count()
        assert 0 < flagged < len(BATCH)
        page.locator("#only-flagged").uncheck()
        page.screenshot(path=str(ARTIFACTS / "console-wide.png"), full_page=True)
        with page.expect_download() as info:
            page.locator("#export-csv").click()
        exported = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
        assert sorted(r["text"] for r in exported) == sorted(BATCH)
        assert {"n", "id", "text", "language", "TOXICITY", "flagged"} <= set(exported[0])
        assert {r["language"] for r in exported} == {"en"}
        # A correction from the table goes to the same store.
        rows.nth(0).get_by_role("button", name="This is wrong").click()
        page.locator("#many-correct form.correct button[type=submit]").click()
        status(page, "Correction recorded")
        assert len(stored(tmp_path)) == 2

        # The review queue on a server without operator keys: the page shows the service's refusal.
        page.locator("#admin-key").fill("operator")
        page.locator("#queue-load").click()
        probe = httpx.get(f"{server.url}/v1/admin/suggestions", headers={"Authorization": "Bearer operator"})
        assert probe.status_code == 403
        message = probe.json()["error"]["message"]
        assert message in status(page, message[:40])

        # Readable at 400 px: nothing wider than the window; the batch table is a card per comment.
        page.set_viewport_size({"width": 400, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= 400
        assert fits(page, "#many-result .table-wrap")
        cell = rows.nth(1).locator('td[data-attribute="TOXICITY"]')
        assert "Toxic: " in cell.evaluate("c => getComputedStyle(c, '::before').content")
        # Keyboard: Tab reaches a row's "this is wrong"; Enter opens the correction inside the window.
        page.locator("#only-flagged").focus()
        for _ in range(40):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.getAttribute('aria-label') || ''").startswith("This is wrong"):
                break
        page.keyboard.press("Enter")
        form = page.locator("#many-correct form.correct")
        form.wait_for(timeout=TIMEOUT)
        box = form.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 400
        form.locator("button[name=cancel]").click()
        page.screenshot(path=str(ARTIFACTS / "console-narrow.png"), full_page=True)
        assert page.url == f"{server.url}/console"  # no comment text in the address
    for shot in ("console-wide.png", "console-narrow.png"):
        assert (ARTIFACTS / shot).stat().st_size > 10_000
    assert requests and all(u.startswith(server.url) or u.startswith(("data:", "blob:")) for u in requests), requests
    assert INSULT not in server.log.read_text(errors="replace")  # comment text is never logged


@pytest.mark.slow
def test_console_with_keys_says_401_and_429_and_keeps_the_key_in_the_session(tmp_path: Path) -> None:
    env = {"TOXICITY_API_KEYS": "moderator-key", "TOXICITY_SUGGEST_PER_MINUTE": "1"}
    with browser_page(tmp_path, env) as (server, page):
        page.goto(f"{server.url}/console", wait_until="networkidle")
        assert "valid API key" in status(page, "valid API key")  # GET /v1/model answered 401
        with page.expect_response(lambda r: r.url.endswith("/v1/score")) as answer:
            score_with_keyboard(page, FRIENDLY)
        assert answer.value.status == 401
        assert "needs a valid API key" in status(page, "needs a valid API key")
        assert page.locator("#one-result").is_hidden()

        use_api_key(page, "moderator-key")
        assert page.evaluate("sessionStorage.getItem('toxicity-console-api-key')") == "moderator-key"
        page.reload(wait_until="networkidle")
        assert page.locator("#api-key").input_value() == "moderator-key"
        score_with_keyboard(page, INSULT)
        status(page, "Scored with model")

        # One suggestion per minute: the second correction is refused with 429 and the wait.
        for expected in ("Correction recorded", "Too many requests"):
            page.locator("#one-correct button.wrong").click()
            page.locator("#one-correct form.correct button[type=submit]").click()
            line = status(page, expected)
        assert "wait" in line and "before trying again" in line
        assert len(stored(tmp_path)) == 1


CSV_FILE = '\ufeffid,text\n"a-1","Hello, friend"\r\na-2,"You idiot,\nreally"\n'
PROFILES = """
[profiles.news-strict]
description = "Stricter for news"
thresholds = { TOXICITY = 0.05 }
"""


@pytest.mark.slow
def test_console_uses_profiles_and_the_review_queue(tmp_path: Path) -> None:
    """A server with a profiles file and an operator key: the profile moves the marks, the queue decides."""
    from playwright.sync_api import expect

    profiles = tmp_path / "profiles.toml"
    profiles.write_text(PROFILES, encoding="utf-8")
    env = {"TOXICITY_PROFILES_FILE": str(profiles), "TOXICITY_ADMIN_KEYS": "op-key"}
    with browser_page(tmp_path, env) as (server, page):
        page.goto(f"{server.url}/console", wait_until="networkidle")
        page.locator("#profile-row").wait_for(timeout=TIMEOUT)
        # Two corrections recorded through the page's batch table, and one through the API.
        score_batch(page, [FRIENDLY, INSULT])
        friendly = correct_row(page, 1, "TOXICITY", 1)
        insult = correct_row(page, 2, "TOXICITY", 0)
        sent = {"text": "an API client's correction", "attribute": "TOXICITY", "label": 1}
        through_api = httpx.post(f"{server.url}/v1/suggestions", json=sent).json()["id"]
        # Offsets count code points: two emoji before the insult do not shift its highlight.
        score_with_keyboard(page, "\U0001f642\U0001f642 you idiot")
        status(page, "Scored with model")
        page.locator("#explain-attribute").select_option("TOXICITY")
        assert "idiot" in page.locator("#highlighted mark.up").all_inner_texts()
        page.locator("#profile").select_option("news-strict")  # scores again with the profile
        marker = page.locator('#bars li[data-attribute="TOXICITY"] .bar-threshold')
        expect(marker).to_have_attribute("title", "threshold 5.0%", timeout=TIMEOUT)
        assert marker.evaluate("m => m.style.left") == "5%"  # the mark moved to the profile's threshold

        # Files: a CSV (a BOM, quoted commas and line breaks, ids kept) and a JSONL with a bad line.
        upload = {"name": "batch.csv", "mimeType": "text/csv", "buffer": CSV_FILE.encode("utf-8")}
        page.locator("#many-file").set_input_files(files=[upload])
        page.locator("#many-submit").click()
        status(page, "Scored 2 comments")  # the earlier batch had 2 as well: wait for the file's rows themselves
        expect(page.locator("#many-table tbody td.text")).to_have_text(
            ["Hello, friend", "You idiot, really"], timeout=TIMEOUT
        )
        with page.expect_download() as info:
            page.locator("#export-csv").click()
        exported = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
        assert [(r["id"], r["text"]) for r in exported] == [("a-1", "Hello, friend"), ("a-2", "You idiot,\nreally")]
        bad = {"name": "batch.jsonl", "mimeType": "application/json", "buffer": b'{"text": "fine"}\n{oops\n'}
        page.locator("#many-file").set_input_files(files=[bad])
        page.locator("#many-submit").click()
        assert "Line 2 of the file is not JSON" in status(page, "Line 2")

        # The queue shows where each came from, and filters by it; newest first.
        assert load_queue(page, "op-key") == [through_api, insult, friendly]
        sources = page.locator("#queue-table tbody td.source").all_inner_texts()
        assert sources == ["api", "console", "console"]
        assert load_queue(page, "op-key", source="api") == [through_api]
        ids = load_queue(page, "op-key", source="console")
        assert ids == [insult, friendly]
        page.get_by_role("button", name=f"Accept suggestion {ids[0]}").click()
        status(page, "1 suggestions marked accepted")
        assert page.locator(f'#queue-table tr[data-id="{ids[0]}"] .queue-status').inner_text() == "accepted"
        page.get_by_role("button", name=f"Reject suggestion {ids[1]}").click()
        status(page, "1 suggestions marked rejected")
        with page.expect_download() as info:
            page.locator("#queue-export").click()
        accepted = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
        assert [(r["status"], r["source"], r["text"], r["label"]) for r in accepted] == [
            ("accepted", "console", INSULT, "0")
        ]
        assert load_queue(page, "op-key", queue_status="pending") == [through_api]
        assert fits(page, "#queue-result .table-wrap")
        page.set_viewport_size({"width": 400, "height": 900})  # the queue as cards, nothing wider than the window
        assert fits(page, "#queue-result .table-wrap")
        assert page.evaluate("document.documentElement.scrollWidth") <= 400
