"""A report template, downloaded for a real province and month, filled in and loaded with no question."""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

import store
from etl.load import load_file
from etl.template import (FIRST_DATA_ROW, HEADER_ROW, default_indicators, template_file_name, template_indicators,
                          template_workbook)

HA_NOI, HA_NOI_COMMUNES = "01", 126
MONTH = "2026-10"
FILLED = ["dossiers_received", "dossiers_on_time", "dossiers_overdue", "avg_processing_days"]
COLUMN_QUESTIONS = {"unmapped_column", "low_confidence_column", "no_unit_column", "no_indicator_columns",
                    "no_period", "period_disagrees"}


def make_template(db: Path, codes: list[str] | None = None, lang: str = "vi", province: str = HA_NOI) -> bytes:
    with store.connect(db) as con:
        return template_workbook(con, province, MONTH, codes, lang)


def fill(data: bytes, target: Path, values: dict[int, list[float | int | None]]) -> dict[str, dict[str, float]]:
    """Write each data row's values (by position in the sheet) as a person would; return unit -> code -> value."""
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    codes = [cell.value for cell in sheet[HEADER_ROW]]
    written: dict[str, dict[str, float]] = {}
    for offset, row_values in values.items():
        row = FIRST_DATA_ROW + offset
        unit = sheet.cell(row, 2).value
        for col, value in enumerate(row_values, start=4):
            sheet.cell(row, col, value)
            if value is not None:
                written.setdefault(unit, {})[codes[col - 1]] = float(value)
    book.save(target)
    return written


def test_filled_template_loads_without_mapping_and_stores_what_was_written(fresh_db, tmp_path):
    data = make_template(fresh_db, FILLED)
    rows = {i: [200 + i, 190 + i, 10, round(2.5 + i / 10, 1)] for i in range(HA_NOI_COMMUNES)}
    rows[5] = [50, None, None, None]  # a commune that reported only what it received
    path = tmp_path / template_file_name(HA_NOI, MONTH)
    written_by_label = fill(data, path, rows)

    result = load_file(path, db=fresh_db, user="tester")

    problems = result.review.problems
    assert result.status == "loaded", [p.message("en") for p in result.review.errors]
    assert not COLUMN_QUESTIONS & {p.code for p in problems}
    # the instructions sheet is the only thing the loader mentions, as notes it skips
    assert [(p.code, p.sheet) for p in problems] == [("sheet_without_table", "Hướng dẫn")]
    sheet = result.review.sheets[0]
    assert all(m.accepted and m.confidence == 1.0 and m.how == "exact" for m in sheet.mappings)
    assert [m.target for m in sheet.mappings] == ["_seq", "_unit_code", "_unit_name", *FILLED]
    assert (sheet.period, sheet.period_source) == (MONTH, "title")
    with duckdb.connect(str(fresh_db)) as con:
        stored = con.execute("""
            SELECT o.unit_code, i.name_vi, o.value FROM observation o JOIN indicator i ON i.code = o.indicator_code
            WHERE o.is_current AND NOT o.derived AND o.period = ?""", [MONTH]).fetchall()
        derived = con.execute("SELECT indicator_code, count(*) FROM observation WHERE derived GROUP BY ALL").fetchall()
    assert {(unit, label): value for unit, label, value in stored} == {
        (unit, label): value for unit, by_label in written_by_label.items() for label, value in by_label.items()}
    assert len(written_by_label) == HA_NOI_COMMUNES
    # the rates follow from the counts: on-time rate and progress score for every unit with both counts
    assert dict(derived) == {"on_time_rate": HA_NOI_COMMUNES - 1, "progress_score": HA_NOI_COMMUNES - 1}


