"""A review a person can steer before anything is written: the upload page's side of the loader.

`review_upload` re-runs the one loader (`etl.load.review_file`) with a person's choices (column mapping,
unit picks, period, sheet, skip unmatched rows); the functions below turn a Review into plain tables for
the page and an xlsx error report. Nothing here writes observations: `etl.load.commit_review` does.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from analytics.exports import cell_value
from etl.columns import ROLES
from errors import Problem
from etl.load import Review, review_file, unit_matcher
from store.users import User
from etl.parse import SheetReport, layout_fingerprint
from etl.period import parse_month
from i18n import translate
from store.observations import current_values
from store.reference import save_mapping_profile

IGNORE = ""  # the mapping target meaning "do not load this column"
# How a unit was found that a person should confirm: without diacritics, or by name beside a wrong code.
FUZZY_UNIT_MATCHES = ("ascii", "name_not_code")
CHANGE_TOLERANCE = 1e-9
_ERROR_FILL = PatternFill("solid", fgColor="F8D7DA")
_WARNING_FILL = PatternFill("solid", fgColor="FFF3BF")
_HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")


@dataclass(frozen=True)
class Steering:
    """A person's choices for one file; hashable, so a review can be kept per choice."""

    period: str | None = None  # 'YYYY-MM' (the CLI's --period)
    sheet: str | None = None  # one sheet only (the CLI's --sheet)
    skip_unmatched: bool = False  # the CLI's --skip-unmatched
    mapping: tuple[tuple[str, str], ...] = ()  # (column label, indicator code | role | IGNORE)
    unit_picks: tuple[tuple[str, int, str], ...] = ()  # (sheet, row, unit code | IGNORE to leave the row out)

    def with_mapping(self, label: str, target: str | None) -> Steering:
        """The same choices with one column's target set (None: back to what the loader finds)."""
        kept = tuple((k, v) for k, v in self.mapping if k != label)
        return replace(self, mapping=kept + ((label, target),) if target is not None else kept)

    def with_unit(self, sheet: str, row: int, code: str | None) -> Steering:
        """The same choices with one row's unit picked (None: back to what the loader finds)."""
        kept = tuple(p for p in self.unit_picks if (p[0], p[1]) != (sheet, row))
        return replace(self, unit_picks=kept + ((sheet, row, code),) if code is not None else kept)


def review_upload(con: duckdb.DuckDBPyConnection, name: str, data: bytes, steering: Steering = Steering(),
                  max_bytes: int | None = None, user: User | None = None) -> Review:
    """The loader's review of uploaded bytes, steered by a person's choices, checked against what `user`
    may change; nothing written.

    Raises ValueError for a period that is not 'YYYY-MM' (the page checks it first).
    """
    period = parse_month(steering.period) if steering.period else None
    options: dict[str, Any] = {"max_bytes": max_bytes} if max_bytes else {}
    return review_file(con, Path(name), data=data, name=name, period=period, sheet=steering.sheet,
                       skip_unmatched=steering.skip_unmatched, mapping=dict(steering.mapping),
                       unit_picks={(sheet, row): code for sheet, row, code in steering.unit_picks}, user=user,
                       **options)


# -- tables for the page ----------------------------------------------------------------------------

def mapping_table(review: Review, lang: str = "vi") -> pd.DataFrame:
    """One row per labelled column of every table: what it maps to, how sure, why, and whether it loads."""
    rows = [{"sheet": report.name, "column": m.letter, "label": m.label, "target": m.target or IGNORE,
             "confidence": round(m.confidence, 2), "how": m.how, "loaded": m.accepted,
             "reasons": reasons_text(m.reasons, lang)}
            for report in review.sheets for m in report.mappings if m.label]
    return pd.DataFrame(rows, columns=["sheet", "column", "label", "target", "confidence", "how", "loaded",
                                       "reasons"])


def reasons_text(reasons: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...], lang: str) -> str:
    """'số nguyên 236–2.971; bằng Đúng hạn + Quá hạn' in the reader's language."""
    return "; ".join(translate(key, lang, **dict(params)) for key, params in reasons)


def mapping_targets(catalog_codes: list[str]) -> list[str]:
    """What a column may be mapped to: ignore, the roles (unit code, name, period ...), then indicators."""
    return [IGNORE, *ROLES, *catalog_codes]


