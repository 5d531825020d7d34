"""The Overview page in a real browser: language by locale, the sidebar language switch, scopes.

Fixtures (conftest.py): `open_app(locale)` opens the app once its first run is over, `rerun(page, action)`
waits for the run an action triggers, `screenshot(page, name)` saves tests/e2e/screenshots/<name>.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e
expect.set_options(timeout=15_000)

TITLE = {"vi": "Tổng quan chuyển đổi số cấp xã", "en": "Commune digital transformation at a glance"}
ONLINE_RATE = {"vi": "Nộp trực tuyến", "en": "Filed online"}  # the card's short title (full name in its help)
PERCENT = {"vi": re.compile(r"^\d{1,3},\d%$"), "en": re.compile(r"^\d{1,3}\.\d%$")}
COMMUNES = {"vi": "3.321", "en": "3,321"}
LANGUAGE_NAME = {"vi": "Tiếng Việt", "en": "English"}
SWITCH_LABEL = "Ngôn ngữ · Language"
HEADLINE_CARDS = 5
ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'


def metric_values(page) -> list[str]:
    return [text.strip() for text in page.locator('[data-testid="stMetricValue"]').all_inner_texts()]


def online_rate(page):
    """The value of the online-filing-rate card, in either language."""
    label = page.get_by_test_id("stMetricLabel").filter(has_text=re.compile("|".join(ONLINE_RATE.values())))
    return page.get_by_test_id("stMetric").filter(has=label).get_by_test_id("stMetricValue")


def language_radio(page, lang: str):
    """The sidebar switch's option for `lang`; looked up afresh, so a vanished control fails the test."""
    return (page.get_by_test_id("stSidebar").get_by_role("radiogroup", name=SWITCH_LABEL)
            .get_by_role("radio", name=LANGUAGE_NAME[lang], exact=True))


def assert_overview(page, lang: str) -> None:
    """Title, headline cards with a locale-formatted online filing rate, the commune count, no error."""
    expect(page.get_by_role("heading", level=1, name=TITLE[lang])).to_be_visible()
    cards = page.get_by_test_id("stMetric")
    expect(cards.nth(HEADLINE_CARDS - 1)).to_be_visible()
    assert cards.count() >= HEADLINE_CARDS
    expect(page.get_by_test_id("stMetricLabel").filter(has_text=ONLINE_RATE[lang])).to_be_visible()
    expect(online_rate(page)).to_have_text(PERCENT[lang])
    expect(page.get_by_test_id("stMain").get_by_test_id("stCaptionContainer").first).to_contain_text(COMMUNES[lang])
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    expect(language_radio(page, lang)).to_be_checked()
    expect(page.locator(ERRORS)).to_have_count(0)


def labelled(name: str) -> re.Pattern:
    """A picker label that names `name`: 'Hà Nội (01 · Ha Noi)' (ui/labels.py)."""
    return re.compile("^" + re.escape(name) + r" \(")


def choose(page, rerun, label: str, option: str) -> None:
    """Pick the place named `option` in the selectbox labelled `label` (typing filters the virtualised list)."""
    box = page.get_by_role("combobox", name=label, exact=True)

    def pick() -> None:
        box.click()
        box.fill(option)
        page.get_by_role("option", name=labelled(option)).click()

    rerun(page, pick)
    expect(box).to_have_value(labelled(option))


def units_in_scope(page) -> int:
    """The number at the start of the table caption, e.g. '126 đơn vị, 124 đơn vị có số liệu ...'."""
    caption = page.get_by_test_id("stCaptionContainer").filter(has_text=re.compile(r"^\s*[\d.,]+ (đơn vị|units)"))
    expect(caption).to_have_count(1)
    return int(re.match(r"\s*([\d.,]+)", caption.inner_text()).group(1).replace(".", "").replace(",", ""))


def test_vietnamese_by_default(open_app, screenshot):
    page = open_app("vi-VN")
    assert_overview(page, "vi")
    assert metric_values(page)[0] == online_rate(page).inner_text().strip()  # the first card, as designed
    screenshot(page, "overview_vi.png")


def test_english_browser_locale(open_app, screenshot):
    page = open_app("en-US")
    assert_overview(page, "en")
    screenshot(page, "overview_en_locale.png")


def test_sidebar_language_switch_survives_reruns(open_app, rerun, screenshot):
    page = open_app("vi-VN")
    assert_overview(page, "vi")
    vi_values = metric_values(page)

    rerun(page, language_radio(page, "en").click)
    assert_overview(page, "en")
    # Same figures, other notation: 79,6% <-> 79.6%, 93,02 <-> 93.02.
    assert [v.replace(".", ",") for v in metric_values(page)] == vi_values
    screenshot(page, "overview_en.png")

    rerun(page, language_radio(page, "vi").click)
    assert_overview(page, "vi")
    assert metric_values(page) == vi_values

    # A rerun started from the main area, then the sidebar control must still be there and work.
    month = page.get_by_role("combobox", name="Tháng", exact=True)
    latest = month.input_value()

    def earlier_month() -> None:
        month.click()
        page.get_by_role("option").nth(1).click()

    rerun(page, earlier_month)
    expect(month).not_to_have_value(latest)
    assert_overview(page, "vi")
    rerun(page, language_radio(page, "en").click)
    assert_overview(page, "en")


