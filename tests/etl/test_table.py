"""Finding the table inside a sheet and telling data rows from sections, totals and notes."""

from __future__ import annotations

import pandas as pd
import pytest

from etl.read import Sheet
from etl.table import classify_row, fill_merged, find_table, steer_table
from store.reference import UNITS_CSV


def locate(synonyms, rows, merged=()):
    sheet = Sheet("Tháng 9", rows, merged=list(merged))
    return find_table(sheet, fill_merged(sheet), set(synonyms))


# -- classify_row: empty, totals, sections, notes --------------------------------------------------

@pytest.mark.parametrize("row", [[], [None, None], ["", "   "], [None, " ", None]])
def test_a_row_without_content_is_empty(row):
    assert classify_row(row) == ("empty", "")


@pytest.mark.parametrize("row", [
    ["Tổng cộng", None, 200.0, 190.0],
    ["TỔNG CỘNG", 148.0, 1.0],
    ["Toàn tỉnh", "", 3.0, 4.0],
    ["Toàn thành phố", 1.0],
    ["Cộng", 1.0, 2.0],
    [None, "Tổng", 5.0],
    ["Tổng số", None, 5.0],
    ["Trung bình", None, 95.0],
    ["Bình quân", None, 95.0],
    ["Cả nước", 1.0, 2.0],
    ["Total", 1.0, 2.0],
])
def test_totals_rows_are_recognised(row):
    kind, first = classify_row(row)
    assert kind == "total"
    assert first == next(cell for cell in row if isinstance(cell, str) and cell.strip())


@pytest.mark.parametrize(("row", "text"), [
    (["I"], "I"),
    (["II", "Cấp xã", None, None], "II Cấp xã"),
    (["A", "Khối phường"], "A Khối phường"),
    (["III", "Các xã vùng cao"], "III Các xã vùng cao"),
    (["Cấp xã", None, None], "Cấp xã"),
    (["Khối phường"], "Khối phường"),
])
def test_section_rows_are_recognised_with_their_text(row, text):
    assert classify_row(row) == ("section", text)


@pytest.mark.parametrize("heading", ["II. Cấp xã", "I. Các phường", "III. Khu vực miền núi", "IV. Đặc khu"])
def test_a_numbered_section_heading_in_one_cell_is_a_section(heading):
    assert classify_row([heading, None, None, None])[0] == "section"


@pytest.mark.parametrize("row", [
    ["Ghi chú: số liệu tạm tính"],
    ["Ghi chú:", "Số liệu đến ngày 30/9/2026"],
    ["NGƯỜI LẬP BIỂU", None, "THỦ TRƯỞNG ĐƠN VỊ"],
    [None, "Người lập biểu", None, None, "KT. CHỦ TỊCH"],
    ["TM. ỦY BAN NHÂN DÂN"],
    ["Nơi nhận:"],
    ["Nguồn số liệu: Hệ thống thông tin giải quyết TTHC"],
    ["(Ký, ghi rõ họ tên)"],
])
def test_notes_and_signature_rows_are_recognised(row):
    assert classify_row(row)[0] == "note"


def test_a_note_word_in_a_row_full_of_numbers_is_data():
    assert classify_row(["Ghi chú", 1.0, 2.0])[0] is None


def test_a_commune_row_is_data_and_reports_its_first_text():
    assert classify_row([1.0, "Xã Vân Bán", 120.0, 96.5]) == (None, "Xã Vân Bán")


def _commune_names():
    units = pd.read_csv(UNITS_CSV, dtype=str, keep_default_na=False)
    return list(zip(units["commune_name"], units["commune_full_name"], units["commune_code"]))


def test_no_real_commune_row_is_taken_for_a_total_section_or_note():
    wrongly = []
    for name, full_name, code in _commune_names():
        if name == "Tống Sơn":
            continue  # a known bug, see test_tong_son_is_a_commune_not_a_total
        for shown in (name, full_name, "UBND " + full_name):
            for row in ([1.0, shown, 120.0, 96.5], [1.0, code, shown, 120.0], ["1", shown, "-", "-"],
                        [shown, None, None], [None, shown, "x", None]):
                if classify_row(row)[0] is not None:
                    wrongly.append((row, classify_row(row)[0]))
    assert wrongly == []