def unit_table(con: duckdb.DuckDBPyConnection, review: Review) -> pd.DataFrame:
    """One row per data row: the unit as written, the unit found (or none), how, and codes to pick from."""
    matcher = unit_matcher(con)
    rows = [{"sheet": u.sheet, "row": u.row, "written_code": _text(u.written_code),
             "written_name": _text(u.written_name), "unit_code": u.code,
             "unit": matcher.describe(u.code) if u.code else None, "how": u.how,
             "fuzzy": u.how in FUZZY_UNIT_MATCHES, "candidates": list(u.candidates)}
            for u in review.units_found]
    return pd.DataFrame(rows, columns=["sheet", "row", "written_code", "written_name", "unit_code", "unit", "how",
                                       "fuzzy", "candidates"])


def describe_unit(con: duckdb.DuckDBPyConnection, code: str) -> str:
    """'Xã Vân Bán (08377, Phú Thọ)'."""
    return unit_matcher(con).describe(code)


def skipped_table(review: Review) -> pd.DataFrame:
    return pd.DataFrame([s.as_dict() for s in review.skipped], columns=["sheet", "row", "reason", "text"])


def problem_table(review: Review, lang: str) -> pd.DataFrame:
    """Every problem of one file: where, the value, what is wrong and the fix, in `lang`; errors first."""
    rows = [{"severity": p.severity, "code": p.code, "file": p.file, "sheet": p.sheet, "row": p.row,
             "column": p.column, "value": None if p.value is None else str(p.value), "problem": p.what(lang),
             "fix": p.fix(lang)} for p in _ordered(review.problems)]
    return pd.DataFrame(rows, columns=["severity", "code", "file", "sheet", "row", "column", "value", "problem",
                                       "fix"])


def _ordered(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.severity != "error", p.file, p.sheet or "", p.row or 0))


@dataclass(frozen=True)
class Comparison:
    """The file against what is stored for the same units and months."""

    changed: pd.DataFrame  # unit_code, indicator_code, period, stored, incoming, change
    new: int  # values nothing is stored for yet
    same: int  # values equal to what is stored (a commit leaves them as they are)


def compare_with_stored(con: duckdb.DuckDBPyConnection, review: Review) -> Comparison:
    """Which of the file's values would change a stored value, and by how much."""
    columns = ["unit_code", "indicator_code", "period", "stored", "incoming", "change"]
    incoming = review.observations
    if not len(incoming):
        return Comparison(pd.DataFrame(columns=columns), 0, 0)
    incoming = incoming.astype({"unit_code": str, "indicator_code": str, "period": str})
    stored = current_values(con, sorted(incoming["unit_code"].unique()), sorted(incoming["period"].unique()))
    both = incoming.merge(stored.rename(columns={"value": "stored"}), how="left",
                          on=["unit_code", "indicator_code", "period"])
    known = both["stored"].notna()
    differs = known & ((both["value"] - both["stored"]).abs() > CHANGE_TOLERANCE)
    changed = both.loc[differs, ["unit_code", "indicator_code", "period", "stored", "value"]].rename(
        columns={"value": "incoming"})
    changed["change"] = changed["incoming"] - changed["stored"]
    changed = changed.sort_values(["period", "unit_code", "indicator_code"]).reset_index(drop=True)
    return Comparison(changed[columns], int((~known).sum()), int((known & ~differs).sum()))


# -- mapping profiles -------------------------------------------------------------------------------

def profile_of(report: SheetReport) -> tuple[str, dict[str, str]]:
    """A sheet's layout fingerprint and its mapping as it stands (label -> target, "" for not loaded)."""
    labels = [m.label for m in report.mappings]
    mapping = {m.label: (m.target if m.accepted else IGNORE) or IGNORE for m in report.mappings if m.label}
    return layout_fingerprint(labels), mapping


def save_profile(con: duckdb.DuckDBPyConnection, report: SheetReport, name: str, user: str) -> str:
    """Remember this sheet's mapping under a name: the next file with the same layout is read the same way.

    Returns the layout's fingerprint."""
    fingerprint, mapping = profile_of(report)
    save_mapping_profile(con, name.strip(), fingerprint, mapping, user)
    return fingerprint


