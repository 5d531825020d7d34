"""Report templates: an xlsx a commune office fills in and the loader reads with no mapping question.

The sheet is laid out the way the loader finds tables: a title row naming the month ("BÁO CÁO ...
THÁNG 10/2026", read by etl/period.py), one header row of the catalog's own names (the column matcher
maps them at full confidence), then one row per commune of the province with its code as text (leading
zeros kept) and its name. Only the value cells are unlocked; each indicator column validates its numbers
against the catalog's range. A second sheet explains, in the chosen language, what to fill in.
"""

from __future__ import annotations

import io
import math
from typing import Any

import duckdb
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from i18n import format_number, translate
from store.reference import catalog_frame, units_frame

TITLE_ROW, HEADER_ROW, FIRST_DATA_ROW = 1, 3, 4
FIXED_COLUMNS = 3  # STT, code, name: locked
INPUT_KINDS = ("count", "mean")  # what a commune office counts; rates and scores follow from them
_HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
_INPUT_FILL = PatternFill("solid", fgColor="FFFBE6")  # the cells to fill stand out, also in grayscale
_THIN = Side(style="thin", color="8EA3BA")
_MAX_PROMPT = 255  # Excel refuses a longer input message
_MAX_TITLE = 32  # ... and a longer title over it


def derived_indicators(catalog: pd.DataFrame) -> set[str]:
    """Indicators the loader computes from counts in the same row: rates (etl.parse.Catalog.derivable) and
    the 766 metric points (analytics.index766); the group scores too, but a template may still offer
    those for a province that has only the published scores."""
    derivable = (catalog["kind"] == "rate") & catalog["numerator"].notna() & catalog["denominator"].notna()
    return set(catalog.loc[derivable, "code"]) | set(catalog.loc[catalog["part_of"].notna(), "code"])


def _is_input(catalog: pd.DataFrame) -> pd.Series:
    """What a commune office counts (and the percentages only the portal publishes, behind no counts):
    every rate, score and the index follow from them."""
    published_share = (catalog["kind"] == "rate") & catalog["numerator"].isna()
    return catalog["kind"].isin(INPUT_KINDS) | published_share