@pytest.mark.parametrize("name", ["Tổng Cọt", "Công Sơn", "Toàn Thắng", "Đặc khu Vân Đồn", "Chi Lăng", "Trung Hà"])
def test_commune_names_starting_like_total_or_section_words_are_data(name):
    assert classify_row([None, name, None, None])[0] is None


@pytest.mark.parametrize("row", [[1.0, "Tống Sơn", 120.0, 96.5], [None, "Tống Sơn", None, None]])
def test_tong_son_is_a_commune_not_a_total(row):
    assert classify_row(row)[0] is None


# -- fill_merged -----------------------------------------------------------------------------------

def test_fill_merged_shows_the_top_left_value_in_every_cell_of_a_range():
    sheet = Sheet("s", [["STT", "Tiến độ", None], [None, "Đúng hạn", "Quá hạn"]], merged=[(0, 0, 1, 0), (0, 1, 0, 2)])
    assert fill_merged(sheet) == [["STT", "Tiến độ", "Tiến độ"], ["STT", "Đúng hạn", "Quá hạn"]]


def test_fill_merged_leaves_the_sheet_itself_unchanged():
    sheet = Sheet("s", [["a", None]], merged=[(0, 0, 0, 1)])
    fill_merged(sheet)
    assert sheet.rows == [["a", None]]


def test_fill_merged_clips_ranges_that_reach_past_the_grid_and_ignores_ranges_outside_it():
    sheet = Sheet("s", [["a", "b"], ["c", "d"]], merged=[(0, 0, 5, 5), (9, 0, 9, 1), (-1, 0, 0, 1)])
    assert fill_merged(sheet) == [["a", "a"], ["a", "a"]]


# -- find_table ------------------------------------------------------------------------------------

REPORT = [
    ["UBND TỈNH PHÚ THỌ", None, None, None, None, None],
    ["BIỂU TỔNG HỢP THÁNG 9/2026", None, None, None, None, None],
    [None, None, None, None, None, None],
    ["STT", "Tên đơn vị", "Tiến độ giải quyết", None, None, "Ghi chú"],
    [None, None, "Tổng tiếp nhận", "Đúng hạn", "Tỷ lệ (%)", None],
    [1.0, "Xã Vân Bán", 120.0, 110.0, 91.67, None],
    [2.0, "Xã Lâm Thao", 80.0, 80.0, 100.0, None],
    ["Tổng cộng", None, 200.0, 190.0, 95.0, None],
    ["Ghi chú: số liệu tạm tính", None, None, None, None, None],
    [None, "NGƯỜI LẬP BIỂU", None, "THỦ TRƯỞNG ĐƠN VỊ", None, None],
]
REPORT_MERGES = [(3, 0, 4, 0), (3, 1, 4, 1), (3, 2, 3, 4), (3, 5, 4, 5)]


def test_find_table_reads_a_report_with_title_merged_two_row_header_total_and_notes(synonyms):
    table = locate(synonyms, REPORT, REPORT_MERGES)
    assert table.header_rows == [3, 4]
    assert table.labels == ["STT", "Tên đơn vị", "Tiến độ giải quyết / Tổng tiếp nhận",
                            "Tiến độ giải quyết / Đúng hạn", "Tiến độ giải quyết / Tỷ lệ (%)", "Ghi chú"]
    assert table.data_start == 5
    assert table.data_end == 8  # the totals row stays in the table, the notes below do not
    assert table.title_text == ["UBND TỈNH PHÚ THỌ", "BIỂU TỔNG HỢP THÁNG 9/2026"]


