"""Fuzzing the loader: whatever spreadsheet arrives, the outcome is a load or an error a person can read.

Hypothesis builds real files — xlsx through openpyxl (title rows, 1–3 header levels of catalog names,
synonyms and random Vietnamese in NFC or NFD, merged header ranges, numbers/strings/dates/bools/None and
formulas with or without cached values, real unit codes and names mixed with junk, empty and several
sheets), CSV (utf-8, utf-8-sig, cp1258 where encodable; `,` `;` tab; quoting; ragged rows) and raw bytes
(truncated or garbled zips, random bytes named .xlsx/.csv) — and checks that `review_file` returns a
Review whose every problem renders in both languages naming the file, or raises only XasoError; that a
load stores only finite numbers, as many as the review found; and that a refused file writes nothing.

CI runs a bounded number of examples per test (the whole file in well under 60 s on 2 cores). For a
longer local run set XASO_FUZZ_EXAMPLES (examples per test), e.g.
`XASO_FUZZ_EXAMPLES=2000 python -m pytest tests/etl/test_fuzz.py`.
Defaults (80 workbooks, 100 CSV, 150 raw files, 25 loads + 1 sure load) took 12–35 s on the shared
2-core machine. Long run, 2026-11-23: XASO_FUZZ_EXAMPLES=2000, i.e. 8,001 examples (364 loads, 1,637
refusals in the load test), 10 min 6 s under a load average of 5–16, no failure. The first short runs found
two crashes, both fixed with a regression test: a header merged down past the sheet's last written row
(IndexError in etl/table.py, tests/etl/test_table.py) and a value of 1e28 or ±inf in a problem message
(decimal.InvalidOperation in i18n.format_number, tests/etl/test_review.py).
"""

from __future__ import annotations

import csv
import io
import os
import re
import string
import unicodedata
import zipfile
from collections import Counter
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

import store
from errors import XasoError
from etl.load import Review, load_file, review_file
from store.observations import rollback_batch

DATA = Path(__file__).resolve().parents[2] / "data"
EXAMPLES = int(os.environ.get("XASO_FUZZ_EXAMPLES", "0")) or None


