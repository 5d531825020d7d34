"""Trends: an indicator month by month for some communes, beside their province, the country and the target.

A commune's month is its stored value (the service index: the sum of its six 766 group scores, only when
all six are there). An area's month (province, country) follows the one area rule of analytics.aggregate:
rates and scores from counts from the summed numerators and denominators, processing days weighted by
the dossiers received, counts as the area's total, the index and other scores as the mean over the
units that have them. A month without a report is NaN, never 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from analytics.league import months_back
from analytics.overview import communes
from analytics.overview import months as available_months
from analytics.aggregate import combine, unit_rows
from analytics.values import Indicator, catalog, load_observations, metric_parts, needed_codes
from errors import UnknownIndicator

NATIONAL = "national"
YEAR = 12
CHANGE_COLUMNS = ["code", "line", "value", "previous", "mom", "year_ago", "yoy", "better_mom", "better_yoy"]


@dataclass
class Trend:
    """One indicator over all the months with data: the communes asked for and the areas around them."""

    indicator: str
    months: list[str]  # oldest first
    units: pd.DataFrame  # index months, one column per commune asked for (in the order asked); NaN = no report
    areas: pd.DataFrame  # index months, one column per province (2-digit code), then NATIONAL
    unit_province: dict[str, str]  # commune code -> its province code
    target: float | None  # the catalog's target, drawn as a line; None where the catalog sets none
    direction: str  # higher | lower | none
    decimals: int
    unit: str  # the catalog's unit: percent, points, count, days, per_1000


@dataclass
class Heatmap:
    """A province's communes × months, best latest value first; NaN where a commune did not report."""

    indicator: str
    values: pd.DataFrame  # index commune codes (sorted), columns months oldest first
    names: pd.DataFrame  # code, full_name_vi, name_en in the same order as values
    direction: str
    decimals: int
    unit: str


def trend(con: duckdb.DuckDBPyConnection, indicator: str, units: tuple[str, ...] = (),
          provinces: tuple[str, ...] = ()) -> Trend:
    """The communes' monthly values, their provinces' (and `provinces`') lines and the national line.

    One read of the observations of the whole country: the national line needs every commune anyway.
    """
    return trends(con, (indicator,), units, provinces)[0]


def trends(con: duckdb.DuckDBPyConnection, indicators: tuple[str, ...], units: tuple[str, ...] = (),
           provinces: tuple[str, ...] = ()) -> list[Trend]:
    """`trend` of several indicators (small multiples), from one read of their observations."""
    measured = catalog(con)
    unknown = [code for code in indicators if code not in measured]
    if unknown:
        raise UnknownIndicator(value=unknown[0])
    months = available_months(con)
    all_communes = communes(con)
    parents = dict(zip(all_communes["code"], all_communes["province_code"]))
    unit_province = {code: parents[code] for code in units if code in parents}
    area_codes = list(dict.fromkeys([*unit_province.values(), *provinces]))
    obs = load_observations(con, {c for code in indicators for c in needed_codes(measured, code)}, months)
    return [_trend(obs, measured, code, months, parents, units, unit_province, area_codes) for code in indicators]


def _trend(obs: pd.DataFrame, indicators: dict[str, Indicator], code: str, months: list[str],
           parents: dict[str, str], units: tuple[str, ...], unit_province: dict[str, str],
           area_codes: list[str]) -> Trend:
    indicator = indicators[code]
    rows = unit_months(obs, indicators, code)
    values = rows.pivot(index="period", columns="unit_code", values="value") if len(rows) else pd.DataFrame()
    unit_frame = values.reindex(index=months, columns=list(units)).astype(float)
    unit_frame.index.name = "period"
    rows["province"] = rows["unit_code"].map(parents)
    lines = {area: area_values(rows[rows["province"] == area], indicator) for area in area_codes}
    lines[NATIONAL] = area_values(rows, indicator)
    area_frame = pd.DataFrame({area: line.reindex(months) for area, line in lines.items()},
                              index=pd.Index(months, name="period")).astype(float)
    return Trend(code, months, unit_frame, area_frame, unit_province,
                 None if indicator.target is None else float(indicator.target), indicator.direction,
                 int(indicator.decimals), indicator.unit)


