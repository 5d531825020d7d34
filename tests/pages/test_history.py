"""The upload history page, in both languages: the batches, what one changed, and a confirmed rollback."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

import store
from i18n import format_number
from etl.load import load_file
from etl.template import FIRST_DATA_ROW, template_file_name, template_workbook
from tests.pages.conftest import open_page, raw_keys
from ui.history import already_loaded_note

DEMO_BATCHES, MONTH = 16, "2026-10"
CORRECTED = {"00004": 1500, "00008": 900, "00025": 1234}  # dossiers received in October, corrected
TITLES = {"vi": "Lịch sử tải lên", "en": "Upload history"}


def open_history(db: Path, lang: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return open_page(db, lang, monkeypatch, "history")


def received(db: Path) -> dict[str, float]:
    """The October dossiers-received values in force for the corrected communes, read straight from the table."""
    with duckdb.connect(str(db), read_only=True) as con:
        return dict(con.execute(
            "SELECT unit_code, value FROM observation WHERE is_current AND indicator_code = 'dossiers_received'"
            " AND period = ? AND list_contains(?, unit_code)", [MONTH, list(CORRECTED)]).fetchall())


@pytest.fixture
def corrected_db(demo_db: Path, tmp_path: Path) -> Path:
    """The demo data plus batch 17: a Hà Nội template for October correcting three communes' counts."""
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)  # rolling back writes: never into the shared demo database
    with store.connect(db) as con:
        data = template_workbook(con, "01", MONTH, ["dossiers_received"])
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    for row in range(FIRST_DATA_ROW, sheet.max_row + 1):
        if sheet.cell(row, 2).value in CORRECTED:
            sheet.cell(row, 4, CORRECTED[sheet.cell(row, 2).value])
    path = tmp_path / template_file_name("01", MONTH)
    book.save(path)
    assert load_file(path, db=db, user="kiem-tra").batch_id == DEMO_BATCHES + 1
    return db


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_list_shows_every_batch_of_the_demo_data_newest_first(demo_db, monkeypatch, lang):
    app = open_history(demo_db, lang, monkeypatch)

    batches = app.dataframe[0].value
    assert app.title[0].value == TITLES[lang]
    assert batches.iloc[:, 0].tolist() == list(range(DEMO_BATCHES, 0, -1))
    assert batches.iloc[0, 3] == "bao_cao_chuyen_doi_so_2026-10.xlsx" and batches.iloc[0, 2] == "demo"
    assert batches.iloc[0, 4] == {"vi": "Tháng 10/2026", "en": "10/2026"}[lang]
    assert set(batches.iloc[:, 6]) == {{"vi": "đã nạp", "en": "loaded"}[lang]}
    with duckdb.connect(str(demo_db), read_only=True) as con:
        rows = [r[0] for r in con.execute("SELECT rows_loaded FROM batch ORDER BY batch_id DESC").fetchall()]
    assert batches.iloc[:, 5].tolist() == rows
    assert raw_keys(app) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_correction_shows_each_value_before_and_after(corrected_db, monkeypatch, lang):
    app = open_history(corrected_db, lang, monkeypatch)

    changes = app.dataframe[1].value  # the newest batch is chosen first

    assert changes.iloc[:, 1].tolist() == sorted(CORRECTED)
    # counts shown whole, in the locale: 1.500 in Vietnamese, 1,500 in English
    assert dict(zip(changes.iloc[:, 1], changes.iloc[:, 5])) == {
        code: format_number(value, lang, 0) for code, value in CORRECTED.items()}
    # "before" is the value the demo's October batch loaded, read straight from the table
    assert dict(zip(changes.iloc[:, 1], changes.iloc[:, 4])) == {
        code: format_number(value, lang, 0) for code, value in _demo_values(corrected_db).items()}
    assert changes.iloc[0, 0] == {"vi": "Phường Ba Đình", "en": "Ba Dinh"}[lang]
    assert changes.iloc[0, 2] == {"vi": "Tổng số hồ sơ tiếp nhận", "en": "Dossiers received"}[lang]
    assert received(corrected_db) == CORRECTED  # the correction is what is in force
    assert [m.value for m in app.metric][:3] == ["3", "0", "3"]
    assert raw_keys(app) == []


def _demo_values(db: Path) -> dict[str, float]:
    with duckdb.connect(str(db), read_only=True) as con:
        return dict(con.execute(
            "SELECT unit_code, value FROM observation WHERE batch_id = ? AND indicator_code = 'dossiers_received'"
            " AND period = ? AND list_contains(?, unit_code)", [DEMO_BATCHES, MONTH, list(CORRECTED)]).fetchall())


