"""A corpus of spreadsheet layouts the project makes itself: the same true figures, laid out as offices do.

Every layout writes the figures of one month (November 2026) for real units of several provinces
(data/admin_units_2025.csv) whose counts obey the catalog's rules: on time + overdue = received,
online ≤ received, fully online ≤ online, rates = 100 × n ÷ d and the progress score = 20 × on time ÷
received, rounded to 2 decimals; the 766 group scores have two decimals between 0 and the group's maximum.
The layouts differ in everything else: header wording (catalog names, office abbreviations, other unit
column words), header depth 1–3 with merged and wrapped cells, numbering rows, an official report's
preamble and signature, section and subtotal rows, province departments, shuffled and text columns, codes
as numbers, names written otherwise, one sheet per group, long format, xlsx/xls/ods/csv (UTF-8 with and
without BOM, `,` and `;`, Windows-1258), rates as fractions under a percent format, as "96,55%" text or
as 96.55, and thousands as "1.234" text.

Each layout is a function returning a `Layout`: its file name, its bytes and what a person must confirm
(usually nothing), plus what the test needs to check it: each column's true target by (sheet, letter) and
the (unit, indicator) values the file carries. `TRUTH` holds every true value.

Write every layout to a folder to look at them by hand: `python -m tests.etl.layouts OUT_DIR`; see how
the loader fares on each (Problem codes, columns read otherwise): `python -m tests.etl.layouts --check`.
"""

from __future__ import annotations

import csv
import io
import random
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment

DATA = Path(__file__).resolve().parents[2] / "data"
PERIOD = "2026-11"
MONTH, YEAR = 11, 2026
IGNORE = ""  # a column that holds no indicator (text, phone numbers): not to be loaded
NOTE = "_note"

# ---------------------------------------------------------------- the units and the true figures


@dataclass(frozen=True)
class Unit:
    code: str  # '08377'
    province_code: str
    province: str  # 'Phú Thọ'
    name: str  # 'Vân Bán'
    full: str  # 'Xã Vân Bán'
    kind: str  # phuong | xa | dac_khu


def _read_units() -> list[Unit]:
    with open(DATA / "admin_units_2025.csv", encoding="utf-8", newline="") as f:
        return [Unit(r["commune_code"], r["province_code"], r["province_name"], r["commune_name"],
                     r["commune_full_name"], r["unit_type"]) for r in csv.DictReader(f)]


def _read_catalog() -> dict[str, dict[str, str]]:
    with open(DATA / "indicators.csv", encoding="utf-8", newline="") as f:
        return {r["code"]: r for r in csv.DictReader(f)}


ALL_UNITS = _read_units()
CATALOG = _read_catalog()


def _fold(text: str) -> str:
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in plain if unicodedata.category(ch) != "Mn").lower()


