"""Tables as files: Excel opens the CSV's Vietnamese right, the xlsx is styled, and no text ever runs."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from analytics.exports import safe_file_name, to_csv_bytes, to_xlsx_bytes

HOSTILE = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(A1:A9)",
           "\t=1+1", "\r=1+1"]


def league() -> pd.DataFrame:
    return pd.DataFrame({
        "Hạng": pd.array([1, 2, None], dtype="Int64"),
        "Đơn vị": ["Xã Vân Bán", "Phường Phú Thọ", "Xã Đào Xá"],
        "Giá trị": [95.0, 90.123, np.nan],
        "Thay đổi hạng": pd.array([3, -2, None], dtype="Int64"),
    })


def workbook(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def test_csv_has_a_byte_order_mark_so_excel_reads_vietnamese():
    data = to_csv_bytes(league())

    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.split("\r\n")[:4] == ["Hạng,Đơn vị,Giá trị,Thay đổi hạng", "1,Xã Vân Bán,95.0,3",
                                       "2,Phường Phú Thọ,90.123,-2", ",Xã Đào Xá,,"]  # blanks stay empty


def test_csv_text_that_looks_like_a_formula_gets_an_apostrophe_but_numbers_keep_their_sign():
    frame = pd.DataFrame({"Đơn vị": HOSTILE, "Thay đổi hạng": [-3] * len(HOSTILE)})

    rows = pd.read_csv(io.BytesIO(to_csv_bytes(frame)), encoding="utf-8-sig")

    assert list(rows["Đơn vị"]) == ["'" + text for text in HOSTILE]
    assert list(rows["Thay đổi hạng"]) == [-3] * len(HOSTILE)


def test_xlsx_names_what_it_holds_in_a_bold_title_above_a_frozen_bold_header():
    sheet = workbook(to_xlsx_bytes(league(), "Xếp hạng Tỷ lệ đúng hạn — Phú Thọ — 9/2026", {}, sheet_name="Xếp hạng"))

    assert sheet.title == "Xếp hạng"
    assert sheet["A1"].value == "Xếp hạng Tỷ lệ đúng hạn — Phú Thọ — 9/2026"
    assert sheet["A1"].font.bold
    assert [c.value for c in sheet[2]] == ["Hạng", "Đơn vị", "Giá trị", "Thay đổi hạng"]
    assert all(c.font.bold for c in sheet[2])
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == "A2:D5"


def test_xlsx_numbers_stay_numbers_with_their_formats_and_blanks_stay_blank():
    sheet = workbook(to_xlsx_bytes(league(), "T", {"Giá trị": "0.00", "Thay đổi hạng": "+0;-0;0"}))

    assert [c.value for c in sheet[3]] == [1, "Xã Vân Bán", 95.0, 3]
    assert sheet["C4"].value == pytest.approx(90.123)
    assert sheet["C4"].number_format == "0.00"
    assert sheet["D4"].value == -2 and sheet["D4"].data_type == "n"
    assert sheet["D4"].number_format == "+0;-0;0"
    assert [c.value for c in sheet[5]] == [None, "Xã Đào Xá", None, None]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_xlsx_writes_a_hostile_unit_name_as_text_never_as_a_formula(hostile):
    frame = pd.DataFrame({"Đơn vị": [hostile], "Thay đổi hạng": [-3]})

    sheet = workbook(to_xlsx_bytes(frame, hostile, {}))

    assert sheet["A3"].data_type == "s"
    # a lone CR reads back as LF through the standard XML parser, and as itself through lxml
    readable = {"'" + hostile, "'" + hostile.replace("\r", "\n")}
    assert sheet["A3"].value in readable
    assert sheet["A1"].value in readable  # the title too
    assert sheet["B3"].value == -3 and sheet["B3"].data_type == "n"


def test_xlsx_columns_are_wide_enough_for_their_longest_value():
    frame = pd.DataFrame({"Mã": ["08377"], "Đơn vị": ["Phường Phú Thọ, tỉnh Phú Thọ (mới)"]})

    sheet = workbook(to_xlsx_bytes(frame, "T", {}))

    assert sheet.column_dimensions["A"].width < sheet.column_dimensions["B"].width
    assert sheet.column_dimensions["B"].width >= len("Phường Phú Thọ, tỉnh Phú Thọ (mới)")


def test_xlsx_takes_a_column_with_no_value_at_all():
    frame = pd.DataFrame({"Đơn vị": ["Xã Đào Xá"], "KTC 95% dưới": [np.nan], "Còn thiếu": [None]})

    sheet = workbook(to_xlsx_bytes(frame, "T", {"KTC 95% dưới": "0.0"}))

    assert [c.value for c in sheet[3]] == ["Xã Đào Xá", None, None]


def test_file_names_are_plain_ascii():
    assert safe_file_name("xep-hang", "composite:Đào tạo số", "2026-Q3", "", "phuong") == \
        "xep-hang_composite-Dao-tao-so_2026-Q3_phuong"


def test_text_minus_five_is_neutralised_while_the_number_minus_five_stays_a_number():
    frame = pd.DataFrame({"Mã": ["08377", "- 5"], "Ghi chú": pd.Series(["- 5", -5], dtype=object),
                          "Thay đổi": [-5, 5]})

    sheet = workbook(to_xlsx_bytes(frame, "T", {"Thay đổi": "+0;-0;0"}))
    rows = pd.read_csv(io.BytesIO(to_csv_bytes(frame)), encoding="utf-8-sig", dtype=str)

    assert sheet["A3"].value == "08377" and sheet["A3"].data_type == "s"  # a code keeps its leading zero
    assert sheet["B3"].value == "'- 5" and sheet["B4"].value == -5 and sheet["B4"].data_type == "n"
    assert sheet["C3"].value == -5 and sheet["C3"].number_format == "+0;-0;0"
    assert list(rows["Ghi chú"]) == ["'- 5", "-5"] and list(rows["Mã"]) == ["08377", "'- 5"]


def test_every_hostile_corpus_string_leaves_as_text_in_csv_and_xlsx_within_excels_cell_size():
    """Names, headers, title and sheet name holding markup, formulas, NUL, RTL and 100,000 characters."""
    from tests.etl.hostile_files import FORMULAS, IMG, LINK, NUL, PHISH, RTL, formula_like

    strings = [*FORMULAS, PHISH, IMG, LINK, f"Xã{NUL}{RTL}A", "=" + "x" * 100_000, "Xã " + "y" * 100_000]
    frame = pd.DataFrame({name: strings for name in strings[:6]} | {"Giá trị": range(len(strings))})

    sheet = workbook(to_xlsx_bytes(frame, FORMULAS[0], {}, sheet_name=FORMULAS[1]))
    csv_rows = pd.read_csv(io.BytesIO(to_csv_bytes(frame)), encoding="utf-8-sig", dtype=str)

    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert all(cell.data_type != "f" for cell in cells)
    texts = [str(c.value) for c in cells] + list(csv_rows.columns) + [v for col in csv_rows for v in csv_rows[col]]
    assert [t[:40] for t in texts if formula_like(t)] == []
    assert max(len(t) for t in texts) <= 32_767  # Excel calls a workbook with a longer cell damaged
    assert "'" + PHISH not in texts and PHISH in texts  # markup is not a formula: kept as written
