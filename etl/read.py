"""Refuse unsafe files before parsing, then read every sheet into a grid of cell values.

Bulk reading is python-calamine (Rust, 5-15x faster than openpyxl). Calamine has no decompression
bound, so the zip's declared sizes are checked first; formulas are read as their cached values, and a
formula with no cached value is reported by cell.
"""

from __future__ import annotations

import csv
import re
import io
import unicodedata
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import python_calamine
from defusedxml import ElementTree

import config
from errors import (EmptyFile, FileTooLarge, NotASpreadsheet, Problem, SheetNotFound, TooManyCells, TooManyColumns,
                    TooManyRows, UnsupportedFormat, ZipBomb)

MAX_FILE_BYTES = int(config.MAX_UPLOAD_MB * 1024 * 1024)
MAX_UNZIPPED_BYTES = 500 * 1024 * 1024
MAX_ZIP_RATIO = 100
MAX_CELLS = config.MAX_CELLS
_DIMENSION = re.compile(rb'<dimension ref="([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)"')
# a <row> or <c> start tag (any namespace prefix) and its attributes; the reference is found in them
_ROW_OR_CELL = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>')
_REF = re.compile(rb'\sr\s*=\s*["\']([A-Za-z]{0,3})(\d+)["\']')
_XML_CHUNK = 1 << 20
SUPPORTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_KNOWN_MAGIC = {b"%PDF": "PDF", b"\x89PNG": "PNG", b"\xff\xd8\xff": "JPEG", b"<htm": "HTML", b"<!do": "HTML",
                b"<?xml": "XML", b"{\\rt": "RTF"}
_SS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


@dataclass
class Sheet:
    """One sheet as a rectangular grid. `first_row` is the spreadsheet row number of rows[0]."""

    name: str
    rows: list[list[Any]]
    first_row: int = 1
    first_col: int = 0  # 0-based index of column A offset
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # 0-based (r0, c0, r1, c1), grid coords
    problems: list[Problem] = field(default_factory=list)