def test_an_english_template_loads_the_same_way(fresh_db, tmp_path):
    path = tmp_path / template_file_name(HA_NOI, MONTH)
    fill(make_template(fresh_db, ["dossiers_received", "docs_outgoing"], "en"), path, {0: [12, 30], 1: [7, 4]})

    result = load_file(path, db=fresh_db)

    assert result.status == "loaded" and result.review.periods == [MONTH]
    assert [p.code for p in result.review.problems] == ["sheet_without_table"]
    assert result.rows_loaded == 4


def test_every_commune_of_the_province_is_prefilled_with_its_code_as_text(fresh_db):
    sheet = load_workbook(io.BytesIO(make_template(fresh_db))).worksheets[0]
    with duckdb.connect(str(fresh_db)) as con:
        expected = con.execute("SELECT code, full_name_vi FROM unit WHERE parent_code = ? ORDER BY code",
                               [HA_NOI]).fetchall()

    rows = [(r[1], r[2]) for r in sheet.iter_rows(min_row=FIRST_DATA_ROW, values_only=True)]

    assert rows == expected and len(rows) == HA_NOI_COMMUNES
    assert rows[0] == ("00004", "Phường Ba Đình")  # the leading zeros survive as text
    assert all(sheet.cell(FIRST_DATA_ROW + i, 2).data_type == "s" for i in range(HA_NOI_COMMUNES))
    assert sheet["A1"].value == "BÁO CÁO SỐ LIỆU CHUYỂN ĐỔI SỐ CẤP XÃ — THÀNH PHỐ HÀ NỘI — THÁNG 10/2026"


def test_only_the_value_cells_are_unlocked_on_a_protected_sheet(fresh_db):
    sheet = load_workbook(io.BytesIO(make_template(fresh_db, FILLED))).worksheets[0]
    last_row = FIRST_DATA_ROW + HA_NOI_COMMUNES - 1

    assert sheet.protection.sheet is True and not sheet.protection.password
    assert sheet.freeze_panes == f"D{FIRST_DATA_ROW}"
    assert all(sheet.cell(HEADER_ROW, col).protection.locked for col in range(1, 8))
    assert all(sheet.cell(row, col).protection.locked for row in (FIRST_DATA_ROW, last_row) for col in (1, 2, 3))
    assert not any(sheet.cell(row, col).protection.locked for row in (FIRST_DATA_ROW, last_row) for col in range(4, 8))
    assert sheet.column_dimensions["C"].width > 16


def test_each_indicator_column_validates_numbers_within_the_catalog_range(fresh_db):
    codes = ["dossiers_received", "avg_processing_days", "transparency_score"]
    sheet = load_workbook(io.BytesIO(make_template(fresh_db, codes))).worksheets[0]
    last_row = FIRST_DATA_ROW + HA_NOI_COMMUNES - 1

    rules = {str(v.sqref): v for v in sheet.data_validations.dataValidation}

    received, days, transparency = (rules[f"{c}{FIRST_DATA_ROW}:{c}{last_row}"] for c in "DEF")
    assert (received.type, received.operator, received.formula1) == ("whole", "greaterThanOrEqual", "0")
    assert (days.type, days.operator, days.formula1) == ("decimal", "greaterThanOrEqual", "0")
    assert (transparency.type, transparency.operator, transparency.formula1, transparency.formula2) == (
        "decimal", "between", "0", "18")
    assert all(v.allow_blank and v.showErrorMessage and v.showInputMessage for v in rules.values())
    assert transparency.error == "Ô này chỉ nhận một số từ 0 đến 18. Để trống nếu chưa có số liệu."
    assert "Để trống" in received.prompt and len(received.prompt) <= 255
    assert received.promptTitle == "Tổng số hồ sơ tiếp nhận"


def test_a_long_indicator_name_is_cut_at_a_word_for_excels_32_character_title(fresh_db):
    sheet = load_workbook(io.BytesIO(make_template(fresh_db, ["dossiers_on_time"]))).worksheets[0]

    title = sheet.data_validations.dataValidation[0].promptTitle

    assert title == "Hồ sơ giải quyết trước hạn và…" and len(title) <= 32