def test_a_group_label_row_above_unmerged_children_joins_the_header(synonyms):
    rows = [[None, None, "Tiến độ giải quyết", "Tiến độ giải quyết"],
            ["STT", "Tên đơn vị", "Đúng hạn", "Quá hạn"],
            [1.0, "Xã Vân Bán", 5.0, 1.0]]
    table = locate(synonyms, rows)
    assert table.header_rows == [0, 1]
    assert table.labels == ["STT", "Tên đơn vị", "Tiến độ giải quyết / Đúng hạn", "Tiến độ giải quyết / Quá hạn"]
    assert table.data_start == 2


def test_a_one_row_header_starts_the_data_on_the_next_row(synonyms):
    rows = [["STT", "Tên đơn vị", "Tổng tiếp nhận", "Đúng hạn"],
            ["1", "Xã Vân Bán", "120", "110"],
            ["2", "Xã Lâm Thao", "-", "-"]]
    table = locate(synonyms, rows)
    assert (table.header_rows, table.data_start, table.data_end) == ([0], 1, 3)
    assert table.labels == ["STT", "Tên đơn vị", "Tổng tiếp nhận", "Đúng hạn"]


def test_the_header_is_found_below_many_title_rows(synonyms):
    rows = [[None, None, None]] * 30 + [["STT", "Tên đơn vị", "Đúng hạn"], [1.0, "Xã Vân Bán", 5.0]]
    table = locate(synonyms, rows)
    assert table.header_rows == [30]
    assert table.data_start == 31


def test_a_header_is_at_most_three_rows_deep(synonyms):
    rows = [["STT", "Tên đơn vị", "Đúng hạn", "Quá hạn"],
            ["Phần một", "Phần hai", "Phần ba", "Phần bốn"],
            ["Mục một", "Mục hai", "Mục ba", "Mục bốn"],
            ["Dòng một", "Dòng hai", "Dòng ba", "Dòng bốn"],
            [1.0, "Xã Vân Bán", 5.0, 1.0]]
    assert locate(synonyms, rows).header_rows == [0, 1, 2]


def test_a_header_merged_down_past_the_last_written_row_is_one_row_deep(synonyms):
    # found by tests/etl/test_fuzz.py: openpyxl empties the cells under a merge, so the grid the reader
    # gives ends at row 1 while the merged ranges A1:A2 and B1:B2 reach row 2 (an empty two-row form)
    rows = [["Mã xã", "Average processing time (days)"]]
    table = locate(synonyms, rows, merged=[(0, 1, 1, 1), (0, 0, 1, 0)])
    assert table.header_rows == [0]
    assert table.labels == ["Mã xã", "Average processing time (days)"]
    assert table.data_start == table.data_end == 1


def test_a_section_row_right_below_the_header_is_not_part_of_it(synonyms):
    rows = [["STT", "Tên đơn vị", "Đúng hạn"], ["I", "Cấp xã", None], [1.0, "Xã Vân Bán", 5.0]]
    table = locate(synonyms, rows)
    assert table.header_rows == [0]
    assert table.data_start == 1


def test_the_table_ends_at_the_first_note_row(synonyms):
    rows = [["STT", "Tên đơn vị", "Đúng hạn"],
            ["1", "Xã Vân Bán", "5"],
            ["Ghi chú: Xã Lâm Thao chưa báo cáo", None, None],
            ["2", "Xã Lâm Thao", "6"]]
    assert locate(synonyms, rows).data_end == 2


def test_a_signature_block_ends_the_table(synonyms):
    rows = [["STT", "Tên đơn vị", "Đúng hạn"], [1.0, "Xã Vân Bán", 5.0], [None, None, None],
            [None, "NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ"]]
    assert locate(synonyms, rows).data_end == 3


@pytest.mark.parametrize("rows", [
    [["Báo cáo", "tình hình"], ["xyz", "abc"], ["1", "2"]],
    [["STT", "Nội dung khác", "Cột lạ"], ["1", "a", "b"]],  # one known label is not enough
    [],
])
def test_a_sheet_without_a_header_of_two_known_labels_has_no_table(synonyms, rows):
    assert locate(synonyms, rows) is None


