"""Tables as files people open in Excel: CSV in UTF-8 with a byte-order mark, and a styled xlsx.

Text a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return) is
written with an apostrophe in front, so a unit name can never become a formula (CSV injection);
numbers stay numbers.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from collections.abc import Mapping

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXCEL_CELL_CHARS = 32_767
TITLE_ROW, HEADER_ROW = 1, 2
_HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
_MAX_WIDTH = 48


def neutralised(text: str) -> str:
    """Text as a spreadsheet must show it, never run it: a leading apostrophe before formula starters."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def cell_value(value: object) -> str | int | float | bool | None:
    """A DataFrame cell as a spreadsheet cell: numbers as numbers, blanks as None, the rest as safe text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    text = neutralised(ILLEGAL_CHARACTERS_RE.sub("", str(value)))
    # Excel calls a workbook with a longer cell damaged, and splits such a CSV field over cells
    return text if len(text) <= EXCEL_CELL_CHARS else text[:EXCEL_CELL_CHARS - 1] + "…"


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV, UTF-8 with BOM so Excel reads the Vietnamese letters right; blanks stay empty.

    Rows end in CRLF (RFC 4180), so a name holding a line break or a carriage return is quoted whole.
    """
    safe = frame.rename(columns=lambda name: cell_value(name))
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(lambda v: cell_value(v) if isinstance(v, str) else v)
    return safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def to_xlsx_bytes(frame: pd.DataFrame, title: str, number_formats: Mapping[str, str], *,
                  sheet_name: str = "Sheet1") -> bytes:
    """One sheet: a title row (what, where, when), a bold header frozen in place, then the rows.

    `number_formats` maps column names to Excel formats ("0.00", "#,##0"); Excel shows them with the
    reader's own separators.
    """
    book = Workbook()
    sheet = book.active
    sheet.title = re.sub(r"[\[\]:*?/\\]", " ", sheet_name)[:31]
    sheet.cell(TITLE_ROW, 1, cell_value(title)).font = Font(bold=True, size=14)
    thin = Side(style="thin", color="8EA3BA")
    for col, name in enumerate(frame.columns, start=1):
        header = sheet.cell(HEADER_ROW, col, cell_value(name))
        header.font, header.fill = Font(bold=True), _HEADER_FILL
        header.alignment, header.border = Alignment(wrap_text=True, vertical="center"), Border(bottom=thin)
    formats = [number_formats.get(name) for name in frame.columns]
    for r, row in enumerate(frame.itertuples(index=False, name=None), start=HEADER_ROW + 1):
        for col, value in enumerate(row, start=1):
            cell = sheet.cell(r, col, cell_value(value))
            if formats[col - 1] and isinstance(cell.value, (int, float)):
                cell.number_format = formats[col - 1]
    last = get_column_letter(max(len(frame.columns), 1))
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + len(frame)}"
    for col, name in enumerate(frame.columns, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = _width(name, frame.iloc[:, col - 1])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _width(name: object, values: pd.Series) -> float:
    # wide enough for the header's longest word and the longest value, within reason
    longest_word = max((len(word) for word in str(name).split()), default=0)
    longest_value = max((len(str(v)) for v in values if cell_value(v) is not None), default=0)
    return float(min(max(longest_word, longest_value, 6) + 2, _MAX_WIDTH))


def safe_file_name(*parts: str) -> str:
    """An ASCII file name from its parts: 'xep-hang_on_time_rate_2026-10_01'."""
    ascii_parts = [re.sub(r"[^A-Za-z0-9._\-]+", "-", _ascii(part)).strip("-") for part in parts if part]
    return "_".join(p for p in ascii_parts if p)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in folded if not unicodedata.combining(c))
