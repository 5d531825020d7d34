"""Headline figures for a scope (country, province or commune) and month.

Area figures follow the one area rule (analytics.aggregate): rates from summed numerators and
denominators, never an average of commune rates; the service index of an area is the mean over its
communes that have all six 766 group scores (a commune missing a group has no index, not a lower one).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from analytics.periods import AnalysisPeriod
from analytics.aggregate import area_value, combine, unit_rows
from analytics.ranking import rank, rounded
from analytics.values import SERVICE_INDEX, Indicator, catalog, group_codes, load_observations, needed_codes, \
    service_index_from
from config import COMPLETE_SHARE
from errors import UnknownIndicator

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


def scope_units(con: duckdb.DuckDBPyConnection, scope: Scope) -> list[str] | None:
    """The commune-level units a scope covers; None for the whole country (every unit)."""
    if scope.level == "country":
        return None
    return [row[0] for row in con.execute(f"WITH {_SCOPE_UNITS} SELECT code FROM scope_units ORDER BY code",
                                          [scope.code] * 3).fetchall()]


def _scope_rows(con: duckdb.DuckDBPyConnection, scope: Scope,
                indicators: tuple[str, ...]) -> dict[str, tuple[Indicator, pd.DataFrame]]:
    """Each indicator's rule and its units' rows month by month (analytics.aggregate.unit_rows)."""
    measured = catalog(con)
    unknown = [code for code in indicators if code not in measured]
    if unknown:
        raise UnknownIndicator(value=unknown[0])
    obs = load_observations(con, {c for code in indicators for c in needed_codes(measured, code)}, months(con),
                            scope_units(con, scope))
    return {code: (measured[code], unit_rows(obs, measured, code)) for code in indicators}


def headline_series(con: duckdb.DuckDBPyConnection, scope: Scope,
                    indicators: tuple[str, ...] = HEADLINE_INDICATORS) -> pd.DataFrame:
    """One row per indicator and month: value for the scope, with how many units reported.

    Columns: indicator_code, period, value, units. The one area rule (analytics.aggregate.combine).
    """
    frames = [combine(rows, rule, ["period"]).assign(indicator_code=code)
              for code, (rule, rows) in _scope_rows(con, scope, indicators).items()]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if frame.empty:
        return pd.DataFrame(columns=["indicator_code", "period", "value", "units"])
    return frame[["indicator_code", "period", "value", "units"]].sort_values(["indicator_code", "period"],
                                                                            ignore_index=True)


@dataclass(frozen=True)
class Headline:
    indicator_code: str
    value: float | None
    previous: float | None  # the previous month's figure over the same units as this month's
    series: list[float | None]  # one value per month up to the chosen one, None where missing
    units: int  # units the figure stands on
    expected: int = 0  # units in the scope

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def partial(self) -> bool:
        """Fewer units than the complete-month share (config.COMPLETE_SHARE) stand behind the figure."""
        return self.expected > 0 and self.units < COMPLETE_SHARE * self.expected


def headlines(con: duckdb.DuckDBPyConnection, scope: Scope, month: str,
              indicators: tuple[str, ...] = HEADLINE_INDICATORS) -> list[Headline]:
    """Value, previous month and trend of each headline indicator for the scope.

    The change from the previous month compares the same units: a month a few units reported is not
    set against a month all did (ten communes' rate is no national jump).
    """
    all_months = [m for m in months(con) if m <= month]
    previous_month = all_months[-2] if len(all_months) > 1 else None
    units_in_scope = scope_units(con, scope)
    expected = unit_counts(con)["communes"] if units_in_scope is None else len(units_in_scope)
    out = []
    for code, (rule, rows) in _scope_rows(con, scope, indicators).items():
        by_month = combine(rows, rule, ["period"]).set_index("period")
        values = [_value(by_month, m) for m in all_months]
        reporting = set(rows.loc[(rows["period"] == month) & rows["value"].notna(), "unit_code"])
        before = None
        if previous_month is not None and reporting:
            same = rows[(rows["period"] == previous_month) & rows["unit_code"].isin(reporting)]
            before = area_value(same, rule)[0]
        out.append(Headline(code, _value(by_month, month), before, values,
                            int(by_month["units"].get(month, 0)) if month in by_month.index else 0, expected))
    return out


def _value(by_month: pd.DataFrame, month: str | None) -> float | None:
    if month is None or month not in by_month.index:
        return None
    value = by_month.at[month, "value"]
    return None if pd.isna(value) else float(value)


def unit_table(con: duckdb.DuckDBPyConnection, scope: Scope, month: str,
               indicators: tuple[str, ...] = HEADLINE_INDICATORS) -> pd.DataFrame:
    """Every commune in the scope with its headline values for the month (blank where not reported),
    best first on the service index: `rank` in the scope by the rankings' rule (analytics.ranking: on
    the rounded index, equal values share a rank, 1 + units strictly better); units without an index
    follow, unranked, by province and name."""
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
    table = table.reset_index()
    if SERVICE_INDEX not in indicators:
        return table
    shown = pd.Series(rounded(table[SERVICE_INDEX].to_numpy(float), int(catalog(con)[SERVICE_INDEX].decimals)),
                      index=table.index)
    table["rank"] = shown.rank(method="min", ascending=False).astype("Int64")  # NaN stays unranked
    order = table.assign(_shown=shown).sort_values("_shown", ascending=False, na_position="last", kind="stable")
    return order.drop(columns="_shown").reset_index(drop=True)


@dataclass(frozen=True)
class CommuneStanding:
    """A commune's place on the service index in its province and the country for a month."""

    province_code: str
    province_rank: int | None
    province_ranked: int
    national_rank: int | None
    national_ranked: int


def commune_standing(con: duckdb.DuckDBPyConnection, unit_code: str, month: str) -> CommuneStanding:
    """Its ranks as the Rankings page gives them (analytics.ranking.rank), None where it is not ranked."""
    province = con.execute("SELECT parent_code FROM unit WHERE code = ?", [unit_code]).fetchone()[0]
    places = []
    for scope in (province, None):
        table = rank(con, SERVICE_INDEX, month, province=scope).table
        row = table[table["unit_code"] == unit_code]
        places += [int(row["rank"].iloc[0]) if len(row) else None, len(table)]
    return CommuneStanding(province, *places)
