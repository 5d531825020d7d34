"""Presentation mode in a real browser: the arrow keys change the slide, full screen hides the chrome."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.test_overview_browser import ERRORS

pytestmark = pytest.mark.e2e
expect.set_options(timeout=15_000)

COVER = {"vi": "Chuyển đổi số phục vụ người dân", "en": "Digital transformation serving citizens"}
HEADLINES = {"vi": "Các chỉ tiêu chính so với mục tiêu", "en": "Headline figures against targets"}


@pytest.mark.parametrize(("locale", "lang"), [("vi-VN", "vi"), ("en-US", "en")])
def test_arrow_keys_move_between_slides_in_full_screen(open_app, rerun, screenshot, locale, lang):
    page = open_app(locale, "/present?unit=08377")
    expect(page.get_by_role("heading", level=1, name=COVER[lang])).to_be_visible()
    expect(page.get_by_test_id("stSidebar")).to_be_hidden()  # full screen by default
    page.locator(".st-key-present_next button").wait_for()
    page.wait_for_function("() => window.__xasoPresentKeys === true")  # the key listener is in place

    rerun(page, lambda: page.keyboard.press("ArrowRight"))
    expect(page.get_by_role("heading", level=1, name=HEADLINES[lang])).to_be_visible()
    expect(page.locator(".js-plotly-plot").first).to_be_visible()
    expect(page.locator(ERRORS)).to_have_count(0)
    screenshot(page, f"present_{lang}.png")

    rerun(page, lambda: page.keyboard.press("ArrowLeft"))
    expect(page.get_by_role("heading", level=1, name=COVER[lang])).to_be_visible()