def test_the_instructions_sheet_explains_each_column_in_vietnamese(fresh_db):
    book = load_workbook(io.BytesIO(make_template(fresh_db, FILLED)))

    assert book.sheetnames == ["Tháng 10-2026", "Hướng dẫn"]
    text = "\n".join(str(c) for c in book["Hướng dẫn"]["A"] for c in [c.value] if c)
    assert "Cột D — Tổng số hồ sơ tiếp nhận: đơn vị tính số lượng; số nguyên, không âm." in text
    assert "Cột G — Thời gian giải quyết trung bình (ngày): đơn vị tính ngày" in text
    assert "không phải bằng 0" in text and "Không sửa" in text


def test_the_default_columns_are_the_inputs_the_loader_does_not_derive(fresh_db):
    with store.connect(fresh_db) as con:
        offered = template_indicators(con)
        defaults = default_indicators(con)
        catalog = con.execute("SELECT code, kind, numerator, part_of FROM indicator").df()

    rates = set(catalog.loc[(catalog["kind"] == "rate") & catalog["numerator"].notna(), "code"])
    metric_points = set(catalog.loc[catalog["part_of"].notna(), "code"])
    # what an office counts, and the percentages only the portal publishes (no counts behind them)
    inputs = set(catalog.loc[catalog["kind"].isin(["count", "mean"]) |
                             ((catalog["kind"] == "rate") & catalog["numerator"].isna()), "code"])
    assert set(defaults) == inputs
    assert not (rates | metric_points) & set(offered["code"])
    # the group scores may be offered instead of their metrics; the index never, it is their sum
    assert "service_index" not in set(offered["code"]) and "transparency_score" in set(offered["code"])
    assert "transparency_score" not in defaults
    sheet = load_workbook(io.BytesIO(make_template(fresh_db))).worksheets[0]
    assert sheet.max_column == 3 + len(defaults)


def plausible(catalog, code: str) -> float:
    """A value within every rule: a count below the one it must not exceed, a mean of days, a percentage."""
    row = catalog.loc[code]
    if row["kind"] == "mean":
        return 3.5
    if row["kind"] == "rate":
        return 55.25
    depth, limit = 0, row["not_above"]
    while isinstance(limit, str):
        depth, limit = depth + 1, catalog.loc[limit, "not_above"]
    return 1000 / 2 ** depth


def test_a_filled_default_template_gives_every_commune_the_766_index(fresh_db, tmp_path):
    with store.connect(fresh_db) as con:
        catalog = con.execute("SELECT code, kind, not_above FROM indicator").df().set_index("code")
    data = make_template(fresh_db)
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    with store.connect(fresh_db) as con:
        by_name = dict(con.execute("SELECT name_vi, code FROM indicator").fetchall())
    codes = [by_name[cell.value] for cell in sheet[HEADER_ROW][3:]]
    row = [plausible(catalog, code) for code in codes]
    path = tmp_path / template_file_name(HA_NOI, MONTH)
    fill(data, path, {i: row for i in range(HA_NOI_COMMUNES)})

    result = load_file(path, db=fresh_db, user="tester")

    assert result.status == "loaded", [p.message("en") for p in result.review.errors]
    with duckdb.connect(str(fresh_db), read_only=True) as con:
        index = con.execute("SELECT count(*), min(value), max(value) FROM observation WHERE is_current "
                            "AND indicator_code = 'service_index' AND period = ?", [MONTH]).fetchall()[0]
    assert index[0] == HA_NOI_COMMUNES
    assert 0 < index[1] == index[2] < 100  # the same counts everywhere: the same index everywhere


def test_an_unknown_province_or_indicator_is_refused(fresh_db):
    with pytest.raises(ValueError):
        make_template(fresh_db, ["no_such_indicator"])
    with pytest.raises(ValueError):
        make_template(fresh_db, province="99")