@pytest.mark.parametrize("numbers", [["(1)", "(2)", "(3)", "(4)"], ["A", "B", "1", "2"]])
def test_the_column_number_row_under_the_header_is_neither_label_nor_data(synonyms, numbers):
    rows = [["STT", "Tên đơn vị", "Tổng tiếp nhận", "Đúng hạn"], numbers, ["1", "Xã Vân Bán", "120", "110"]]
    table = locate(synonyms, rows)
    assert table.labels == ["STT", "Tên đơn vị", "Tổng tiếp nhận", "Đúng hạn"]
    assert table.data_start == 2


def test_a_title_merged_across_the_table_right_above_the_header_stays_a_title(synonyms):
    rows = [["BIỂU TỔNG HỢP THÁNG 9/2026", None, None, None],
            ["STT", "Tên đơn vị", "Đúng hạn", "Quá hạn"],
            [1.0, "Xã Vân Bán", 5.0, 1.0]]
    table = locate(synonyms, rows, merged=[(0, 0, 0, 3)])
    assert table.header_rows == [1]
    assert table.labels == ["STT", "Tên đơn vị", "Đúng hạn", "Quá hạn"]
    assert "BIỂU TỔNG HỢP THÁNG 9/2026" in table.title_text


def test_a_first_commune_row_with_only_missing_marks_is_data_not_header(synonyms):
    rows = [["Tên đơn vị", "Đúng hạn", "Quá hạn"], ["Xã Vân Bán", "-", "-"], ["Xã Lâm Thao", "5", "1"]]
    table = locate(synonyms, rows)
    assert table.header_rows == [0]
    assert table.data_start == 1


# -- where a person says the table is (the Upload page's header and data rows) ---------------------

@pytest.mark.parametrize("title_rows", [0, 1, 4])
@pytest.mark.parametrize("first_row", [1, 7])
def test_a_chosen_header_row_makes_a_table_of_words_the_loader_does_not_know(title_rows, first_row):
    rows = [[f"Tiêu đề {i}"] for i in range(title_rows)] + [["Cột một", "Cột hai"], ["Nhóm", "Phụ"]] + \
        [[f"0{i:04d}", float(i)] for i in range(5)]
    sheet = Sheet("Biểu", rows, first_row=first_row)
    grid = fill_merged(sheet)
    header = first_row + title_rows  # spreadsheet row numbers, as Excel shows them

    table = steer_table(sheet, grid, find_table(sheet, grid, set()), (header, header + 1), header + 3, header + 5)

    assert table.labels == ["Cột một / Nhóm", "Cột hai / Phụ"]
    assert table.header_rows == [title_rows, title_rows + 1]
    assert (table.data_start, table.data_end) == (title_rows + 3, title_rows + 6)
    assert table.title_text == [f"Tiêu đề {i}" for i in range(title_rows)]


def test_only_first_and_last_data_rows_chosen_keep_the_header_found(synonyms):
    rows = [["Mã xã", "Tổng tiếp nhận", "Đúng hạn"], ["02647", 100.0, 90.0], ["02671", 50.0, 40.0],
            ["Số liệu lấy từ phần mềm một cửa", 1.0, 2.0]]
    sheet = Sheet("Tháng 9", rows)
    found = locate(synonyms, rows)

    table = steer_table(sheet, fill_merged(sheet), found, (), None, 3)

    assert table.header_rows == found.header_rows and table.labels == found.labels
    assert (table.data_start, table.data_end) == (1, 3)


def test_rows_outside_the_sheet_are_left_out_and_nothing_chosen_without_a_table_is_none():
    rows = [["a", "b"], ["1", 2.0]]
    sheet = Sheet("S", rows)
    grid = fill_merged(sheet)

    assert steer_table(sheet, grid, None, (40,), None, None) is None
    table = steer_table(sheet, grid, None, (1,), 99, 120)
    assert table.labels == ["a", "b"] and table.data_start == table.data_end == 2