def _rows(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


_INDICATORS = _rows("indicators.csv")
_UNITS = _rows("admin_units_2025.csv")
CATALOG_LABELS = sorted({r["name_vi"] for r in _INDICATORS} | {r["name_en"] for r in _INDICATORS}
                        | {r["code"] for r in _INDICATORS})
SYNONYMS = sorted({r["synonym"] for r in _rows("column_synonyms.csv")})
UNIT_CODES = sorted({r["commune_code"] for r in _UNITS} | {r["province_code"] for r in _UNITS})
UNIT_NAMES = sorted({r["commune_name"] for r in _UNITS} | {r["commune_full_name"] for r in _UNITS}
                    | {r["province_name"] for r in _UNITS} | {r["commune_name_en"] for r in _UNITS})
VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
ALPHABET = VIETNAMESE + VIETNAMESE.upper() + string.digits + " /-.,;:%()\t\n\"'" + "\u0300\u0301\u0303\u0309\u0323\u00a0"


def _example_count(ci: int) -> settings:
    return settings(max_examples=EXAMPLES or ci, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


# ---------------------------------------------------------------- strategies: cell contents

def normalised(text: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """The same text as NFC (typed on Windows) or NFD (pasted from a Mac or a PDF)."""
    return st.tuples(text, st.sampled_from(["NFC", "NFD", None])).map(
        lambda pair: unicodedata.normalize(pair[1], pair[0]) if pair[1] else pair[0])


junk_text = st.one_of(st.text(alphabet=ALPHABET, max_size=30), st.text(max_size=12))
labels = normalised(st.one_of(st.sampled_from(CATALOG_LABELS), st.sampled_from(SYNONYMS), junk_text,
                              st.sampled_from(CATALOG_LABELS).map(lambda s: s.upper() + " (%)")))
periods_text = st.builds(lambda m, y, form: form.format(m=m, y=y), st.integers(0, 13), st.integers(1999, 2101),
                         st.sampled_from(["BÁO CÁO THÁNG {m}/{y}", "THÁNG {m} NĂM {y}", "T{m}/{y}", "{y}-{m}",
                                          "Quý {m} năm {y}", "Kỳ báo cáo: {m}/{y}", "Month {m}-{y}"]))
titles = normalised(st.one_of(periods_text, junk_text, st.sampled_from(UNIT_NAMES)))
unit_codes = st.one_of(st.sampled_from(UNIT_CODES), st.sampled_from(UNIT_CODES).map(int),
                       st.sampled_from(UNIT_CODES).map(lambda c: c + " "), st.text(string.digits, max_size=7))
unit_names = normalised(st.one_of(st.sampled_from(UNIT_NAMES), st.sampled_from(UNIT_NAMES).map(str.upper),
                                  junk_text))
numbers = st.one_of(st.integers(-10**6, 10**7), st.integers(-2**63, 2**63 - 1),
                    st.floats(allow_nan=True, allow_infinity=True), st.floats(0, 100),
                    st.floats(0, 1))
number_texts = st.one_of(numbers.map(str), st.builds(lambda n: f"{n:,.2f}".replace(",", "X").replace(".", ",")
                                                     .replace("X", "."), st.floats(0, 1e6)),
                         st.builds(lambda n: f"{n}%", st.floats(0, 120)),
                         st.sampled_from(["-", "—", "x", "N/A", "", " ", "0", "1.234", "1,5", "12%", "#DIV/0!"]))
dates = st.one_of(st.dates(date(1900, 3, 1), date(2100, 1, 1)),
                  st.datetimes(datetime(1900, 3, 1), datetime(2100, 1, 1)), st.times())
values = st.one_of(st.none(), numbers, number_texts, dates, st.booleans(), junk_text)


def formula(cached: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A formula cell; its cached value (a number, a text, or none at all) is put into the XML afterwards."""
    return st.builds(Formula, st.sampled_from(["SUM(1,2)", "A1*2", "IF(1>0,\"\",1)", "1/0", "TODAY()"]), cached)


class Formula:
    def __init__(self, text: str, cached: Any) -> None:
        self.text, self.cached = text, cached


cells = st.one_of(values, formula(st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False),
                                            junk_text)))


# ---------------------------------------------------------------- strategies: workbooks

@st.composite
def sheet_plans(draw: st.DrawFn) -> dict[str, Any]:
    """One sheet: title rows, a header of 1–3 levels with merged group labels, data rows (maybe repeated
    down the real unit list so sizes reach hundreds of rows), or nothing at all."""
    name = draw(st.text(alphabet=ALPHABET.replace("/", "").replace(":", ""), min_size=1, max_size=31)
                .filter(lambda s: s.strip() and s.strip("'") == s))
    if draw(st.integers(0, 9)) == 0:
        return {"name": name, "rows": [], "merges": []}
    width = draw(st.integers(1, 9))
    rows: list[list[Any]] = [[draw(titles)] for _ in range(draw(st.integers(0, 3)))]
    merges: list[tuple[int, int, int, int]] = []  # 1-based (row, col, row, col)
    for r in range(len(rows)):
        if width > 1 and draw(st.booleans()):
            merges.append((r + 1, 1, r + 1, width))
    levels = draw(st.integers(1, 3))
    first_header = len(rows) + 1
    for level in range(levels):
        row: list[Any] = [None] * width
        col = 0
        while col < width:
            span = draw(st.integers(1, width - col)) if level < levels - 1 else 1
            row[col] = draw(st.one_of(labels, st.none())) if col or level else draw(st.sampled_from(
                ["Mã xã", "Mã ĐVHC", "STT", "Tên xã", "Đơn vị", "Code"]) | labels)
            if span > 1:
                merges.append((first_header + level, col + 1, first_header + level, col + span))
            elif level < levels - 1 and draw(st.integers(0, 3)) == 0:  # a label standing over all levels
                merges.append((first_header + level, col + 1, first_header + levels - 1, col + 1))
            col += span
        rows.append(row)
    if draw(st.booleans()):
        rows.append([f"({i + 1})" for i in range(width)])  # the numbering row under many headers
    template = draw(st.lists(st.lists(cells, min_size=0, max_size=width + 1), max_size=8))
    code_column = draw(st.sampled_from(["code", "name", "both", "junk"]))
    repeat = draw(st.sampled_from([1, 1, 1, 2, 5, 40]))
    for n in range(repeat):
        for i, body in enumerate(template):
            unit: list[Any]
            if code_column == "junk" or not template:
                unit = []
            elif repeat > 1:  # a long real-looking table: distinct real units down the list
                real = _UNITS[(n * len(template) + i) * 7 % len(_UNITS)]
                unit = [real["commune_code"], real["commune_full_name"]][: 1 if code_column == "code" else 2]
            else:
                unit = [draw(unit_codes)] + ([draw(unit_names)] if code_column != "code" else [])
            rows.append((unit + list(body))[: width + 1])
    if draw(st.booleans()):
        rows.append([draw(st.sampled_from(["Tổng cộng", "Cộng", "Toàn tỉnh", "Ghi chú: số liệu tạm"]))])
    return {"name": name, "rows": rows, "merges": merges}


@st.composite
def workbooks(draw: st.DrawFn) -> list[dict[str, Any]]:
    plans = draw(st.lists(sheet_plans(), min_size=1, max_size=3))
    seen: set[str] = set()
    for plan in plans:  # sheet names must differ (case-insensitively, as Excel wants)
        while plan["name"].lower() in seen:
            plan["name"] = (plan["name"][:29] + str(len(seen)))
        seen.add(plan["name"].lower())
    return plans


def write_xlsx(plans: list[dict[str, Any]], path: Path) -> None:
    """Save the plans through openpyxl, then give formula cells their cached values as Excel would."""
    book = Workbook()
    book.remove(book.active)
    cached: dict[tuple[int, str], Any] = {}
    for s, plan in enumerate(plans):
        sheet = book.create_sheet(plan["name"])
        for r, row in enumerate(plan["rows"], start=1):
            for c, value in enumerate(row, start=1):
                if isinstance(value, Formula):
                    cached[(s, f"{get_column_letter(c)}{r}")] = value.cached
                    value = "=" + value.text
                elif isinstance(value, str):
                    value = ILLEGAL_CHARACTERS_RE.sub("", value)[:32767]
                elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53:
                    value = float(value)
                if value is not None:
                    sheet.cell(r, c, value)
        for r0, c0, r1, c1 in plan["merges"]:
            if (r0, c0) != (r1, c1):
                sheet.merge_cells(start_row=r0, start_column=c0, end_row=r1, end_column=c1)
    book.save(path)
    if cached:
        _put_cached_values(path, cached)


def _put_cached_values(path: Path, cached: dict[tuple[int, str], Any]) -> None:
    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            found = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", info.filename)
            if found:
                index = int(found[1]) - 1

                def fill(match: re.Match[bytes]) -> bytes:
                    ref = match[1].decode()
                    value = cached.get((index, ref))
                    if value is None:
                        return match[0]
                    if isinstance(value, str):
                        return (f'<c r="{ref}" t="str"><f>'.encode() + match[2]
                                + f"</f><v>{escape(ILLEGAL_CHARACTERS_RE.sub('', value))}</v></c>".encode())
                    return f'<c r="{ref}"><f>'.encode() + match[2] + f"</f><v>{value!r}</v></c>".encode()

                data = re.sub(rb'<c r="([A-Z]+\d+)"[^>]*><f>(.*?)</f><v\s*/?>(?:</v>)?</c>', fill, data)
            target.writestr(info, data)
    path.write_bytes(out.getvalue())


@st.composite
def plausible_workbooks(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A monthly report much like the real ones (real units, catalog columns, small whole numbers) with a
    few odd cells mixed in, so that loads happen and not only refusals."""
    month, year = draw(st.integers(1, 12)), draw(st.integers(2025, 2026))
    columns = draw(st.lists(st.sampled_from([r for r in _INDICATORS if r["kind"] == "count"]),
                            min_size=1, max_size=6, unique_by=lambda r: r["code"]))
    header = ["Mã xã", "Tên xã"] + [draw(normalised(st.sampled_from([r["name_vi"], r["name_en"], r["code"]])))
                                    for r in columns]
    start = draw(st.integers(0, len(_UNITS) - 1))
    rows: list[list[Any]] = [[f"BÁO CÁO THÁNG {month}/{year}"], header]
    odd = st.one_of(values, st.floats(0, 18))
    odd_share = draw(st.sampled_from([0, 0, 5, 30]))  # percent of cells that are odd; most files are clean
    for i in range(draw(st.integers(0, 30))):
        unit = _UNITS[(start + i * 11) % len(_UNITS)]
        # one small whole number per row keeps counts consistent (on time <= received) and scores in range
        same = draw(st.integers(0, 10))
        cells_ = [draw(odd) if draw(st.integers(1, 100)) <= odd_share else same for _ in columns]
        rows.append([unit["commune_code"], unit["commune_name"], *cells_])
    return [{"name": f"T{month}", "rows": rows, "merges": [(1, 1, 1, len(header))]}]


# ---------------------------------------------------------------- strategies: CSV and raw bytes

csv_cells = st.one_of(st.none(), st.sampled_from(UNIT_CODES), unit_names, labels, number_texts, titles)


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[str, bytes]:
    if draw(st.booleans()):  # a plausible report saved as CSV, its cells as text
        rows = [["" if isinstance(c, Formula) else c for c in row] for row in draw(plausible_workbooks())[0]["rows"]]
        if draw(st.booleans()):
            rows = rows[1:]  # no title: the period comes from the file name
    else:
        width = draw(st.integers(1, 8))
        rows = [[draw(titles)] for _ in range(draw(st.integers(0, 2)))]
        rows.append([draw(labels) for _ in range(width)])
        for _ in range(draw(st.integers(0, 12))):
            rows.append([draw(csv_cells) for _ in range(draw(st.integers(0, width + 2)))])  # ragged on purpose
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]))
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, quoting=quoting).writerows(
        [["" if cell is None else str(cell) if isinstance(cell, (date, time)) else cell for cell in row]
         for row in rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1258"]))
    data = _encode(text.getvalue(), encoding)
    return draw(st.sampled_from(["bao_cao.csv", "Báo cáo tháng 9-2026.csv", "x.CSV"])), data


def _encode(text: str, encoding: str) -> bytes:
    """cp1258 holds only some precomposed letters: try NFC, then NFD, else fall back to utf-8."""
    if encoding != "cp1258":
        return text.encode(encoding)
    for form in ("NFC", "NFD"):
        try:
            return unicodedata.normalize(form, text).encode("cp1258")
        except UnicodeEncodeError:
            continue
    return text.encode("utf-8")


def _valid_xlsx_bytes() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["BÁO CÁO THÁNG 9/2026"])
    sheet.append(["Mã xã", "Tên xã", "Tổng số hồ sơ tiếp nhận", "Hồ sơ quá hạn"])
    for unit in _UNITS[:20]:
        sheet.append([unit["commune_code"], unit["commune_name"], 120, 3])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


VALID_XLSX = _valid_xlsx_bytes()
suffixes = st.sampled_from([".xlsx", ".csv", ".xls", ".ods", ".xlsm", ".txt", ""])


@st.composite
def raw_files(draw: st.DrawFn) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(["truncated", "garbled", "random", "rezipped"]))
    if kind == "truncated":
        data = VALID_XLSX[: draw(st.integers(0, len(VALID_XLSX)))]
    elif kind == "garbled":
        data = bytearray(VALID_XLSX)
        for _ in range(draw(st.integers(1, 20))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        data = bytes(data)
    elif kind == "random":
        data = draw(st.binary(max_size=2000))
        if draw(st.booleans()):
            data = draw(st.sampled_from([b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"%PDF", b""])) + data
    else:  # a well-formed zip whose parts are damaged or missing
        source = zipfile.ZipFile(io.BytesIO(VALID_XLSX))
        out = io.BytesIO()
        drop = draw(st.sampled_from(source.namelist() + [""]))
        with zipfile.ZipFile(out, "w") as target:
            for name in source.namelist():
                if name == drop:
                    continue
                part = source.read(name)
                if draw(st.integers(0, 4)) == 0:
                    part = part[: draw(st.integers(0, len(part)))]
                target.writestr(name, part)
        data = out.getvalue()
    suffix = draw(suffixes) if kind in ("random", "truncated") else ".xlsx"
    return "fuzz" + suffix, data


# ---------------------------------------------------------------- the property

def check_outcome(con: Any, path: Path) -> Review | None:
    """A Review whose problems all render in both languages and name the file, or an XasoError."""
    try:
        review = review_file(con, path)
    except XasoError as exc:
        exc.message("vi"), exc.message("en")
        return None
    assert review.file == path.name
    for problem in review.problems:
        for lang in ("vi", "en"):
            text = problem.message(lang)
            assert path.name in text, text
            assert "problem." not in text and "fix." not in text, text
    if review.blocked:
        assert review.errors
    return review


def _outcome(review: Review | None) -> str:
    if review is None:
        return "review: raised XasoError"
    return "review: blocked" if review.blocked else f"review: {'some' if len(review.observations) else 'no'} values"


def _counts(con: Any) -> tuple[int, int]:
    return (con.execute("SELECT count(*) FROM observation").fetchall()[0][0],
            con.execute("SELECT count(*) FROM batch").fetchall()[0][0])


def check_load(db: Path, path: Path, before: tuple[int, int]) -> tuple[str, tuple[int, int]]:
    """Load into `db`: stored values are finite and as many as reviewed; a refusal writes nothing.

    `before` is the (observations, batches) count left by the previous example; a load is rolled back
    afterwards so the next example starts from the same current values. Returns the outcome and the
    counts it leaves."""
    try:
        result = load_file(path, db=db, user="fuzz")
    except XasoError:
        with store.connect(db) as con:
            assert _counts(con) == before
        return "raised XasoError", before
    with store.connect(db) as con:
        if result.status != "loaded":
            assert result.status in ("refused", "unchanged"), result.status
            assert _counts(con) == before
            return result.status, before
        stored = con.execute("""
            SELECT count(*), count(*) FILTER (WHERE value IS NULL OR NOT isfinite(value)
                                               OR NOT isfinite(coalesce(numerator, 0))
                                               OR NOT isfinite(coalesce(denominator, 0)))
            FROM observation WHERE batch_id = ?""", [result.batch_id]).fetchall()[0]
        assert stored[1] == 0, "a stored value is not a finite number"
        assert stored[0] == result.rows_loaded == len(result.review.observations)
        with store.transaction(con):
            rollback_batch(con, result.batch_id, "fuzz")
        return "loaded", _counts(con)


def _path(folder: Path, name: str) -> Path:
    path = folder / name
    if path.exists():
        path.unlink()
    return path


@pytest.fixture
def files(tmp_path: Path) -> Path:
    folder = tmp_path / "files"
    folder.mkdir()
    return folder


def test_generated_workbooks_are_reviewed_or_refused_readably(fresh_db: Path, files: Path) -> None:
    outcomes: Counter[str] = Counter()
    with store.connect(fresh_db) as con:

        @_example_count(80)
        @given(plans=st.one_of(workbooks(), plausible_workbooks()), name=st.sampled_from(["bao_cao.xlsx", "Tháng 9-2026.xlsx", "T10 2026.xlsm"]))
        def run(plans: list[dict[str, Any]], name: str) -> None:
            path = _path(files, name)
            write_xlsx(plans, path)
            outcomes[_outcome(check_outcome(con, path))] += 1

        run()
    print("outcomes:", dict(outcomes))


def test_generated_csv_files_are_reviewed_or_refused_readably(fresh_db: Path, files: Path) -> None:
    outcomes: Counter[str] = Counter()
    with store.connect(fresh_db) as con:

        @_example_count(100)
        @given(file=csv_files())
        def run(file: tuple[str, bytes]) -> None:
            path = _path(files, file[0])
            path.write_bytes(file[1])
            outcomes[_outcome(check_outcome(con, path))] += 1

        run()
    print("outcomes:", dict(outcomes))


def test_damaged_and_random_bytes_are_refused_readably(fresh_db: Path, files: Path) -> None:
    outcomes: Counter[str] = Counter()
    with store.connect(fresh_db) as con:

        @_example_count(150)
        @given(file=raw_files())
        def run(file: tuple[str, bytes]) -> None:
            path = _path(files, file[0])
            path.write_bytes(file[1])
            review = check_outcome(con, path)
            outcomes[_outcome(review)] += 1
            if review is not None:  # a review that is not blocked has something to load
                assert review.blocked or len(review.observations)

        run()
    print("outcomes:", dict(outcomes))


def test_loading_generated_files_stores_finite_values_or_nothing(fresh_db: Path, files: Path) -> None:
    outcomes: Counter[str] = Counter()
    with store.connect(fresh_db) as con:
        counts = [_counts(con)]

    @_example_count(25)
    @given(file=st.one_of(plausible_workbooks().map(lambda plans: ("xlsx", plans)),
                          plausible_workbooks().map(lambda plans: ("xlsx", plans)),
                          workbooks().map(lambda plans: ("xlsx", plans)), csv_files().map(lambda f: ("csv", f))))
    @example(file=("xlsx", [{"name": "T9", "merges": [], "rows": [
        ["BÁO CÁO THÁNG 9/2026"], ["Mã xã", "Tên xã", "Tổng số hồ sơ tiếp nhận", "Hồ sơ quá hạn"],
        [_UNITS[0]["commune_code"], _UNITS[0]["commune_name"], 12, 1]]}]))  # one sure load, whatever is drawn
    def run(file: tuple[str, Any]) -> None:
        if file[0] == "xlsx":
            path = _path(files, "Tháng 9-2026.xlsx")
            write_xlsx(file[1], path)
        else:
            path = _path(files, file[1][0])
            path.write_bytes(file[1][1])
        outcome, counts[0] = check_load(fresh_db, path, counts[0])
        outcomes[outcome] += 1

    run()
    print("load outcomes:", dict(outcomes))
    assert outcomes["loaded"] >= 1
