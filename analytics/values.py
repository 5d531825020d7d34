"""Each commune's value of an indicator for a month, quarter or year, aggregated as the catalog says.

Rates over several months come from summed numerators and denominators (the last month's for stocks
such as population); counts sum, or take the last month for stocks; means are weighted; a 766 score
derivable from counts is recomputed from the summed counts, other scores are the mean of the months.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
import pyarrow.compute as pc

from analytics.index766 import points, round_half_up
from analytics.periods import AnalysisPeriod
from errors import UnknownIndicator
from store.reference import cache_by_key, reference_key

SERVICE_INDEX = "service_index"
VALUE_COLUMNS = ["unit_code", "value", "numerator", "denominator"]


@dataclass(frozen=True)
class Indicator:
    code: str
    name_vi: str
    name_en: str
    unit: str
    direction: str
    kind: str
    numerator: str | None
    denominator: str | None
    max_value: float | None
    max_points_766: float | None
    full_score_threshold: float | None
    part_of: str | None  # a 766 metric's group score
    when_empty: str | None  # a 766 metric's points with nothing to count: full | zero | None
    target: float | None
    decimals: int
    period_aggregation: str
    weight: str | None
    group_766: str | None

    @property
    def maximum(self) -> float | None:
        return self.max_value if self.max_value is not None else self.max_points_766


def catalog(con: duckdb.DuckDBPyConnection) -> dict[str, Indicator]:
    """The indicator catalog keyed by code."""
    return _catalog(reference_key(con), con)


@cache_by_key
def _catalog(key: tuple[str, str], con: duckdb.DuckDBPyConnection) -> dict[str, Indicator]:
    frame = con.execute(f"SELECT {', '.join(Indicator.__dataclass_fields__)} FROM indicator").df()
    frame = frame.astype(object).where(frame.notna(), None)
    return {row["code"]: Indicator(**row) for row in frame.to_dict("records")}


def group_codes(indicators: dict[str, Indicator]) -> list[str]:
    """The six 766 group scores, in catalog order."""
    return [code for code, ind in indicators.items() if ind.group_766]


def metric_parts(indicators: dict[str, Indicator]) -> set[str]:
    """The 766 metrics' own rows: each metric's points and the counts behind them. They make the group
    scores and are loaded and checked, but a leader ranks and follows the groups, not these parts."""
    points = {code for code, ind in indicators.items() if ind.part_of}
    return points | {part for code in points for part in (indicators[code].numerator, indicators[code].denominator)
                     if part}


def needed_codes(indicators: dict[str, Indicator], code: str) -> set[str]:
    """The stored indicators a value of `code` is computed from."""
    indicator = indicators[code]
    if indicator.period_aggregation == "sum_of_groups":
        return {c for g in group_codes(indicators) for c in needed_codes(indicators, g)}
    return {code} | ({indicator.weight} if indicator.weight else set())


def load_observations(con: duckdb.DuckDBPyConnection, codes: set[str] | list[str], months: list[str],
                      units: list[str] | None = None) -> pd.DataFrame:
    """Current observations of some indicators in some months (of some units): one query for a ranking."""
    # through Arrow: three times faster than .df() for the text columns; the two with few distinct
    # values become categoricals, which filter fast
    table = con.sql("""
        SELECT unit_code, indicator_code, period, value, numerator, denominator
        FROM observation
        WHERE is_current AND list_contains($codes, indicator_code) AND list_contains($months, period)
          AND ($units::VARCHAR[] IS NULL OR list_contains($units::VARCHAR[], unit_code))
    """, params={"codes": sorted(codes), "months": sorted(set(months)), "units": units}).to_arrow_table()
    for name in ("indicator_code", "period"):
        table = table.set_column(table.schema.get_field_index(name), name, pc.dictionary_encode(table[name]))
    frame = table.to_pandas()
    # Arrow lists the months in the order met: put them in calendar order, so sorting by period (the
    # last month of a stock, over a quarter or a year) sorts by time
    frame["period"] = frame["period"].cat.reorder_categories(sorted(frame["period"].cat.categories))
    return frame


def values_for(con: duckdb.DuckDBPyConnection, indicators: dict[str, Indicator], code: str,
               period: AnalysisPeriod) -> pd.DataFrame:
    """unit_code, value, numerator, denominator for every commune with a value in the period."""
    if code not in indicators:
        raise UnknownIndicator(value=code)
    return values_from(load_observations(con, needed_codes(indicators, code), period.months()), indicators, code,
                       period)


def values_from(obs: pd.DataFrame, indicators: dict[str, Indicator], code: str,
                period: AnalysisPeriod) -> pd.DataFrame:
    """As `values_for`, from observations already loaded (they may hold other indicators and months)."""
    indicator = indicators[code]
    if indicator.period_aggregation == "sum_of_groups":
        return service_index_from(obs, indicators, period)[0]
    months = period.months()
    rows = obs[(obs["indicator_code"] == code) & obs["period"].isin(months)]
    if rows.empty:
        return pd.DataFrame(columns=VALUE_COLUMNS)
    if len(months) == 1:
        return rows[VALUE_COLUMNS].reset_index(drop=True)
    how = indicator.period_aggregation
    if how == "sum":
        return rows.groupby("unit_code", as_index=False).agg(value=("value", "sum")).assign(
            numerator=np.nan, denominator=np.nan)[VALUE_COLUMNS]
    if how == "last":
        return _last(rows)[VALUE_COLUMNS]
    if how == "weighted_mean":
        weights = obs[(obs["indicator_code"] == indicator.weight) & obs["period"].isin(months)]
        return _weighted_mean(rows, weights)
    if how == "ratio":
        return _ratio(rows, indicator, indicators)
    return rows.groupby("unit_code", as_index=False).agg(value=("value", "mean")).assign(
        numerator=np.nan, denominator=np.nan)[VALUE_COLUMNS]


def _last(rows: pd.DataFrame) -> pd.DataFrame:
    return rows.sort_values("period").groupby("unit_code", as_index=False).last()


def _weighted_mean(rows: pd.DataFrame, weights: pd.DataFrame) -> pd.DataFrame:
    merged = rows.merge(weights[["unit_code", "period", "value"]].rename(columns={"value": "w"}),
                        on=["unit_code", "period"], how="left")
    merged["w"] = merged["w"].fillna(0.0)
    merged["vw"] = merged["value"] * merged["w"]
    grouped = merged.groupby("unit_code").agg(vw=("vw", "sum"), w=("w", "sum"), plain=("value", "mean"))
    value = np.where(grouped["w"] > 0, grouped["vw"] / grouped["w"].where(grouped["w"] > 0), grouped["plain"])
    return pd.DataFrame({"unit_code": grouped.index, "value": value, "numerator": np.nan, "denominator": np.nan})


def _ratio(rows: pd.DataFrame, indicator: Indicator, indicators: dict[str, Indicator]) -> pd.DataFrame:
    """Summed numerators over summed denominators; stocks take their last month; no counts -> mean."""
    counted = rows[rows["denominator"].notna()]
    numerator = indicators.get(indicator.numerator) if indicator.numerator else None
    if numerator is not None and numerator.period_aggregation == "last":
        sums = _last(counted)[["unit_code", "numerator", "denominator"]].set_index("unit_code")
    else:
        sums = counted.groupby("unit_code")[["numerator", "denominator"]].sum()
    ratio = sums["numerator"] / sums["denominator"].where(sums["denominator"] > 0)
    out = pd.DataFrame({"unit_code": sums.index,
                        "value": derive(indicator, ratio.to_numpy(), sums["denominator"].to_numpy()),
                        "numerator": sums["numerator"].to_numpy(), "denominator": sums["denominator"].to_numpy()})
    uncounted = rows[~rows["unit_code"].isin(sums.index)]
    if len(uncounted):
        means = uncounted.groupby("unit_code", as_index=False).agg(value=("value", "mean"))
        out = pd.concat([out, means.assign(numerator=np.nan, denominator=np.nan)], ignore_index=True)
    return out


def derive(indicator: Indicator, ratio: np.ndarray, denominator: np.ndarray | None = None) -> np.ndarray:
    """A rate (100 or 1000 × n/d) or a 766 score from a ratio of counts, by the portal's rule
    (analytics.index766: min(M, M × ratio ÷ T), rounded half-up to 2 decimals). With the `denominator`,
    a metric with nothing to count (0) gets its points as the catalog says (when_empty: full or zero)."""
    if indicator.kind == "rate":
        return ratio * (1000.0 if indicator.unit == "per_1000" else 100.0)
    threshold = None if indicator.full_score_threshold is None else indicator.full_score_threshold / 100.0
    value = round_half_up(points(float(indicator.max_points_766), ratio, 1.0, threshold))
    empty = getattr(indicator, "when_empty", None)
    if denominator is not None and empty in ("full", "zero"):
        value = np.where(np.asarray(denominator, dtype=float) == 0,
                         float(indicator.max_points_766) if empty == "full" else 0.0, value)
    return value


def service_index_from(obs: pd.DataFrame, indicators: dict[str, Indicator],
                       period: AnalysisPeriod) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(index per unit with all six groups, units missing some: unit_code and the missing group codes)."""
    groups = group_codes(indicators)
    if period.kind == "month":  # the common case: the stored scores as they are
        rows = obs[obs["indicator_code"].isin(groups) & (obs["period"] == str(period))]
    else:
        rows = pd.concat([values_from(obs, indicators, code, period).assign(indicator_code=code) for code in groups])
    if rows.empty:
        return pd.DataFrame(columns=VALUE_COLUMNS), pd.DataFrame(columns=["unit_code", "missing"])
    index = complete_index(rows, len(groups)).assign(numerator=np.nan, denominator=np.nan)[VALUE_COLUMNS]
    partial = rows[~rows["unit_code"].isin(index["unit_code"])]
    present = partial.groupby("unit_code", observed=True)["indicator_code"].agg(set)
    missing = pd.DataFrame({"unit_code": present.index,
                            "missing": [[code for code in groups if code not in have] for have in present]})
    return index, missing


def complete_index(scores: pd.DataFrame, groups: int, by_period: bool = False) -> pd.DataFrame:
    """The 766 index rule, stated once: the sum of a unit's group scores, only where it has all `groups`.

    unit_code[, period], value for the complete units (of each month when `by_period`)."""
    keys = ["unit_code", "period"] if by_period else ["unit_code"]
    if scores.empty:
        return pd.DataFrame(columns=[*keys, "value"])
    # summed in one fixed order (by code) whatever order the database returned the rows in: floating-point
    # addition is not associative, and two pages must show the very same index
    order = np.argsort(scores["indicator_code"].astype(str).to_numpy(), kind="stable")
    totals = scores.iloc[order].groupby(keys, observed=True)["value"].agg(["sum", "count"])
    complete = totals[totals["count"] == groups]
    out = {key: complete.index.get_level_values(key).astype(str) for key in keys}
    return pd.DataFrame({**out, "value": complete["sum"].to_numpy(float)})
