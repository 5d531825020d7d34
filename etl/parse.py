"""From a sheet's table to checked observations: units matched, values parsed, rules applied.

Nothing here writes. The result (`ParsedFile`) is the review a person sees before committing, and
what `etl.load` commits when it has no blocking problem.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from etl.columns import ColumnMapping, label_key, map_columns
from etl.errors import Problem
from etl.period import Period, find_in_text, period_of_cell
from etl.read import Sheet
from etl.table import Table, classify_row, fill_merged, find_table
from etl.units import UnitMatch, UnitMatcher
from etl.values import parse_number

UNKNOWN_PERIOD = "?"
RATE_TOLERANCE = 0.011  # points: a given rate may differ from its counts by its own rounding, plus this


@dataclass(frozen=True)
class Skipped:
    sheet: str
    row: int
    reason: str  # section | total | not_commune | unmatched | note
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "reason": self.reason, "text": self.text}


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
                             "how": m.how, "accepted": m.accepted} for m in self.mappings]}


@dataclass
class Catalog:
    """The indicator catalog in the shape the checks need."""

    frame: pd.DataFrame

    def __post_init__(self) -> None:
        self.rows = {row.code: row for row in self.frame.itertuples(index=False)}

    def kind(self, code: str) -> str:
        return self.rows[code].kind

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
        """Rates and scores computed from two counts (rate = 100 n/d; score = max × min(n/d, T)/T)."""
        return [row for row in self.rows.values()
                if row.kind in ("rate", "score") and row.numerator and row.denominator]


@dataclass
class Record:
    """One unit in one period, from one row (wide) or several rows (long)."""

    sheet: str
    row: int
    unit: str
    period: str
    values: dict[str, float] = field(default_factory=dict)
    tolerance: dict[str, float] = field(default_factory=dict)
    where: dict[str, tuple[int, str, Any]] = field(default_factory=dict)  # code -> (row, column, raw)


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

    def problem(self, code: str, row: int | None = None, column: str | None = None, value: Any = None,
                severity: str = "error", **params: Any) -> None:
        self.problems.append(Problem(code, self.file, self.sheet.name, row, column, value, params, severity))


def layout_fingerprint(labels: list[str]) -> str:
    """How a layout is recognised again: its folded header labels in order."""
    return "|".join(label_key(label) for label in labels)


def parse_sheet(ctx: SheetContext) -> tuple[SheetReport, list[Record]] | None:
    """The report and records of one sheet; None when the sheet holds no table at all."""
    sheet = ctx.sheet
    report = SheetReport(sheet.name)
    ctx.problems.extend(sheet.problems)
    grid = fill_merged(sheet)
    table = find_table(sheet, grid, set(ctx.synonyms))
    if table is None:
        return None
    report.header_rows = [sheet.first_row + r for r in table.header_rows]
    saved = ctx.profiles.get(layout_fingerprint(table.labels))
    report.mappings = map_columns(table.labels, ctx.synonyms, saved, sheet.first_col)
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
    records = _read_records(ctx, table, grid, roles, indicators, report, file_period, province)
    return report, records


def _report_unmapped_columns(ctx: SheetContext, table: Table, grid: list[list[Any]],
                             mappings: list[ColumnMapping]) -> None:
    """A column holding numbers that matched nothing is reported, never silently dropped."""
    for mapping in mappings:
        if mapping.accepted:
            continue
        numbers = sum(1 for row in grid[table.data_start:table.data_end]
                      if mapping.index < len(row) and parse_number(row[mapping.index]).value is not None)
        if numbers:
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


def _match_unit(ctx: SheetContext, row: list[Any], roles: dict[str, ColumnMapping], province: str | None,
                cache: dict[tuple[object, object], UnitMatch]) -> tuple[UnitMatch, Any, str | None]:
    code_col, name_col = roles.get("_unit_code"), roles.get("_unit_name")
    code_raw = row[code_col.index] if code_col and code_col.index < len(row) else None
    name_raw = row[name_col.index] if name_col and name_col.index < len(row) else None
    key = (code_raw, name_raw)
    if key not in cache:
        match = ctx.matcher.by_code(code_raw) if code_raw is not None else UnitMatch(None, "empty")
        if match.matched and name_raw is not None:
            by_name = ctx.matcher.by_name(name_raw, ctx.matcher.communes[match.code].parent_code)
            if by_name.how == "not_commune":
                match = by_name
            elif by_name.matched and by_name.code != match.code:
                match = UnitMatch(None, "code_name_mismatch", (ctx.matcher.describe(match.code),
                                                               ctx.matcher.describe(by_name.code)))
        elif not match.matched and match.how in ("empty", "unknown") and name_raw is not None:
            code_was_unknown = match.how == "unknown"
            match = ctx.matcher.by_name(name_raw, province)
            if code_was_unknown and match.matched:  # trust the name, but say the code was wrong
                match = UnitMatch(match.code, "name_not_code")
        cache[key] = match
    shown = name_raw if name_raw is not None else code_raw
    column = (name_col or code_col).describe() if (name_col or code_col) else None
    return cache[key], shown, column


def _read_records(ctx: SheetContext, table: Table, grid: list[list[Any]], roles: dict[str, ColumnMapping],
                  indicators: list[ColumnMapping], report: SheetReport, file_period: Period | None,
                  province: str | None) -> list[Record]:
    sheet = ctx.sheet
    period_col = roles.get("_period")
    long_layout = report.layout == "long"
    fractions = set() if long_layout else _fraction_columns(ctx, table, grid, indicators)
    report.fraction_columns = [m.describe() for m in indicators if m.index in fractions]
    records: dict[tuple[str, str], Record] = {}
    cache: dict[tuple[object, object], UnitMatch] = {}
    for r in range(table.data_start, table.data_end):
        row = grid[r]
        row_number = sheet.first_row + r
        match, shown, column = _match_unit(ctx, row, roles, province, cache)
        if not match.matched:
            kind, text = classify_row(row)
            if kind == "empty":
                continue
            if kind in ("section", "total"):
                ctx.skipped.append(Skipped(sheet.name, row_number, kind, text))
                continue
            if match.how == "not_commune":
                ctx.skipped.append(Skipped(sheet.name, row_number, "not_commune", str(shown)))
                continue
            if ctx.skip_unmatched and match.how in ("unknown", "ambiguous"):
                ctx.skipped.append(Skipped(sheet.name, row_number, "unmatched", str(shown)))
                continue
            code = {"ambiguous": "unit_ambiguous", "code_name_mismatch": "unit_code_name_mismatch"}.get(
                match.how, "unit_unknown")
            ctx.problem(code, row_number, column, shown, candidates="; ".join(match.candidates) or "—")
            continue
        if match.how == "name_not_code":
            ctx.problem("unit_code_unknown", row_number, roles["_unit_code"].describe(),
                        row[roles["_unit_code"].index], severity="warning",
                        unit=ctx.matcher.describe(match.code))
        report.data_rows += 1
        period = _row_period(ctx, row, period_col, file_period, row_number)
        if period is None:
            continue
        key = (match.code, period)
        if long_layout:
            record = records.setdefault(key, Record(sheet.name, row_number, match.code, period))
            _read_long_value(ctx, row, roles, record, row_number)
        else:
            if key in records:
                ctx.problem("duplicate_unit", row_number, column, shown, first_row=records[key].row, period=period)
                continue
            record = records[key] = Record(sheet.name, row_number, match.code, period)
            for mapping in indicators:
                raw = row[mapping.index] if mapping.index < len(row) else None
                _put_value(ctx, record, mapping.target, raw, mapping.describe(), row_number,
                           mapping.index in fractions)
    return list(records.values())


def _row_period(ctx: SheetContext, row: list[Any], period_col: ColumnMapping | None, file_period: Period | None,
                row_number: int) -> str | None:
    if ctx.explicit_period is not None or period_col is None:
        # without a period the file is refused already; still check its rows so every problem shows
        return str(file_period) if file_period is not None else UNKNOWN_PERIOD
    raw = row[period_col.index] if period_col.index < len(row) else None
    period = period_of_cell(raw)
    if period is None or not period.is_month:
        ctx.problem("bad_period_cell", row_number, period_col.describe(), raw)
        return None
    return str(period)


def _read_long_value(ctx: SheetContext, row: list[Any], roles: dict[str, ColumnMapping], record: Record,
                     row_number: int) -> None:
    indicator_col, value_col = roles["_indicator"], roles["_value"]
    name = row[indicator_col.index] if indicator_col.index < len(row) else None
    code = ctx.synonyms.get(label_key(name)) if name is not None else None
    if code not in ctx.catalog.rows:
        ctx.problem("unknown_indicator", row_number, indicator_col.describe(), name)
        return
    if code in record.values or code in record.where:
        first = record.where[code][0]
        ctx.problem("duplicate_value", row_number, indicator_col.describe(), name, first_row=first,
                    period=record.period)
        return
    raw = row[value_col.index] if value_col.index < len(row) else None
    fraction = ctx.catalog.rows[code].unit == "percent" and _is_fraction_value(raw)
    _put_value(ctx, record, code, raw, value_col.describe(), row_number, fraction)


def _is_fraction_value(raw: Any) -> bool:
    parsed = parse_number(raw)
    return parsed.value is not None and not parsed.percent_sign and 0 < parsed.value < 1 and isinstance(raw, float)


def _fraction_columns(ctx: SheetContext, table: Table, grid: list[list[Any]], indicators: list[ColumnMapping]) -> set[int]:
    """Percent columns whose plain numbers are all within 0-1 (0.9655 meaning 96.55%), decided per column."""
    found = set()
    for mapping in indicators:
        if ctx.catalog.rows[mapping.target].unit != "percent":
            continue
        plain = [p.value for row in grid[table.data_start:table.data_end] if mapping.index < len(row)
                 for p in [parse_number(row[mapping.index])] if p.value is not None and not p.percent_sign]
        if plain and all(0 <= v <= 1 for v in plain) and any(0 < v < 1 for v in plain):
            found.add(mapping.index)
    return found


def _put_value(ctx: SheetContext, record: Record, code: str, raw: Any, column: str, row_number: int,
               fraction: bool) -> None:
    row = ctx.catalog.rows[code]
    if type(raw) is float:  # fast path: most cells of machine-made files are plain numbers
        value, decimals, percent_sign = raw, None, False
    else:
        parsed = parse_number(raw, whole_counts=row.kind == "count")
        if parsed.missing:
            return
        if parsed.value is None:
            ctx.problem("not_a_number", row_number, column, raw)
            return
        value, decimals, percent_sign = parsed.value, parsed.decimals, parsed.percent_sign
    if fraction and not percent_sign:
        value *= 100
        decimals = None if decimals is None else max(decimals - 2, 0)
    if row.kind == "count" and not float(value).is_integer():
        ctx.problem("count_not_whole", row_number, column, raw)
        return
    record.values[code] = value
    record.tolerance[code] = 0.5 * 10 ** -decimals if decimals is not None else 0.0
    record.where[code] = (row_number, column, raw)


def check_records(ctx_file: str, records: list[Record], catalog: Catalog, problems: list[Problem]) -> pd.DataFrame:
    """Apply the catalog's rules to every record and return the observations (given and derived)."""
    out: list[tuple[str, str, str, float, float | None, float | None, bool]] = []
    derivable = catalog.derivable()
    for record in records:
        bad = False
        for code, value in record.values.items():
            row_number, column, raw = record.where[code]
            low, high = catalog.minimum(code), catalog.maximum(code)
            if low is not None and value < low:
                problems.append(Problem("below_min", ctx_file, record.sheet, row_number, column, raw,
                                        {"minimum": low, "indicator": code}))
                bad = True
            elif high is not None and value > high:
                problems.append(Problem("above_max", ctx_file, record.sheet, row_number, column, raw,
                                        {"maximum": high, "indicator": code}))
                bad = True
        if bad:  # comparing columns only makes sense once each value is in range
            continue
        for code, value in record.values.items():
            limit_code = catalog.rows[code].not_above
            if limit_code and limit_code in record.values and value > record.values[limit_code]:
                row_number, column, raw = record.where[code]
                _limit_row, limit_column, limit_raw = record.where[limit_code]
                problems.append(Problem("exceeds", ctx_file, record.sheet, row_number, column, raw,
                                        {"other_column": limit_column, "other_value": limit_raw}))
                bad = True
        if bad:
            continue
        fractions: dict[str, tuple[float, float]] = {}
        for ind in derivable:
            n, d = record.values.get(ind.numerator), record.values.get(ind.denominator)
            if n is None or d is None or d <= 0:
                continue
            fractions[ind.code] = (n, d)
            computed = _derived_value(ind, n, d)
            given = record.values.get(ind.code)
            if given is None:
                out.append((record.unit, ind.code, record.period, computed, n, d, True))
                continue
            tolerance = record.tolerance.get(ind.code, 0.0) + RATE_TOLERANCE
            if abs(given - computed) > tolerance:
                row_number, column, raw = record.where[ind.code]
                code = "rate_mismatch" if ind.kind == "rate" else "score_mismatch"
                problems.append(Problem(code, ctx_file, record.sheet, row_number, column, raw,
                                        {"computed": round(computed, 2), "numerator": n, "denominator": d}))
                bad = True
        if bad:
            continue
        for code, value in record.values.items():
            n_d = fractions.get(code)
            if n_d is not None:  # given beside its counts: store the exact value with them
                out.append((record.unit, code, record.period, _derived_value(catalog.rows[code], *n_d),
                            n_d[0], n_d[1], False))
            else:
                out.append((record.unit, code, record.period, value, None, None, False))
    frame = pd.DataFrame(out, columns=["unit_code", "indicator_code", "period", "value", "numerator",
                                       "denominator", "derived"])
    frame["numerator"] = frame["numerator"].astype("float64")
    frame["denominator"] = frame["denominator"].astype("float64")
    return frame


def _derived_value(indicator: Any, numerator: float, denominator: float) -> float:
    ratio = numerator / denominator
    if indicator.kind == "rate":
        return ratio * (1000.0 if indicator.unit == "per_1000" else 100.0)
    threshold = indicator.full_score_threshold
    cap = 1.0 if threshold is None or np.isnan(threshold) else threshold / 100.0
    return float(indicator.max_points_766) * min(ratio, cap) / cap
