"""Coverage, a first-class fact: for each month and scope, how many units reported of how many expected.

A month is complete in a scope when at least config.COMPLETE_SHARE of its units reported; pages open on
the latest complete month (`default_month`), so one early upload of ten communes does not turn the whole
country's view into a view of those ten. A partial month can still be chosen; pages then say so.

Scopes: None = the country, a 2-digit code = a province, a 5-digit code = a commune. A commune's page
compares it with its province, so its complete months are its province's.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from config import COMPLETE_SHARE

COVERAGE_COLUMNS = ["period", "reported", "expected"]


@dataclass(frozen=True)
class Coverage:
    """How many units of a scope reported in a month."""

    month: str
    reported: int
    expected: int

    @property
    def share(self) -> float:
        return self.reported / self.expected if self.expected else 0.0

    def complete(self, share: float = COMPLETE_SHARE) -> bool:
        return self.expected > 0 and self.reported >= share * self.expected


def comparison_scope(con: duckdb.DuckDBPyConnection, scope: str | None) -> str | None:
    """The area whose coverage decides for a scope: a commune's province, else the scope itself."""
    if scope is None or len(scope) == 2:
        return scope
    row = con.execute("SELECT parent_code FROM unit WHERE code = ?", [scope]).fetchone()
    return row[0] if row and row[0] else scope


def coverage_by_month(con: duckdb.DuckDBPyConnection, scope: str | None = None,
                      indicators: tuple[str, ...] | None = None) -> pd.DataFrame:
    """COVERAGE_COLUMNS, oldest month first: units of the scope with any current value (of `indicators`,
    or of any indicator) in each month that has data anywhere, and the units the scope holds."""
    expected = con.execute("""
        SELECT count(*) FROM unit
        WHERE parent_code IS NOT NULL AND (?::VARCHAR IS NULL OR code = ? OR parent_code = ?)
    """, [scope] * 3).fetchone()[0]
    frame = con.execute("""
        WITH months AS (SELECT DISTINCT period FROM observation WHERE is_current),
        reported AS (
            SELECT o.period, count(DISTINCT o.unit_code) AS reported
            FROM observation o JOIN unit u ON u.code = o.unit_code
            WHERE o.is_current AND u.parent_code IS NOT NULL
              AND (?::VARCHAR IS NULL OR u.code = ? OR u.parent_code = ?)
              AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], o.indicator_code))
            GROUP BY o.period
        )
        SELECT m.period, coalesce(r.reported, 0) AS reported
        FROM months m LEFT JOIN reported r USING (period) ORDER BY m.period
    """, [scope] * 3 + [list(indicators) if indicators else None] * 2).df()
    frame["reported"] = frame["reported"].astype(int)
    frame["expected"] = int(expected)
    return frame[COVERAGE_COLUMNS]


def coverage(con: duckdb.DuckDBPyConnection, month: str, scope: str | None = None,
             indicators: tuple[str, ...] | None = None) -> Coverage:
    """The month's coverage in the scope (0 reported for a month without data)."""
    frame = coverage_by_month(con, scope, indicators).set_index("period")
    expected = int(frame["expected"].iloc[0]) if len(frame) else _expected(con, scope)
    reported = int(frame.at[month, "reported"]) if month in frame.index else 0
    return Coverage(month, reported, expected)


def _expected(con: duckdb.DuckDBPyConnection, scope: str | None) -> int:
    return con.execute("""SELECT count(*) FROM unit WHERE parent_code IS NOT NULL
                          AND (?::VARCHAR IS NULL OR code = ? OR parent_code = ?)""", [scope] * 3).fetchone()[0]


def complete_months(con: duckdb.DuckDBPyConnection, scope: str | None = None,
                    share: float = COMPLETE_SHARE) -> list[str]:
    """The months complete in the scope (a commune: in its province), oldest first."""
    frame = coverage_by_month(con, comparison_scope(con, scope))
    return frame.loc[frame["reported"] >= share * frame["expected"], "period"].tolist()


def default_month(con: duckdb.DuckDBPyConnection, scope: str | None = None,
                  share: float = COMPLETE_SHARE) -> str | None:
    """The month a page opens on: the latest complete month in the scope; with none complete, the latest
    month with any data; None for an empty database. The one rule for every page and the deck."""
    complete = complete_months(con, scope, share)
    if complete:
        return complete[-1]
    row = con.execute("SELECT max(period) FROM observation WHERE is_current").fetchone()
    return row[0] if row else None


def scope_coverage(con: duckdb.DuckDBPyConnection, month: str, scope: str | None = None) -> Coverage:
    """The coverage that decides whether a page's month is complete (a commune: its province's)."""
    return coverage(con, month, comparison_scope(con, scope))


def month_coverages(con: duckdb.DuckDBPyConnection, scope: str | None = None) -> dict[str, Coverage]:
    """Every month with data -> its coverage in the scope (a commune: its province), for month pickers."""
    frame = coverage_by_month(con, comparison_scope(con, scope))
    return {row.period: Coverage(row.period, int(row.reported), int(row.expected)) for row in frame.itertuples()}
