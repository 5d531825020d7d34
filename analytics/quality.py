"""How far the month's figures can be trusted: who reported, how late, and which values look wrong.

Completeness. A unit *reported* a month when it has any current observation for it. The month's
*expected* indicators are those some unit reported itself that month (a current, non-derived
observation anywhere in the country): what the month's files asked for. A unit's *share* is the part
of those it covers, a rate the loader derived from its counts covering the rate. A unit that reported
with a share below 1 is *incomplete*.

Timeliness. Days from the month's last day to the day the earliest batch holding the unit's current
values for the month was loaded (`batch.loaded_at`); 1 = loaded the day after the month ended, 0 or
less = loaded before it ended (a month reported early or in part). A correction loaded later does not
make a unit late unless it replaced every value the unit had for the month.

Outliers. Modified z-scores (Iglewicz and Hoaglin): z = 0.6745 × (x − median) / MAD. Where the MAD is
0 (at least half the reference values equal the median) the mean absolute deviation stands in, z = (x − median) / (1.253314
× MeanAD); where that is 0 too (every reference value equal) there is no spread to judge by and no z.
A value is suspect when |z| > 3.5. Two references:
- history: the unit's own values of the indicator in the HISTORY_MONTHS months before, when it has
  at least MIN_HISTORY of them; every stored indicator;
- peers: the same month's values of the units of the same type (xã, phường, đặc khu) in the whole
  country, at least MIN_PEERS of them; only indicators that do not grow with a unit's size (rates,
  scores, means), since a count compared with other units' counts only measures population.
The rankings' badge marks a unit only for a value far out, |z| > FLAG_THRESHOLD: each unit-month takes
some sixty tests, and at 3.5 nearly half the units of the (heavy-tailed) demo data would carry one.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from analytics.league import months_back
from analytics.overview import months as available_months
from analytics.ranking import communes

HISTORY_MONTHS = 12  # own history: at most this many months before the month tested
MIN_HISTORY = 6  # fewer earlier months than this: no history test
MIN_PEERS = 10  # fewer units of the type with a value: no peer test
THRESHOLD = 3.5  # |modified z| above this is suspect (Iglewicz and Hoaglin 1993)
MAD_SCALE = 0.6745  # the MAD of a normal distribution is 0.6745 σ
MEAN_AD_SCALE = 1.253314  # the mean absolute deviation of a normal distribution is 0.7979 σ
FLAG_THRESHOLD = 10.0  # |modified z| above this puts a badge on the rankings
PEER_KINDS = ("rate", "score", "mean")  # size-independent indicators, comparable between units
COMPLETENESS_MONTHS = 12
INCOMPLETE, OUTLIER = "incomplete", "outlier"

_UNIT_COLUMNS = ["unit_code", "name_vi", "name_en", "unit_type", "province_code", "province_vi", "province_en"]


@dataclass
class Completeness:
    month: str
    months: list[str]  # the matrix's months, oldest first, ending with `month`
    matrix: pd.DataFrame  # unit_code, period, reported (bool), indicators, expected, share
    units: pd.DataFrame  # units in scope for `month`: _UNIT_COLUMNS, reported, indicators, expected, share,
    #                      months_missing (in the window); missing units first
    provinces: pd.DataFrame  # province_code, province_vi, province_en, units, reported, missing, incomplete, share


@dataclass
class Timeliness:
    month: str
    units: pd.DataFrame  # _UNIT_COLUMNS, arrived (timestamp), days; latest first
    provinces: pd.DataFrame  # province_code, province_vi, province_en, units, median_days, max_days


def _scope(con: duckdb.DuckDBPyConnection, province: str | None) -> pd.DataFrame:
    units = communes(con)
    return units if province is None else units[units["province_code"] == province].reset_index(drop=True)


def window(con: duckdb.DuckDBPyConnection, month: str, count: int) -> list[str]:
    """The months with data among the `count` calendar months ending with `month` (always `month`)."""
    have = set(available_months(con))
    return [m for m in months_back(month, count)[:-1] if m in have] + [month]


def completeness(con: duckdb.DuckDBPyConnection, month: str, province: str | None = None,
                 months_back_count: int = COMPLETENESS_MONTHS) -> Completeness:
    """Who reported what in the `months_back_count` months up to `month`; units missing `month` first."""
    months = window(con, month, months_back_count)
    scope = _scope(con, province)
    # the window's months with data are all its months from the first to `month`: a range filter, which
    # the storage skips through by its min/max indexes (four times faster than a list of months)
    between = {"first": months[0], "last": month}
    covered = con.execute("""
        WITH expected AS (  -- what the month's files asked for, anywhere in the country
            SELECT DISTINCT period, indicator_code FROM observation
            WHERE is_current AND NOT derived AND period BETWEEN $first AND $last
        )
        SELECT o.unit_code, o.period, count(e.indicator_code) AS indicators
        FROM observation o LEFT JOIN expected e ON e.period = o.period AND e.indicator_code = o.indicator_code
        WHERE o.is_current AND o.period BETWEEN $first AND $last
          AND ($units::VARCHAR[] IS NULL OR list_contains($units::VARCHAR[], o.unit_code))
        GROUP BY o.unit_code, o.period
    """, {**between, "units": None if province is None else scope["unit_code"].tolist()}).df()
    expected = pd.Series(dict(con.execute("""
        SELECT period, count(DISTINCT indicator_code) FROM observation
        WHERE is_current AND NOT derived AND period BETWEEN $first AND $last GROUP BY period
    """, between).fetchall()), dtype=float)
    grid = pd.MultiIndex.from_product([scope["unit_code"], months], names=["unit_code", "period"]).to_frame(index=False)
    matrix = grid.merge(covered, on=["unit_code", "period"], how="left")
    matrix["reported"] = matrix["indicators"].notna()
    matrix["indicators"] = matrix["indicators"].fillna(0).astype(int)
    matrix["expected"] = matrix["period"].map(expected).fillna(0).astype(int)
    matrix["share"] = (matrix["indicators"] / matrix["expected"].where(matrix["expected"] > 0)).fillna(0.0)

    this = matrix[matrix["period"] == month].set_index("unit_code")
    gaps = (~matrix["reported"]).groupby(matrix["unit_code"]).sum()
    units = scope[_UNIT_COLUMNS].copy()
    for column in ("reported", "indicators", "expected", "share"):
        units[column] = units["unit_code"].map(this[column]).to_numpy()
    units["months_missing"] = units["unit_code"].map(gaps).astype(int)
    units = units.sort_values(["reported", "share", "months_missing", "province_vi", "name_vi"],
                              ascending=[True, True, False, True, True], kind="stable").reset_index(drop=True)
    return Completeness(month, months, matrix, units, _province_counts(units))


def _province_counts(units: pd.DataFrame) -> pd.DataFrame:
    grouped = units.assign(incomplete=units["reported"] & (units["share"] < 1)).groupby(
        ["province_code", "province_vi", "province_en"], as_index=False).agg(
        units=("unit_code", "size"), reported=("reported", "sum"), incomplete=("incomplete", "sum"))
    grouped["missing"] = grouped["units"] - grouped["reported"]
    grouped["share"] = grouped["reported"] / grouped["units"]
    return grouped.sort_values(["share", "province_vi"]).reset_index(drop=True)[
        ["province_code", "province_vi", "province_en", "units", "reported", "missing", "incomplete", "share"]]


def timeliness(con: duckdb.DuckDBPyConnection, month: str, province: str | None = None) -> Timeliness:
    """Days after the month's end that each unit's current figures for the month were loaded."""
    arrived = con.execute("""
        SELECT o.unit_code, min(b.loaded_at) AS arrived,
               date_diff('day', last_day(CAST($month || '-01' AS DATE)), min(b.loaded_at)) AS days
        FROM observation o JOIN batch b ON b.batch_id = o.batch_id
        WHERE o.is_current AND o.period = $month
        GROUP BY o.unit_code
    """, {"month": month}).df()
    units = _scope(con, province)[_UNIT_COLUMNS].merge(arrived, on="unit_code")
    units = units.sort_values(["days", "province_vi", "name_vi"], ascending=[False, True, True]).reset_index(drop=True)
    provinces = units.groupby(["province_code", "province_vi", "province_en"], as_index=False).agg(
        units=("unit_code", "size"), median_days=("days", "median"), max_days=("days", "max"))
    return Timeliness(month, units, provinces.sort_values(["median_days", "province_vi"], ascending=[False, True])
                      .reset_index(drop=True))


OUTLIER_COLUMNS = [*_UNIT_COLUMNS, "indicator_code", "test", "value", "expected", "z", "reference_size"]


def scores(con: duckdb.DuckDBPyConnection, month: str) -> pd.DataFrame:
    """Every tested value of the month: unit_code, indicator_code, test (history | peers), value,
    expected (the reference median), z, reference_size. Values with no z (too little history, too few
    peers, no spread) are left out."""
    first = months_back(month, HISTORY_MONTHS + 1)[0]  # the first of the HISTORY_MONTHS months before
    return con.execute("""
        WITH cur AS (
            SELECT o.unit_code, o.indicator_code, o.value, u.unit_type
            FROM observation o JOIN unit u ON u.code = o.unit_code
            WHERE o.is_current AND o.period = $month
        ),
        past AS (
            SELECT o.unit_code, o.indicator_code, o.value FROM observation o
            WHERE o.is_current AND o.period >= $first AND o.period < $month
        ),
        past_centre AS (
            SELECT unit_code, indicator_code, count(*) AS n, median(value) AS centre, mad(value) AS mad
            FROM past GROUP BY ALL HAVING count(*) >= $min_history
        ),
        past_stats AS (  -- the mean absolute deviation only where the MAD is 0: a second pass over few rows
            SELECT c.*, (SELECT avg(abs(p.value - c.centre)) FROM past p
                         WHERE c.mad = 0 AND p.unit_code = c.unit_code AND p.indicator_code = c.indicator_code
                        ) AS mean_ad
            FROM past_centre c
        ),
        peer_values AS (
            SELECT cur.* FROM cur JOIN indicator i ON i.code = cur.indicator_code
            WHERE list_contains($peer_kinds, i.kind)
        ),
        peer_centre AS (
            SELECT unit_type, indicator_code, count(*) AS n, median(value) AS centre, mad(value) AS mad
            FROM peer_values GROUP BY ALL HAVING count(*) >= $min_peers
        ),
        peer_stats AS (
            SELECT c.*, (SELECT avg(abs(p.value - c.centre)) FROM peer_values p
                         WHERE c.mad = 0 AND p.unit_type = c.unit_type AND p.indicator_code = c.indicator_code
                        ) AS mean_ad
            FROM peer_centre c
        ),
        tested AS (
            SELECT cur.unit_code, cur.indicator_code, 'history' AS test, cur.value, s.centre, s.mad, s.mean_ad, s.n
            FROM cur JOIN past_stats s USING (unit_code, indicator_code)
            UNION ALL
            SELECT cur.unit_code, cur.indicator_code, 'peers' AS test, cur.value, s.centre, s.mad, s.mean_ad, s.n
            FROM cur JOIN peer_stats s USING (unit_type, indicator_code)
        )
        SELECT unit_code, indicator_code, test, value, centre AS expected,
               CASE WHEN mad > 0 THEN $mad_scale * (value - centre) / mad
                    ELSE (value - centre) / ($mean_ad_scale * mean_ad) END AS z,
               n AS reference_size
        FROM tested
        WHERE mad > 0 OR mean_ad > 0
    """, {"month": month, "first": first, "min_history": MIN_HISTORY, "peer_kinds": list(PEER_KINDS),
          "min_peers": MIN_PEERS, "mad_scale": MAD_SCALE, "mean_ad_scale": MEAN_AD_SCALE}).df()


def outliers(con: duckdb.DuckDBPyConnection, month: str, province: str | None = None,
             threshold: float = THRESHOLD) -> pd.DataFrame:
    """Suspect values of the month (|z| > threshold), largest |z| first: OUTLIER_COLUMNS."""
    tested = scores(con, month)
    suspect = tested[tested["z"].abs() > threshold]
    table = _scope(con, province)[_UNIT_COLUMNS].merge(suspect, on="unit_code")
    order = table["z"].abs().sort_values(ascending=False, kind="stable").index
    return table.loc[order, OUTLIER_COLUMNS].reset_index(drop=True)


def flags(con: duckdb.DuckDBPyConnection, month: str) -> dict[str, tuple[str, ...]]:
    """unit_code -> why its month is in doubt ('incomplete', 'outlier'), for units with a reason only.

    Incomplete: reported the month but not every expected indicator. Outlier: a value with |z| above
    FLAG_THRESHOLD against its history or its peers.
    """
    share = completeness(con, month, months_back_count=1).units
    incomplete = set(share.loc[share["reported"] & (share["share"] < 1), "unit_code"])
    tested = scores(con, month)
    suspect = set(tested.loc[tested["z"].abs() > FLAG_THRESHOLD, "unit_code"])
    return {unit: tuple(reason for reason, units in ((INCOMPLETE, incomplete), (OUTLIER, suspect)) if unit in units)
            for unit in sorted(incomplete | suspect)}
