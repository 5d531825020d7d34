"""Headline figures for a scope (country, province or commune) and month.

Rates for a province or the country come from summed numerators and denominators, never from an
average of commune rates; the service index of an area is the mean over its communes that have all
six 766 group scores (a commune missing a group has no index, not a lower one).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from analytics.periods import AnalysisPeriod
from analytics.values import SERVICE_INDEX, catalog, group_codes, load_observations, service_index_from

HEADLINE_INDICATORS = ("online_filing_rate", "on_time_rate", "esign_rate", "satisfaction_rate", "service_index")


@dataclass(frozen=True)
class Scope:
    """Whole country (code None), a province (2-digit code) or a commune (5-digit code)."""

    code: str | None = None

    @property
    def level(self) -> str:
        if self.code is None:
            return "country"
        return "province" if len(self.code) == 2 else "commune"


def months(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Months with any current observation, oldest first."""
    return [row[0] for row in con.execute(
        "SELECT DISTINCT period FROM observation WHERE is_current ORDER BY period").fetchall()]


def provinces(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("SELECT code, name_vi, full_name_vi, name_en FROM unit WHERE parent_code IS NULL"
                       " ORDER BY name_vi COLLATE vi").df()


def communes(con: duckdb.DuckDBPyConnection, province: str | None = None) -> pd.DataFrame:
    """Commune-level units (of one province, or all), with their province."""
    return con.execute("""
        SELECT c.code, c.name_vi, c.full_name_vi, c.name_en, c.unit_type, c.parent_code AS province_code,
               p.name_vi AS province_vi, p.name_en AS province_en
        FROM unit c JOIN unit p ON p.code = c.parent_code
        WHERE c.parent_code IS NOT NULL AND (?::VARCHAR IS NULL OR c.parent_code = ?)
        ORDER BY p.name_vi COLLATE vi, c.full_name_vi COLLATE vi
    """, [province, province]).df()


def unit_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """How many provinces and commune-level units the database knows."""
    rows = con.execute("SELECT parent_code IS NULL, count(*) FROM unit GROUP BY 1").fetchall()
    counts = {("provinces" if is_province else "communes"): n for is_province, n in rows}
    return {"provinces": counts.get("provinces", 0), "communes": counts.get("communes", 0)}


def indicator_names(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("SELECT code, name_vi, name_en, unit, direction, decimals, target FROM indicator").df()


_SCOPE_UNITS = """
    scope_units AS (
        SELECT code FROM unit
        WHERE parent_code IS NOT NULL
          AND (?::VARCHAR IS NULL OR code = ? OR parent_code = ?)
    )"""


def headline_series(con: duckdb.DuckDBPyConnection, scope: Scope,
                    indicators: tuple[str, ...] = HEADLINE_INDICATORS) -> pd.DataFrame:
    """One row per indicator and month: value for the scope, with how many units reported.

    Columns: indicator_code, period, value, units.
    """
    rates = [code for code in indicators if code != SERVICE_INDEX]
    params = [scope.code] * 3
    frame = con.execute(f"""
        WITH {_SCOPE_UNITS}
        SELECT o.indicator_code, o.period,
               CASE WHEN count(o.denominator) > 0
                    THEN 100.0 * sum(o.numerator) / nullif(sum(o.denominator), 0)
                    WHEN count(*) = 1 THEN any_value(o.value) END AS value,
               CASE WHEN count(o.denominator) > 0 THEN count(o.denominator) ELSE count(*) END AS units
        FROM observation o JOIN scope_units s ON s.code = o.unit_code
        WHERE o.is_current AND list_contains(?, o.indicator_code)
        GROUP BY ALL
    """, params + [rates]).df()
    if SERVICE_INDEX in indicators:
        frame = pd.concat([frame, _service_index_series(con, scope)], ignore_index=True)
    return frame.sort_values(["indicator_code", "period"], ignore_index=True)


def _service_index_series(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    return con.execute(f"""
        WITH {_SCOPE_UNITS},
        groups AS (SELECT code FROM indicator WHERE group_766 IS NOT NULL),
        per_unit AS (
            SELECT o.unit_code, o.period, sum(o.value) AS index_value
            FROM observation o
            JOIN scope_units s ON s.code = o.unit_code
            JOIN groups g ON g.code = o.indicator_code
            WHERE o.is_current
            GROUP BY ALL
            HAVING count(*) = (SELECT count(*) FROM groups)
        )
        SELECT '{SERVICE_INDEX}' AS indicator_code, period, avg(index_value) AS value, count(*) AS units
        FROM per_unit GROUP BY period
    """, [scope.code] * 3).df()


@dataclass(frozen=True)
class Headline:
    indicator_code: str
    value: float | None
    previous: float | None
    series: list[float | None]  # one value per month up to the chosen one, None where missing
    units: int

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


def headlines(con: duckdb.DuckDBPyConnection, scope: Scope, month: str,
              indicators: tuple[str, ...] = HEADLINE_INDICATORS) -> list[Headline]:
    """Value, previous month and trend of each headline indicator for the scope."""
    series = headline_series(con, scope, indicators)
    all_months = [m for m in months(con) if m <= month]
    previous_month = all_months[-2] if len(all_months) > 1 else None
    out = []
    for code in indicators:
        by_month = series[series["indicator_code"] == code].set_index("period")
        values = [_value(by_month, m) for m in all_months]
        out.append(Headline(code, _value(by_month, month), _value(by_month, previous_month) if previous_month else None,
                            values, int(by_month["units"].get(month, 0)) if month in by_month.index else 0))
    return out


def _value(by_month: pd.DataFrame, month: str | None) -> float | None:
    if month is None or month not in by_month.index:
        return None
    value = by_month.at[month, "value"]
    return None if pd.isna(value) else float(value)


def unit_table(con: duckdb.DuckDBPyConnection, scope: Scope, month: str,
               indicators: tuple[str, ...] = HEADLINE_INDICATORS) -> pd.DataFrame:
    """Every commune in the scope with its headline values for the month (blank where not reported)."""
    rates = [code for code in indicators if code != SERVICE_INDEX]
    units = con.execute(f"""
        WITH {_SCOPE_UNITS}
        SELECT u.code, u.full_name_vi, u.name_en, u.unit_type, p.name_vi AS province_vi, p.name_en AS province_en
        FROM unit u JOIN scope_units s ON s.code = u.code JOIN unit p ON p.code = u.parent_code
        ORDER BY p.name_vi COLLATE vi, u.full_name_vi COLLATE vi
    """, [scope.code] * 3).df()
    in_scope = None if scope.level == "country" else units["code"].tolist()
    values = load_observations(con, rates, [month], in_scope)
    wide = values.pivot(index="unit_code", columns="indicator_code", values="value") if len(values) else pd.DataFrame()
    if SERVICE_INDEX in indicators:  # the same rule as the rankings: complete units only
        indicators_ = catalog(con)
        groups = load_observations(con, group_codes(indicators_), [month], in_scope)
        index = service_index_from(groups, indicators_, AnalysisPeriod.parse(month))[0]
        index = index.set_index("unit_code")["value"].rename(SERVICE_INDEX)
        wide = wide.join(index, how="outer") if len(wide) else index.to_frame()
    wide.columns = [str(column) for column in wide.columns]
    table = units.set_index("code").join(wide, how="left")
    for code in indicators:
        if code not in table.columns:
            table[code] = float("nan")
    return table.reset_index()
