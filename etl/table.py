"""Finding the table inside a sheet: title rows above, a 1-3 row header, data, then notes below."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from etl.columns import identifier_key, label_key
from etl.read import Sheet
from etl.text import expand, fold
from etl.values import MISSING_TOKENS

MAX_HEADER_SEARCH = 40
_NUMBERING_TOKEN = re.compile(r"^\(?[A-Za-z0-9]{1,3}\)?$")
# a numbered column's rule written under it: '(3)=(4)/(3)', '5=3+4', '(6) = (4) x 100 / (3)'
_NUMBERING_FORMULA = re.compile(r"^\(?[A-Za-z0-9]{1,3}\)?\s*=\s*[()A-Za-z0-9+\-*/x:.,%\s]+$")
_ROMAN_OR_LETTER = re.compile(r"^(?:[ivxlc]+|[a-d])(?:[.)]\s*.*)?$")
_SECTION_WORDS = ("cap xa", "cap phuong", "cap huyen", "cap tinh", "cac xa", "cac phuong", "khoi xa",
                  "khoi phuong", "commune level")
# Phrases that open a totals row; single words ('cộng', 'tổng') only when they are the whole cell,
# because commune names may start with them.
_TOTAL_PHRASES = ("tong cong", "cong xa", "cong phuong", "cong dac khu", "cong cap xa", "cong khoi",
                  "tong xa", "tong phuong", "cong toan tinh", "cong chung", "subtotal", "tong so", "toan tinh", "toan thanh pho", "ca nuoc", "toan quoc", "total")
_TOTAL_WORDS = ("cong", "tong", "binh quan", "trung binh")
# a group heading inside the table: 'A. PHƯỜNG (58 đơn vị)', 'II. Các xã (12)', 'Khối phường'
_GROUP_ROW = re.compile(r"^(?:[ivxlc]+|[a-d])[.)]?\s+(?:cac\s+|khoi\s+|cap\s+)?(?:xa|phuong|dac khu)\b"
                        r"|^(?:khoi|cac)\s+(?:xa|phuong|dac khu)\b|\b\d+\s+(?:don vi|dvhc)$")
_NOTE_WORDS = ("ghi chu", "nguoi lap", "thu truong", "noi nhan", "xac nhan", "ky ten", "kt ", "tm ",
               "chu tich", "giam doc", "ky ghi ro", "note", "prepared by", "nguon so lieu")


@dataclass
class Table:
    header_rows: list[int]  # grid indices of the header rows
    labels: list[str]  # one joined label per column ('Tiến độ giải quyết / Đúng hạn')
    data_start: int  # grid index of the first row below the header
    data_end: int  # grid index one past the last row of the table (notes excluded)
    title_text: list[str] = field(default_factory=list)  # text above the header, for the period


def fill_merged(sheet: Sheet) -> list[list[Any]]:
    """The grid with every merged range showing its top-left value; rows without merges are shared."""
    rows = list(sheet.rows)
    touched = {r for r0, _c0, r1, _c1 in sheet.merged for r in range(max(r0, 0), min(r1, len(rows) - 1) + 1)}
    for r in touched:
        rows[r] = list(rows[r])
    for r0, c0, r1, c1 in sheet.merged:
        if r0 < 0 or c0 < 0 or r0 >= len(rows):
            continue
        value = rows[r0][c0] if c0 < len(rows[r0]) else None
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            for c in range(c0, min(c1, len(rows[r]) - 1) + 1):
                rows[r][c] = value
    return rows


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip()) and not _looks_numeric(value)


def _is_missing_mark(value: Any) -> bool:
    return isinstance(value, str) and value.strip().lower() in MISSING_TOKENS


def _without_numeral(folded: str) -> str:
    """'ii cap xa' -> 'cap xa'."""
    head, _, rest = folded.partition(" ")
    return rest if re.fullmatch(r"[ivxlc]+|[a-d]", head) else folded


def _looks_numeric(value: Any) -> bool:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return True
    return isinstance(value, str) and bool(re.fullmatch(r"[\s+\-−]*[\d.,]+\s*%?\s*", value))


def find_table(sheet: Sheet, rows: list[list[Any]], known_labels: set[str]) -> Table | None:
    """Locate the header by how many of its cells are known labels; None if no row looks like one."""
    best_row, best_score = None, 0
    for r, row in enumerate(rows[:MAX_HEADER_SEARCH]):
        score = sum(1 for cell in row if _is_text(cell) and _known(cell, known_labels))
        if score > best_score:
            best_row, best_score = r, score
    if best_row is None or best_score < 2:
        return None
    best_row = _header_top(sheet, rows, best_row)
    depth = _header_depth(sheet, rows, best_row)
    return _table_under(rows, list(range(best_row, best_row + depth)))


def _table_under(rows: list[list[Any]], header_rows: list[int], start: int | None = None,
                 end: int | None = None) -> Table:
    """The table whose header is `header_rows` (grid indices): labels joined down the rows, data from
    `start` (else below the header and its numbering row) to `end` (else the first note)."""
    width = max((len(row) for row in rows), default=0)
    labels = []
    for c in range(width):
        parts: list[str] = []
        for r in header_rows:
            cell = rows[r][c] if c < len(rows[r]) else None
            text = " ".join(str(cell).split()) if cell is not None else ""
            if text and (not parts or label_key(parts[-1]) != label_key(text)):
                parts.append(text)
        labels.append(" / ".join(parts))
    data_start = header_rows[-1] + 1 if start is None else start
    if start is None and data_start < len(rows) and _is_numbering_row(rows[data_start]):
        data_start += 1
    data_end = _table_end(rows, data_start) if end is None else end
    title = [str(cell) for row in rows[:header_rows[0]] for cell in row if isinstance(cell, str) and cell.strip()]
    return Table(header_rows, labels, data_start, data_end, title)


def steer_table(sheet: Sheet, rows: list[list[Any]], found: Table | None, header: tuple[int, ...],
                first: int | None, last: int | None) -> Table | None:
    """The table where a person says it is: header rows and first/last data row as spreadsheet row
    numbers (empty/None: as found). Rows outside the sheet are left out; None when no header is known."""
    to_grid = lambda row: row - sheet.first_row  # noqa: E731
    header_rows = sorted(r for r in map(to_grid, header) if 0 <= r < len(rows))
    if not header_rows:
        if found is None:
            return None
        header_rows = found.header_rows
    start = None if first is None else min(max(to_grid(first), header_rows[-1] + 1), len(rows))
    end = None if last is None else min(max(to_grid(last) + 1, header_rows[-1] + 1), len(rows))
    if start is None and found is not None and header_rows == found.header_rows:
        start = found.data_start
    if end is None and found is not None and header_rows == found.header_rows:
        end = found.data_end
    if start is not None and end is not None and end < start:
        end = start
    return _table_under(rows, header_rows, start, end)


def _known(cell: str, known_labels: set[str]) -> bool:
    if identifier_key(cell) in known_labels:  # a name like 'muc_do_hai_long', known as written
        return True
    key = expand(label_key(cell))
    return key in known_labels or any(part.strip() in known_labels for part in key.split("/"))


def _header_top(sheet: Sheet, rows: list[list[Any]], row: int) -> int:
    """Move up to the parent row when the best-scoring row is a child row under merged group labels."""
    top = row
    for r0, _c0, r1, _c1 in sheet.merged:
        if r0 < row <= r1 and row - r0 < 3:
            top = min(top, r0)
    if top == row and row > 0:
        # judged on the sheet as written: a title merged across the table is one cell, not a header row
        written = sheet.rows[row - 1] if row - 1 < len(sheet.rows) else []
        above = [cell for cell in written if cell is not None]
        if len(above) >= 2 and all(_is_text(cell) for cell in above) and not classify_row(written)[0]:
            top = row - 1
    return top


def _is_numbering_row(row: list[Any]) -> bool:
    """The column-number row of official forms under the header: '(1) (2) (3)' or 'A B 1 2'."""
    cells = [cell for cell in row if cell is not None and str(cell).strip()]
    if len(cells) < 3:
        return False
    tokens = []
    for cell in cells:
        if isinstance(cell, float) and cell.is_integer():
            cell = str(int(cell))
        if not isinstance(cell, (str, int)) or not (_NUMBERING_TOKEN.match(str(cell).strip())
                                                     or _NUMBERING_FORMULA.match(str(cell).strip())):
            return False
        tokens.append(str(cell).strip())
    if len(set(tokens)) != len(tokens):
        return False
    integers = [int(t) for t in tokens if t.isdigit()]
    marked = any(t.startswith("(") or t.isalpha() or "=" in t for t in tokens)
    return marked or integers == list(range(integers[0], integers[0] + len(integers)))


def _header_depth(sheet: Sheet, rows: list[list[Any]], start: int) -> int:
    """1-3 rows: as deep as merged ranges starting in the header reach, or text-only rows below it."""
    depth = 1
    for r0, _c0, r1, _c1 in sheet.merged:
        if r0 == start and r1 > r0:
            depth = max(depth, r1 - r0 + 1)
    filled = sum(1 for cell in rows[start] if cell is not None)
    while depth < 3 and start + depth < len(rows):
        below = rows[start + depth]
        cells = [cell for cell in below if cell is not None]
        if cells and all(_is_text(cell) and not _is_missing_mark(cell) for cell in cells) \
                and len(set(cells)) > 1 and len(cells) * 2 > filled and classify_row(below)[0] in (None, "total") \
                and not _is_numbering_row(below):
            depth += 1
        else:
            break
    return min(depth, 3, len(rows) - start)  # a merge may reach below the last written row


def _table_end(rows: list[list[Any]], start: int) -> int:
    for r in range(start, len(rows)):
        row = rows[r]
        if list(map(type, row)).count(float) >= 2:
            continue  # cheap test first (C loops): a row with numbers is never a note
        if classify_row(row)[0] == "note":
            return r
    return len(rows)


def classify_row(row: list[Any]) -> tuple[str | None, str]:
    """('empty'|'note'|'total'|'section'|None, first text): None means a data row."""
    cells = [cell for cell in row if cell is not None and str(cell).strip()]
    if not cells:
        return "empty", ""
    originals = [" ".join(cell.split()) for cell in cells if isinstance(cell, str) and not _looks_numeric(cell)]
    texts = [fold(text) for text in originals]
    numbers = [cell for cell in cells if _looks_numeric(cell)]
    first = originals[0] if originals else ""
    if any(text.startswith(word) for text in texts[:2] for word in _NOTE_WORDS) and len(numbers) <= 1:
        return "note", first
    lead = [fold(cell) for cell in row[:3] if cell is not None and str(cell).strip()]
    if any(text in _TOTAL_WORDS or any(text == p or text.startswith(p + " ") for p in _TOTAL_PHRASES)
           for text in lead):
        return "total", first
    if texts and _GROUP_ROW.search(texts[0]):  # 'A. PHƯỜNG (58 đơn vị)' with its subtotals beside it
        return "section", " ".join(originals)
    if len(numbers) <= 1 and texts and (_ROMAN_OR_LETTER.match(originals[0].lower()) or any(
            _without_numeral(text).startswith(w) for text in texts for w in _SECTION_WORDS)):
        return "section", " ".join(originals)
    return None, first
