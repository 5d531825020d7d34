"""Hostile text in a file (unit names, sheet names, column headers) is kept and shown as plain text."""

from __future__ import annotations

import io
import re

import duckdb
import pytest
from openpyxl import Workbook

from etl.load import load_file
from tests.etl.hostile_files import corpus
from tests.pages.conftest import as_shown, shown_text
from ui.text import visible
from tests.pages.test_upload import open_upload, upload

SHEET = "x'; DROP TABLE unit; --<b>"
HEADER = '=HYPERLINK("http://evil.example","x")'
SCRIPT = "<script>alert(1)</script> Số hồ sơ tiếp nhận"
UNIT = "Xã <img src=x onerror=alert(1)>'); DROP TABLE observation; --"


def hostile_workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(["BÁO CÁO THÁNG 9/2026"])
    sheet.append(["Mã xã", "Tên đơn vị", "Tổng số hồ sơ tiếp nhận", "Số hồ sơ trực tuyến", HEADER, SCRIPT])
    sheet["E2"].data_type = "s"  # text that looks like a formula, as a pasted header would be
    sheet.append(["08377", "Xã Vân Bán", 300, 200, 5, 7])
    sheet.append([None, UNIT, 100, 50, 1, 2])
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def counts(db) -> tuple[int, int]:
    with duckdb.connect(str(db)) as con:
        return con.execute("SELECT (SELECT count(*) FROM unit), (SELECT count(*) FROM observation)").fetchone()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_upload_review_shows_hostile_text_as_text_and_stores_nothing(fresh_db, monkeypatch, lang):
    before = counts(fresh_db)
    app = upload(open_upload(fresh_db, lang, monkeypatch), ("hostile.xlsx", hostile_workbook()))

    text = shown_text(app)
    assert "onerror=alert(1)" in text  # the unit name, quoted back in its problem, as it was written
    assert SHEET in text or SHEET.replace("'", "\\'") in text
    assert not any(element.proto.allow_html for element in app.markdown if hasattr(element.proto, "allow_html")
                   and "alert(1)" in element.value)
    assert counts(fresh_db) == before  # the unmatched unit blocks the file: nothing written


def test_a_loaded_file_keeps_hostile_sheet_and_column_names_verbatim_in_its_batch(fresh_db, tmp_path):
    path = tmp_path / "hostile.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(["BÁO CÁO THÁNG 9/2026"])
    sheet.append(["Mã xã", "Tổng số hồ sơ tiếp nhận", HEADER])
    sheet["C2"].data_type = "s"
    sheet.append(["08377", 300, 912345678])  # a phone number: reported, never an indicator that stops the load
    book.save(path)

    result = load_file(path, db=fresh_db, user="tester")

    assert result.status == "loaded"
    with duckdb.connect(str(fresh_db)) as con:
        report = con.execute("SELECT report FROM batch").fetchone()[0]
        assert con.execute("SELECT count(*) FROM unit").fetchone()[0] == 3355
    assert SHEET in report and "HYPERLINK" in report
    assert [p.code for p in result.review.warnings if p.column and "HYPERLINK" in p.column] == ["unmapped_column"]


# -- the hostile corpus through the Upload page ------------------------------------------------------

RAW_MARKUP = re.compile(r"(?<!\\)(\]\(|<(img|b|i|script|a)\b)", re.IGNORECASE)  # what Markdown would make live


def markdown_texts(app) -> list[tuple[str, str]]:
    """(field, text) of every text of the page that Streamlit reads as Markdown: bodies, labels, help,
    tab and expander names (dataframe cells are shown literally and are left out)."""
    found: list[tuple[str, str]] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and type(proto).__name__ not in ("Arrow", "DataFrame"):
            for name in ("body", "label", "help", "text"):
                value = getattr(proto, name, None)
                if isinstance(value, str) and value:
                    found.append((name, value))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(app._tree)
    return found


@pytest.mark.parametrize("hostile", corpus(), ids=lambda h: h.attack)
def test_each_hostile_file_on_the_upload_page_shows_its_text_literally_and_writes_nothing(fresh_db, monkeypatch,
                                                                                          hostile):
    before = counts(fresh_db)
    app = upload(open_upload(fresh_db, "en", monkeypatch), (hostile.name, hostile.data))

    texts = markdown_texts(app)
    assert [text for _field, text in texts if RAW_MARKUP.search(text)] == []  # no link, image or tag from the file
    shown = "\n".join(as_shown(text) for _field, text in texts) + as_shown(shown_text(app))
    for text in hostile.strings:
        assert visible(text)[:60] in shown, text[:80]
    # a 100,000-character name is cut where it is a line of the page; the whole of it only on hover
    assert [field for field, text in texts if field != "help" and ("x" * 200 in text or "y" * 200 in text)] == []
    assert counts(fresh_db) == before  # reviewing writes nothing