# -- the error report -------------------------------------------------------------------------------

def error_report_xlsx(reviews: list[Review], lang: str) -> bytes:
    """An xlsx a person fixes their file with: one row per problem (file, sheet, row, column, value,
    problem, fix, in `lang`), opening on the first problem with the header frozen; a second sheet holds
    the failing rows as written, under their table's header. Text that looks like a formula is
    neutralised, so a hostile cell in the upload cannot run in the report."""
    book = Workbook()
    problems_sheet = book.active
    problems_sheet.title = _sheet_title(translate("upload.report.problems_sheet", lang))
    source_sheet = book.create_sheet(_sheet_title(translate("upload.report.rows_sheet", lang)))
    where = _write_source_rows(source_sheet, reviews, lang)
    headers = [translate(f"upload.report.col.{name}", lang) for name in
               ("severity", "file", "sheet", "row", "column", "value", "problem", "fix")]
    _header(problems_sheet, 1, headers)
    r = 1
    for review in reviews:
        for problem in _ordered(review.problems):
            r += 1
            values = [translate(f"upload.severity.{problem.severity}", lang), problem.file, problem.sheet,
                      problem.row, problem.column, problem.value, problem.what(lang), problem.fix(lang)]
            for c, value in enumerate(values, start=1):
                problem_cell = problems_sheet.cell(r, c, cell_value(value))
                problem_cell.fill = _ERROR_FILL if problem.severity == "error" else _WARNING_FILL
            target = where.get((problem.file, problem.sheet, problem.row))
            if target is not None:  # the row number opens the failing row as written
                link = problems_sheet.cell(r, 4)
                link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{source_sheet.title}'!A{target}")
                link.font = Font(color="1F4E99", underline="single")
    for c, width in enumerate((10, 28, 14, 8, 28, 16, 60, 60), start=1):
        problems_sheet.column_dimensions[get_column_letter(c)].width = width
    problems_sheet.freeze_panes = "A2"
    first = "A2" if r > 1 else "A1"
    problems_sheet.sheet_view.selection[0].activeCell = first
    problems_sheet.sheet_view.selection[0].sqref = first
    if r > 1:
        problems_sheet.auto_filter.ref = f"A1:H{r}"
    book.active = 0
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _write_source_rows(sheet: Worksheet, reviews: list[Review], lang: str) -> dict[tuple[str, str, int], int]:
    """Failing rows as written, each table's header above them; (file, sheet, row) -> report row."""
    where: dict[tuple[str, str, int], int] = {}
    fixed = [translate(f"upload.report.col.{name}", lang) for name in ("file", "sheet", "row")]
    r = 0
    for review in reviews:
        failing = {(p.sheet, p.row): p.severity for p in review.problems if p.sheet and p.row}
        headers = {report.name: set(report.header_rows) for report in review.sheets}
        for sheet_name, (first_col, rows) in review.source_rows.items():
            if not any((sheet_name, row) in failing for row in rows):
                continue
            for row, cells in rows.items():
                r += 1
                is_header = row in headers.get(sheet_name, ())
                values = fixed if is_header else [review.file, sheet_name, row]
                values = [*values, *([None] * first_col), *cells]
                for c, value in enumerate(values, start=1):
                    cell = sheet.cell(r, c, cell_value(value))
                    if is_header:
                        cell.font, cell.fill = Font(bold=True), _HEADER_FILL
                    elif (sheet_name, row) in failing:
                        cell.fill = _ERROR_FILL if failing[(sheet_name, row)] == "error" else _WARNING_FILL
                if not is_header:
                    where[(review.file, sheet_name, row)] = r
    sheet.column_dimensions["A"].width = 28
    return where


def _header(sheet: Worksheet, row: int, names: list[str]) -> None:
    for c, name in enumerate(names, start=1):
        cell = sheet.cell(row, c, cell_value(name))
        cell.font, cell.fill = Font(bold=True), _HEADER_FILL


def _sheet_title(text: str) -> str:
    return "".join(" " if ch in "[]:*?/\\" else ch for ch in text)[:31]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and not np.isnan(value) and value.is_integer():
        return str(int(value))
    return str(value)
