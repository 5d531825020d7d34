"""One person's whole visit, in one browser session, as a province analyst prepares a meeting:
sign in → upload a month's spreadsheet and commit it → find a commune of that file in the rankings →
open its profile from there → switch to English → open its meeting pack, download the PowerPoint deck
and open it with python-pptx.

Each step checks what the person sees against the database or the spreadsheet itself, so a step that
silently showed other data (the latest month instead of the uploaded one, the old value, another unit)
fails. A picture of every step is saved in tests/e2e/screenshots/journey_*.png.
"""

from __future__ import annotations

import shutil

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from pptx import Presentation

import store
from analytics.league import league
from analytics.meeting import meeting_content
from analytics.profile import profile
from i18n import format_number
from tests.conftest import SAMPLES
from tests.e2e.conftest import FOREIGN_RESOURCES, VIEWPORT, _RunWatcher, sign_in_through_the_form, start_server
from tests.e2e.test_overview_browser import ERRORS, LANGUAGE_NAME, SWITCH_LABEL

pytestmark = pytest.mark.e2e
expect.set_options(timeout=30_000)

SAMPLE = SAMPLES / "sonla_2026-09_chuyen_doi_so.xlsx"
MONTH = "2026-09"
UNIT, UNIT_ROW = "03646", 4  # Phường Tô Hiệu, Sơn La: the sample's first data row
SATISFACTION_COLUMN = "H"  # "Mức độ hài lòng (%)"
INDICATOR = "satisfaction_rate"


def _sidebar_link(page, name: str):
    return page.get_by_test_id("stSidebarNav").get_by_role("link", name=name, exact=True)


def _pick(page, label: str, typed: str, option) -> None:
    """Choose in the selectbox labelled `label` by typing (its list is virtualised)."""
    box = page.get_by_role("combobox", name=label, exact=True)
    box.click()
    box.fill(typed)
    option(page.get_by_role("option")).first.click()