def template_indicators(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The catalog rows a template may offer, in catalog order, with `default` marking the inputs.

    Rates and metric points the loader derives from counts are left out (a typed rate beside its counts can
    only disagree with them); so is the composite index, which is computed from the group scores. With the
    inputs filled, the loader derives every 766 metric, group and the index for each commune.
    """
    catalog = catalog_frame(con)
    offered = catalog[~catalog["code"].isin(derived_indicators(catalog)) & (catalog["kind"] != "composite")]
    return offered.assign(default=_is_input(offered)).reset_index(drop=True)


def default_indicators(con: duckdb.DuckDBPyConnection) -> tuple[str, ...]:
    table = template_indicators(con)
    return tuple(table.loc[table["default"], "code"])


def province_communes(con: duckdb.DuckDBPyConnection, province_code: str) -> pd.DataFrame:
    """Every commune-level unit of a province, by code."""
    units = units_frame(con)
    return units[units["parent_code"] == province_code].reset_index(drop=True)


def province_name(con: duckdb.DuckDBPyConnection, province_code: str, lang: str) -> str:
    units = units_frame(con)
    found = units[(units["code"] == province_code) & units["parent_code"].isna()]
    if found.empty:
        raise ValueError(f"no province with code {province_code!r}")
    return str(found.iloc[0]["name_en" if lang == "en" else "full_name_vi"])


def commune_count(con: duckdb.DuckDBPyConnection, province_code: str) -> int:
    return len(province_communes(con, province_code))


def template_file_name(province_code: str, month: str) -> str:
    """What the download is called; the month in it agrees with the title (the loader checks both)."""
    return f"mau-bao-cao_{province_code}_{month}.xlsx"


def template_workbook(con: duckdb.DuckDBPyConnection, province_code: str, month: str,
                      indicator_codes: list[str] | tuple[str, ...] | None = None, lang: str = "vi") -> bytes:
    """The template of one province and month ('YYYY-MM') for these indicators (the inputs by default)."""
    year, month_number = int(month[:4]), int(month[5:7])
    catalog = catalog_frame(con).set_index("code", drop=False)
    codes = list(indicator_codes) if indicator_codes else list(default_indicators(con))
    unknown = [code for code in codes if code not in catalog.index]
    if unknown:
        raise ValueError(f"not in the catalog: {', '.join(unknown)}")
    indicators = [catalog.loc[code] for code in codes]
    communes = province_communes(con, province_code)
    province = province_name(con, province_code, lang)

    book = Workbook()
    sheet = book.active
    sheet.title = translate("templates.sheet.data", lang, month=f"{month_number:02d}-{year}")
    title = translate("templates.sheet.title", lang, province=province.upper(), month=str(month_number),
                      year=str(year))
    sheet.cell(TITLE_ROW, 1, title).font = Font(bold=True, size=14)
    sheet.cell(TITLE_ROW + 1, 1, translate("templates.sheet.subtitle", lang)).font = Font(italic=True)
    headers = [translate("templates.header.seq", lang), translate("templates.header.code", lang),
               translate("templates.header.name", lang)]
    headers += [row["name_en"] if lang == "en" else row["name_vi"] for row in indicators]
    for col, text in enumerate(headers, start=1):
        cell = sheet.cell(HEADER_ROW, col, text)
        cell.font, cell.fill = Font(bold=True), _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = Border(bottom=_THIN, top=_THIN, left=_THIN, right=_THIN)
    sheet.row_dimensions[HEADER_ROW].height = 48

    last_row = FIRST_DATA_ROW + len(communes) - 1
    for r, unit in enumerate(communes.itertuples(index=False), start=FIRST_DATA_ROW):
        sheet.cell(r, 1, r - FIRST_DATA_ROW + 1)
        code = sheet.cell(r, 2, str(unit.code))
        code.number_format = "@"  # text: '00004' keeps its zeros when Excel saves it again
        sheet.cell(r, 3, unit.full_name_vi)
        for col, row in enumerate(indicators, start=FIXED_COLUMNS + 1):
            cell = sheet.cell(r, col)
            cell.protection = Protection(locked=False)
            cell.fill = _INPUT_FILL
            cell.number_format = "#,##0" if row["kind"] == "count" else "0." + "0" * max(int(row["decimals"]), 1)

    for col, row in enumerate(indicators, start=FIXED_COLUMNS + 1):
        letter = get_column_letter(col)
        validation = _validation(row, lang)
        sheet.add_data_validation(validation)
        if len(communes):
            validation.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}")
        sheet.column_dimensions[letter].width = 16
    sheet.column_dimensions["A"].width = 6
    sheet.column_dimensions["B"].width = 10
    sheet.column_dimensions["C"].width = max([len(name) for name in communes["full_name_vi"]] + [16]) + 2
    sheet.freeze_panes = sheet.cell(FIRST_DATA_ROW, FIXED_COLUMNS + 1).coordinate
    # no password: the lock guards against slips (a code typed over), not against a determined person
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False  # let people widen columns
    sheet.protection.formatRows = False

    _instructions(book.create_sheet(translate("templates.instructions.sheet", lang)), indicators, province,
                  month_number, year, len(communes), lang)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _bound(value: Any) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def _validation(row: pd.Series, lang: str) -> DataValidation:
    """Whole numbers for counts, decimals otherwise, within the catalog's range; blanks allowed."""
    low, high = _bound(row["min_value"]), _bound(row["max_value"])
    if high is None:
        high = _bound(row["max_points_766"])
    kind = "whole" if row["kind"] == "count" else "decimal"
    low = 0.0 if low is None else low
    shown_low = format_number(low, lang, 0 if low.is_integer() else 2)
    if high is None:
        rule = dict(operator="greaterThanOrEqual", formula1=_formula(low))
        allowed = translate(f"templates.validation.{kind}_from", lang, low=shown_low)
    else:
        rule = dict(operator="between", formula1=_formula(low), formula2=_formula(high))
        allowed = translate(f"templates.validation.{kind}_between", lang, low=shown_low,
                            high=format_number(high, lang, 0 if high.is_integer() else 2))
    name = row["name_en"] if lang == "en" else row["name_vi"]
    prompt = translate("templates.validation.prompt", lang, allowed=allowed)
    return DataValidation(type=kind, allow_blank=True, showInputMessage=True, showErrorMessage=True,
                          promptTitle=_short(name, _MAX_TITLE), prompt=prompt[:_MAX_PROMPT], errorStyle="stop",
                          errorTitle=_short(translate("templates.validation.error_title", lang), _MAX_TITLE),
                          error=translate("templates.validation.error", lang, allowed=allowed)[:_MAX_PROMPT],
                          **rule)


def _short(text: str, limit: int) -> str:
    """Cut at a word, with an ellipsis, when Excel's limit is shorter than the text."""
    if len(text) <= limit:
        return text
    return text[:limit - 1].rsplit(" ", 1)[0] + "…"


def _formula(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def _instructions(sheet: Any, indicators: list[pd.Series], province: str, month: int, year: int, units: int,
                  lang: str) -> None:
    """Sentences only (never a bare indicator name in a cell), so the loader sees no table here."""
    sheet.column_dimensions["A"].width = 110
    lines = [translate("templates.instructions.title", lang, province=province, month=str(month), year=str(year)),
             "",
             translate("templates.instructions.rows", lang, units=str(units)),
             translate("templates.instructions.codes", lang),
             translate("templates.instructions.blank", lang),
             translate("templates.instructions.numbers", lang),
             translate("templates.instructions.upload", lang),
             "",
             translate("templates.instructions.columns", lang)]
    for col, row in enumerate(indicators, start=FIXED_COLUMNS + 1):
        name = row["name_en"] if lang == "en" else row["name_vi"]
        lines.append(translate("templates.instructions.column", lang, letter=get_column_letter(col), name=name,
                               unit=translate(f"templates.unit.{row['unit']}", lang),
                               rule=translate(f"templates.rule.{row['kind']}", lang)))
    for r, text in enumerate(lines, start=1):
        cell = sheet.cell(r, 1, text or None)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if r == 1:
            cell.font = Font(bold=True, size=14)
