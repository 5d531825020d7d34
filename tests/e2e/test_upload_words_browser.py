"""Streamlit's own words on the Upload page: a Vietnamese reader sees Vietnamese only (the uploader's
button and hint, the message while a file is dragged over, an empty picker's "No results"), and the
English page still reads English. Checked in Chromium on what is drawn, not on the page source: the
covered English words stay in the page at size 0, the catalog's words are drawn in their place."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from i18n import translate
from tests.conftest import SAMPLES
from tests.e2e.test_overview_browser import ERRORS
from ui.i18n import STREAMLIT_WORDS

pytestmark = pytest.mark.e2e
expect.set_options(timeout=30_000)

SAMPLE = SAMPLES / "sonla_2026-09_chuyen_doi_so.xlsx"
# Streamlit 1.67's English words a page can show (its bundle's strings), as patterns over one text node
ENGLISH = [r"^Upload$", r"Drag and drop", r"Browse files", r"per file", r"No results", r"not allowed",
           r"Choose an? options?", r"^Add files$"]

# Every text node a reader can see (drawn with a size, not hidden), and every word drawn by CSS after an element
_DRAWN = """(patterns) => {
  const res = patterns.map((p) => new RegExp(p));
  const seen = [], walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim(), el = node.parentElement;
    if (!text || !el || el.closest('script, style')) continue;
    const style = getComputedStyle(el), box = el.getBoundingClientRect();
    if (parseFloat(style.fontSize) === 0 || style.visibility === 'hidden' || style.opacity === '0'
        || box.width <= 1 || box.height <= 1) continue;
    if (res.some((re) => re.test(text))) seen.push(text);
  }
  return seen;
}"""
_AFTER = """(selectors) => selectors.flatMap((s) => [...document.querySelectorAll(s)])
  .map((el) => getComputedStyle(el, '::after').content).filter((c) => c && c !== 'none' && c !== 'normal')"""


def english_shown(page) -> list[str]:
    return page.evaluate(_DRAWN, ENGLISH)


def drawn_after(page) -> list[str]:
    return [content.strip('"') for content in page.evaluate(_AFTER, [s for s, _key in STREAMLIT_WORDS])]


def drag_over(page, rerun=None) -> object:
    transfer = page.evaluate_handle('() => { const d = new DataTransfer(); d.items.add(new File(["x"], "a.xlsx"));'
                                    ' return d; }')
    page.locator('[data-testid="stFileUploaderDropzone"]').dispatch_event("dragenter", {"dataTransfer": transfer})
    return transfer


def test_no_english_streamlit_word_is_visible_on_the_vietnamese_upload_page(open_app, rerun, screenshot):
    page = open_app("vi-VN", "/upload")
    expect(page.get_by_role("heading", level=1, name="Tải lên số liệu")).to_be_visible()
    zone = page.locator('[data-testid="stFileUploaderDropzone"]')
    expect(zone).to_be_visible()
    assert english_shown(page) == []
    words = drawn_after(page)
    assert translate("streamlit.upload", "vi") in words and translate("streamlit.upload_hint", "vi") in words
    screenshot(page, "upload_words_vi.png")

    transfer = drag_over(page)  # a file held over the zone: Streamlit's "Drag and drop files here"
    expect(zone.get_by_text("Drag and drop", exact=False)).to_have_count(1)
    assert english_shown(page) == []
    assert translate("streamlit.drop_here", "vi") in drawn_after(page)
    zone.dispatch_event("dragleave", {"dataTransfer": transfer})

    rerun(page, lambda: page.locator('input[type="file"]').set_input_files(str(SAMPLE)))
    expect(page.get_by_text("Có thể ghi: ")).to_contain_text("45 đơn vị")
    assert english_shown(page) == []
    page.get_by_text("Ghép cột với chỉ tiêu").click()  # the column pickers: an expander, opened in the page
    picker = page.locator('.stMain [data-testid="stSelectbox"]:visible').first
    picker.click()
    page.keyboard.type("zqxzqx")  # matches no option: Streamlit's "No results"
    listbox = page.locator('[role="listbox"][data-empty="true"]')
    expect(listbox).to_have_count(1)
    assert english_shown(page) == []
    assert translate("streamlit.no_results", "vi") in drawn_after(page)
    screenshot(page, "upload_words_vi_no_results.png")
    page.keyboard.press("Escape")
    expect(page.locator(ERRORS)).to_have_count(0)


def test_the_english_upload_page_still_reads_english(open_app):
    page = open_app("en-US", "/upload")
    expect(page.get_by_role("heading", level=1, name="Upload data")).to_be_visible()
    zone = page.locator('[data-testid="stFileUploaderDropzone"]')
    expect(zone.get_by_text("Upload", exact=True)).to_be_visible()
    expect(zone.get_by_text(re.compile(r"per file"))).to_be_visible()
    assert drawn_after(page) == []  # nothing covered
    shown = english_shown(page)  # and the detector the Vietnamese test relies on sees them
    assert "Upload" in shown and any("per file" in text for text in shown), shown
