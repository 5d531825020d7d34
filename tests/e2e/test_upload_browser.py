"""The Upload page in a real browser: a real sample file through the drop zone, reviewed, committed."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

import store
from tests.conftest import SAMPLES
from tests.e2e.test_overview_browser import ERRORS

pytestmark = pytest.mark.e2e
expect.set_options(timeout=30_000)

SAMPLE = SAMPLES / "sonla_2026-09_chuyen_doi_so.xlsx"


def test_a_sample_dropped_in_the_browser_is_reviewed_committed_and_linked_to_its_rankings(browser, demo_db,
                                                                                          tmp_path, screenshot):
    from tests.e2e.conftest import E2E_USER, VIEWPORT, sign_in_through_the_form, start_server

    db = tmp_path / "upload.duckdb"  # a copy: this test writes, the session's other tests must not see it
    shutil.copy(demo_db, db)
    with start_server(db, tmp_path / "streamlit.log") as url:
        context = browser.new_context(locale="vi-VN", viewport=VIEWPORT)
        page = context.new_page()
        page.goto(url + "/upload")
        sign_in_through_the_form(page)  # the link's page opens once the analyst has signed in
        expect(page.get_by_role("heading", level=1, name="Tải lên số liệu")).to_be_visible()
        expect(page.get_by_text("Tối đa 50 MB mỗi tệp")).to_be_visible()

        page.locator('input[type="file"]').set_input_files(str(SAMPLE))

        expect(page.get_by_role("tab", name=SAMPLE.name)).to_be_visible()
        expect(page.get_by_text("Có thể ghi: ")).to_contain_text("45 đơn vị")
        commit = page.get_by_role("button", name="Ghi vào cơ sở dữ liệu")
        expect(commit).to_be_disabled()  # the demo data holds September: far changes wait for a person
        page.get_by_text("Tôi đã kiểm tra các giá trị và đơn vị được tô vàng; chúng đúng.").click()
        expect(commit).to_be_enabled()
        commit.click()

        expect(page.get_by_text("Đã ghi lô số")).to_be_visible()
        link = page.get_by_role("link", name="Xem xếp hạng kỳ Tháng 9/2026")
        expect(link).to_be_visible()
        expect(page.locator(ERRORS)).to_have_count(0)
        screenshot(page, "upload_committed_vi.png")
        with store.connect(db) as con:
            assert con.execute("SELECT file_name, status, periods, loaded_by FROM batch ORDER BY batch_id DESC LIMIT 1"
                               ).fetchall() == [(SAMPLE.name, "loaded", ["2026-09"], E2E_USER)]

        link.click()
        expect(page.get_by_role("heading", level=1, name="Xếp hạng xã, phường, đặc khu")).to_be_visible()
        # the rankings open on the uploaded month, not on the latest one
        expect(page.get_by_role("heading").filter(has_text="Tháng 9/2026").first).to_be_visible()
        expect(page.get_by_role("heading").filter(has_text="Tháng 10/2026")).to_have_count(0)
        context.close()
