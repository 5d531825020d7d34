"""What the Rankings page shows around a ranking: each unit's last twelve months, the top and bottom of
the table, a unit with its neighbours, the spread of values, and the choices the page offers.

The ranking itself comes from analytics.ranking; this module only reads and reshapes.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from analytics.overview import months as available_months
from analytics.periods import AnalysisPeriod
from analytics.ranking import (COMPOSITE_PREFIX, Composite, Ranking, composite_names, goalpost_score, load_composite,
                               rank, standing)
from analytics.values import SERVICE_INDEX, Indicator, catalog, group_codes, metric_parts

SPARKLINE_MONTHS = 12
NEIGHBOURS = 3  # places shown above and below a unit
COMPOSITE_MAXIMUM, COMPOSITE_DECIMALS = 100.0, 2  # composites score 0-100, ranked on two decimals
_KIND_ORDER = {"composite": 0, "rate": 1, "score": 2, "mean": 3, "count": 4}  # the picker's order


@dataclass
class League:
    """A ranking and what its table shows beside each unit."""

    ranking: Ranking
    sparklines: dict[str, list[float | None]]  # unit_code -> one value per month of sparkline_months
    sparkline_months: list[str]
    decimals: int
    unit: str  # the catalog's unit (percent, points, count, days, per_1000), or "score" for a composite
    goal: float | None  # the progress bar's full length: the target, else the maximum; None for neither
    lower_is_better: bool


@dataclass(frozen=True)
class Distribution:
    """The spread of the ranked values, and where one unit sits in it."""

    values: list[float]
    q1: float
    median: float
    q3: float
    unit_value: float | None
    share_behind: float | None  # fraction of the other ranked units placed below the unit (ranking.standing)


def league(con: duckdb.DuckDBPyConnection, indicator: str, period: str, province: str | None = None,
           peer_group: str | None = None, exclude_thin: bool = False) -> League:
    """The ranking of the communes in scope, with the last twelve months of every ranked unit."""
    result = rank(con, indicator, period, province=province, peer_group=peer_group, exclude_thin=exclude_thin)
    covered = covered_months(period, available_months(con))
    window = months_back(covered[-1], SPARKLINE_MONTHS) if covered else []
    lines = sparklines(con, indicator, list(result.table["unit_code"]), covered[-1]) if covered else {}
    if indicator.startswith(COMPOSITE_PREFIX):
        return League(result, lines, window, COMPOSITE_DECIMALS, "score", COMPOSITE_MAXIMUM, False)
    measured = catalog(con)[indicator]
    return League(result, lines, window, int(measured.decimals), measured.unit, goal(measured),
                  measured.direction == "lower")


GOAL_SCALES = ("percent", "points")  # units whose maximum is a goal one can reach


def goal(indicator: Indicator) -> float | None:
    """What a full bar means: the target where the catalog sets one, else the maximum of a percent or a
    points scale (100%, the 766 group's points).

    None where a bar would mislead: no target or maximum (counts), lower is better (days), or a maximum
    that only bounds the values (1,000 trainees per 1,000 residents is no one's goal).
    """
    if indicator.direction != "higher":
        return None
    if indicator.target:
        return indicator.target
    return indicator.maximum if indicator.unit in GOAL_SCALES else None


def months_back(month: str, count: int) -> list[str]:
    """`count` calendar months ending with `month`, oldest first."""
    year, number = int(month[:4]), int(month[5:7])
    ordinals = range(year * 12 + number - count, year * 12 + number)
    return [f"{o // 12:04d}-{o % 12 + 1:02d}" for o in ordinals]


def covered_months(period: str, available: list[str]) -> list[str]:
    """The months of a period that have data, oldest first (a quarter still running covers fewer)."""
    have = set(available)
    return [m for m in AnalysisPeriod.parse(period).months() if m in have]


def period_choices(available: list[str]) -> list[str]:
    """Months latest first, then the quarters and the years those months fall in, latest first."""
    months = sorted(set(available), reverse=True)
    quarters = sorted({f"{m[:4]}-Q{(int(m[5:7]) + 2) // 3}" for m in months}, reverse=True)
    years = sorted({m[:4] for m in months}, reverse=True)
    return months + quarters + years


def indicator_choices(con: duckdb.DuckDBPyConnection) -> list[str]:
    """What can be ranked: the service index, the indicators with a direction (not the 766 metrics' parts),
    then saved composites."""
    indicators = catalog(con)
    parts = metric_parts(indicators)
    ranked = [ind for ind in indicators.values() if ind.direction in ("higher", "lower") and ind.code not in parts]
    ordered = sorted(ranked, key=lambda ind: (ind.code != SERVICE_INDEX, _KIND_ORDER.get(ind.kind, 9)))
    return [ind.code for ind in ordered] + [COMPOSITE_PREFIX + name for name in composite_names(con)]


def composite_parts(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Indicators a composite can hold: those with a direction and fixed goalposts to score against (the
    rankable ones, so not the 766 metrics' parts)."""
    indicators = catalog(con)
    parts = metric_parts(indicators)
    return [ind.code for ind in indicators.values() if ind.direction in ("higher", "lower") and ind.code not in parts
            and (ind.unit in ("percent", "points") or (ind.target or ind.maximum or 0) > 0)]


# -- sparklines ------------------------------------------------------------------------------------

def sparklines(con: duckdb.DuckDBPyConnection, indicator: str, unit_codes: list[str], up_to_month: str,
               months: int = SPARKLINE_MONTHS) -> dict[str, list[float | None]]:
    """Each unit's monthly values of an indicator, the service index or a composite; None for a gap.

    One query for all units. A composite month is the weighted mean of the parts' goalpost scores, as
    in analytics.ranking.composite_values; a month lacking a part (or a 766 group) is a gap.
    """
    window = months_back(up_to_month, months)
    indicators = catalog(con)
    composite = load_composite(con, indicator[len(COMPOSITE_PREFIX):]) \
        if indicator.startswith(COMPOSITE_PREFIX) else None
    parts = [code for code, _weight in composite.parts] if composite else [indicator]
    stored = {c for code in parts for c in (group_codes(indicators) if _is_index(indicators, code) else [code])}
    obs = con.execute("""
        SELECT unit_code, indicator_code, period, value FROM observation
        WHERE is_current AND list_contains(?, indicator_code) AND list_contains(?, unit_code)
          AND list_contains(?, period)
    """, [sorted(stored), unit_codes, window]).df()
    monthly = {code: _monthly(obs, indicators, code, unit_codes, window) for code in parts}
    values = _combined(monthly, indicators, composite) if composite else monthly[indicator].to_numpy()
    return {unit: [None if np.isnan(v) else float(v) for v in row] for unit, row in zip(unit_codes, values)}


def _is_index(indicators: dict[str, Indicator], code: str) -> bool:
    return indicators[code].period_aggregation == "sum_of_groups"


def _monthly(obs: pd.DataFrame, indicators: dict[str, Indicator], code: str, unit_codes: list[str],
             window: list[str]) -> pd.DataFrame:
    """unit × month values of one indicator; the service index only where all six groups are there."""
    if _is_index(indicators, code):
        groups = group_codes(indicators)
        rows = obs[obs["indicator_code"].isin(groups)]
        values = rows.groupby(["unit_code", "period"])["value"].sum(min_count=len(groups))
    else:
        values = obs[obs["indicator_code"] == code].set_index(["unit_code", "period"])["value"]
    wide = values.unstack("period") if len(values) else pd.DataFrame()
    return wide.reindex(index=unit_codes, columns=window).astype(float)


def _combined(monthly: dict[str, pd.DataFrame], indicators: dict[str, Indicator], composite: Composite) -> np.ndarray:
    # NaN propagates through both means, so a month lacking a part stays a gap
    weights = np.array([weight for _code, weight in composite.parts], dtype=float)
    scores = np.stack([goalpost_score(indicators[code], monthly[code].to_numpy()) for code, _w in composite.parts])
    if composite.method == "geometric":
        return np.exp(np.tensordot(weights, np.log(np.maximum(scores, 1.0)), axes=1) / weights.sum())
    return np.tensordot(weights, scores, axes=1) / weights.sum()


# -- slices of the table ---------------------------------------------------------------------------

def top_bottom(table: pd.DataFrame, n: int) -> pd.DataFrame:
    """The first and last n places of a ranked table, best first; units tied at the edge all stay in."""
    if table.empty:
        return table
    ranks = table["rank"]
    cut_bottom = ranks.iloc[max(len(table) - n, 0)]
    return table[(ranks <= ranks.iloc[min(n, len(table)) - 1]) | (ranks >= cut_bottom)]


def neighbours(table: pd.DataFrame, unit_code: str, around: int = NEIGHBOURS) -> pd.DataFrame:
    """A unit with the `around` places above and below it; empty when the unit is not ranked."""
    positions = np.flatnonzero(table["unit_code"].to_numpy() == unit_code)
    if len(positions) == 0:
        return table.iloc[0:0]
    position = int(positions[0])
    return table.iloc[max(position - around, 0):position + around + 1]


def distribution(table: pd.DataFrame, unit_code: str | None = None) -> Distribution:
    """The ranked values (as shown) with their quartiles, and the unit's value and standing."""
    values = table["shown_value"].astype(float)
    q1, median, q3 = (float(q) for q in values.quantile([0.25, 0.5, 0.75]))
    row = table[table["unit_code"] == unit_code]
    if row.empty:
        return Distribution(values.tolist(), q1, median, q3, None, None)
    # the one definition of standing (analytics.ranking.standing): share of the *other* ranked units behind
    ranks = -table["rank"].to_numpy(float)
    found = standing(ranks, float(-row["rank"].iloc[0]))
    return Distribution(values.tolist(), q1, median, q3, float(row["shown_value"].iloc[0]),
                        None if found is None else found.ahead / 100)


# -- the table as a file ---------------------------------------------------------------------------

EXPORT_COLUMNS = ["rank", "rank_of", "unit_code", "name", "province", "value", "numerator", "denominator",
                  "previous_rank", "previous_change", "year_ago_rank", "caution", "ci_low", "ci_high", "status",
                  "missing"]


def export_rows(ranking: Ranking, lang: str) -> pd.DataFrame:
    """The ranked units, then every unit in scope that is not ranked with why (status), rank left blank.

    Columns EXPORT_COLUMNS; status is ranked | incomplete | left_out | not_reported; missing lists
    the 766 groups or composite parts an incomplete unit lacks.
    """
    suffix = "en" if lang == "en" else "vi"
    parts = [ranking.table.assign(status="ranked", value=ranking.table["shown_value"]),
             ranking.incomplete.assign(status="incomplete"), ranking.left_out.assign(status="left_out"),
             ranking.not_reported.assign(status="not_reported")]
    rows = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) \
        else pd.DataFrame(columns=["unit_code", f"name_{suffix}", f"province_{suffix}", "status"])
    rows = rows.rename(columns={f"name_{suffix}": "name", f"province_{suffix}": "province"})
    rows["rank_of"] = len(ranking.table)
    for column in EXPORT_COLUMNS:
        if column not in rows.columns:
            rows[column] = None
    rows["caution"] = rows["caution"].fillna(False).astype(bool)
    rows["missing"] = rows["missing"].map(lambda codes: list(codes) if isinstance(codes, (list, np.ndarray)) else [])
    return rows[EXPORT_COLUMNS]
