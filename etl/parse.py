"""From a sheet's table to checked observations: units matched, values parsed, rules applied.

Nothing here writes. The result (`ParsedFile`) is the review a person sees before committing, and
what `etl.load` commits when it has no blocking problem.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from analytics.index766 import IndexModel, model_of
from etl.columns import ColumnMapping, label_key, map_columns
from errors import Problem
from etl.period import Period, find_in_text, period_of_cell
from etl.read import Sheet
from etl.recognise import indicator_of_words, looks_like_indicator, recognise
from etl.table import Table, classify_row, fill_merged, find_table, steer_table
from etl.units import UnitMatch, UnitMatcher
from etl.text import fold
from etl.values import parse_number

# Recognise columns from values and relations as well as words; the loader benchmark turns it off once to
# print what the evidence costs beside the word-only baseline.
VALUE_EVIDENCE = True
UNKNOWN_PERIOD = "?"
OTHER_PERIOD = "other"  # a row of another month than the one asked for with --period


@dataclass(frozen=True)
class Skipped:
    sheet: str
    row: int
    reason: str  # section | total | not_commune | unmatched | other_period
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "reason": self.reason, "text": self.text}


@dataclass(frozen=True)
class UnitRow:
    """How one data row's unit was found, for a person to confirm or correct."""

    sheet: str
    row: int
    written_code: Any
    written_name: Any
    code: str | None  # None when no unit matched
    how: str  # UnitMatch.how, or 'picked' when a person chose the unit
    candidates: tuple[str, ...] = ()  # codes to pick from when it did not match


@dataclass
class SheetReport:
    name: str
    header_rows: list[int] = field(default_factory=list)  # spreadsheet row numbers
    mappings: list[ColumnMapping] = field(default_factory=list)
    layout: str = "wide"  # wide | long
    period: str | None = None
    period_source: str | None = None  # option | column | title | sheet | file
    fraction_columns: list[str] = field(default_factory=list)  # rate columns read as 0.9655 -> 96.55
    data_rows: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.name, "header_rows": self.header_rows, "layout": self.layout, "period": self.period,
                "period_source": self.period_source, "fraction_columns": self.fraction_columns,
                "data_rows": self.data_rows,
                "mapping": [{"column": m.letter, "label": m.label, "target": m.target, "confidence": m.confidence,
                             "how": m.how, "accepted": m.accepted,
                             "reasons": [[key, dict(params)] for key, params in m.reasons]} for m in self.mappings]}


@dataclass
class Catalog:
    """The indicator catalog in the shape the checks need."""

    frame: pd.DataFrame

    def __post_init__(self) -> None:
        self.rows = {row.code: row for row in self.frame.itertuples(index=False)}

    def maximum(self, code: str) -> float | None:
        row = self.rows[code]
        for value in (row.max_value, row.max_points_766):
            if value is not None and not (isinstance(value, float) and math.isnan(value)):
                return float(value)
        return None

    def minimum(self, code: str) -> float | None:
        value = self.rows[code].min_value
        return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)

    def derivable(self) -> list[Any]:
        """Rates computed from two counts (100 n/d); 766 scores come from `index_model`."""
        return [row for row in self.rows.values() if row.kind == "rate" and row.numerator and row.denominator]

    @cached_property
    def index_model(self) -> IndexModel:
        """The 766 metrics, groups and index (analytics.index766)."""
        return model_of(self.rows.values())


@dataclass
class Column:
    """One indicator's values in a block, with where each came from (for messages)."""

    label: str  # 'F · Tỷ lệ đúng hạn (%)'
    values: np.ndarray  # float; NaN where missing or unreadable
    rows: np.ndarray  # the spreadsheet row of each value
    raw: list[Any]  # the cells as written
    tolerance: np.ndarray  # half a unit of the last decimal written (0 when not known)


@dataclass
class Block:
    """Records of one sheet in columns: one per unit and period (a row, or several rows of a long file)."""

    sheet: str
    units: np.ndarray  # object array of unit codes
    periods: np.ndarray  # object array of 'YYYY-MM'
    rows: np.ndarray  # the spreadsheet row of each record
    columns: dict[str, Column] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.units)


