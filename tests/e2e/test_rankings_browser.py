"""The Rankings page in a real browser: the league table, finding "my commune" by an unaccented search."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.test_overview_browser import ERRORS

pytestmark = pytest.mark.e2e
expect.set_options(timeout=15_000)

TITLE = {"vi": "Xếp hạng xã, phường, đặc khu", "en": "Commune rankings"}
FIND = {"vi": "Tìm xã của bạn", "en": "Find your commune"}
YOUR_UNIT = {"vi": "Vị trí của đơn vị bạn chọn", "en": "Where your unit stands"}


@pytest.mark.parametrize(("locale", "lang"), [("vi-VN", "vi"), ("en-US", "en")])
def test_the_league_table_and_my_commune_found_without_accents(open_app, rerun, screenshot, locale, lang):
    page = open_app(locale, "/rankings")
    expect(page.get_by_role("heading", level=1, name=TITLE[lang])).to_be_visible()
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    expect(page.locator(ERRORS)).to_have_count(0)

    box = page.get_by_role("combobox", name=FIND[lang], exact=True)

    def find_van_ban() -> None:
        box.click()
        box.fill("Van Ban")  # typed without diacritics, as on a keyboard without Vietnamese input
        page.get_by_role("option").filter(has_text="08377").first.click()

    rerun(page, find_van_ban)
    expect(page.get_by_role("heading", name=YOUR_UNIT[lang])).to_be_visible()
    expect(page.get_by_test_id("stMetric").first).to_contain_text("/")  # "1.500/3.221"-style rank
    expect(page.locator(ERRORS)).to_have_count(0)
    screenshot(page, f"rankings_{lang}.png")


def test_a_deep_link_opened_first_after_a_start_gets_the_whole_app(browser, demo_db, tmp_path):
    from tests.e2e.conftest import VIEWPORT, sign_in_through_the_form, start_server

    with start_server(demo_db, tmp_path / "streamlit.log") as url:  # a fresh server: no run before this one
        context = browser.new_context(locale="vi-VN", viewport=VIEWPORT)
        page = context.new_page()
        page.goto(url + "/rankings")
        sign_in_through_the_form(page)  # the link's page comes once the person has signed in
        sidebar = page.get_by_test_id("stSidebar")
        expect(page.get_by_role("heading", level=1, name=TITLE["vi"])).to_be_visible()
        expect(sidebar.get_by_role("radiogroup", name="Ngôn ngữ · Language")).to_be_visible()
        expect(sidebar.get_by_role("link", name="Xếp hạng")).to_be_visible()
        expect(sidebar.get_by_role("link", name="rankings")).to_have_count(0)  # no file-name navigation
        context.close()