def _pick(province_code: str, phuong: int, xa: int, dac_khu: int = 0) -> list[Unit]:
    """Units of one province whose names (also without diacritics) are unique in the whole country, so
    every way of writing them names one unit."""
    everywhere: dict[str, int] = {}
    for unit in ALL_UNITS:
        everywhere[_fold(unit.name)] = everywhere.get(_fold(unit.name), 0) + 1
    chosen: list[Unit] = []
    for kind, wanted in (("phuong", phuong), ("xa", xa), ("dac_khu", dac_khu)):
        pool = [u for u in ALL_UNITS if u.province_code == province_code and u.kind == kind
                and everywhere[_fold(u.name)] == 1]
        step = max(1, len(pool) // max(wanted, 1))
        chosen += pool[::step][:wanted]
    return chosen


PHU_THO = _pick("25", 3, 5)
HA_NOI = _pick("01", 3, 4)  # codes with leading zeros: 00004 ...
QUANG_NINH = _pick("22", 2, 3, 2)  # with both đặc khu
UNITS = PHU_THO + HA_NOI + QUANG_NINH
PROVINCE_NAME = {"25": "Phú Thọ", "01": "Hà Nội", "22": "Quảng Ninh"}
PROVINCE_TITLE = {"25": "TỈNH PHÚ THỌ", "01": "THÀNH PHỐ HÀ NỘI", "22": "TỈNH QUẢNG NINH"}

COUNTS = ["dossiers_received", "dossiers_on_time", "dossiers_overdue", "dossiers_online", "dossiers_full_online"]
RATES = ["on_time_rate", "online_filing_rate", "full_online_rate"]
GROUPS = ["transparency_score", "progress_score", "online_service_score", "online_payment_score",
          "digitization_score", "satisfaction_score"]  # in the order of the 766 index


def _truth() -> dict[tuple[str, str], float]:
    rng = random.Random(20261105)
    truth: dict[tuple[str, str], float] = {}
    for i, unit in enumerate(UNITS):
        # a few units in the thousands, so that '1.234' and thousands separators occur
        received = rng.randint(1000, 3400) if i % 4 == 0 else rng.randint(35, 990)
        overdue = 0 if i % 5 == 1 else rng.randint(1, max(1, received // 12))
        online = round(received * rng.uniform(0.55, 0.99))
        full_online = round(online * rng.uniform(0.3, 0.95))
        values: dict[str, float] = {
            "dossiers_received": received, "dossiers_on_time": received - overdue, "dossiers_overdue": overdue,
            "dossiers_online": online, "dossiers_full_online": full_online,
            "on_time_rate": round(100 * (received - overdue) / received, 2),
            "online_filing_rate": round(100 * online / received, 2),
            "full_online_rate": round(100 * full_online / received, 2),
            "progress_score": round(20 * (received - overdue) / received, 2),
        }
        for code in GROUPS:
            if code != "progress_score":
                top = float(CATALOG[code]["max_points_766"])
                values[code] = round(rng.uniform(0.35, 1.0) * top, 2)
        values["service_index"] = round(sum(values[code] for code in GROUPS), 2)
        responses = rng.randint(12, 400)
        satisfied = responses - rng.randint(0, responses // 10)
        values.update(survey_responses=responses, survey_satisfied=satisfied,
                      satisfaction_rate=round(100 * satisfied / responses, 2))
        outgoing = rng.randint(60, 1500)
        signed = outgoing - rng.randint(0, outgoing // 20)
        values.update(docs_outgoing=outgoing, docs_esigned=signed, esign_rate=round(100 * signed / outgoing, 2))
        for code, value in values.items():
            truth[(unit.code, code)] = float(value)
    return truth


TRUTH = _truth()


def value(unit: Unit, code: str) -> float:
    return TRUTH[(unit.code, code)]


def count(unit: Unit, code: str) -> int:
    return int(TRUTH[(unit.code, code)])


# ---------------------------------------------------------------- cells, sheets, layouts


@dataclass(frozen=True)
class Cell:
    """A cell with an Excel number format (e.g. '0.00%': a fraction shown as a percent)."""

    value: Any
    fmt: str | None = None


@dataclass(frozen=True)
class Formula:
    """A formula as Excel saves it: the text and the value it last computed (other formats get the value)."""

    text: str  # without '='
    cached: Any


@dataclass(frozen=True)
class Col:
    """One column of a table: its header cells top-down (None: merged with the cell above), its true
    target (indicator code, role, or IGNORE) and the cell it holds for a unit."""

    head: tuple[str | None, ...]
    target: str
    cell: Callable[[Unit], Any]
    total: Callable[[list[Unit]], Any] | None = None  # its cell in a subtotal row; None: left empty


@dataclass
class SheetPlan:
    name: str
    rows: list[list[Any]] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # 0-based, inclusive
    targets: dict[int, str] = field(default_factory=dict)  # column index -> true target
    carried: set[tuple[str, str]] = field(default_factory=set)  # (unit code, indicator) written on the sheet
    units: dict[int, str] = field(default_factory=dict)  # spreadsheet row -> unit code (IGNORE: not a commune)


@dataclass(frozen=True)
class Layout:
    key: str  # the function's name
    name: str  # the file name
    data: bytes
    confirm: tuple[str, ...]  # what a person must confirm, in words; () when the file should load untouched
    targets: dict[tuple[str, str], str]  # (sheet, column letter) -> true target (indicator, role or IGNORE)
    carried: frozenset[tuple[str, str]]  # (unit code, indicator) values the file carries
    units: dict[tuple[str, int], str]  # (sheet, spreadsheet row) -> the unit it holds (IGNORE: a department)

    def expected(self) -> dict[tuple[str, str], float]:
        return {key: TRUTH[key] for key in self.carried}

    def __iter__(self) -> Iterator[Any]:  # name, data, confirm = layout
        return iter((self.name, self.data, self.confirm))


def letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


# ---------------------------------------------------------------- column kinds

def seq_col(head: Sequence[str | None] = ("STT",)) -> Col:
    counter = {"n": 0}

    def cell(_unit: Unit) -> int:
        counter["n"] += 1
        return counter["n"]

    return Col(tuple(head), "_seq", cell)


def code_col(head: Sequence[str | None] = ("Mã xã",), as_number: bool = False) -> Col:
    return Col(tuple(head), "_unit_code", (lambda u: int(u.code)) if as_number else (lambda u: u.code))


def name_col(head: Sequence[str | None] = ("Tên đơn vị",), style: str = "full") -> Col:
    writers: dict[str, Callable[[Unit], str]] = {
        "full": lambda u: u.full,
        "short": lambda u: u.name,
        "ubnd": lambda u: f"UBND {u.full.split(' ')[0].lower()} {u.name}" if u.kind != "dac_khu"
        else f"UBND đặc khu {u.name}",
        "upper": lambda u: u.full.upper(),
        "ascii": lambda u: unicodedata.normalize("NFC", _strip(u.full)),
        "nfd": lambda u: unicodedata.normalize("NFD", u.full),
        "abbreviated": lambda u: {"phuong": "P.", "xa": "X.", "dac_khu": "ĐK"}[u.kind] + " " + u.name,
    }
    return Col(tuple(head), "_unit_name", writers[style])


def _strip(text: str) -> str:
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in plain if unicodedata.category(ch) != "Mn")


def num_col(head: Sequence[str | None], code: str, style: str = "plain") -> Col:
    """An indicator column. style: plain (int counts, 96.55 rates) | fraction (0.9655 under '0.00%') |
    pct_text ('96,55%') | comma_text ('96,55') | thousands_text ('1.234') | float (96.55 as float)."""
    kind = CATALOG[code]["kind"]

    def cell(unit: Unit) -> Any:
        v = value(unit, code)
        if kind == "count":
            n = int(v)
            if style == "thousands_text":
                return f"{n:,}".replace(",", ".")
            return n
        if style == "fraction":
            return Cell(round(v / 100, 6), "0.00%")
        if style == "pct_text":
            return f"{v:.2f}%".replace(".", ",")
        if style == "comma_text":
            return f"{v:.2f}".replace(".", ",")
        return v

    total = None
    if kind == "count":
        def total(units: list[Unit]) -> Any:
            n = sum(count(u, code) for u in units)
            return f"{n:,}".replace(",", ".") if style == "thousands_text" else n
    return Col(tuple(head), code, cell, total)


def text_col(head: Sequence[str | None], kind: str) -> Col:
    """Text beside the figures: notes, the person in charge, a phone number written as text."""
    people = ["Nguyễn Thị Lan", "Trần Văn Hùng", "Lê Minh Tuấn", "Phạm Thu Hà", "Hoàng Đức Anh"]
    writers: dict[str, Callable[[Unit], Any]] = {
        "note": lambda u: "Đã đồng bộ lên Cổng DVC quốc gia" if int(u.code) % 3 == 0 else None,
        "person": lambda u: people[int(u.code) % len(people)],
        "phone": lambda u: f"0{912000000 + int(u.code) * 37 % 999999:09d}"[:10],
    }
    return Col(tuple(head), NOTE if kind == "note" else IGNORE, writers[kind])


# ---------------------------------------------------------------- building a sheet

QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"


def preamble(province: str, width: int, title: str) -> tuple[list[list[Any]], list[tuple[int, int, int, int]]]:
    """An official report's top: the body and the national motto side by side, the number and the
    place and date (a month later than the report's), then the title."""
    half = max(2, width // 2)
    rows: list[list[Any]] = [[None] * width for _ in range(7)]
    rows[0][0], rows[0][half] = "ỦY BAN NHÂN DÂN", QUOC_HIEU
    rows[1][0], rows[1][half] = PROVINCE_TITLE[province], TIEU_NGU
    rows[2][0], rows[2][half] = "Số: 123/BC-UBND", f"{PROVINCE_NAME[province]}, ngày 05 tháng 12 năm 2026"
    rows[4][0] = "BÁO CÁO"
    rows[5][0] = title
    merges = [(0, 0, 0, half - 1), (1, 0, 1, half - 1), (2, 0, 2, half - 1),
              (0, half, 0, width - 1), (1, half, 1, width - 1), (2, half, 2, width - 1),
              (4, 0, 4, width - 1), (5, 0, 5, width - 1)]
    return rows, merges


def signature(width: int) -> list[list[Any]]:
    right = max(1, width - 3)
    rows = [[None] * width for _ in range(7)]
    rows[1][0], rows[1][right] = "Nơi nhận:", "TM. ỦY BAN NHÂN DÂN"
    rows[2][0], rows[2][right] = "- UBND tỉnh (b/c);", "KT. CHỦ TỊCH"
    rows[3][0], rows[3][right] = "- Lưu: VT.", "PHÓ CHỦ TỊCH"
    rows[6][right] = "Nguyễn Văn An"
    return rows


KIND_SECTION = {"phuong": "PHƯỜNG", "xa": "XÃ", "dac_khu": "ĐẶC KHU"}


def build_sheet(name: str, units: list[Unit], cols: list[Col], *, top: list[list[Any]] | None = None,
                top_merges: list[tuple[int, int, int, int]] | None = None, numbering: list[Any] | None = None,
                sections: str | None = None, departments: int = 0, bottom: list[list[Any]] | None = None,
                first_col: int = 0, first_row: int = 0, wrap_merge_vertical: bool = True) -> SheetPlan:
    """Lay out one table. `sections`: None | 'kind' (A. PHƯỜNG / Cộng phường … Tổng cộng) |
    'roman' (I. CÁC PHƯỜNG … without subtotals) | 'province' (one section per province)."""
    plan = SheetPlan(name)
    width = first_col + len(cols)

    def put(row: list[Any]) -> None:
        plan.rows.append([None] * first_col + list(row) if first_col else list(row))

    for _ in range(first_row):
        plan.rows.append([])
    base = len(plan.rows)
    for row in top or []:
        plan.rows.append([None] * first_col + list(row) if first_col else list(row))
    for r0, c0, r1, c1 in top_merges or []:
        plan.merges.append((base + r0, first_col + c0, base + r1, first_col + c1))
    depth = max(len(c.head) for c in cols)
    header_top = len(plan.rows)
    for level in range(depth):
        put([c.head[level] if level < len(c.head) else None for c in cols])
    # vertical merges: a label with None below it spans down
    for i, c in enumerate(cols):
        head = list(c.head) + [None] * (depth - len(c.head))
        for level in range(depth):
            if head[level] is None:
                continue
            end = level
            while end + 1 < depth and head[end + 1] is None:
                end += 1
            if end > level and wrap_merge_vertical:
                plan.merges.append((header_top + level, first_col + i, header_top + end, first_col + i))
    # horizontal merges: the same group label over neighbouring columns
    for level in range(depth - 1):
        i = 0
        while i < len(cols):
            label = cols[i].head[level] if level < len(cols[i].head) else None
            j = i
            while (label is not None and j + 1 < len(cols) and level < len(cols[j + 1].head)
                   and cols[j + 1].head[level] == label and cols[j + 1].head[:level] == cols[i].head[:level]):
                j += 1
            if j > i:
                plan.merges.append((header_top + level, first_col + i, header_top + level, first_col + j))
                for k in range(i + 1, j + 1):  # a merged range holds its value in its first cell only
                    plan.rows[header_top + level][first_col + k] = None
            i = j + 1
    if numbering:
        put(numbering)
    for i, c in enumerate(cols):
        plan.targets[first_col + i] = c.target

    def unit_row(unit: Unit) -> None:
        put([c.cell(unit) for c in cols])
        plan.units[len(plan.rows)] = unit.code
        for c in cols:
            if c.target in CATALOG:
                plan.carried.add((unit.code, c.target))

    def subtotal(label: str, group: list[Unit]) -> None:
        row: list[Any] = [c.total(group) if c.total is not None else None for c in cols]
        names = [i for i, c in enumerate(cols) if c.target == "_unit_name"]
        row[names[0] if names else 0] = label
        put(row)

    def section(label: str) -> None:
        row: list[Any] = [None] * len(cols)
        row[0] = label
        put(row)
        plan.merges.append((len(plan.rows) - 1, first_col, len(plan.rows) - 1, width - 1))

    if sections == "kind":
        order = [k for k in ("phuong", "xa", "dac_khu") if any(u.kind == k for u in units)]
        for n, kind in enumerate(order):
            group = [u for u in units if u.kind == kind]
            section(f"{'ABC'[n]}. {KIND_SECTION[kind]} ({len(group)} đơn vị)")
            for unit in group:
                unit_row(unit)
            subtotal(f"Cộng {KIND_SECTION[kind].lower()}", group)
        subtotal("Tổng cộng", units)
    elif sections == "roman":
        order = [k for k in ("phuong", "xa", "dac_khu") if any(u.kind == k for u in units)]
        for n, kind in enumerate(order):
            section(f"{['I', 'II', 'III'][n]}. CÁC {KIND_SECTION[kind]}")
            for unit in units:
                if unit.kind == kind:
                    unit_row(unit)
    elif sections == "province":
        for code in dict.fromkeys(u.province_code for u in units):
            group = [u for u in units if u.province_code == code]
            section(PROVINCE_TITLE[code])
            for unit in group:
                unit_row(unit)
            subtotal(f"Cộng {PROVINCE_NAME[code]}", group)
        subtotal("Tổng cộng", units)
    else:
        for unit in units:
            unit_row(unit)
    if departments:
        for _ in range(departments):
            plan.units[len(plan.rows) + 1 + _] = IGNORE
        _department_rows(put, cols, departments)
    if bottom:
        for row in bottom:
            put(row)
    return plan


DEPARTMENTS = ["Sở Tư pháp", "Sở Nội vụ", "Sở Tài chính", "Công an tỉnh", "Sở Y tế"]


def _department_rows(put: Callable[[list[Any]], None], cols: list[Col], n: int) -> None:
    """Province departments among the communes: a name, an empty code cell, figures of their own."""
    for d, name in enumerate(DEPARTMENTS[:n]):
        received = 400 + 97 * d
        own = {"dossiers_received": received, "dossiers_on_time": received - d, "dossiers_overdue": d,
               "dossiers_online": received - 20, "dossiers_full_online": received - 90}
        row: list[Any] = []
        for c in cols:
            if c.target == "_unit_name":
                row.append(name)
            elif c.target in own:
                row.append(own[c.target])
            elif c.target in CATALOG and CATALOG[c.target]["kind"] == "rate":
                num, den = CATALOG[c.target]["numerator"], CATALOG[c.target]["denominator"]
                row.append(round(100 * own[num] / own[den], 2))
            else:
                row.append(None)
        put(row)


# ---------------------------------------------------------------- writers


def _plain(cell: Any) -> Any:
    if isinstance(cell, Formula):
        return cell.cached
    return cell.value if isinstance(cell, Cell) else cell


def write_xlsx(sheets: list[SheetPlan]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    cached: dict[tuple[int, str], Any] = {}
    for s, plan in enumerate(sheets):
        sheet = book.create_sheet(plan.name)
        for r, row in enumerate(plan.rows, start=1):
            for c, cell in enumerate(row, start=1):
                if cell is None:
                    continue
                if isinstance(cell, Formula):
                    sheet.cell(r, c, "=" + cell.text)
                    cached[(s, f"{letter(c - 1)}{r}")] = cell.cached
                    continue
                target = sheet.cell(r, c, _plain(cell))
                if isinstance(cell, Cell) and cell.fmt:
                    target.number_format = cell.fmt
                if isinstance(cell, str) and "\n" in cell:
                    target.alignment = Alignment(wrap_text=True, vertical="center")
        for r0, c0, r1, c1 in plan.merges:
            sheet.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
    out = io.BytesIO()
    book.save(out)
    if not cached:
        return out.getvalue()
    from tests.etl.test_fuzz import _put_cached_values  # openpyxl writes no cached values; Excel does

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "book.xlsx"
        path.write_bytes(out.getvalue())
        _put_cached_values(path, cached)
        return path.read_bytes()


def write_xls(sheets: list[SheetPlan]) -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    wrap = xlwt.easyxf("alignment: wrap on, vert centre")
    formats: dict[str, Any] = {}
    for plan in sheets:
        sheet = book.add_sheet(plan.name)
        merged_cells = {}
        for r0, c0, r1, c1 in plan.merges:
            merged_cells[(r0, c0)] = (r1, c1)
        covered = {(r, c) for (r0, c0), (r1, c1) in merged_cells.items()
                   for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)} - set(merged_cells)
        for r, row in enumerate(plan.rows):
            for c, cell in enumerate(row):
                if (r, c) in covered:
                    continue
                style = xlwt.Style.default_style
                if isinstance(cell, Cell) and cell.fmt:
                    style = formats.setdefault(cell.fmt, xlwt.easyxf(num_format_str=cell.fmt))
                elif isinstance(cell, str) and "\n" in cell:
                    style = wrap
                content = _plain(cell)
                if (r, c) in merged_cells:
                    r1, c1 = merged_cells[(r, c)]
                    sheet.write_merge(r, r1, c, c1, content if content is not None else "", style)
                elif content is not None:
                    sheet.write(r, c, content, style)
        for (r0, c0), (r1, c1) in merged_cells.items():  # merges whose first cell lies past a short row
            if r0 >= len(plan.rows) or c0 >= len(plan.rows[r0]):
                sheet.write_merge(r0, r1, c0, c1, "")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_ods(sheets: list[SheetPlan]) -> bytes:
    from odf.number import Number, PercentageStyle, Text as NumberText
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableCellProperties
    from odf.table import CoveredTableCell, Table, TableCell, TableRow
    from odf.text import LineBreak, P

    doc = OpenDocumentSpreadsheet()
    percent = PercentageStyle(name="pct2")
    percent.addElement(Number(decimalplaces="2", minintegerdigits="1"))
    percent.addElement(NumberText(text="%"))
    doc.automaticstyles.addElement(percent)
    percent_cell = Style(name="cellpct", family="table-cell", datastylename="pct2")
    doc.automaticstyles.addElement(percent_cell)
    wrapped = Style(name="cellwrap", family="table-cell")
    wrapped.addElement(TableCellProperties(wrapoption="wrap"))
    doc.automaticstyles.addElement(wrapped)
    for plan in sheets:
        table = Table(name=plan.name)
        starts = {(r0, c0): (r1, c1) for r0, c0, r1, c1 in plan.merges}
        covered = {(r, c) for (r0, c0), (r1, c1) in starts.items()
                   for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)} - set(starts)
        width = max([len(row) for row in plan.rows] + [c1 + 1 for _r0, _c0, _r1, c1 in plan.merges] + [1])
        for r, row in enumerate(plan.rows):
            element = TableRow()
            for c in range(width):
                cell = row[c] if c < len(row) else None
                if (r, c) in covered:
                    element.addElement(CoveredTableCell())
                    continue
                attributes: dict[str, Any] = {}
                if (r, c) in starts:
                    r1, c1 = starts[(r, c)]
                    attributes.update(numberrowsspanned=r1 - r + 1, numbercolumnsspanned=c1 - c + 1)
                content = _plain(cell)
                if isinstance(cell, Cell) and cell.fmt and "%" in cell.fmt:
                    one = TableCell(valuetype="percentage", value=content, stylename=percent_cell, **attributes)
                    one.addElement(P(text=f"{content * 100:.2f}%"))
                elif isinstance(content, (int, float)) and not isinstance(content, bool):
                    one = TableCell(valuetype="float", value=content, **attributes)
                    one.addElement(P(text=str(content)))
                elif content is not None:
                    one = TableCell(valuetype="string", **({"stylename": wrapped} if "\n" in str(content) else {}),
                                    **attributes)
                    paragraph = P()
                    for n, part in enumerate(str(content).split("\n")):
                        if n:
                            paragraph.addElement(LineBreak())
                        paragraph.addText(part)
                    one.addElement(paragraph)
                else:
                    one = TableCell(**attributes)
                element.addElement(one)
            table.addElement(element)
        doc.spreadsheet.addElement(table)
    out = io.BytesIO()
    doc.write(out)
    return out.getvalue()


def write_csv(plan: SheetPlan, *, delimiter: str = ",", encoding: str = "utf-8", decimal: str = ".") -> bytes:
    """The first sheet as text, as a spreadsheet program saves it: percents shown, numbers as written."""
    def text(cell: Any) -> str:
        content = _plain(cell)
        if content is None:
            return ""
        if isinstance(cell, Cell) and cell.fmt and "%" in cell.fmt:
            return f"{content * 100:.2f}%".replace(".", decimal)
        if isinstance(content, float):
            return f"{content:.2f}".replace(".", decimal)
        return str(content)

    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows([[text(c) for c in row] for row in plan.rows])
    body = out.getvalue()
    if encoding == "cp1258":
        return _cp1258(body)
    return body.encode(encoding)


def _cp1258(text: str) -> bytes:
    """Windows-1258 holds some precomposed letters and combining tones for the rest (as Word writes)."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", ch)
            base, marks = decomposed[0], decomposed[1:]
            composed = unicodedata.normalize("NFC", base + "".join(m for m in marks if m not in _TONES))
            out += composed.encode("cp1258") + "".join(m for m in marks if m in _TONES).encode("cp1258")
    return bytes(out)


_TONES = "\u0300\u0301\u0303\u0309\u0323"


# ---------------------------------------------------------------- the layouts

LAYOUTS: list[Callable[[], Layout]] = []


def layout(function: Callable[[], Layout]) -> Callable[[], Layout]:
    LAYOUTS.append(function)
    return function


def make(key: str, name: str, sheets: list[SheetPlan], fmt: str = "xlsx", confirm: tuple[str, ...] = (),
         **csv_options: Any) -> Layout:
    if fmt == "xlsx":
        data = write_xlsx(sheets)
    elif fmt == "xls":
        data = write_xls(sheets)
    elif fmt == "ods":
        data = write_ods(sheets)
    else:
        data = write_csv(sheets[0], **csv_options)
    sheet_name = (lambda plan: Path(name).stem) if fmt == "csv" else (lambda plan: plan.name)
    targets = {(sheet_name(plan), letter(c)): target for plan in sheets for c, target in plan.targets.items()}
    carried = frozenset(key for plan in sheets for key in plan.carried)
    units = {(sheet_name(plan), row): code for plan in sheets for row, code in plan.units.items()}
    return Layout(key, name, data, confirm, targets, carried, units)


TITLE = f"BÁO CÁO KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH THÁNG {MONTH}/{YEAR}"


def title_rows(text: str = TITLE, width: int = 6) -> tuple[list[list[Any]], list[tuple[int, int, int, int]]]:
    return [[text] + [None] * (width - 1), []], [(0, 0, 0, width - 1)]


def counts_cols(words: dict[str, str], style: str = "plain") -> list[Col]:
    return [num_col((words[code],), code, style) for code in words]


def _simple(key: str, name: str, units: list[Unit], cols: list[Col], fmt: str = "xlsx", sheet: str = "Tháng 11",
            title: str = TITLE, **options: Any) -> Layout:
    top, merges = title_rows(title, len(cols))
    csv_options = {k: options.pop(k) for k in ("delimiter", "encoding", "decimal") if k in options}
    confirm = options.pop("confirm", ())
    plan = build_sheet(sheet, units, cols, top=top, top_merges=merges, **options)
    return make(key, name, [plan], fmt, confirm, **csv_options)


# -- unit columns headed in other words

@layout
def catalog_names() -> Layout:
    cols = [seq_col(), code_col(), name_col()] + [num_col((CATALOG[c]["name_vi"],), c) for c in
                                                   COUNTS + RATES]
    return _simple("catalog_names", "bao_cao_thang_11_2026.xlsx", PHU_THO, cols)


@layout
def unit_ten_xa_phuong() -> Layout:
    cols = [seq_col(), name_col(("Tên xã, phường",), "full"), num_col(("Số HS tiếp nhận",), "dossiers_received"),
            num_col(("Trước và đúng hạn",), "dossiers_on_time"), num_col(("HS trễ hạn",), "dossiers_overdue")]
    return _simple("unit_ten_xa_phuong", "phu_tho_t11.xlsx", PHU_THO, cols)


@layout
def unit_dvhc_cap_xa() -> Layout:
    cols = [seq_col(("Số TT",)), code_col(("Mã ĐVHC",)), name_col(("Đơn vị hành chính cấp xã",)),
            num_col(("Tổng số hồ sơ tiếp nhận",), "dossiers_received"),
            num_col(("Số hồ sơ giải quyết đúng hạn",), "dossiers_on_time"),
            num_col(("Số hồ sơ quá hạn",), "dossiers_overdue")]
    return _simple("unit_dvhc_cap_xa", "ha_noi_thang_11.xlsx", HA_NOI, cols,
                   title=f"TÌNH HÌNH GIẢI QUYẾT TTHC CẤP XÃ THÁNG {MONTH}/{YEAR} - THÀNH PHỐ HÀ NỘI")


@layout
def unit_dia_phuong() -> Layout:
    cols = [seq_col(), name_col(("Địa phương",), "short"), num_col(("Tiếp nhận",), "dossiers_received"),
            num_col(("Đúng hạn",), "dossiers_on_time"), num_col(("Quá hạn",), "dossiers_overdue"),
            num_col(("Tỷ lệ đúng hạn (%)",), "on_time_rate")]
    return _simple("unit_dia_phuong", "tien_do_t11.xlsx", PHU_THO, cols,
                   title=f"TIẾN ĐỘ GIẢI QUYẾT HỒ SƠ TỈNH PHÚ THỌ THÁNG {MONTH}/{YEAR}")


@layout
def unit_xa_phuong_slash() -> Layout:
    cols = [name_col(("Xã/Phường",), "short"), num_col(("Hồ sơ tiếp nhận",), "dossiers_received"),
            num_col(("Hồ sơ nộp trực tuyến",), "dossiers_online"),
            num_col(("Tỷ lệ hồ sơ nộp trực tuyến",), "online_filing_rate")]
    return _simple("unit_xa_phuong_slash", "dvctt_thang_11_2026.xlsx", QUANG_NINH, cols,
                   title=f"KẾT QUẢ DVC TRỰC TUYẾN THÁNG {MONTH}/{YEAR} - TỈNH QUẢNG NINH")


@layout
def unit_ten_dvhc() -> Layout:
    cols = [seq_col(("TT",)), name_col(("Tên ĐVHC",), "full"), code_col(("Mã",)),
            num_col(("Tổng HS TN",), "dossiers_received"), num_col(("HS GQ đúng hạn",), "dossiers_on_time"),
            num_col(("HS GQ quá hạn",), "dossiers_overdue")]
    return _simple("unit_ten_dvhc", "t11_2026.xlsx", HA_NOI, cols)


@layout
def unit_co_quan_with_departments() -> Layout:
    cols = [seq_col(), code_col(("Mã đơn vị",)), name_col(("Tên cơ quan, đơn vị",)),
            num_col(("Tổng số hồ sơ tiếp nhận",), "dossiers_received"),
            num_col(("Hồ sơ giải quyết trước hạn và đúng hạn",), "dossiers_on_time"),
            num_col(("Hồ sơ quá hạn",), "dossiers_overdue"),
            num_col(("Tỷ lệ hồ sơ giải quyết đúng hạn",), "on_time_rate")]
    return _simple("unit_co_quan_with_departments", "ket_qua_tthc_t11.xlsx", PHU_THO, cols, departments=3,
                   title=f"KẾT QUẢ GIẢI QUYẾT TTHC CỦA CÁC SỞ, NGÀNH VÀ UBND CẤP XÃ THÁNG {MONTH}/{YEAR}")


@layout
def unit_dac_khu() -> Layout:
    cols = [seq_col(), name_col(("Đơn vị (xã, phường, đặc khu)",)),
            num_col(("Tổng số hồ sơ tiếp nhận",), "dossiers_received"),
            num_col(("Trước hạn và đúng hạn",), "dossiers_on_time"), num_col(("Trễ hạn",), "dossiers_overdue")]
    return _simple("unit_dac_khu", "quang_ninh_11_2026.xlsx", QUANG_NINH, cols,
                   title=f"BÁO CÁO THÁNG {MONTH}/{YEAR} - TỈNH QUẢNG NINH")


# -- wordings no list holds: the same words in another order, other office abbreviations

@layout
def reworded_unit_and_counts() -> Layout:
    cols = [seq_col(("TT",)), name_col(("Tên phường, xã",)), num_col(("Số lượng HS đã TN",), "dossiers_received"),
            num_col(("HS đã GQ đúng hạn",), "dossiers_on_time"), num_col(("HS GQ trễ hạn",), "dossiers_overdue")]
    return _simple("reworded_unit_and_counts", "dien_dat_khac_t11.xlsx", PHU_THO, cols,
                   title=f"BÁO CÁO THÁNG {MONTH}/{YEAR} - TỈNH PHÚ THỌ")


@layout
def reworded_online_and_survey() -> Layout:
    cols = [code_col(("Mã ĐVHC",)), name_col(("Đơn vị cấp xã",)), num_col(("Tổng HS tiếp nhận",), "dossiers_received"),
            num_col(("Trong đó: HS nộp qua DVCTT",), "dossiers_online"),
            num_col(("Số lượt đánh giá",), "survey_responses"), num_col(("Số lượt ĐG hài lòng",), "survey_satisfied")]
    return _simple("reworded_online_and_survey", "dvctt_danh_gia_t11.xlsx", HA_NOI, cols)


# -- header depth, merged and wrapped cells, numbering rows

def _progress_group(style: str = "plain") -> list[Col]:
    group = "Tiến độ giải quyết"
    return [num_col((group, "Tổng số"), "dossiers_received", style),
            num_col((group, "Đúng hạn"), "dossiers_on_time", style),
            num_col((group, "Quá hạn"), "dossiers_overdue", style),
            num_col((group, "Tỷ lệ (%)"), "on_time_rate", style)]


@layout
def two_level_merged() -> Layout:
    cols = [seq_col(("STT", None)), code_col(("Mã xã", None)), name_col(("Tên đơn vị", None))] + _progress_group()
    return _simple("two_level_merged", "tien_do_2_tang.xlsx", PHU_THO, cols)


@layout
def three_level_merged() -> Layout:
    top = "Hồ sơ TTHC"
    cols = [seq_col(("STT", None, None)), name_col(("Xã, phường", None, None)), code_col(("Mã ĐVHC", None, None)),
            num_col((top, "Tiếp nhận", "Tổng số"), "dossiers_received"),
            num_col((top, "Tiếp nhận", "Trong đó trực tuyến"), "dossiers_online"),
            num_col((top, "Kết quả giải quyết", "Trước và đúng hạn"), "dossiers_on_time"),
            num_col((top, "Kết quả giải quyết", "Quá hạn"), "dossiers_overdue")]
    return _simple("three_level_merged", "tthc_3_tang_t11.xlsx", HA_NOI, cols)


@layout
def wrapped_header_cells() -> Layout:
    cols = [seq_col(("STT",)), name_col(("Tên xã,\nphường",)), code_col(("Mã\nxã",)),
            num_col(("Tổng số\nhồ sơ\ntiếp nhận",), "dossiers_received"),
            num_col(("Hồ sơ giải quyết\ntrước hạn và\nđúng hạn",), "dossiers_on_time"),
            num_col(("Hồ sơ\nquá hạn",), "dossiers_overdue"),
            num_col(("Tỷ lệ\nđúng hạn\n(%)",), "on_time_rate")]
    return _simple("wrapped_header_cells", "xuong_dong_t11.xlsx", PHU_THO, cols)


@layout
def numbering_row_formulas() -> Layout:
    cols = [seq_col(), name_col(("Tên đơn vị",)), num_col(("Tổng số hồ sơ tiếp nhận",), "dossiers_received"),
            num_col(("Hồ sơ giải quyết đúng hạn",), "dossiers_on_time"),
            num_col(("Tỷ lệ giải quyết đúng hạn (%)",), "on_time_rate")]
    return _simple("numbering_row_formulas", "danh_so_cot_t11.xlsx", HA_NOI, cols,
                   numbering=["(1)", "(2)", "(3)", "(4)", "(5)=(4)/(3)"])


@layout
def numbering_row_letters() -> Layout:
    cols = [seq_col(("STT", None)), name_col(("Đơn vị", None))] + _progress_group()
    return _simple("numbering_row_letters", "so_thu_tu_cot_t11.xlsx", QUANG_NINH, cols,
                   numbering=["A", "B", 1, 2, 3, 4])


# -- an official report: preamble, sections, subtotals, signature

def _official(key: str, name: str, units: list[Unit], province: str, fmt: str = "xlsx",
              sections: str | None = "kind", style: str = "plain") -> Layout:
    cols = [seq_col(("STT", None)), name_col(("Tên xã, phường", None)), code_col(("Mã xã", None)),
            *_progress_group(style), num_col(("Hồ sơ trực tuyến", "Số HS DVCTT"), "dossiers_online", style)]
    top, merges = preamble(province, len(cols), f"Kết quả giải quyết TTHC của UBND cấp xã tháng {MONTH}/{YEAR}")
    plan = build_sheet("BC", units, cols, top=top, top_merges=merges, sections=sections,
                       numbering=["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)=(5)/(4)", "(8)"],
                       bottom=signature(len(cols)))
    return make(key, name, [plan], fmt)


@layout
def official_report() -> Layout:
    return _official("official_report", "123-BC-UBND.xlsx", PHU_THO, "25", sections=None)


@layout
def official_report_sections() -> Layout:
    return _official("official_report_sections", "bao_cao_so_123.xlsx", PHU_THO, "25")


@layout
def roman_sections() -> Layout:
    cols = [seq_col(), name_col(("Tên đơn vị",)), num_col(("Tổng số hồ sơ tiếp nhận",), "dossiers_received"),
            num_col(("Số hồ sơ đúng hạn",), "dossiers_on_time"), num_col(("Số hồ sơ quá hạn",), "dossiers_overdue")]
    return _simple("roman_sections", "cac_phuong_xa_t11.xlsx", QUANG_NINH, cols, sections="roman",
                   title=f"BÁO CÁO THÁNG {MONTH}/{YEAR} TỈNH QUẢNG NINH")


@layout
def several_provinces() -> Layout:
    cols = [seq_col(), code_col(("Mã xã",)), name_col(("Tên xã/phường",)),
            num_col(("Tổng số hồ sơ tiếp nhận",), "dossiers_received"),
            num_col(("Hồ sơ giải quyết trước hạn và đúng hạn",), "dossiers_on_time"),
            num_col(("Hồ sơ quá hạn",), "dossiers_overdue"),
            num_col(("Hồ sơ nộp trực tuyến",), "dossiers_online")]
    return _simple("several_provinces", "toan_quoc_11_2026.xlsx", UNITS, cols, sections="province",
                   title=f"TỔNG HỢP CÁC TỈNH THÁNG {MONTH}/{YEAR}")


# -- columns: order, text beside figures, codes as numbers, names written otherwise

@layout
def shuffled_with_text_columns() -> Layout:
    cols = [text_col(("Ghi chú",), "note"), num_col(("Hồ sơ quá hạn",), "dossiers_overdue"),
            name_col(("Tên đơn vị",)), text_col(("Người phụ trách",), "person"),
            num_col(("Tổng số hồ sơ tiếp nhận",), "dossiers_received"), text_col(("Điện thoại",), "phone"),
            code_col(("Mã xã",)), num_col(("Hồ sơ giải quyết trước hạn và đúng hạn",), "dossiers_on_time")]
    random.Random(7).shuffle(cols)
    return _simple("shuffled_with_text_columns", "xao_cot_t11.xlsx", HA_NOI, cols)


@layout
def codes_as_numbers() -> Layout:
    cols = [code_col(("Mã xã",), as_number=True), name_col(("Tên xã",)),
            num_col(("Tổng số hồ sơ tiếp nhận",), "dossiers_received"), num_col(("Đúng hạn",), "dossiers_on_time"),
            num_col(("Quá hạn",), "dossiers_overdue")]
    return _simple("codes_as_numbers", "ma_so_t11.xlsx", HA_NOI, cols)


@layout
def codes_as_numbers_only() -> Layout:
    cols = [code_col(("Mã ĐVHC",), as_number=True), num_col(("Tổng số hồ sơ tiếp nhận",), "dossiers_received"),
            num_col(("Hồ sơ nộp trực tuyến",), "dossiers_online")]
    return _simple("codes_as_numbers_only", "chi_ma_so_t11.xlsx", HA_NOI + QUANG_NINH, cols)


@layout
def names_ubnd_prefix() -> Layout:
    cols = [seq_col(), name_col(("Tên cơ quan, đơn vị",), "ubnd"),
            num_col(("Tổng số hồ sơ tiếp nhận",), "dossiers_received"),
            num_col(("Trước và đúng hạn",), "dossiers_on_time"), num_col(("Quá hạn",), "dossiers_overdue")]
    return _simple("names_ubnd_prefix", "ubnd_xa_t11.xlsx", PHU_THO, cols,
                   title=f"BÁO CÁO THÁNG {MONTH}/{YEAR} - UBND TỈNH PHÚ THỌ")


@layout
def names_in_capitals() -> Layout:
    cols = [seq_col(), name_col(("TÊN ĐƠN VỊ",), "upper"), num_col(("TỔNG SỐ HỒ SƠ TIẾP NHẬN",), "dossiers_received"),
            num_col(("HỒ SƠ QUÁ HẠN",), "dossiers_overdue"), num_col(("HỒ SƠ NỘP TRỰC TUYẾN",), "dossiers_online")]
    return _simple("names_in_capitals", "IN_HOA_T11.xlsx", QUANG_NINH, cols,
                   title=f"BÁO CÁO THÁNG {MONTH}/{YEAR} TỈNH QUẢNG NINH")


@layout
def names_without_diacritics() -> Layout:
    cols = [seq_col(("STT",)), name_col(("Ten don vi",), "ascii"),
            num_col(("Tong so ho so tiep nhan",), "dossiers_received"),
            num_col(("Ho so giai quyet dung han",), "dossiers_on_time"), num_col(("Ho so qua han",), "dossiers_overdue")]
    return _simple("names_without_diacritics", "khong_dau_t11.xlsx", PHU_THO, cols,
                   title=f"BAO CAO THANG {MONTH}/{YEAR} TINH PHU THO")


@layout
def names_decomposed() -> Layout:
    cols = [seq_col(), name_col(("Tên đơn vị",), "nfd"),
            num_col((unicodedata.normalize("NFD", "Tổng số hồ sơ tiếp nhận"),), "dossiers_received"),
            num_col((unicodedata.normalize("NFD", "Hồ sơ quá hạn"),), "dossiers_overdue")]
    return _simple("names_decomposed", "mac_nfd_t11.xlsx", HA_NOI, cols)


@layout
def names_abbreviated() -> Layout:
    cols = [seq_col(), name_col(("Đơn vị",), "abbreviated"), num_col(("Tổng số hồ sơ tiếp nhận",), "dossiers_received"),
            num_col(("Hồ sơ giải quyết trước hạn và đúng hạn",), "dossiers_on_time"),
            num_col(("Hồ sơ quá hạn",), "dossiers_overdue")]
    return _simple("names_abbreviated", "viet_tat_ten_t11.xlsx", QUANG_NINH, cols,
                   title=f"BÁO CÁO THÁNG {MONTH}/{YEAR} - TỈNH QUẢNG NINH")


@layout
def communes_as_x_dot() -> Layout:
    """Wards written in full, communes as 'X. Kim Bôi': 'X.' is not the Roman numeral of a section row."""
    short = Col(("Tên đơn vị",), "_unit_name", lambda u: u.full if u.kind == "phuong" else f"X. {u.name}")
    cols = [short, num_col(("Tổng số hồ sơ tiếp nhận",), "dossiers_received")]  # one figure a row, as a section has
    return _simple("communes_as_x_dot", "xa_viet_tat_t11.xlsx", PHU_THO, cols,
                   title=f"BÁO CÁO THÁNG {MONTH}/{YEAR} - TỈNH PHÚ THỌ")


@layout
def rates_comma_text() -> Layout:
    cols = [code_col(("Mã ĐVHC",)), name_col(("Tên ĐVHC",)),
            num_col(("Tỷ lệ hồ sơ giải quyết đúng hạn (%)",), "on_time_rate", "comma_text"),
            num_col(("Tỷ lệ hồ sơ trực tuyến toàn trình (%)",), "full_online_rate", "comma_text")]
    return _simple("rates_comma_text", "ty_le_dau_phay_t11.xlsx", HA_NOI, cols)


@layout
def table_offset() -> Layout:
    cols = [seq_col(), code_col(), name_col(), num_col(("Tổng số hồ sơ tiếp nhận",), "dossiers_received"),
            num_col(("Hồ sơ quá hạn",), "dossiers_overdue")]
    top, merges = title_rows(TITLE, len(cols))
    plan = build_sheet("Sheet1", PHU_THO, cols, top=top, top_merges=merges, first_col=2, first_row=3)
    return make("table_offset", "lech_o_t11.xlsx", [plan])


@layout
def english_headers() -> Layout:
    cols = [code_col(("Commune code",)), name_col(("Commune",))] + [
        num_col((CATALOG[c]["name_en"],), c) for c in ("dossiers_received", "dossiers_on_time", "dossiers_overdue",
                                                       "on_time_rate")]
    return _simple("english_headers", "report_2026-11.xlsx", HA_NOI, cols, title=f"MONTHLY REPORT {MONTH}/{YEAR}")


@layout
def office_abbreviations() -> Layout:
    cols = [seq_col(), name_col(("Tên ĐVHC",)),
            num_col(("Tổng số HS TTHC TN",), "dossiers_received"),
            num_col(("Số HS GQ trước và đúng hạn",), "dossiers_on_time"),
            num_col(("Số HS GQ quá hạn",), "dossiers_overdue"),
            num_col(("Số HS DVCTT",), "dossiers_online"),
            num_col(("Số HS DVCTT toàn trình",), "dossiers_full_online"),
            num_col(("Tỷ lệ HS DVCTT (%)",), "online_filing_rate")]
    return _simple("office_abbreviations", "viet_tat_t11.xlsx", PHU_THO, cols)


# -- rates and numbers written otherwise

@layout
def rates_as_fractions() -> Layout:
    cols = [code_col(), name_col()] + [num_col((CATALOG[c]["name_vi"],), c, "fraction") for c in RATES]
    return _simple("rates_as_fractions", "ty_le_phan_tram_t11.xlsx", PHU_THO, cols)


@layout
def rates_as_percent_text() -> Layout:
    cols = [seq_col(), name_col(("Tên xã, phường",)), num_col(("Tỷ lệ hồ sơ giải quyết đúng hạn",), "on_time_rate", "pct_text"),
            num_col(("Tỷ lệ hồ sơ nộp trực tuyến",), "online_filing_rate", "pct_text")]
    return _simple("rates_as_percent_text", "ty_le_chu_t11.xlsx", QUANG_NINH, cols,
                   title=f"TỶ LỆ THÁNG {MONTH}/{YEAR} - TỈNH QUẢNG NINH")


@layout
def rates_beside_counts() -> Layout:
    cols = [code_col(), name_col(("Xã, phường",)), num_col(("Tổng số hồ sơ",), "dossiers_received"),
            num_col(("Hồ sơ trực tuyến toàn trình",), "dossiers_full_online"),
            num_col(("Tỷ lệ GQ đúng hạn (%)",), "on_time_rate"),
            num_col(("Tỷ lệ hồ sơ trực tuyến toàn trình (%)",), "full_online_rate")]
    return _simple("rates_beside_counts", "ty_le_so_t11.xlsx", HA_NOI, cols)


@layout
def thousands_as_text() -> Layout:
    cols = [code_col(), name_col(), num_col(("Tổng số hồ sơ tiếp nhận",), "dossiers_received", "thousands_text"),
            num_col(("Hồ sơ giải quyết trước hạn và đúng hạn",), "dossiers_on_time", "thousands_text"),
            num_col(("Hồ sơ quá hạn",), "dossiers_overdue", "thousands_text")]
    return _simple("thousands_as_text", "hang_nghin_t11.xlsx", PHU_THO + QUANG_NINH, cols)


@layout
def formulas_with_cached_values() -> Layout:
    """Rates computed by formulas and a totals row of SUMs, saved by Excel with the values they showed."""
    cols = [seq_col(), code_col(), name_col(("Tên xã, phường",)),
            num_col(("Tổng số hồ sơ tiếp nhận",), "dossiers_received"),
            num_col(("Hồ sơ giải quyết trước hạn và đúng hạn",), "dossiers_on_time"),
            num_col(("Hồ sơ quá hạn",), "dossiers_overdue"),
            num_col(("Tỷ lệ hồ sơ giải quyết đúng hạn (%)",), "on_time_rate")]
    top, merges = title_rows(f"KẾT QUẢ GIẢI QUYẾT TTHC - KỲ BÁO CÁO: THÁNG {MONTH} NĂM {YEAR}", len(cols))
    plan = build_sheet("Tổng hợp", PHU_THO, cols, top=top, top_merges=merges)
    for row, code in plan.units.items():
        unit = next(u for u in UNITS if u.code == code)
        plan.rows[row - 1][6] = Formula(f"ROUND(E{row}/D{row}*100,2)", value(unit, "on_time_rate"))
        plan.rows[row - 1][5] = Formula(f"D{row}-E{row}", count(unit, "dossiers_overdue"))
    first, last = min(plan.units), max(plan.units)
    plan.rows.append([None, None, "Tổng cộng"] + [
        Formula(f"SUM({c}{first}:{c}{last})", sum(count(u, code) for u in PHU_THO))
        for c, code in (("D", "dossiers_received"), ("E", "dossiers_on_time"), ("F", "dossiers_overdue"))])
    return make("formulas_with_cached_values", "cong_thuc_t11.xlsx", [plan])


@layout
def survey_abbreviations() -> Layout:
    cols = [seq_col(), name_col(("Tên đơn vị",)), num_col(("Số phiếu KS",), "survey_responses"),
            num_col(("Số phiếu KS hài lòng",), "survey_satisfied"),
            num_col(("Tỷ lệ hài lòng (%)",), "satisfaction_rate")]
    return _simple("survey_abbreviations", "khao_sat_t11.xlsx", QUANG_NINH, cols,
                   title=f"KẾT QUẢ KHẢO SÁT SỰ HÀI LÒNG T11/{YEAR} - TỈNH QUẢNG NINH")


@layout
def esigned_documents() -> Layout:
    cols = [seq_col(), code_col(("Mã ĐVHC",)), name_col(("Tên ĐVHC",)), num_col(("Tổng số VB đi",), "docs_outgoing"),
            num_col(("VB đi được ký số",), "docs_esigned"), num_col(("Tỷ lệ VB ký số (%)",), "esign_rate")]
    return _simple("esigned_documents", "ky_so_van_ban_t11.xlsx", PHU_THO, cols,
                   title=f"SỐ LIỆU CHUYỂN ĐỔI SỐ LĨNH VỰC TTTT THÁNG {MONTH}/{YEAR}")


@layout
def pakn_column_outside_catalog() -> Layout:
    """A count the catalog does not know (feedback, PAKN) beside known ones: loading the rest without a
    word would drop it, so a person must say that it is left out."""
    cols = [code_col(("Mã xã",)), name_col(("Tên đơn vị",)),
            num_col(("Tổng số hồ sơ tiếp nhận",), "dossiers_received"), num_col(("Hồ sơ quá hạn",), "dossiers_overdue"),
            Col(("Số PAKN tiếp nhận",), IGNORE, lambda u: int(u.code) % 7)]
    return _simple("pakn_column_outside_catalog", "pakn_t11.xlsx", HA_NOI, cols,
                   confirm=("Tháng 11!E 'Số PAKN tiếp nhận': not in the catalog, leave it out",))


# -- 766 group scores, several sheets, long format

GROUP_WORDS = {"transparency_score": "Công khai, minh bạch", "progress_score": "Tiến độ giải quyết",
               "online_service_score": "Dịch vụ công trực tuyến", "online_payment_score": "Thanh toán trực tuyến",
               "digitization_score": "Số hóa hồ sơ", "satisfaction_score": "Mức độ hài lòng"}


@layout
def group_scores_766() -> Layout:
    group = "Điểm thành phần Bộ chỉ số 766"
    cols = [seq_col(("STT", None)), name_col(("Tên đơn vị", None))] + [
        num_col((group, f"{GROUP_WORDS[c]}\n({CATALOG[c]['max_points_766']} điểm)"), c) for c in GROUPS] + [
        num_col(("Tổng điểm", None), "service_index")]
    return _simple("group_scores_766", "chi_so_766_t11.xlsx", PHU_THO, cols,
                   title=f"KẾT QUẢ BỘ CHỈ SỐ 766 THÁNG {MONTH}/{YEAR} - TỈNH PHÚ THỌ")


@layout
def group_scores_bare_names() -> Layout:
    cols = [code_col(("Mã ĐVHC",)), name_col(("Tên ĐVHC",))] + [num_col((GROUP_WORDS[c],), c) for c in
                                                               ("online_payment_score", "digitization_score",
                                                                "online_service_score")]
    return _simple("group_scores_bare_names", "diem_766_t11.xlsx", HA_NOI, cols)


@layout
def bare_score_column() -> Layout:
    """A column headed only 'Điểm' on 'Sheet1' under a title naming no group: which of the 766 groups it
    scores cannot be told from the file (its values 0–10 fit four of them), so a person must say."""
    cols = [code_col(("Mã xã",)), name_col(("Tên xã",)), num_col(("Điểm",), "online_payment_score")]
    plan = build_sheet("Sheet1", HA_NOI, cols, top=[[f"BÁO CÁO THÁNG {MONTH}/{YEAR}"], []])
    return make("bare_score_column", "diem_t11_2026.xlsx", [plan],
                confirm=("Sheet1!C 'Điểm': which 766 group it scores (online_payment_score)",))


SHEET_OF_GROUP = {"transparency_score": "Công khai minh bạch", "progress_score": "Tiến độ GQ",
                  "online_service_score": "DVC trực tuyến", "online_payment_score": "Thanh toán trực tuyến",
                  "digitization_score": "Số hóa hồ sơ", "satisfaction_score": "Hài lòng"}


@layout
def one_sheet_per_group() -> Layout:
    plans = []
    for code in ("online_service_score", "online_payment_score", "digitization_score", "satisfaction_score"):
        cols = [seq_col(), code_col(("Mã xã",)), name_col(("Tên xã, phường",)), num_col(("Điểm",), code)]
        top, merges = title_rows(f"{GROUP_WORDS[code].upper()} - THÁNG {MONTH}/{YEAR}", len(cols))
        plans.append(build_sheet(SHEET_OF_GROUP[code], PHU_THO, cols, top=top, top_merges=merges))
    return make("one_sheet_per_group", "766_theo_nhom_t11.xlsx", plans)


@layout
def sheets_counts_then_scores() -> Layout:
    first = [seq_col(), code_col(), name_col(), num_col(("Tổng số hồ sơ tiếp nhận",), "dossiers_received"),
             num_col(("Hồ sơ giải quyết trước hạn và đúng hạn",), "dossiers_on_time"),
             num_col(("Hồ sơ quá hạn",), "dossiers_overdue")]
    second = [seq_col(), code_col(), name_col()] + [
        num_col((f"Điểm {GROUP_WORDS[c].lower()}",), c) for c in ("transparency_score", "satisfaction_score")]
    plans = []
    for sheet, cols in (("Hồ sơ", first), ("Điểm 766", second)):
        top, merges = title_rows(TITLE, len(cols))
        plans.append(build_sheet(sheet, QUANG_NINH, cols, top=top, top_merges=merges))
    return make("sheets_counts_then_scores", "hai_trang_t11.xlsx", plans)


def long_plan(name: str, units: list[Unit], words: dict[str, str], period_text: str,
              heads: tuple[str, ...] = ("Mã ĐVHC", "Tên ĐVHC", "Kỳ báo cáo", "Chỉ tiêu", "Giá trị")) -> SheetPlan:
    plan = SheetPlan(name)
    plan.rows.append(list(heads))
    plan.targets = dict(enumerate(["_unit_code", "_unit_name", "_period", "_indicator", "_value"]))
    for unit in units:
        for code, word in words.items():
            v = value(unit, code)
            plan.rows.append([unit.code, unit.full, period_text, word, int(v) if CATALOG[code]["kind"] == "count" else v])
            plan.carried.add((unit.code, code))
            plan.units[len(plan.rows)] = unit.code
    return plan


@layout
def long_catalog_names() -> Layout:
    words = {c: CATALOG[c]["name_vi"] for c in ("dossiers_received", "dossiers_on_time", "dossiers_overdue",
                                                 "on_time_rate")}
    return make("long_catalog_names", "dang_doc_t11.xlsx", [long_plan("Dữ liệu", PHU_THO, words, "11/2026")])


@layout
def long_words() -> Layout:
    words = {"dossiers_received": "Số HS tiếp nhận", "dossiers_on_time": "Số hồ sơ giải quyết đúng hạn",
             "dossiers_overdue": "HS trễ hạn", "dossiers_online": "Số hồ sơ nộp trực tuyến"}
    return make("long_words", "dang_doc_chu_t11.xlsx", [long_plan("Long", HA_NOI, words, "2026-11")])


# -- other formats: xls, ods, csv

@layout
def xls_two_level() -> Layout:
    cols = [seq_col(("STT", None)), code_col(("Mã xã", None)), name_col(("Tên xã, phường", None))] + _progress_group()
    return _simple("xls_two_level", "bao_cao_t11_2026.xls", HA_NOI, cols, fmt="xls")


@layout
def xls_official_sections() -> Layout:
    return _official("xls_official_sections", "bao_cao_so_123.xls", QUANG_NINH, "22", fmt="xls")


@layout
def xls_fractions() -> Layout:
    cols = [code_col(("Mã ĐVHC",)), name_col(("Đơn vị",)),
            num_col(("Tỷ lệ hồ sơ giải quyết đúng hạn",), "on_time_rate", "fraction"),
            num_col(("Tỷ lệ hồ sơ nộp trực tuyến",), "online_filing_rate", "fraction")]
    return _simple("xls_fractions", "ty_le_t11.xls", PHU_THO, cols, fmt="xls")


@layout
def ods_plain() -> Layout:
    cols = [seq_col(), code_col(), name_col()] + [num_col((CATALOG[c]["name_vi"],), c) for c in COUNTS[:3]]
    return _simple("ods_plain", "bao_cao_t11.ods", QUANG_NINH, cols, fmt="ods")


@layout
def ods_merged_numbered() -> Layout:
    cols = [seq_col(("STT", None)), name_col(("Địa phương", None))] + _progress_group()
    return _simple("ods_merged_numbered", "tien_do_t11.ods", PHU_THO, cols, fmt="ods",
                   numbering=["(1)", "(2)", "(3)", "(4)", "(5)", "(6)=(4)/(3)"],
                   title=f"TIẾN ĐỘ GIẢI QUYẾT HỒ SƠ THÁNG {MONTH}/{YEAR} - TỈNH PHÚ THỌ")


@layout
def ods_fractions() -> Layout:
    cols = [code_col(), name_col()] + [num_col((CATALOG[c]["name_vi"],), c, "fraction") for c in RATES[:2]]
    return _simple("ods_fractions", "ty_le_t11.ods", HA_NOI, cols, fmt="ods")


@layout
def xls_percent_text_thousands() -> Layout:
    cols = [seq_col(), name_col(("Xã/Phường",)),
            num_col(("Tổng số hồ sơ tiếp nhận",), "dossiers_received", "thousands_text"),
            num_col(("Hồ sơ nộp trực tuyến",), "dossiers_online", "thousands_text"),
            num_col(("Tỷ lệ hồ sơ nộp trực tuyến",), "online_filing_rate", "pct_text")]
    return _simple("xls_percent_text_thousands", "dvctt_t11.xls", PHU_THO, cols, fmt="xls",
                   title=f"THÁNG {MONTH} NĂM {YEAR} - TỈNH PHÚ THỌ")


@layout
def ods_official_report() -> Layout:
    return _official("ods_official_report", "bao_cao_so_123.ods", HA_NOI, "01", fmt="ods", sections=None)


@layout
def long_english() -> Layout:
    words = {c: CATALOG[c]["name_en"] for c in ("dossiers_received", "dossiers_online", "online_filing_rate")}
    plan = long_plan("Data", PHU_THO, words, "2026-11", ("Commune code", "Commune", "Period", "Indicator", "Value"))
    return make("long_english", "long_2026_11.xlsx", [plan])


def _csv_cols() -> list[Col]:
    return [code_col(("Mã xã",)), name_col(("Tên xã, phường",)),
            num_col(("Số HS tiếp nhận",), "dossiers_received"), num_col(("Trước và đúng hạn",), "dossiers_on_time"),
            num_col(("HS trễ hạn",), "dossiers_overdue"), num_col(("Tỷ lệ đúng hạn (%)",), "on_time_rate")]


@layout
def csv_utf8_comma() -> Layout:
    return _simple("csv_utf8_comma", "bao_cao_thang_11_2026.csv", PHU_THO, _csv_cols(), fmt="csv")


@layout
def csv_utf8_bom_semicolon() -> Layout:
    return _simple("csv_utf8_bom_semicolon", "bao_cao_t11_2026_bom.csv", HA_NOI, _csv_cols(), fmt="csv",
                   delimiter=";", encoding="utf-8-sig", decimal=",")


@layout
def csv_cp1258() -> Layout:
    return _simple("csv_cp1258", "bao_cao_t11_2026_cp1258.csv", QUANG_NINH, _csv_cols(), fmt="csv",
                   delimiter=";", encoding="cp1258", decimal=",")


@layout
def csv_without_title() -> Layout:
    cols = [code_col(("Mã xã",)), name_col(("Tên đơn vị",)),
            num_col(("Tổng số hồ sơ tiếp nhận",), "dossiers_received", "thousands_text"),
            num_col(("Hồ sơ nộp trực tuyến",), "dossiers_online", "thousands_text"),
            num_col(("Tỷ lệ hồ sơ nộp trực tuyến",), "online_filing_rate", "pct_text")]
    plan = build_sheet("csv", PHU_THO, cols)
    return make("csv_without_title", "Báo cáo tháng 11-2026.csv", [plan], "csv", delimiter=";", encoding="utf-8")


@layout
def csv_group_scores_semicolon() -> Layout:
    cols = [code_col(("Mã xã",)), name_col(("Tên đơn vị",))] + [
        num_col((CATALOG[c]["name_vi"],), c) for c in ("online_service_score", "online_payment_score",
                                                        "digitization_score")]
    return _simple("csv_group_scores_semicolon", "diem_766_thang_11_2026.csv", QUANG_NINH, cols, fmt="csv",
                   delimiter=";", encoding="utf-8-sig", decimal=",",
                   title=f"ĐIỂM BỘ CHỈ SỐ 766 THÁNG {MONTH}/{YEAR}")


@layout
def xls_long() -> Layout:
    words = {c: CATALOG[c]["name_vi"] for c in ("dossiers_received", "dossiers_on_time", "on_time_rate")}
    return make("xls_long", "dang_doc_t11.xls", [long_plan("Dữ liệu", QUANG_NINH, words, "T11/2026")], "xls")


@layout
def csv_long() -> Layout:
    words = {c: CATALOG[c]["name_vi"] for c in ("dossiers_received", "dossiers_overdue", "online_filing_rate")}
    plan = long_plan("csv", QUANG_NINH, words, "11/2026", ("ma_xa", "ten_xa", "ky_bao_cao", "chi_tieu", "gia_tri"))
    return make("csv_long", "du_lieu_dai_t11_2026.csv", [plan], "csv")


# ---------------------------------------------------------------- checking what was stored

COUNT_TOLERANCE = 1e-9
# The truth's rates and scores have two decimals; the loader may keep 100 × n ÷ d unrounded (computed from
# the counts beside it, or a given 96.55 replaced by its exact ratio): equal means within that rounding.
RATE_TOLERANCE = 0.005 + 1e-9



def observed(observations: Any) -> dict[tuple[str, str, str], tuple[float, bool]]:
    """A review's observations (a DataFrame) as (unit, indicator, period) -> (value, derived)."""
    if not len(observations):
        return {}
    keys = zip(observations["unit_code"], observations["indicator_code"], observations["period"])
    return {key: (v, d) for key, v, d in zip(keys, observations["value"], observations["derived"])}


def differences(layout: Layout, stored: dict[tuple[str, str, str], tuple[float, bool]]) -> list[str]:
    """Every way the stored values differ from the truth: a value the file carries and that is missing
    or wrong, and any stored value that is not a true one (wrong unit, indicator, month or number)."""
    found: list[str] = []
    for unit, indicator in sorted(layout.carried):
        if (unit, indicator, PERIOD) not in stored:
            found.append(f"missing {unit} {indicator}")
    for (unit, indicator, period), (value, _derived) in sorted(stored.items()):
        truth = TRUTH.get((unit, indicator))
        if truth is None or period != PERIOD:
            found.append(f"not true: {unit} {indicator} {period} = {value}")
            continue
        tolerance = COUNT_TOLERANCE if CATALOG[indicator]["kind"] == "count" else RATE_TOLERANCE
        if abs(value - truth) > tolerance:
            found.append(f"{unit} {indicator} = {value}, truly {truth}")
    return found


# ---------------------------------------------------------------- all of them


def all_layouts() -> list[Layout]:
    return [function() for function in LAYOUTS]


def check(layouts: list[Layout]) -> None:
    """Review every layout on a new database and say how each fares: loads true, stops (with which
    Problem codes), or would load leaving values out or wrong, with the columns read otherwise."""
    import store
    from etl.review import mapping_table, review_upload

    with tempfile.TemporaryDirectory() as folder:
        with store.connect(Path(folder) / "check.duckdb") as con:
            good = 0
            for one in layouts:
                review = review_upload(con, one.name, one.data)
                wrong = [] if review.blocked else differences(one, observed(review.observations))
                errors = sorted({p.code for p in review.errors})
                state = "STOPS " + ",".join(errors) if review.blocked else "WRONG" if wrong else "OK"
                if one.confirm and not review.blocked:
                    state = "SILENT (should ask: " + "; ".join(one.confirm) + ")"
                good += state == "OK"
                print(f"{one.key:34} {state}" + (f" ({len(wrong)} values: {wrong[0]} ...)" if wrong else ""))
                if state == "OK":
                    continue
                for row in mapping_table(review).itertuples(index=False):
                    truth = one.targets.get((row.sheet, row.column))
                    got = row.target if row.loaded else IGNORE
                    if truth is not None and got != truth and not (truth == NOTE and got == IGNORE):
                        print(f"    {row.sheet}!{row.column} {row.label!r}: read as {row.target or '-'} "
                              f"({row.how} {row.confidence}, {'loaded' if row.loaded else 'not loaded'}), truly {truth or '-'}")
            print(f"{good}/{len(layouts)} load untouched with true values")


def main(argv: list[str]) -> int:
    if len(argv) == 1 and argv[0] == "--check":
        check(all_layouts())
        return 0
    if len(argv) != 1:
        print("usage: python -m tests.etl.layouts OUT_DIR   (writes every layout)\n"
              "       python -m tests.etl.layouts --check   (reviews every layout, says how each fares)",
              file=sys.stderr)
        return 2
    folder = Path(argv[0])
    folder.mkdir(parents=True, exist_ok=True)
    for one in all_layouts():
        (folder / one.name).write_bytes(one.data)
        print(f"{one.key:34} {one.name}" + (f"  (confirm: {'; '.join(one.confirm)})" if one.confirm else ""))
    print(f"{len(LAYOUTS)} layouts in {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