@dataclass
class SheetContext:
    file: str
    sheet: Sheet
    catalog: Catalog
    matcher: UnitMatcher
    synonyms: dict[str, str]
    profiles: dict[str, dict[str, str]]
    explicit_period: Period | None
    skip_unmatched: bool
    problems: list[Problem]
    skipped: list[Skipped]
    chosen_mapping: dict[str, str] = field(default_factory=dict)  # label -> target ("" = ignore), by a person
    unit_picks: dict[tuple[str, int], str] = field(default_factory=dict)  # (sheet, row) -> unit code ("" = skip)
    # filled while reading, one plain tuple of UnitRow's fields per data row (a 200,000-row file makes
    # tuples six times faster than dataclasses)
    unit_rows: list[tuple[Any, ...]] = field(default_factory=list)
    # (province code, folded unit as written) -> unit code: picks people made for earlier files
    remembered_units: dict[tuple[str, str], str] = field(default_factory=dict)
    # sheet -> (header rows, first data row, last data row), spreadsheet rows a person chose (empty/None: found)
    table_rows: dict[str, tuple[tuple[int, ...], int | None, int | None]] = field(default_factory=dict)
    accept_guesses: bool = False  # take the best guess for every doubtful column (the CLI's --accept-guesses)

    def problem(self, code: str, row: int | None = None, column: str | None = None, value: Any = None,
                severity: str = "error", **params: Any) -> None:
        self.problems.append(Problem(code, self.file, self.sheet.name, row, column, value, params, severity))


def layout_fingerprint(labels: list[str]) -> str:
    """How a layout is recognised again: its folded header labels in order."""
    return "|".join(label_key(label) for label in labels)


def parse_sheet(ctx: SheetContext) -> tuple[SheetReport, list[Block]] | None:
    """The report and blocks of one sheet; None when the sheet holds no table at all."""
    sheet = ctx.sheet
    report = SheetReport(sheet.name)
    ctx.problems.extend(sheet.problems)
    grid = fill_merged(sheet)
    table = find_table(sheet, grid, set(ctx.synonyms))
    if sheet.name in ctx.table_rows:  # a person said where the header and the data are
        table = steer_table(sheet, grid, table, *ctx.table_rows[sheet.name])
    if table is None:
        return None
    report.header_rows = [sheet.first_row + r for r in table.header_rows]
    saved = ctx.profiles.get(layout_fingerprint(table.labels))
    if VALUE_EVIDENCE:
        report.mappings = recognise(table.labels, grid[table.data_start:table.data_end], ctx.synonyms, ctx.catalog,
                                    ctx.matcher, (sheet.name,), sheet.first_col, saved, ctx.chosen_mapping,
                                    ctx.accept_guesses)
    else:
        report.mappings = map_columns(table.labels, ctx.synonyms, saved, sheet.first_col, ctx.chosen_mapping)
    roles = {m.target: m for m in report.mappings if m.accepted and m.target and m.target.startswith("_")}
    indicators = [m for m in report.mappings if m.accepted and m.target in ctx.catalog.rows]
    report.layout = "long" if "_indicator" in roles and "_value" in roles else "wide"
    _report_unmapped_columns(ctx, table, grid, report.mappings)
    if "_unit_code" not in roles and "_unit_name" not in roles:
        ctx.problem("no_unit_column", sheet.first_row + table.header_rows[0],
                    labels=", ".join(label for label in table.labels if label))
        return report, []
    if report.layout == "wide" and not indicators:
        ctx.problem("no_indicator_columns", sheet.first_row + table.header_rows[0],
                    labels=", ".join(label for label in table.labels if label))
        return report, []
    file_period = _file_period(ctx, table, report, has_column="_period" in roles)
    province = _file_province(ctx, table, grid, roles)
    return report, _read_blocks(ctx, table, grid, roles, indicators, report, file_period, province)


