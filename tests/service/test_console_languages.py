"""Headless Chromium drives the console against a live server with language sub-models.

One comment shows the language it was scored in; a mixed batch shows each row's
language, a dash where its language does not score an attribute, exports the
language, and a correction is stored with the comment's language. Skips like
``test_browser.py`` when Debian's Chromium is absent.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import httpx
import pytest

from tests.service.console_page import TIMEOUT, score_batch, status
from tests.service.multilingual import GERMAN_INSULT, INDONESIAN
from tests.service.test_browser import browser_page

ENGLISH = "Shut up, you stupid moron."


def stored_languages(tmp_path: Path) -> list[list[str] | None]:
    (db,) = tmp_path.glob("suggestions-*.sqlite3")
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT languages FROM suggestions ORDER BY id").fetchall()
    return [json.loads(r[0]) if r[0] else None for r in rows]


@pytest.mark.slow
def test_console_shows_each_comments_language(tmp_path: Path, multilingual_artifact: Path) -> None:
    env = {"TOXICITY_MODEL_PATH": str(multilingual_artifact)}
    with browser_page(tmp_path, env) as (server, page):
        page.goto(f"{server.url}/console", wait_until="networkidle")
        page.locator("#model-line").filter(has_text="attributes").wait_for(timeout=TIMEOUT)

        page.locator("#one-text").fill(GERMAN_INSULT)
        page.locator("#one-submit").click()
        status(page, "Scored with model")
        line = page.locator("#one-language").inner_text()
        assert line.startswith("Scored in German (de, detected") and "not scored in this language: " in line
        assert "THREAT" in line
        expected = httpx.post(f"{server.url}/v1/score", json={"comments": [{"text": GERMAN_INSULT}]}).json()
        bars = page.locator("#bars li")
        assert bars.count() == len(expected["results"][0]["scores"])
        assert page.locator("#bars .bar-threshold").count() == 0  # English's thresholds are not German's

        page.locator("#one-correct button.wrong").click()
        page.locator("#one-correct form.correct button[type=submit]").click()
        status(page, "Correction recorded")
        assert stored_languages(tmp_path) == [["de"]]

        score_batch(page, [ENGLISH, GERMAN_INSULT, INDONESIAN])
        rows = page.locator("#many-table tbody tr")
        assert [rows.nth(i).locator("td.lang").inner_text() for i in range(3)] == ["en", "de", "id"]
        threat = page.locator('#many-table tbody td[data-attribute="THREAT"]').all_inner_texts()
        assert threat[0].endswith("%") and threat[1] == "\u2014" and threat[2] == "\u2014"
        with page.expect_download() as info:
            page.locator("#export-csv").click()
        exported = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
        assert [r["language"] for r in exported] == ["en", "de", "id"]
        assert exported[2]["TOXICITY"] == "" and exported[0]["TOXICITY"] != ""