def test_province_and_commune_scope_update_cards(open_app, rerun, screenshot):
    page = open_app("vi-VN")
    assert_overview(page, "vi")
    national = metric_values(page)
    assert units_in_scope(page) == 3321

    rerun(page, page.get_by_role("radiogroup", name="Phạm vi").get_by_role("radio", name="Tỉnh, thành phố").click)
    expect(page.get_by_role("combobox", name="Tỉnh, thành phố", exact=True)).to_be_visible()
    choose(page, rerun, "Tỉnh, thành phố", "Hà Nội")
    assert_overview(page, "vi")
    assert metric_values(page) != national, "the cards still show the national figures"
    assert 0 < units_in_scope(page) < 3321
    screenshot(page, "overview_province_vi.png")

    rerun(page, page.get_by_role("radiogroup", name="Phạm vi").get_by_role("radio", name="Xã, phường, đặc khu").click)
    expect(page.get_by_role("combobox", name="Xã, phường, đặc khu", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stMetric")).to_have_count(HEADLINE_CARDS)
    expect(page.locator(ERRORS)).to_have_count(0)
    assert units_in_scope(page) == 1
    screenshot(page, "overview_commune_vi.png")


def test_language_switch_keeps_selections(open_app, rerun, screenshot):
    """Scope, province and month survive switching the language and back, with labels in the new language.

    Streamlit keeps a selectbox's choice by its shown label, so labels that change with the language
    once made a switch show stale labels and the way back reset the province (fixed in 26dc4b8).
    """
    page = open_app("vi-VN")
    rerun(page, page.get_by_role("radiogroup", name="Phạm vi").get_by_role("radio", name="Tỉnh, thành phố").click)
    choose(page, rerun, "Tỉnh, thành phố", "Hà Nội")
    month = page.get_by_role("combobox", name="Tháng", exact=True)

    def earlier_month() -> None:
        month.click()
        page.get_by_role("option").nth(2).click()

    rerun(page, earlier_month)
    chosen_month = month.input_value()  # e.g. "Tháng 8/2026"
    hanoi = metric_values(page)

    rerun(page, language_radio(page, "en").click)
    assert_overview(page, "en")
    expect(page.get_by_role("radiogroup", name="Scope").get_by_role("radio", name="Province")).to_be_checked()
    expect(page.get_by_role("combobox", name="Province", exact=True)).to_have_value(labelled("Ha Noi"))
    expect(page.get_by_role("combobox", name="Month", exact=True)).to_have_value(chosen_month.removeprefix("Tháng "))
    assert [v.replace(".", ",") for v in metric_values(page)] == hanoi
    screenshot(page, "overview_province_en.png")

    rerun(page, language_radio(page, "vi").click)
    assert_overview(page, "vi")
    expect(page.get_by_role("combobox", name="Tỉnh, thành phố", exact=True)).to_have_value(labelled("Hà Nội"))
    expect(month).to_have_value(chosen_month)
    assert metric_values(page) == hanoi


def test_a_stranger_signs_in_and_out(open_app, screenshot):
    from tests.e2e.conftest import sign_in_through_the_form

    page = open_app("vi-VN", sign_in=False)
    expect(page.get_by_role("heading", level=1, name="Đăng nhập")).to_be_visible()
    expect(page.get_by_test_id("stMetric")).to_have_count(0)
    screenshot(page, "sign_in_vi.png")

    page.locator(".st-key-sign_in_username input").fill("e2e-admin")
    page.locator(".st-key-sign_in_password input").fill("sai-mật-khẩu-rồi")
    page.locator(".st-key-sign_in_submit button").click()
    expect(page.get_by_test_id("stAlertContentError")).to_contain_text("Tên đăng nhập hoặc mật khẩu không đúng.")

    sign_in_through_the_form(page)
    assert_overview(page, "vi")
    page.get_by_test_id("stSidebar").get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("heading", level=1, name="Đăng nhập")).to_be_visible()


# Whatever overflows its box: a card title cut with "…", a table wider than its frame (columns out of sight)
_OVERFLOWING = """() => {
  const cut = [...document.querySelectorAll('[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"] *')]
    .filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.textContent);
  const wide = [...document.querySelectorAll('[data-testid="stDataFrame"] .dvn-scroller')]
    .filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => `${e.scrollWidth} > ${e.clientWidth}`);
  return {cut, wide};
}"""


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1920, 1080)])
@pytest.mark.parametrize("locale", ["vi-VN", "en-US"])
def test_card_titles_and_the_whole_national_table_fit_the_screen(open_app, screenshot, locale, width, height):
    page = open_app(locale)
    page.set_viewport_size({"width": width, "height": height})
    lang = locale[:2]
    assert_overview(page, lang)
    page.get_by_test_id("stDataFrame").scroll_into_view_if_needed()
    page.wait_for_timeout(300)  # the grid lays out again for the new width
    assert page.evaluate(_OVERFLOWING) == {"cut": [], "wide": []}  # every column, the index too, in sight
    screenshot(page, f"overview_fit_{lang}_{width}.png")