def _report_unmapped_columns(ctx: SheetContext, table: Table, grid: list[list[Any]],
                             mappings: list[ColumnMapping]) -> None:
    """A column holding numbers that was not loaded is reported, never silently dropped; one that was only
    guessed, or that looks like an indicator and matches none, stops the file until a person confirms or
    leaves it out (or --accept-guesses)."""
    for mapping in mappings:
        if mapping.accepted:
            continue
        cells = [row[mapping.index] for row in grid[table.data_start:table.data_end] if mapping.index < len(row)]
        numbers = sum(1 for cell in cells if parse_number(cell).value is not None)
        if not numbers:
            continue
        asked = mapping.doubtful or mapping.how == "duplicate"
        if asked and mapping.target not in ("_seq", "_note") and looks_like_indicator(cells):
            guesses = list(mapping.alternatives) if mapping.how == "duplicate" else \
                [(mapping.target, mapping.confidence), *mapping.alternatives]
            ctx.problem("column_needs_confirmation", ctx.sheet.first_row + table.header_rows[-1], mapping.describe(),
                        mapping.label, count=numbers,
                        guesses="; ".join(f"{target} ({round(score * 100)}%)" for target, score in guesses if target))
            continue
        if mapping.how == "none" and not ctx.accept_guesses and looks_like_indicator(cells):
            # numbers nobody has placed: leaving them out silently could drop an indicator
            ctx.problem("unplaced_column", ctx.sheet.first_row + table.header_rows[-1], mapping.describe(),
                        mapping.label, count=numbers)
            continue
        code = "low_confidence_column" if mapping.target else "unmapped_column"
        ctx.problem(code, ctx.sheet.first_row + table.header_rows[-1], mapping.describe(), mapping.label,
                    severity="warning", count=numbers, suggestion=mapping.target or "",
                    confidence=round(mapping.confidence * 100))


def _file_period(ctx: SheetContext, table: Table, report: SheetReport, has_column: bool) -> Period | None:
    if ctx.explicit_period is not None:
        report.period, report.period_source = str(ctx.explicit_period), "option"
        return ctx.explicit_period
    if has_column:
        report.period_source = "column"
        return None
    candidates = [("title", find_in_text(text)) for text in table.title_text]
    candidates += [("title", find_in_text(text, loose=True)) for text in table.title_text]
    candidates += [("sheet", find_in_text(ctx.sheet.name, loose=True)), ("file", find_in_text(ctx.file, loose=True))]
    found = [(source, period) for source, period in candidates if period is not None]
    if not found:
        ctx.problem("no_period", None, None, ctx.file)
        return None
    source, period = found[0]
    report.period, report.period_source = str(period), source
    for other_source, other in found[1:]:
        if other.is_month and period.is_month and other != period:
            ctx.problem("period_disagrees", None, None, str(other), severity="warning", used=str(period),
                        source=source, other_source=other_source)
            break
    if not period.is_month:
        ctx.problem("period_is_quarter", None, None, str(period))
        return None
    return period


def _file_province(ctx: SheetContext, table: Table, grid: list[list[Any]], roles: dict[str, ColumnMapping]) -> str | None:
    """The file's province: named in the title, else where most units found by code or unique name are."""
    for text in table.title_text:
        if province := ctx.matcher.province_of_text(text):
            return province
    found: list[str] = []
    code_col = roles.get("_unit_code")
    name_col = roles.get("_unit_name")
    for row in grid[table.data_start:table.data_end][:500]:
        if code_col and code_col.index < len(row) and (m := ctx.matcher.by_code(row[code_col.index])).matched:
            found.append(m.code)
        elif name_col and name_col.index < len(row) and (m := ctx.matcher.by_name(row[name_col.index], None)).matched:
            found.append(m.code)
    return ctx.matcher.guess_province(found)


