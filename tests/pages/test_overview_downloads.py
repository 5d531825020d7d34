"""The Overview table downloads as a formatted xlsx and a CSV (ui/exports.table_downloads)."""

from __future__ import annotations

import io
import shutil

import pytest
from openpyxl import load_workbook

import store
from tests.pages.conftest import open_app, raw_keys

HOSTILE = '=HYPERLINK("http://evil.example","Bấm vào đây")'


@pytest.mark.parametrize(("lang", "title", "buttons"), [
    ("vi", "Các đơn vị trong phạm vi · Tỉnh Phú Thọ · Tháng 10/2026", ["Tải Excel (.xlsx)", "Tải CSV"]),
    ("en", "Units in scope · Phu Tho · 10/2026", ["Download Excel (.xlsx)", "Download CSV"])])
def test_a_hostile_unit_name_is_exported_as_text_beside_numbers_with_their_formats(demo_db, tmp_path, monkeypatch,
                                                                                    downloads, lang, title, buttons):
    db = tmp_path / "hostile.duckdb"
    shutil.copy(demo_db, db)
    with store.connect(db) as con:
        con.execute("UPDATE unit SET full_name_vi = ?, name_en = ? WHERE code = '08377'", [HOSTILE, HOSTILE])
    app = open_app(db, lang, monkeypatch)
    app.segmented_control(key=f"overview_level.{lang}").set_value("province").run()
    app.selectbox(key=f"overview_province.{lang}").set_value("25").run()

    assert [b.label for b in app.get("download_button")] == buttons
    sheet = load_workbook(io.BytesIO(downloads["xaso_25_2026-10.xlsx"]())).active
    assert sheet["A1"].value == title and sheet["A1"].font.bold
    assert sheet.freeze_panes == "A3" and all(cell.font.bold for cell in sheet[2])
    # rank, code, name, province, the 766 index (two decimals), then the rates (one): best first, as on screen
    row = next(r for r in sheet.iter_rows(min_row=3) if r[1].value == "08377")
    assert row[0].data_type == "n" and isinstance(row[0].value, int)
    assert row[2].value == "'" + HOSTILE and row[2].data_type == "s"
    assert row[4].data_type == "n" and row[4].number_format == "#,##0.00"
    assert row[5].data_type == "n" and row[5].number_format == "#,##0.0"
    ranks = [r[0].value for r in sheet.iter_rows(min_row=3) if r[0].value is not None]
    assert ranks == sorted(ranks) and ranks[0] == 1
    assert sheet.max_row == 2 + 148  # every commune of Phú Thọ
    assert downloads["xaso_25_2026-10.csv"]().startswith(b"\xef\xbb\xbf")
    assert raw_keys(app) == []


def test_the_title_row_names_the_commune_and_the_month(demo_db, monkeypatch, downloads):
    app = open_app(demo_db, "vi", monkeypatch)
    app.segmented_control(key="overview_level.vi").set_value("commune").run()
    app.selectbox(key="overview_province.vi").set_value("25").run()
    app.selectbox(key="overview_commune.vi").set_value("08377").run()

    sheet = load_workbook(io.BytesIO(downloads["xaso_08377_2026-10.xlsx"]())).active
    assert sheet["A1"].value == "Các đơn vị trong phạm vi · Xã Vân Bán, Phú Thọ · Tháng 10/2026"
    assert sheet.max_row == 3