def check_safe(path: Path, data: bytes, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Refuse before parsing; return the format ('xlsx', 'xls', 'ods', 'csv')."""
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnsupportedFormat(file=name, suffix=suffix or "?", supported=", ".join(SUPPORTED_SUFFIXES))
    if len(data) == 0:
        raise EmptyFile(file=name)
    if len(data) > max_bytes:
        raise FileTooLarge(file=name, size_mb=round(len(data) / 1048576, 1), limit_mb=round(max_bytes / 1048576, 1))
    head = data[:8]
    if suffix == ".csv":
        if b"\x00" in data[:4096] or _describe(head) != "?":
            raise NotASpreadsheet(file=name, expected="CSV", found=_describe(head))
        return "csv"
    if suffix == ".xls":
        if not head.startswith(_OLE_MAGIC):
            raise NotASpreadsheet(file=name, expected="Excel 97-2003 (.xls)", found=_describe(head))
        return "xls"
    if not head.startswith(_ZIP_MAGIC):
        raise NotASpreadsheet(file=name, expected=_expected(suffix), found=_describe(head))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise NotASpreadsheet(file=name, expected=_expected(suffix), found="ZIP") from exc
    declared = sum(info.file_size for info in infos)
    budget = min(MAX_UNZIPPED_BYTES, MAX_ZIP_RATIO * len(data))
    if declared > budget:
        raise ZipBomb(file=name, unzipped_mb=round(declared / 1048576, 1), size_mb=round(len(data) / 1048576, 2))
    _inflate_within(archive, budget, name, len(data))
    names = {info.filename for info in infos}
    if suffix == ".ods":
        if "mimetype" not in names or b"spreadsheet" not in archive.read("mimetype"):
            raise NotASpreadsheet(file=name, expected=_expected(suffix), found="ZIP")
        return "ods"
    if "xl/workbook.xml" not in names:
        raise NotASpreadsheet(file=name, expected=_expected(suffix), found="ZIP")
    _check_sheet_sizes(archive, name)
    return "xlsx"


def _inflate_within(archive: zipfile.ZipFile, budget: int, name: str, size: int) -> None:
    """Decompress every part once, counting: a crafted zip can declare sizes smaller than it unpacks to,
    and the reader library has no bound of its own."""
    total = 0
    try:
        for info in archive.infolist():
            with archive.open(info) as member:
                while chunk := member.read(1 << 20):
                    total += len(chunk)
                    if total > budget:
                        raise ZipBomb(file=name, unzipped_mb=round(total / 1048576, 1),
                                      size_mb=round(size / 1048576, 2))
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:  # sizes or checksums that do not add up
        raise NotASpreadsheet(file=name, expected=_expected(Path(name).suffix.lower()), found="ZIP (damaged)") from exc


def _check_sheet_sizes(archive: zipfile.ZipFile, name: str, limit: int | None = None) -> None:
    """Refuse a sheet whose area is huge: a few kilobytes with a cell in XFD1048576 would make the reader
    build (or try to allocate) a grid of billions of cells. The declared <dimension> is checked first,
    then every <row r> and <c r> actually written, streamed: the declaration may be missing or lie."""
    limit = limit or MAX_CELLS
    for info in archive.infolist():
        if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
            continue
        with archive.open(info) as member:
            head = member.read(4096)
        found = _DIMENSION.search(head)
        if found is not None:
            columns, rows = _column_number(found[3].decode()), int(found[4])
            first_columns, first_rows = _column_number(found[1].decode()), int(found[2])
            cells = (columns - first_columns + 1) * (rows - first_rows + 1)
            if cells > limit:
                raise TooManyCells(file=name, cells=cells, limit=limit, area=found[0].decode())
        with archive.open(info) as member:
            area = _written_area(member)
        if area is not None:
            (r0, c0), (r1, c1) = area
            cells = (r1 - r0 + 1) * (c1 - c0 + 1)
            if cells > limit:
                raise TooManyCells(file=name, cells=cells, limit=limit,
                                   area=f"{_column_letters(c0)}{r0}:{_column_letters(c1)}{r1}")


def _written_area(member: io.BufferedIOBase) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The smallest area holding every row and cell of a worksheet's XML, as the reader will place them
    ((first row, first column), (last row, last column), 1-based), streamed in chunks. A row or cell
    without a reference goes after the one before it, as Excel and calamine place it."""
    rows = [None, 0]  # first, last
    cols = [None, 0]
    row = col = 0
    carry = b""
    while True:
        chunk = member.read(_XML_CHUNK)
        buffer = carry + chunk
        end = 0
        for tag in _ROW_OR_CELL.finditer(buffer):
            end = tag.end()
            ref = _REF.search(tag[2])
            if tag[1] == b"row":
                row = int(ref[2]) if ref else row + 1
                col = 0
                rows[0] = row if rows[0] is None else min(rows[0], row)
                rows[1] = max(rows[1], row)
            else:
                if ref:
                    col = _column_number(ref[1].decode().upper()) if ref[1] else col + 1
                    if not row or int(ref[2]) != row:  # a cell outside its row element still counts where it says
                        cell_row = int(ref[2])
                        rows[0] = cell_row if rows[0] is None else min(rows[0], cell_row)
                        rows[1] = max(rows[1], cell_row)
                else:
                    col += 1
                cols[0] = col if cols[0] is None else min(cols[0], col)
                cols[1] = max(cols[1], col)
        if not chunk:
            break
        # keep an unfinished tag for the next chunk; a start tag is short, so a long tail holds none
        tail = buffer[end:]
        cut = tail.rfind(b"<")
        carry = tail[cut:] if cut >= 0 and len(tail) - cut < 65536 else b""
    if rows[0] is None or cols[0] is None:
        return None
    return (rows[0], cols[0]), (rows[1], cols[1])


def _column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _expected(suffix: str) -> str:
    return {".ods": "OpenDocument (.ods)", ".xlsx": "Excel (.xlsx)", ".xlsm": "Excel (.xlsm)"}.get(suffix, suffix)


def _describe(head: bytes) -> str:
    for magic, kind in _KNOWN_MAGIC.items():
        if head.lower().startswith(magic.lower()):
            return kind
    if head.startswith(_ZIP_MAGIC):
        return "ZIP"
    if head.startswith(_OLE_MAGIC):
        return "OLE (.xls/.doc)"
    return "?"


def read_sheets(path: Path, data: bytes, fmt: str, sheet: str | None = None) -> list[Sheet]:
    """Every sheet (or the one named) as grids of Python values; '' cells become None."""
    if fmt == "csv":
        sheets = [_read_csv(path, data)]
    else:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = workbook.sheet_names
        if sheet is not None and sheet not in names:
            raise SheetNotFound(file=path.name, sheet=sheet, sheets=", ".join(names))
        sheets = []
        for name in ([sheet] if sheet is not None else names):
            grid = workbook.get_sheet_by_name(name)
            rows = grid.to_python()
            for row in rows:  # in place: a copy of a 200,000-row grid costs hundreds of MB
                for i, cell in enumerate(row):
                    if cell == "":
                        row[i] = None
            start_row, start_col = grid.start or (0, 0)
            merged = [(r0 - start_row, c0 - start_col, r1 - start_row, c1 - start_col)
                      for (r0, c0), (r1, c1) in (grid.merged_cell_ranges or [])]
            sheets.append(Sheet(name, rows, start_row + 1, start_col, merged))
        if fmt == "xlsx":
            _flag_formulas_without_values(path, data, sheets)
    return sheets


def _read_csv(path: Path, data: bytes) -> Sheet:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1258", errors="replace")  # Vietnamese Windows code page
    text = unicodedata.normalize("NFC", text)  # Windows-1258 decodes to combining marks
    try:
        delimiter = csv.Sniffer().sniff(text[:8192], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = _consistent_delimiter(text)
    return Sheet(path.stem, _csv_rows(path.name, text, delimiter))


def _csv_rows(name: str, text: str, delimiter: str, max_columns: int | None = None,
              max_rows: int | None = None) -> list[list[Any]]:
    """The rows, refused while streaming at the first row over the column limit or past the row limit:
    a header of a million columns or two million rows would keep the reading busy for minutes."""
    max_columns = max_columns or config.MAX_COLUMNS
    max_rows = max_rows or config.MAX_ROWS
    rows: list[list[Any]] = []
    for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        if len(row) > max_columns:
            raise TooManyColumns(file=name, row=number, columns=len(row), limit=max_columns)
        if number > max_rows:
            raise TooManyRows(file=name, limit=max_rows)
        rows.append([cell if cell != "" else None for cell in row])
    return rows


def _consistent_delimiter(text: str) -> str:
    """The delimiter found the same non-zero number of times on most lines (titles may have none)."""
    lines = [line for line in text.splitlines()[:200] if line.strip()]
    best, best_lines = ",", 0
    for candidate in (";", "\t", ","):
        counts = Counter(line.count(candidate) for line in lines if line.count(candidate))
        if counts:
            _count, lines_with_it = counts.most_common(1)[0]
            if lines_with_it > best_lines:
                best, best_lines = candidate, lines_with_it
    return best


def _flag_formulas_without_values(path: Path, data: bytes, sheets: list[Sheet]) -> None:
    """Report formula cells that have no cached value (saved by a tool that never calculated them)."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    targets = _sheet_xml_paths(archive)
    for sheet in sheets:
        xml_path = targets.get(sheet.name)
        if xml_path is None or xml_path not in archive.namelist():
            continue
        raw = archive.read(xml_path)
        if b"<f" not in raw:
            continue
        for _, element in ElementTree.iterparse(io.BytesIO(raw)):
            if element.tag == f"{_SS}c":
                if element.find(f"{_SS}f") is not None:
                    value = element.find(f"{_SS}v")
                    # an empty cached value is real when the formula's result is text ("" from =IF(...,""))
                    if value is None or (value.text in (None, "") and element.get("t") != "str"):
                        ref = element.get("r", "?")
                        sheet.problems.append(Problem("formula_without_value", path.name, sheet.name,
                                                      _row_of(ref), ref, None, {"cell": ref}))
                element.clear()


def _row_of(ref: str) -> int | None:
    digits = "".join(ch for ch in ref if ch.isdigit())
    return int(digits) if digits else None


def _sheet_xml_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
    paths = {}
    for sheet in workbook.iter(f"{_SS}sheet"):
        target = targets.get(sheet.get(f"{_REL}id"), "")
        paths[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return paths