def _match_unit(ctx: SheetContext, key: tuple[Any, Any], province: str | None) -> UnitMatch:
    """One (code cell, name cell) pair: by code, checked against the name when both are given."""
    code_raw, name_raw = key
    match = ctx.matcher.by_code(code_raw) if code_raw is not None else UnitMatch(None, "empty")
    if match.matched and name_raw is not None:
        by_name = ctx.matcher.by_name(name_raw, ctx.matcher.communes[match.code].parent_code)
        if by_name.how == "not_commune":
            return by_name
        if by_name.matched and by_name.code != match.code:
            return UnitMatch(None, "code_name_mismatch", (ctx.matcher.describe(match.code),
                                                          ctx.matcher.describe(by_name.code)),
                             (match.code, by_name.code))
    elif not match.matched and match.how in ("empty", "unknown") and name_raw is not None:
        code_was_unknown = match.how == "unknown"
        match = ctx.matcher.by_name(name_raw, province)
        if not match.matched and match.how == "unknown" and province is not None:
            # the province was only guessed from the other rows: a name unique in the country is that unit
            nationwide = ctx.matcher.by_name(name_raw, None)
            match = nationwide if nationwide.matched else match
        if code_was_unknown and match.matched:  # trust the name, but say the code was wrong
            return UnitMatch(match.code, "name_not_code")
    if not match.matched and match.how in ("unknown", "ambiguous") and ctx.remembered_units:
        written = name_raw if name_raw is not None else code_raw
        if code := _remembered(ctx.remembered_units, fold(written), province):
            return UnitMatch(code, "remembered")
    return match


def _remembered(picks: dict[tuple[str, str], str], key: str, province: str | None) -> str | None:
    """A unit picked for this spelling in the file's province; with no province known, a spelling picked
    in one province only."""
    if province is not None:
        return picks.get((province, key))
    found = {code for (_province, written), code in picks.items() if written == key}
    return found.pop() if len(found) == 1 else None


def _read_blocks(ctx: SheetContext, table: Table, grid: list[list[Any]], roles: dict[str, ColumnMapping],
                 indicators: list[ColumnMapping], report: SheetReport, file_period: Period | None,
                 province: str | None) -> list[Block]:
    """Match every row's unit and period, skip what is not data, then read the values column by column.

    Units and periods are matched once per distinct cell value: a national file repeats few of them.
    """
    sheet = ctx.sheet
    data = grid[table.data_start:table.data_end]
    width = max([m.index for m in [*indicators, *roles.values()]], default=0) + 1
    columns = list(zip(*(_padded(row, width) for row in data))) or [()] * width  # one pass, by column
    code_col, name_col, period_col = roles.get("_unit_code"), roles.get("_unit_name"), roles.get("_period")
    unit_column = name_col or code_col
    codes = columns[code_col.index] if code_col else (None,) * len(data)
    names = columns[name_col.index] if name_col else (None,) * len(data)
    unit_keys = list(zip(codes, names))
    matches = {key: _match_unit(ctx, key, province) for key in set(unit_keys)}
    row_periods = _periods(ctx, columns, period_col, file_period, len(data))
    kept: list[int] = []  # positions in `data` of the rows that hold a unit's values
    units: list[str] = []
    periods: list[str] = []
    first_row_of: dict[tuple[str, str], int] = {}
    long_layout = report.layout == "long"
    for i, key in enumerate(unit_keys):
        match = matches[key]
        row_number = sheet.first_row + table.data_start + i
        shown = key[1] if key[1] is not None else key[0]
        picked = ctx.unit_picks.get((sheet.name, row_number)) if ctx.unit_picks else None
        if picked == "":  # a person chose to leave this row out
            ctx.skipped.append(Skipped(sheet.name, row_number, "unmatched", str(shown)))
            continue
        if picked in ctx.matcher.communes:
            match = UnitMatch(picked, "picked", match.candidates, match.candidate_codes)
        if not match.matched:
            if _unmatched_row(ctx, data[i], row_number, match, shown, unit_column):
                ctx.unit_rows.append((sheet.name, row_number, key[0], key[1], None, match.how,
                                      match.candidate_codes))
            continue
        ctx.unit_rows.append((sheet.name, row_number, key[0], key[1], match.code, match.how, match.candidate_codes))
        if match.how == "name_not_code":
            ctx.problem("unit_code_unknown", row_number, code_col.describe(), key[0], severity="warning",
                        unit=ctx.matcher.describe(match.code))
        report.data_rows += 1
        period = row_periods[i]
        if period == OTHER_PERIOD:
            ctx.skipped.append(Skipped(sheet.name, row_number, "other_period", str(columns[period_col.index][i])))
            continue
        if period is None:
            ctx.problem("bad_period_cell", row_number, period_col.describe(), columns[period_col.index][i])
            continue
        if not long_layout:
            first = first_row_of.setdefault((match.code, period), row_number)
            if first != row_number:
                ctx.problem("duplicate_unit", row_number, unit_column.describe() if unit_column else None, shown,
                            first_row=first, period=period)
                continue
        kept.append(i)
        units.append(match.code)
        periods.append(period)
    row_numbers = np.array(kept, dtype=np.int64) + sheet.first_row + table.data_start
    take = operator.itemgetter(*kept) if len(kept) > 1 else (lambda column: tuple(column[i] for i in kept))
    if long_layout:
        return [_long_block(ctx, roles, [list(take(columns[c])) if kept else [] for c in range(width)],
                            row_numbers, units, periods)]
    block = Block(sheet.name, np.array(units, dtype=object), np.array(periods, dtype=object), row_numbers)
    fractions = []
    for mapping in indicators:
        raw = list(take(columns[mapping.index])) if kept else []
        column, is_fraction = _read_column(ctx, mapping.target, mapping.describe(), raw, block.rows)
        block.columns[mapping.target] = column
        if is_fraction:
            fractions.append(mapping.describe())
    report.fraction_columns = fractions
    return [block]


