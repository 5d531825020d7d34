"""Refusing unsafe files before parsing, then reading every sheet into a grid (xlsx, ods, csv, xls)."""

from __future__ import annotations

import io
import os
import re
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from etl import read
from errors import EmptyFile, FileTooLarge, NotASpreadsheet, SheetNotFound, UnsupportedFormat, ZipBomb
from etl.read import check_safe, read_sheets
from store.reference import UNITS_CSV

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MIB = 1024 * 1024


# -- building test files ---------------------------------------------------------------------------

def workbook_bytes(fill) -> bytes:
    workbook = openpyxl.Workbook()
    fill(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def simple_report(workbook) -> None:
    sheet = workbook.active
    sheet.title = "Tháng 9"
    sheet.append(["STT", "Tên đơn vị", "Đúng hạn"])
    sheet.append([1, "Xã Vân Bán", 96.55])
    sheet.append([2, "Xã Lâm Thao", None])


def rewrite_member(data: bytes, member: str, change) -> bytes:
    """The same zip with one member's bytes passed through `change`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info.filename, change(content) if info.filename == member else content)
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def formula_report(cell_xml: bytes | None = None) -> bytes:
    """A workbook whose C5 holds '=A1+B1' as openpyxl writes it (no cached value), or `cell_xml` instead."""
    def fill(workbook):
        sheet = workbook.active
        sheet.title = "Tháng 9"
        sheet["A1"], sheet["B1"] = 1, 2
        sheet["C5"] = "=A1+B1"
    data = workbook_bytes(fill)
    if cell_xml is None:
        return data
    return rewrite_member(data, "xl/worksheets/sheet1.xml",
                          lambda xml: re.sub(rb'<c r="C5"[^>]*>.*?</c>', cell_xml, xml, flags=re.S))


TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def encode_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: base letters precomposed, tone marks combining."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(p for p in parts if p not in TONE_MARKS))
        out.append(base + "".join(p for p in parts if p in TONE_MARKS))
    return "".join(out).encode("cp1258")


def nfc_rows(rows):
    return [[unicodedata.normalize("NFC", cell) if isinstance(cell, str) else cell for cell in row] for row in rows]


@pytest.fixture(scope="module")
def report_xlsx() -> bytes:
    return workbook_bytes(simple_report)


@pytest.fixture(scope="module")
def report_ods(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("ods") / "bao_cao.ods"
    frame = pd.DataFrame({"STT": [1, 2], "Tên đơn vị": ["Xã Vân Bán", "Xã Lâm Thao"], "Đúng hạn": [110, 80]})
    frame.to_excel(path, engine="odf", sheet_name="Tháng 9", index=False)
    return path.read_bytes()


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """60 MB of zeros in xl/worksheets/sheet1.xml compress to about 60 KB: a ratio near 1000."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            zeros = bytes(MIB)
            for _ in range(60):
                member.write(zeros)
    return buffer.getvalue()


# -- check_safe: what each file is -----------------------------------------------------------------

def test_check_safe_recognises_an_xlsx_workbook(report_xlsx):
    assert check_safe(Path("bao_cao.xlsx"), report_xlsx) == "xlsx"


def test_check_safe_reads_a_macro_workbook_like_an_xlsx(report_xlsx):
    assert check_safe(Path("bao_cao.xlsm"), report_xlsx) == "xlsx"


def test_check_safe_ignores_the_case_of_the_suffix(report_xlsx):
    assert check_safe(Path("BAO_CAO.XLSX"), report_xlsx) == "xlsx"


def test_check_safe_recognises_an_opendocument_spreadsheet(report_ods):
    assert check_safe(Path("bao_cao.ods"), report_ods) == "ods"


def test_check_safe_recognises_a_csv():
    assert check_safe(Path("bao_cao.csv"), "STT;Tên đơn vị\n1;Xã Vân Bán\n".encode()) == "csv"


def test_check_safe_recognises_an_excel_97_file_by_its_ole_header():
    assert check_safe(Path("bao_cao.xls"), OLE_MAGIC + bytes(504)) == "xls"


@pytest.mark.parametrize(("name", "suffix"), [("bao_cao.pdf", ".pdf"), ("bao_cao.txt", ".txt"),
                                              ("bao_cao.docx", ".docx"), ("bao_cao", "?")])
def test_an_unsupported_suffix_is_refused_naming_it(name, suffix):
    with pytest.raises(UnsupportedFormat) as refused:
        check_safe(Path(name), b"some content")
    assert refused.value.params["suffix"] == suffix


@pytest.mark.parametrize("name", ["bao_cao.xlsx", "bao_cao.xls", "bao_cao.ods", "bao_cao.csv"])
def test_an_empty_file_is_refused_as_empty(name):
    with pytest.raises(EmptyFile):
        check_safe(Path(name), b"")


# -- check_safe: size and zip bombs ----------------------------------------------------------------

def test_a_file_over_the_given_limit_is_refused_before_parsing():
    with pytest.raises(FileTooLarge):
        check_safe(Path("bao_cao.csv"), b"a" * 1001, max_bytes=1000)
    assert check_safe(Path("bao_cao.csv"), b"a" * 1000, max_bytes=1000) == "csv"


@pytest.mark.skipif("XASO_MAX_UPLOAD_MB" in os.environ, reason="the limit is configured in this environment")
def test_the_default_limit_is_50_mb():
    assert read.MAX_FILE_BYTES == 50 * MIB
    with pytest.raises(FileTooLarge) as refused:
        check_safe(Path("bao_cao.xlsx"), b"PK\x03\x04" + bytes(50 * MIB))  # refused before the zip is opened
    assert refused.value.params["limit_mb"] == 50.0


def test_a_zip_that_expands_more_than_100_times_is_a_zip_bomb(zip_bomb):
    assert len(zip_bomb) < MIB  # small on disk
    with pytest.raises(ZipBomb) as refused:
        check_safe(Path("bao_cao.xlsx"), zip_bomb)
    assert refused.value.params["unzipped_mb"] == 60.0


def test_a_zip_that_expands_past_the_absolute_cap_is_a_zip_bomb_whatever_its_ratio(monkeypatch):
    data = zip_bytes({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": os.urandom(2 * MIB)},
                     compression=zipfile.ZIP_STORED)  # ratio about 1
    assert check_safe(Path("bao_cao.xlsx"), data) == "xlsx"
    monkeypatch.setattr(read, "MAX_UNZIPPED_BYTES", MIB)
    with pytest.raises(ZipBomb):
        check_safe(Path("bao_cao.xlsx"), data)


def test_the_absolute_cap_is_500_mb():
    assert read.MAX_UNZIPPED_BYTES == 500 * MIB


def test_a_real_report_of_every_commune_is_not_taken_for_a_zip_bomb():
    units = pd.read_csv(UNITS_CSV, dtype=str, keep_default_na=False)

    def fill(workbook):
        sheet = workbook.active
        sheet.append(["STT", "Mã xã", "Tên đơn vị", "Tổng tiếp nhận", "Đúng hạn", "Tỷ lệ đúng hạn (%)"])
        for i, row in enumerate(units.itertuples(), start=1):
            sheet.append([i, row.commune_code, row.commune_full_name, 100, 95, 95.0])
    assert check_safe(Path("ca_nuoc_2026-09.xlsx"), workbook_bytes(fill)) == "xlsx"


# -- check_safe: files that are not what their name says -------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
HTML = b"<html><body><table><tr><td>STT</td><td>T\xc3\xaan</td></tr></table></body></html>"


def _docx() -> bytes:
    return zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<document/>"})


@pytest.mark.parametrize(("name", "make", "found"), [
    ("bao_cao.xlsx", lambda xlsx, ods: PDF, "PDF"),
    ("bao_cao.xlsx", lambda xlsx, ods: _docx(), "ZIP"),  # a zip without xl/workbook.xml
    ("bao_cao.xlsx", lambda xlsx, ods: ods, "ZIP"),  # an .ods renamed .xlsx
    ("bao_cao.xlsx", lambda xlsx, ods: OLE_MAGIC + bytes(504), "OLE (.xls/.doc)"),  # an .xls renamed .xlsx
    ("bao_cao.xlsx", lambda xlsx, ods: b"PK\x03\x04 this is not really a zip", "ZIP"),
    ("bao_cao.xls", lambda xlsx, ods: xlsx, "ZIP"),  # an .xlsx renamed .xls
    ("bao_cao.xls", lambda xlsx, ods: HTML, "HTML"),  # a web page saved as .xls
    ("bao_cao.ods", lambda xlsx, ods: xlsx, "ZIP"),
    ("bao_cao.csv", lambda xlsx, ods: xlsx, "ZIP"),
    ("bao_cao.csv", lambda xlsx, ods: OLE_MAGIC + bytes(504), "OLE (.xls/.doc)"),
    ("bao_cao.csv", lambda xlsx, ods: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
])
def test_a_file_that_is_not_the_spreadsheet_its_name_says_is_refused(report_xlsx, report_ods, name, make, found):
    with pytest.raises(NotASpreadsheet) as refused:
        check_safe(Path(name), make(report_xlsx, report_ods))
    assert refused.value.params["file"] == name
    assert refused.value.params["found"] == found


@pytest.mark.parametrize(("data", "found"), [(PDF, "PDF"), (HTML, "HTML")])
def test_a_pdf_or_web_page_renamed_csv_is_refused(data, found):
    with pytest.raises(NotASpreadsheet) as refused:
        check_safe(Path("bao_cao.csv"), data)
    assert refused.value.params["found"] == found


# -- read_sheets: xlsx -----------------------------------------------------------------------------

def test_every_sheet_is_read_in_order_with_blank_cells_as_none(report_xlsx):
    def fill(workbook):
        simple_report(workbook)
        workbook.create_sheet("Phụ lục")["A1"] = "Ghi chú"
    sheets = read_sheets(Path("bao_cao.xlsx"), workbook_bytes(fill), "xlsx")
    assert [sheet.name for sheet in sheets] == ["Tháng 9", "Phụ lục"]
    assert sheets[0].rows == [["STT", "Tên đơn vị", "Đúng hạn"], [1.0, "Xã Vân Bán", 96.55],
                              [2.0, "Xã Lâm Thao", None]]
    assert (sheets[0].first_row, sheets[0].first_col) == (1, 0)
    assert sheets[0].problems == []


def test_only_the_named_sheet_is_read_when_one_is_asked_for():
    def fill(workbook):
        simple_report(workbook)
        workbook.create_sheet("Tháng 10")["A1"] = "STT"
    [sheet] = read_sheets(Path("bao_cao.xlsx"), workbook_bytes(fill), "xlsx", sheet="Tháng 10")
    assert sheet.name == "Tháng 10"
    assert sheet.rows == [["STT"]]


def test_asking_for_a_missing_sheet_names_the_sheets_there_are(report_xlsx):
    with pytest.raises(SheetNotFound) as refused:
        read_sheets(Path("bao_cao.xlsx"), report_xlsx, "xlsx", sheet="Tháng 12")
    assert refused.value.params["sheets"] == "Tháng 9"


def test_a_used_range_not_starting_at_a1_gives_its_spreadsheet_row_and_column():
    def fill(workbook):
        sheet = workbook.active
        sheet["C3"] = "BÁO CÁO THÁNG 9/2026"
        sheet["C5"], sheet["D5"] = "STT", "Tên đơn vị"
        sheet["C6"], sheet["D6"] = 1, "Xã Vân Bán"
    [sheet] = read_sheets(Path("bao_cao.xlsx"), workbook_bytes(fill), "xlsx")
    assert (sheet.first_row, sheet.first_col) == (3, 2)
    assert sheet.rows[0][0] == "BÁO CÁO THÁNG 9/2026"
    assert sheet.rows[2] == ["STT", "Tên đơn vị"]
    assert sheet.rows[3] == [1.0, "Xã Vân Bán"]


def test_merged_ranges_are_given_in_grid_coordinates():
    def fill(workbook):
        sheet = workbook.active
        sheet["B2"] = "BÁO CÁO"
        sheet.merge_cells("B2:E2")
        sheet["B4"], sheet["C4"], sheet["E4"] = "STT", "Tiến độ giải quyết", "Ghi chú"
        sheet.merge_cells("C4:D4")
        sheet.merge_cells("B4:B5")
        sheet["C5"], sheet["D5"] = "Đúng hạn", "Quá hạn"
    [sheet] = read_sheets(Path("bao_cao.xlsx"), workbook_bytes(fill), "xlsx")
    assert (sheet.first_row, sheet.first_col) == (2, 1)
    assert sorted(sheet.merged) == [(0, 0, 0, 3), (2, 0, 3, 0), (2, 1, 2, 2)]


def test_a_formula_without_a_cached_value_is_reported_by_cell():
    [sheet] = read_sheets(Path("bao_cao.xlsx"), formula_report(), "xlsx")
    [problem] = sheet.problems
    assert problem.code == "formula_without_value"
    assert (problem.file, problem.sheet, problem.row, problem.column) == ("bao_cao.xlsx", "Tháng 9", 5, "C5")
    assert problem.params == {"cell": "C5"}
    assert problem.severity == "error"


def test_a_formula_with_a_cached_value_is_read_as_that_value():
    data = formula_report(b'<c r="C5"><f>A1+B1</f><v>3</v></c>')
    [sheet] = read_sheets(Path("bao_cao.xlsx"), data, "xlsx")
    assert sheet.problems == []
    assert sheet.rows[4][2] == 3.0


def test_a_formula_whose_cached_result_is_an_empty_string_is_not_reported():
    data = formula_report(b'<c r="C5" t="str"><f>IF(A1=&quot;&quot;,&quot;&quot;,A1)</f><v/></c>')
    [sheet] = read_sheets(Path("bao_cao.xlsx"), data, "xlsx")
    assert sheet.problems == []


# -- read_sheets: ods, xls -------------------------------------------------------------------------

def test_an_opendocument_spreadsheet_is_read_like_an_xlsx(report_ods):
    [sheet] = read_sheets(Path("bao_cao.ods"), report_ods, "ods")
    assert sheet.name == "Tháng 9"
    assert sheet.rows == [["STT", "Tên đơn vị", "Đúng hạn"], [1.0, "Xã Vân Bán", 110.0], [2.0, "Xã Lâm Thao", 80.0]]
    assert sheet.first_row == 1


def test_an_excel_97_workbook_is_read_with_its_merged_ranges():
    xlwt = pytest.importorskip("xlwt")
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("Tháng 9")
    sheet.write_merge(0, 0, 0, 2, "BÁO CÁO THÁNG 9/2026")
    for column, label in enumerate(["STT", "Tên đơn vị", "Đúng hạn"]):
        sheet.write(2, column, label)
    for column, value in enumerate([1, "Xã Vân Bán", 96.55]):
        sheet.write(3, column, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    assert check_safe(Path("bao_cao.xls"), data) == "xls"
    [read_sheet] = read_sheets(Path("bao_cao.xls"), data, "xls")
    assert read_sheet.name == "Tháng 9"
    assert read_sheet.rows == [["BÁO CÁO THÁNG 9/2026", None, None], [None, None, None],
                               ["STT", "Tên đơn vị", "Đúng hạn"], [1, "Xã Vân Bán", 96.55]]
    assert read_sheet.merged == [(0, 0, 0, 2)]


# -- read_sheets: csv ------------------------------------------------------------------------------

CSV_ROWS = [
    ["STT", "Tên đơn vị", "Tỷ lệ đúng hạn (%)", "Tổng tiếp nhận", "Ghi chú"],
    ["1", "Xã Vân Bán", "96,55", "19.630", None],
    ["2", "Phường Phú Thọ", "100", "1.234", "Đặc khu"],
    ["3", "Xã Lâm Thao", "-", None, None],
]


def _csv_text(delimiter: str) -> str:
    def cell(value):
        if value is None:
            return ""
        return f'"{value}"' if delimiter in value else value
    return "".join(delimiter.join(cell(value) for value in row) + "\r\n" for row in CSV_ROWS)


def _encode(text: str, encoding: str) -> bytes:
    return encode_cp1258(text) if encoding == "cp1258" else text.encode(encoding)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1258"])
@pytest.mark.parametrize("delimiter", [";", ",", "\t"], ids=["semicolon", "comma", "tab"])
def test_a_csv_is_read_in_each_encoding_and_delimiter(encoding, delimiter):
    data = _encode(_csv_text(delimiter), encoding)
    if encoding == "cp1258":
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")  # the test really needs the fallback
    assert check_safe(Path("phutho_2026-09.csv"), data) == "csv"
    [sheet] = read_sheets(Path("phutho_2026-09.csv"), data, "csv")
    assert nfc_rows(sheet.rows) == CSV_ROWS


def test_a_csv_sheet_is_named_after_the_file_and_starts_at_row_one():
    [sheet] = read_sheets(Path("phutho_2026-09.csv"), _csv_text(";").encode(), "csv")
    assert (sheet.name, sheet.first_row, sheet.first_col, sheet.merged) == ("phutho_2026-09", 1, 0, [])


def test_the_byte_order_mark_does_not_stick_to_the_first_label():
    [sheet] = read_sheets(Path("bao_cao.csv"), _csv_text(",").encode("utf-8-sig"), "csv")
    assert sheet.rows[0][0] == "STT"


def test_a_semicolon_csv_with_a_padded_title_line_keeps_its_decimal_commas():
    text = "BÁO CÁO THÁNG 9/2026;;;;\r\n" + _csv_text(";")
    [sheet] = read_sheets(Path("bao_cao.csv"), text.encode("utf-8"), "csv")
    assert sheet.rows[0] == ["BÁO CÁO THÁNG 9/2026", None, None, None, None]
    assert sheet.rows[2] == CSV_ROWS[1]


@pytest.mark.parametrize("delimiter", [";", "\t"], ids=["semicolon", "tab"])
def test_a_csv_with_a_title_line_without_delimiters_keeps_its_delimiter(delimiter):
    text = "BÁO CÁO THÁNG 9/2026\r\n" + _csv_text(delimiter)
    [sheet] = read_sheets(Path("bao_cao.csv"), text.encode("utf-8"), "csv")
    assert sheet.rows[1:] == CSV_ROWS


def test_a_zip_that_unpacks_to_more_than_it_declares_is_refused_while_unpacking(tmp_path):
    import zlib

    from etl.read import MAX_ZIP_RATIO

    payload = b"\x00" * (MAX_ZIP_RATIO * 2 * 1024)  # far more than 100× the tiny file once unpacked
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", payload)
    data = bytearray(buffer.getvalue())
    # understate the member's size in the central directory, as a crafted file would
    entry = data.rfind(b"PK\x01\x02")
    data[entry + 24:entry + 28] = (10).to_bytes(4, "little")
    assert zlib is not None

    with pytest.raises((ZipBomb, NotASpreadsheet)):
        check_safe(Path("crafted.xlsx"), bytes(data))


def test_a_sheet_declaring_a_huge_area_is_refused_before_reading(tmp_path):
    from errors import TooManyCells

    book = openpyxl.Workbook()
    book.active["A1"] = "Mã xã"
    book.active["GR200000"] = 1
    path = tmp_path / "sparse.xlsx"
    book.save(path)

    with pytest.raises(TooManyCells) as refused:
        check_safe(path, path.read_bytes())
    assert "GR200000" in refused.value.message("en")


def _without_dimension(xml: bytes) -> bytes:
    return re.sub(rb"<dimension[^>]*/>", b"", xml)


@pytest.mark.parametrize("declared", ["none", "lying"])
def test_a_huge_area_is_found_from_the_cells_written_whatever_the_sheet_declares(declared):
    """A few kilobytes with a cell far away: refused from the cell references themselves, naming the area."""
    import random

    import config
    from errors import TooManyCells
    column = random.choice(["XFD", "AZ", "ZZ", "CV"])
    width = 0
    for letter in column:
        width = width * 26 + ord(letter) - 64
    row = random.randint(config.MAX_CELLS // width + 1, 1_048_576)  # an area over the limit, however wide

    def fill(workbook):
        workbook.active["A1"], workbook.active[f"{column}{row}"] = "Mã xã", 1
    data = workbook_bytes(fill)
    lie = (lambda xml: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:C3"/>', xml)) \
        if declared == "lying" else _without_dimension
    data = rewrite_member(data, "xl/worksheets/sheet1.xml", lie)
    with pytest.raises(TooManyCells) as refused:
        check_safe(Path("thua.xlsx"), data)
    assert refused.value.params["area"] == f"A1:{column}{row}"


def test_rows_and_cells_without_references_are_placed_one_after_another():
    """Cells written without r= go after the one before them (as the reader places them): counted too."""
    from errors import TooManyCells
    cells = "".join("<c><v>1</v></c>" for _ in range(50))
    rows = "".join(f"<row>{cells}</row>" for _ in range(30))
    data = rewrite_member(workbook_bytes(simple_report), "xl/worksheets/sheet1.xml", lambda xml: re.sub(
        rb"<sheetData>.*</sheetData>", f"<sheetData>{rows}</sheetData>".encode(), _without_dimension(xml), flags=re.S))
    assert check_safe(Path("ok.xlsx"), data) == "xlsx"
    with pytest.raises(TooManyCells) as refused:
        read._check_sheet_sizes(zipfile.ZipFile(io.BytesIO(data)), "nho.xlsx", limit=30 * 50 - 1)
    assert refused.value.params["area"] == "A1:AX30"


def test_a_normal_workbook_passes_the_cell_count():
    assert check_safe(Path("ok.xlsx"), workbook_bytes(simple_report)) == "xlsx"


def test_a_csv_row_over_the_column_limit_is_refused_naming_the_row():
    from errors import TooManyColumns, TooManyRows
    text = "a,b\n1,2\n" + ",".join("x" * 6) + "\n"
    with pytest.raises(TooManyColumns) as refused:
        read._csv_rows("r.csv", text, ",", max_columns=5)
    assert refused.value.params == {"file": "r.csv", "row": 3, "columns": 6, "limit": 5}
    with pytest.raises(TooManyRows):
        read._csv_rows("r.csv", "a\n" * 11, ",", max_rows=10)
    assert len(read._csv_rows("r.csv", "a\n" * 10, ",", max_rows=10)) == 10