def test_sign_in_upload_rank_profile_language_and_the_deck_in_one_session(browser, demo_db, tmp_path, screenshot):
    db = tmp_path / "journey.duckdb"  # a copy: this visit writes a batch
    shutil.copy(demo_db, db)
    from_file = load_workbook(SAMPLE, read_only=True).active[f"{SATISFACTION_COLUMN}{UNIT_ROW}"].value
    with store.connect(db) as con:
        before = league(con, INDICATOR, MONTH).ranking.table.set_index("unit_code").at[UNIT, "shown_value"]
    assert before != from_file  # otherwise the rankings step could not tell the upload from the demo data

    with start_server(db, tmp_path / "streamlit.log") as url:
        context = browser.new_context(locale="vi-VN", viewport=VIEWPORT, accept_downloads=True)
        page = context.new_page()
        watcher = _RunWatcher(page)

        def rerun(action, what: str) -> None:
            finished = watcher.finished
            action()
            watcher.wait_for_run(finished, what)

        def no_errors() -> None:
            expect(page.locator(ERRORS)).to_have_count(0)

        # 1. sign in: the app opens on the Overview
        page.goto(url + "/")
        watcher.wait_for_run(0, "opening the app")
        sign_in_through_the_form(page)
        expect(page.get_by_role("heading", level=1, name="Tổng quan chuyển đổi số cấp xã")).to_be_visible()
        no_errors()
        screenshot(page, "journey_1_signed_in_vi.png")

        # 2. upload the Sơn La file of September and commit it
        rerun(lambda: _sidebar_link(page, "Tải lên số liệu").click(), "opening Upload")
        expect(page.get_by_role("heading", level=1, name="Tải lên số liệu")).to_be_visible()
        page.locator('input[type="file"]').set_input_files(str(SAMPLE))
        commit = page.get_by_role("button", name="Ghi vào cơ sở dữ liệu")
        expect(commit).to_be_disabled()  # far changes from the stored month wait for a person
        page.get_by_text("Tôi đã kiểm tra các giá trị và đơn vị được tô vàng; chúng đúng.").click()
        expect(commit).to_be_enabled()
        commit.click()
        expect(page.get_by_text("Đã ghi lô số")).to_be_visible()
        no_errors()
        screenshot(page, "journey_2_uploaded_vi.png")
        with store.connect(db) as con:
            batch, periods = con.execute("SELECT batch_id, periods FROM batch ORDER BY batch_id DESC LIMIT 1"
                                         ).fetchall()[0]
            stored = con.execute("SELECT value FROM observation WHERE is_current AND unit_code = ? AND period = ?"
                                 " AND indicator_code = ? AND batch_id = ?", [UNIT, MONTH, INDICATOR, batch]
                                 ).fetchall()
            after = league(con, INDICATOR, MONTH)
        ranked = after.ranking.table.set_index("unit_code").loc[UNIT]
        assert periods == [MONTH] and stored == [(from_file,)] and ranked["shown_value"] == from_file

        # 3. the rankings of that month: the commune stands where the new value puts it
        rerun(lambda: page.get_by_role("link", name="Xem xếp hạng kỳ Tháng 9/2026").click(), "opening Rankings")
        expect(page.get_by_role("heading", level=1, name="Xếp hạng xã, phường, đặc khu")).to_be_visible()
        rerun(lambda: _pick(page, "Chỉ tiêu", "hài lòng", lambda options: options.get_by_text("Tỷ lệ hài lòng",
                                                                                      exact=True)),
              "choosing the indicator")
        rerun(lambda: _pick(page, "Tìm xã của bạn", "To Hieu", lambda options: options.filter(has_text=UNIT)),
              "finding the commune")
        expect(page.get_by_role("heading").filter(has_text="Tháng 9/2026").first).to_be_visible()
        cards = page.get_by_test_id("stMetricValue")
        expect(cards.nth(0)).to_have_text(f"{format_number(ranked['rank'], 'vi')}/"
                                          f"{format_number(ranked['rank_of'], 'vi')}")
        expect(cards.nth(1)).to_have_text(format_number(from_file, "vi", after.decimals))  # the file's value
        no_errors()
        screenshot(page, "journey_3_rankings_vi.png")

        # 4. its profile, opened from the rankings, on the same month
        with store.connect(db) as con:
            shown = profile(con, UNIT, MONTH)
        rerun(lambda: page.get_by_role("link", name=f"Mở hồ sơ {shown.name('vi')}").click(), "opening the profile")
        expect(page.get_by_role("heading", level=1, name="Hồ sơ đơn vị")).to_be_visible()
        expect(page.get_by_role("heading", level=2, name=shown.name("vi"))).to_be_visible()
        expect(page.get_by_text(f"mã {UNIT}").first).to_contain_text("Tháng 9/2026")
        no_errors()
        screenshot(page, "journey_4_profile_vi.png")

        # 5. English: the same unit and month, every word in the other language
        sidebar = page.get_by_test_id("stSidebar")
        rerun(lambda: sidebar.get_by_role("radiogroup", name=SWITCH_LABEL).get_by_text(LANGUAGE_NAME["en"]).click(),
              "switching to English")
        expect(page.get_by_role("heading", level=1, name="Unit profile")).to_be_visible()
        expect(page.get_by_role("heading", level=2, name=shown.name("en"))).to_be_visible()
        expect(page.get_by_text(f"code {UNIT}").first).to_contain_text("9/2026")
        no_errors()
        screenshot(page, "journey_5_profile_en.png")

        # 6. the meeting pack of that unit and month, and the deck downloaded and opened
        with store.connect(db) as con:
            pack = meeting_content(con, UNIT, MONTH, "en")
        rerun(lambda: page.get_by_role("link", name=f"Present or download the meeting slides of {shown.name('en')}"
                                       ).click(), "opening the meeting pack")
        expect(page.get_by_role("heading", level=1, name=pack.slides[0].title)).to_be_visible()
        expect(page.get_by_text(pack.slides[0].subtitle)).to_be_visible()
        no_errors()
        screenshot(page, "journey_6_present_en.png")
        with page.expect_download() as download_info:
            page.get_by_role("button", name="Download PowerPoint (.pptx)").click()
        download = download_info.value
        assert download.failure() is None
        assert download.suggested_filename == f"{pack.file_stem}.pptx" == f"xaso_{UNIT}_{MONTH}_en.pptx"
        deck_file = tmp_path / download.suggested_filename
        download.save_as(deck_file)
        assert page.evaluate(FOREIGN_RESOURCES, url) == []  # the whole visit loaded nothing from outside the machine
        context.close()

    deck = Presentation(str(deck_file))
    texts = [[shape.text_frame.text for shape in slide.shapes if shape.has_text_frame] for slide in deck.slides]
    assert [slide.title in shown_texts for slide, shown_texts in zip(pack.slides, texts)] == [True] * len(pack.slides)
    assert len(deck.slides) == len(pack.slides) == 8
    assert pack.slides[0].subtitle in texts[0] and "9/2026" in texts[0]
    headlines = next(shape.chart for shape in deck.slides[1].shapes if shape.has_chart)
    categories = list(headlines.plots[0].categories)
    this_month = headlines.plots[0].series[0].values
    assert this_month[categories.index("Satisfaction rate")] == pytest.approx(from_file)  # the uploaded figure