def _periods(ctx: SheetContext, columns: list[tuple[Any, ...]], period_col: ColumnMapping | None,
             file_period: Period | None, rows: int) -> list[str | None]:
    """Each data row's month: the file's (or '?' when it has none: every problem still shows), or its own
    cell's (None where that cell is not a month)."""
    if period_col is None:
        return [str(file_period) if file_period is not None else UNKNOWN_PERIOD] * rows
    cells = columns[period_col.index]
    months = {}
    for cell in set(cells):
        period = period_of_cell(cell)
        months[cell] = str(period) if period is not None and period.is_month else None
        if ctx.explicit_period is not None:  # the option wins: its month, other months' rows set aside
            if cell is None:
                months[cell] = str(ctx.explicit_period)
            elif months[cell] is not None and months[cell] != str(ctx.explicit_period):
                months[cell] = OTHER_PERIOD
    return [months[cell] for cell in cells]


def _padded(row: list[Any], width: int) -> list[Any]:
    return row if len(row) >= width else row + [None] * (width - len(row))


def _unmatched_row(ctx: SheetContext, row: list[Any], row_number: int, match: UnitMatch, shown: Any,
                   unit_column: ColumnMapping | None) -> bool:
    """A row whose unit did not match: an empty, section or totals row, another body, or an error.

    True when the row was meant to hold a unit's values (a person may pick its unit)."""
    kind, text = classify_row(row)
    if kind == "empty":
        return False
    if kind is None and match.how == "unknown" and fold(shown).startswith(("cong ", "tong ")) \
            and sum(1 for cell in row if isinstance(cell, (int, float))) >= 2:
        kind = "total"  # 'Cộng Phú Thọ' beside its sums: no unit is called that ('Tổng Cọt' matched already)
    if kind in ("section", "total"):
        ctx.skipped.append(Skipped(ctx.sheet.name, row_number, kind, text))
        return False
    if match.how == "not_commune":
        ctx.skipped.append(Skipped(ctx.sheet.name, row_number, "not_commune", str(shown)))
        return False
    if ctx.skip_unmatched and match.how in ("unknown", "ambiguous"):
        ctx.skipped.append(Skipped(ctx.sheet.name, row_number, "unmatched", str(shown)))
    else:
        code = {"ambiguous": "unit_ambiguous", "code_name_mismatch": "unit_code_name_mismatch"}.get(
            match.how, "unit_unknown")
        ctx.problem(code, row_number, unit_column.describe() if unit_column else None, shown,
                    candidates="; ".join(match.candidates) or "—")
    return True