def unit_months(obs: pd.DataFrame, indicators: dict[str, Indicator], code: str) -> pd.DataFrame:
    """One row per commune and month it has a value (analytics.aggregate.unit_rows)."""
    return unit_rows(obs, indicators, code)


def area_values(rows: pd.DataFrame, indicator: Indicator) -> pd.Series:
    """period -> the area's value from its communes' rows, by the one area rule (analytics.aggregate)."""
    if rows.empty:
        return pd.Series(dtype=float)
    return combine(rows, indicator, ["period"]).set_index("period")["value"]


def changes(result: Trend, month: str | None = None) -> pd.DataFrame:
    """Each commune, then each province and the country: the month's value and its change.

    mom is the change from the calendar month before, yoy from the same month a year earlier; either
    is NaN when one of the two months has no value (a gap is never read as zero or skipped over).
    better_* says whether the change is an improvement given the direction (None for no direction).
    Columns CHANGE_COLUMNS; line is unit | province | national.
    """
    month = month or (result.months[-1] if result.months else None)
    if month is None:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    # months_back counts the month itself: two months back is the one before
    previous, year_ago = months_back(month, 2)[0], months_back(month, YEAR + 1)[0]
    rows = []
    for frame, kinds in ((result.units, None), (result.areas, "area")):
        for code in frame.columns:
            line = "unit" if kinds is None else NATIONAL if code == NATIONAL else "province"
            value, before, last_year = (_at(frame, code, m) for m in (month, previous, year_ago))
            mom, yoy = value - before, value - last_year
            rows.append([code, line, value, before, mom, last_year, yoy, _better(mom, result.direction),
                         _better(yoy, result.direction)])
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def _at(frame: pd.DataFrame, code: str, month: str) -> float:
    return float(frame.at[month, code]) if month in frame.index else float("nan")


def _better(change: float, direction: str) -> bool | None:
    if np.isnan(change) or change == 0 or direction not in ("higher", "lower"):
        return None
    return bool(change > 0) if direction == "higher" else bool(change < 0)


def heatmap(con: duckdb.DuckDBPyConnection, indicator: str, province: str) -> Heatmap:
    """Every commune of the province × every month with data, best value in the latest month first.

    Best follows the direction (lower first for overdue dossiers or processing days); communes without
    a value in the latest month come after, in name order; one that never reported is an empty row.
    """
    indicators = catalog(con)
    if indicator not in indicators:
        raise UnknownIndicator(value=indicator)
    measured = indicators[indicator]
    months = available_months(con)
    names = communes(con, province)[["code", "full_name_vi", "name_en"]]
    codes = names["code"].tolist()
    obs = load_observations(con, needed_codes(indicators, indicator), months, codes)
    rows = unit_months(obs, indicators, indicator)
    values = rows.pivot(index="unit_code", columns="period", values="value") if len(rows) else pd.DataFrame()
    values = values.reindex(index=codes, columns=months).astype(float)
    if months:
        latest = values[months[-1]]
        key = -latest if measured.direction != "lower" else latest  # best first; NaN sorts last
        order = pd.DataFrame({"key": key.to_numpy(), "place": range(len(codes))}, index=codes)
        order = order.sort_values(["key", "place"], na_position="last").index
        values, names = values.loc[order], names.set_index("code").loc[order].reset_index()
    values.index.name, values.columns.name = "unit_code", "period"
    return Heatmap(indicator, values, names, measured.direction, int(measured.decimals), measured.unit)


def indicator_choices(con: duckdb.DuckDBPyConnection) -> list[str]:
    """What a trend can show: the service index first, then the rates, scores, means and counts (not the
    766 metrics' parts)."""
    order = {"composite": 0, "rate": 1, "score": 2, "mean": 3, "count": 4}
    indicators = catalog(con)
    parts = metric_parts(indicators)
    shown = [ind for ind in indicators.values() if ind.code not in parts]
    return [ind.code for ind in sorted(shown, key=lambda ind: order.get(ind.kind, 9))]
