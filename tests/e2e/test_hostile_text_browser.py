"""Hostile text in a real browser: an analyst uploads a file whose sheet, header and unit names are
Markdown/HTML link and image payloads, then saves a composite named like one. The page shows the literal
text, makes no <a> or <img> from it, and the browser never asks 127.0.0.1:9 for anything."""

from __future__ import annotations

import shutil
import time

import pytest
from playwright.sync_api import expect

from tests.etl.hostile_files import markup_names

pytestmark = pytest.mark.e2e
expect.set_options(timeout=30_000)

ANALYST, PASSWORD = "e2e-analyst", "mật-khẩu-phân-tích"
COMPOSITE = "[Vào lại](http://127.0.0.1:9/c) ![p](http://127.0.0.1:9/i)"  # 60 characters at most
TRAP = "127.0.0.1:9"
FROM_PAYLOAD = f'a[href*="{TRAP}"], img[src*="{TRAP}"], a[href*="127.0.0.1%3A9"], img[src*="127.0.0.1%3A9"]'


def shown_text(page) -> str:
    """The page's text as a reader copies it, without the invisible word joiners that stop bare links."""
    return page.evaluate("() => document.body.innerText").replace("\u2060", "")


def shows(page, text: str, seconds: float = 30) -> bool:
    """Whether the page comes to show `text` literally within `seconds` (sections render one by one)."""
    deadline = time.monotonic() + seconds
    while text not in shown_text(page):
        if time.monotonic() > deadline:
            return False
        page.wait_for_timeout(250)
    return True


def test_an_analysts_hostile_file_and_composite_name_show_as_literal_text_and_fetch_nothing(browser, demo_db,
                                                                                            tmp_path, screenshot):
    from tests.e2e.conftest import VIEWPORT, add_user, sign_in_through_the_form, start_server

    assert len(COMPOSITE) <= 60
    db = tmp_path / "hostile.duckdb"  # a copy: this test writes a composite
    shutil.copy(demo_db, db)
    add_user(db, ANALYST, PASSWORD, "analyst")
    hostile = markup_names()
    dropped = tmp_path / "phish.xlsx"
    dropped.write_bytes(hostile.data)
    with start_server(db, tmp_path / "streamlit.log") as url:
        context = browser.new_context(locale="en-US", viewport=VIEWPORT)
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto(url + "/upload")
        sign_in_through_the_form(page, ANALYST, PASSWORD)
        page.locator('input[type="file"]').set_input_files(str(dropped))
        expect(page.get_by_role("tab", name="phish.xlsx")).to_be_visible()

        expect(page.get_by_text("which unit is", exact=False).first).to_be_visible()
        # the unit names as written are asked about in widget labels, the header is a mapping's label: as text
        for written in hostile.strings[1:4]:
            assert shows(page, written), (written, [line for line in shown_text(page).splitlines() if "unit" in line])
        expect(page.locator(FROM_PAYLOAD)).to_have_count(0)
        screenshot(page, "hostile_upload_en.png")

        page.goto(url + "/rankings")  # a new session: sign in again
        sign_in_through_the_form(page, ANALYST, PASSWORD)
        builder = page.locator("summary", has_text="Build your own composite")
        expect(builder).to_be_visible()
        builder.click()
        page.locator(".st-key-rankings_composite_name input").fill(COMPOSITE)
        page.locator(".st-key-rankings_composite_name input").press("Enter")
        parts = page.locator(".st-key-rankings_composite_parts")
        save = page.locator(".st-key-rankings_composite_save button")
        for _ in range(3):  # the first indicators offered (or "select all", where the list offers it) until two
            if save.is_enabled():
                break
            parts.locator("input").click()
            expect(page.get_by_role("option").first).to_be_visible()
            page.keyboard.press("Enter")
            page.keyboard.press("Escape")
            page.wait_for_timeout(1500)  # the choice reruns the page
        expect(page.locator(".st-key-rankings_composite_save button")).to_be_enabled()
        page.locator(".st-key-rankings_composite_save button").click()

        expect(page.get_by_text("Saved", exact=False).first).to_be_visible()
        assert shows(page, f"“{COMPOSITE}”")  # "Saved “…”", literally
        expect(page.locator(FROM_PAYLOAD)).to_have_count(0)
        screenshot(page, "hostile_composite_en.png")
        context.close()

    assert [r for r in requests if TRAP in r or "127.0.0.1%3A9" in r] == []