def _read_column(ctx: SheetContext, code: str, label: str, raw: list[Any], rows: np.ndarray) -> tuple[Column, bool]:
    """Parse one indicator column; percents written as 0.9655 are scaled when the whole column says so."""
    indicator = ctx.catalog.rows[code]
    n = len(raw)
    tolerance = np.zeros(n)
    if all(type(cell) is float or cell is None for cell in raw):  # machine-made files: plain numbers
        values = np.array(raw, dtype=float)
        percent_signs = np.zeros(n, dtype=bool)
        if indicator.kind in ("rate", "score"):  # 96.7 typed beside 290/300 is 96.67 rounded
            tolerance = np.array([0.0 if cell is None else 0.5 * 10.0 ** -_shown_decimals(cell) for cell in raw])
    else:
        values = np.full(n, np.nan)
        percent_signs = np.zeros(n, dtype=bool)
        whole = indicator.kind == "count"
        for i, cell in enumerate(raw):
            parsed = parse_number(cell, whole_counts=whole)
            if parsed.value is None:
                if not parsed.missing:
                    ctx.problem("not_a_number", int(rows[i]), label, cell)
                continue
            values[i] = parsed.value
            percent_signs[i] = parsed.percent_sign
            if parsed.decimals is not None:
                tolerance[i] = 0.5 * 10.0 ** -parsed.decimals
    fraction = False
    if indicator.unit == "percent":
        plain = values[~np.isnan(values) & ~percent_signs]
        fraction = bool(plain.size) and bool(((plain >= 0) & (plain <= 1)).all() and ((plain > 0) & (plain < 1)).any())
        if fraction:
            ctx.problem("fraction_column", int(rows[0]) if len(rows) else None, label, severity="warning")
            scale = ~percent_signs & ~np.isnan(values)
            values[scale] *= 100
            tolerance[scale] *= 100
    if indicator.kind == "count":
        broken = ~np.isnan(values) & (values != np.floor(values))
        for i in np.flatnonzero(broken):
            ctx.problem("count_not_whole", int(rows[i]), label, raw[i])
        values[broken] = np.nan
    return Column(label, values, rows, raw, tolerance), fraction


def _shown_decimals(value: float) -> int:
    """Decimals a typed number shows (96.7 -> 1), at most 4: binary fractions show more than people typed."""
    return min(len(repr(value).partition(".")[2].rstrip("0")), 4)


def _long_block(ctx: SheetContext, roles: dict[str, ColumnMapping], columns: list[list[Any]],
                row_numbers: np.ndarray, units: list[str], periods: list[str]) -> Block:
    """A long file (unit, period, indicator, value per row) gathered into one record per unit and period."""
    indicator_col, value_col = roles["_indicator"], roles["_value"]
    record_of: dict[tuple[str, str], int] = {}
    cells: dict[str, dict[int, tuple[int, Any]]] = {}  # indicator -> record -> (row, raw)
    codes = set(ctx.catalog.rows)
    named = {name: indicator_of_words(name, ctx.synonyms, codes) for name in set(columns[indicator_col.index])}
    for name, raw, row_number, unit, period in zip(columns[indicator_col.index], columns[value_col.index],
                                                   row_numbers.tolist(), units, periods):
        code = named[name]
        if code not in ctx.catalog.rows:
            ctx.problem("unknown_indicator", row_number, indicator_col.describe(), name)
            continue
        record = record_of.setdefault((unit, period), len(record_of))
        seen = cells.setdefault(code, {})
        if record in seen:
            ctx.problem("duplicate_value", row_number, indicator_col.describe(), name, first_row=seen[record][0],
                        period=period)
            continue
        seen[record] = (row_number, raw)
    keys = list(record_of)
    first_rows = [0] * len(keys)
    for by_record in cells.values():
        for record, (row_number, _raw) in by_record.items():
            first_rows[record] = min(first_rows[record] or row_number, row_number)
    block = Block(ctx.sheet.name, np.array([k[0] for k in keys], dtype=object),
                  np.array([k[1] for k in keys], dtype=object), np.array(first_rows, dtype=np.int64))
    for code, by_record in cells.items():
        raw: list[Any] = [None] * len(keys)
        rows = np.zeros(len(keys), dtype=np.int64)
        for record, (row_number, cell) in by_record.items():
            raw[record], rows[record] = cell, row_number
        block.columns[code], _ = _read_column(ctx, code, value_col.describe(), raw, rows)
    return block