def test_picking_an_older_batch_shows_its_values(demo_db, monkeypatch):
    app = open_history(demo_db, "vi", monkeypatch)

    app.selectbox(key="history_batch.vi").set_value(3).run()

    with duckdb.connect(str(demo_db), read_only=True) as con:
        written, first = con.execute(
            "SELECT count(*), min(unit_code) FROM observation WHERE batch_id = 3").fetchall()[0]
    shown = app.dataframe[1].value
    assert app.metric[0].value == f"{written:,}".replace(",", ".")
    assert len(shown) == 1000 and shown.iloc[0, 1] == first
    assert set(shown.iloc[:, 3]) == {"Tháng 9/2025"}
    assert set(shown.iloc[:, 4]) == {"(chưa có)"}  # a month's first load: nothing before
    assert any(c.value.startswith(f"Hiển thị 1.000 trên {written:,}".replace(",", ".")) for c in app.caption)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_rollback_needs_the_batch_number_typed_and_restores_the_values_before(corrected_db, monkeypatch, lang):
    demo_values = _demo_values(corrected_db)
    app = open_history(corrected_db, lang, monkeypatch)
    batch = DEMO_BATCHES + 1
    assert app.button(key=f"history_rollback_{batch}").disabled  # nothing happens before the number is typed
    assert {"vi": "3 giá trị trở về số đã nạp trước đó, 0 giá trị trở thành trống",
            "en": "3 go back to the figure loaded before, 0 become empty"}[lang] in app.warning[0].value

    app.text_input(key=f"history_sure_{batch}").input(str(batch - 1)).run()  # another batch's number
    assert app.button(key=f"history_rollback_{batch}").disabled
    app.text_input(key=f"history_sure_{batch}").input(f" {batch} ").run()
    app.button(key=f"history_rollback_{batch}").click().run()

    assert not app.exception, [e.value for e in app.exception]
    assert received(corrected_db) == demo_values
    assert app.success[0].value == {"vi": "Đã hoàn tác lô 17: 3 giá trị trở về như trước.",
                                    "en": "Batch 17 rolled back: 3 values are back to what they were."}[lang]
    batches = app.dataframe[0].value
    assert batches.iloc[0, 6] == {"vi": "đã hoàn tác", "en": "rolled back"}[lang]
    assert not [b for b in app.button if b.key == f"history_rollback_{DEMO_BATCHES + 1}"]
    assert raw_keys(app) == []


def test_the_changes_download_as_xlsx_and_csv(corrected_db, monkeypatch, downloads):
    open_history(corrected_db, "vi", monkeypatch)

    sheet = load_workbook(io.BytesIO(downloads["lo_17_thay-doi.xlsx"]())).active
    assert sheet.title == "Thay đổi"
    assert sheet["A1"].value == "Các giá trị lô 17 đã ghi (trước và sau)"
    assert [c.value for c in sheet[2]][:6] == ["Đơn vị", "Mã", "Chỉ tiêu", "Kỳ", "Trước", "Sau"]
    assert {row[1]: row[5] for row in sheet.iter_rows(min_row=3, values_only=True)} == CORRECTED
    assert downloads["lo_17_thay-doi.csv"]().startswith(b"\xef\xbb\xbf")


def test_the_english_download_names_its_sheet_in_english(corrected_db, monkeypatch, downloads):
    open_history(corrected_db, "en", monkeypatch)

    sheet = load_workbook(io.BytesIO(downloads["lo_17_thay-doi.xlsx"]())).active  # built after the run, as on a click
    assert sheet.title == "Changes" and sheet["A1"].value.startswith("Values written by batch 17")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_an_empty_database_says_how_to_load(fresh_db, monkeypatch, lang):
    app = open_history(fresh_db, lang, monkeypatch)

    assert "python -m etl load" in app.code[0].value
    assert len(app.dataframe) == 0 and raw_keys(app) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_an_identical_file_uploaded_again_is_named_with_when_and_by_whom(fresh_db, tmp_path, lang):
    with store.connect(fresh_db) as con:
        data = template_workbook(con, "01", MONTH, ["docs_outgoing"])
    book = load_workbook(io.BytesIO(data))
    book.worksheets[0].cell(FIRST_DATA_ROW, 4, 12)
    path = tmp_path / template_file_name("01", MONTH)
    book.save(path)
    first = load_file(path, db=fresh_db, user="an")

    again = load_file(path, db=fresh_db, user="binh")

    with duckdb.connect(str(fresh_db), read_only=True) as con:
        loaded_at = con.execute("SELECT loaded_at FROM batch WHERE batch_id = ?", [first.batch_id]).fetchall()[0][0]
    assert again.status == "unchanged"
    assert already_loaded_note(again.review.already_loaded, lang) == {
        "vi": f"Tệp này đã tải lên lúc {loaded_at:%d/%m/%Y %H:%M} bởi an (lô 1).",
        "en": f"This file was already uploaded at {loaded_at:%Y-%m-%d %H:%M} by an (batch 1)."}[lang]
