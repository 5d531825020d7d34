"""League tables the way the national portal ranks: on the value rounded to its displayed precision,
equal values sharing a rank and the next rank skipping (1, 2, 2, 4), direction-aware, within a
province, a peer group or the country; units that did not report are listed apart, never ranked last.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from analytics.index766 import round_half_up
from analytics.periods import AnalysisPeriod
from errors import NotRankable, UnknownIndicator, UnknownScope
from store.reference import cache_by_key, reference_key, store_composite
from store.users import User
from analytics.values import (SERVICE_INDEX, Indicator, catalog, load_observations, needed_codes, service_index_from,
                              values_from)

THIN_DENOMINATOR = 30  # a rate over fewer cases than this carries a caution flag
POPULATION_BANDS = ((0, 10_000, "<10k"), (10_000, 20_000, "10k-20k"), (20_000, 50_000, "20k-50k"),
                    (50_000, math.inf, "50k+"))
PEER_GROUPS = ("xa", "phuong", "dac_khu")
COMPOSITE_PREFIX = "composite:"


@dataclass(frozen=True)
class Composite:
    """A user's index: catalog indicators with weights, each scored 0-100 on fixed goalposts."""

    name: str
    parts: tuple[tuple[str, float], ...]
    method: str = "arithmetic"  # arithmetic | geometric

    def to_json(self) -> str:
        return json.dumps({"parts": [list(p) for p in self.parts], "method": self.method})


@dataclass
class Ranking:
    indicator: str
    period: str
    table: pd.DataFrame  # ranked units, best first
    not_reported: pd.DataFrame  # units in scope with no value for the period
    incomplete: pd.DataFrame = field(default_factory=pd.DataFrame)  # index: units missing a group or part
    left_out: pd.DataFrame = field(default_factory=pd.DataFrame)  # thin data left out on request
    decimals: int = 2  # the precision values are shown and ranked at


def communes(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every commune with its province and type."""
    return _communes(reference_key(con), con).copy()


@cache_by_key
def _communes(_key: tuple[str, str], con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("""
        SELECT c.code AS unit_code, c.full_name_vi AS name_vi, c.name_en, c.unit_type,
               c.parent_code AS province_code, p.name_vi AS province_vi, p.name_en AS province_en
        FROM unit c JOIN unit p ON p.code = c.parent_code
    """).df()


def population_bands(con: duckdb.DuckDBPyConnection, up_to: str) -> pd.Series:
    """unit_code -> population band from the latest population reported up to a month."""
    latest = con.execute("""
        SELECT unit_code, arg_max(value, period) AS population FROM observation
        WHERE is_current AND indicator_code = 'population' AND period <= ?
        GROUP BY unit_code
    """, [up_to]).df()
    bands = pd.cut(latest["population"], [b[0] for b in POPULATION_BANDS] + [math.inf],
                   labels=[b[2] for b in POPULATION_BANDS], right=False)
    return pd.Series(bands.astype(str).to_numpy(), index=latest["unit_code"])


def rounded(values: pd.Series | np.ndarray, decimals: int) -> np.ndarray:
    """Half-up rounding to the displayed precision, as the portal rounds (analytics.index766)."""
    return round_half_up(np.asarray(values, dtype=float), decimals)


@dataclass(frozen=True)
class Standing:
    """Where a unit stands among the ranked units of a set (its province, its peers, the country).

    The one definition every page uses: `ahead` is the percent of the *other* ranked units with a
    strictly worse value, `below` the percent with a strictly better one (equal values count in
    neither, so ahead + below <= 100); the best of the set is 100% ahead, the worst 0%.
    """

    rank: int  # 1 + units strictly better
    ranked: int  # units of the set with a value, the unit included
    ahead: float
    below: float


def standing(signed_scope: np.ndarray, signed_own: float) -> Standing | None:
    """The unit's standing among `signed_scope` (values signed so larger is better, NaN = unranked; the
    unit itself included); None when the unit has no value or is alone."""
    ranked = np.asarray(signed_scope, dtype=float)
    ranked = ranked[~np.isnan(ranked)]
    if signed_own is None or math.isnan(signed_own) or len(ranked) < 2:
        return None
    better, worse = int((ranked > signed_own).sum()), int((ranked < signed_own).sum())
    others = len(ranked) - 1
    return Standing(better + 1, len(ranked), 100.0 * worse / others, 100.0 * better / others)


def wilson_interval(successes: np.ndarray, trials: np.ndarray, z: float = 1.959964) -> tuple[np.ndarray, np.ndarray]:
    """95% Wilson score interval of a proportion, in percent."""
    with np.errstate(divide="ignore", invalid="ignore"):
        p = successes / trials
        centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
        half = z * np.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    return 100 * np.clip(centre - half, 0, 1), 100 * np.clip(centre + half, 0, 1)


def resolve(con: duckdb.DuckDBPyConnection, indicator: str) -> tuple[dict[str, Indicator], Indicator | Composite]:
    """A catalog code, or 'composite:NAME' for a saved composite."""
    indicators = catalog(con)
    if indicator.startswith(COMPOSITE_PREFIX):
        return indicators, load_composite(con, indicator[len(COMPOSITE_PREFIX):])
    if indicator not in indicators:
        raise UnknownIndicator(value=indicator)
    return indicators, indicators[indicator]


def codes_for(indicators: dict[str, Indicator], what: Indicator | Composite) -> set[str]:
    """The stored indicators a ranking of `what` reads."""
    if isinstance(what, Composite):
        return {c for code, _w in what.parts for c in needed_codes(indicators, code)}
    return needed_codes(indicators, what.code)


def unit_scores(obs: pd.DataFrame, indicators: dict[str, Indicator], what: Indicator | Composite,
                period: AnalysisPeriod) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(unit_code, value, numerator, denominator) of every unit with a value; units incomplete."""
    if isinstance(what, Composite):
        return composite_values(obs, indicators, what, period)
    if what.code == SERVICE_INDEX:
        return service_index_from(obs, indicators, period)
    values = values_from(obs, indicators, what.code, period)
    if what.period_aggregation != "sum" or period.kind == "month":
        return values, pd.DataFrame(columns=["unit_code", "missing"])
    # A sum over a quarter or year is only comparable between units that reported the same months: a
    # missing month would lower a count (and flatter a unit on overdue dossiers). Months no unit has yet
    # (a quarter still running) do not count against anyone.
    rows = obs[(obs["indicator_code"] == what.code) & obs["period"].isin(period.months())]
    if rows.empty:  # an indicator nobody reported in the period (e-certified copies have no counts)
        return values, pd.DataFrame(columns=["unit_code", "missing"])
    reported = rows.groupby("unit_code", observed=True)["period"].agg(lambda p: set(p.astype(str)))
    expected = set(rows["period"].astype(str))
    short = reported[reported.map(len) < len(expected)]
    missing = pd.DataFrame({"unit_code": short.index, "missing": [sorted(expected - have) for have in short]})
    return values[~values["unit_code"].isin(short.index)], missing


def rank(con: duckdb.DuckDBPyConnection, indicator: str, period: str, *, province: str | None = None,
         peer_group: str | None = None, population_band: str | None = None, exclude_thin: bool = False,
         thin_below: int = THIN_DENOMINATOR) -> Ranking:
    """Rank the communes in scope on an indicator (or 'composite:NAME') for a month, quarter or year."""
    indicators, what = resolve(con, indicator)
    if not isinstance(what, Composite) and what.direction not in ("higher", "lower"):
        raise NotRankable(value=indicator)
    when = AnalysisPeriod.parse(period)
    scope = _scope(con, province, peer_group, population_band, when)
    compared = {"previous": when.previous(), "year_ago": when.year_earlier()}
    months = [m for p in (when, *compared.values()) for m in p.months()]
    every_commune = province is None and peer_group is None and population_band is None
    units = None if every_commune else scope["unit_code"].tolist()
    obs = load_observations(con, codes_for(indicators, what), months, units)  # one query, three rankings
    current = _ranked(obs, indicators, what, when, scope, exclude_thin, thin_below)
    for label, other in compared.items():
        ranks = _ranks_only(obs, indicators, what, other, scope, exclude_thin, thin_below)
        current.table[f"{label}_rank"] = current.table["unit_code"].map(ranks).astype("Int64")
        current.table[f"{label}_change"] = (current.table[f"{label}_rank"] - current.table["rank"]).astype("Int64")
    current.indicator, current.period, current.decimals = indicator, str(when), _decimals(what)
    return current


def _scope(con: duckdb.DuckDBPyConnection, province: str | None, peer_group: str | None,
           population_band: str | None, when: AnalysisPeriod) -> pd.DataFrame:
    units = communes(con)
    if province is not None:
        if province not in set(units["province_code"]):
            raise UnknownScope(value=province)
        units = units[units["province_code"] == province]
    if peer_group is not None:
        if peer_group not in PEER_GROUPS:
            raise UnknownScope(value=peer_group)
        units = units[units["unit_type"] == peer_group]
    if population_band is not None:
        if population_band not in [b[2] for b in POPULATION_BANDS]:
            raise UnknownScope(value=population_band)
        bands = population_bands(con, when.months()[-1])
        units = units[units["unit_code"].map(bands) == population_band]
    return units.reset_index(drop=True)


def _ranks_only(obs: pd.DataFrame, indicators: dict[str, Indicator], what: Indicator | Composite,
                when: AnalysisPeriod, scope: pd.DataFrame, exclude_thin: bool, thin_below: int) -> pd.Series:
    """unit_code -> rank in another period: the same rule, without what only the shown period needs."""
    values = unit_scores(obs, indicators, what, when)[0]
    values = values[values["value"].notna()]  # observations were loaded for the units in scope only
    if exclude_thin and _is_percent_rate(what):
        values = values[~(values["denominator"] < thin_below)]
    shown = rounded(values["value"], _decimals(what))
    ranks = pd.Series(shown).rank(method="min", ascending=_lower_is_better(what)).astype("Int64")
    return pd.Series(ranks.to_numpy(), index=values["unit_code"].to_numpy())


def _decimals(what: Indicator | Composite) -> int:
    return 2 if isinstance(what, Composite) else int(what.decimals)


def _lower_is_better(what: Indicator | Composite) -> bool:
    return not isinstance(what, Composite) and what.direction == "lower"


def _is_percent_rate(what: Indicator | Composite) -> bool:
    return not isinstance(what, Composite) and what.kind == "rate" and what.unit == "percent"


def _ranked(obs: pd.DataFrame, indicators: dict[str, Indicator], what: Indicator | Composite,
            when: AnalysisPeriod, scope: pd.DataFrame, exclude_thin: bool, thin_below: int) -> Ranking:
    values, incomplete = unit_scores(obs, indicators, what, when)
    in_scope = scope.merge(values, on="unit_code", how="left")
    has_value = in_scope["value"].notna()
    table = in_scope[has_value].copy()
    is_rate = _is_percent_rate(what)
    table["caution"] = is_rate & table["denominator"].notna() & (table["denominator"] < thin_below)
    low, high = wilson_interval(table["numerator"].to_numpy(float), table["denominator"].to_numpy(float))
    table["ci_low"] = np.where(is_rate & table["denominator"].notna(), low, np.nan)
    table["ci_high"] = np.where(is_rate & table["denominator"].notna(), high, np.nan)
    left_out = table[table["caution"]] if exclude_thin else table.iloc[0:0]
    if exclude_thin:
        table = table[~table["caution"]]
    table["shown_value"] = rounded(table["value"], _decimals(what))
    table["rank"] = table["shown_value"].rank(method="min", ascending=_lower_is_better(what)).astype("Int64")
    table["rank_of"] = len(table)
    table["rank_label"] = table["rank"].astype(str) + "/" + str(len(table))
    table = table.sort_values(["rank", "name_vi"]).reset_index(drop=True)
    not_reported = in_scope[~has_value & ~in_scope["unit_code"].isin(incomplete["unit_code"])]
    incomplete_in_scope = scope.merge(incomplete, on="unit_code")
    return Ranking("", str(when), table, not_reported[scope.columns].reset_index(drop=True),
                   incomplete_in_scope, left_out.reset_index(drop=True))


# -- composites ------------------------------------------------------------------------------------

def goalpost_score(indicator: Indicator, values: np.ndarray) -> np.ndarray:
    """0-100 on fixed goalposts, so a unit's score never moves because others moved.

    Percents 0-100, points 0-max, counts per 1,000 against the catalog target; lower-is-better flips.
    """
    if indicator.unit == "percent":
        top = 100.0
    elif indicator.unit == "points":
        top = float(indicator.maximum or 100.0)
    else:
        top = float(indicator.target or indicator.maximum or 0.0)
        if top <= 0:
            raise ValueError(f"{indicator.code} has no target to score against")
    score = np.clip(np.asarray(values, dtype=float) / top * 100.0, 0.0, 100.0)
    return 100.0 - score if indicator.direction == "lower" else score


def composite_values(obs: pd.DataFrame, indicators: dict[str, Indicator], composite: Composite,
                     period: AnalysisPeriod) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Weighted arithmetic (or geometric) mean of the parts' goalpost scores; units lacking a part apart."""
    scores = {}
    for code, _weight in composite.parts:
        if code not in indicators:
            raise UnknownIndicator(value=code)
        values = unit_scores(obs, indicators, indicators[code], period)[0].set_index("unit_code")["value"]
        scores[code] = pd.Series(goalpost_score(indicators[code], values.to_numpy()), index=values.index)
    wide = pd.DataFrame(scores)
    if wide.empty:
        return pd.DataFrame(columns=["unit_code", "value", "numerator", "denominator"]), \
            pd.DataFrame(columns=["unit_code", "missing"])
    weights = np.array([w for _code, w in composite.parts], dtype=float)
    complete = wide.notna().all(axis=1)
    matrix = wide[complete][[code for code, _w in composite.parts]].to_numpy()
    if composite.method == "geometric":
        value = np.exp((np.log(np.maximum(matrix, 1.0)) * weights).sum(axis=1) / weights.sum())
    else:
        value = (matrix * weights).sum(axis=1) / weights.sum()
    result = pd.DataFrame({"unit_code": wide.index[complete], "value": value, "numerator": np.nan,
                           "denominator": np.nan})
    partial = wide[~complete]
    missing = pd.DataFrame({"unit_code": partial.index,
                            "missing": [[c for c, _w in composite.parts if pd.isna(row[c])]
                                        for _, row in partial.iterrows()]})
    return result.reset_index(drop=True), missing.reset_index(drop=True)


def save_composite(con: duckdb.DuckDBPyConnection, composite: Composite, by: User) -> None:
    """Keep a composite under its name for `by` (an analyst; replacing one needs its author or an admin)."""
    store_composite(con, composite.name, composite.to_json(), by)


def load_composite(con: duckdb.DuckDBPyConnection, name: str) -> Composite:
    rows = con.execute("SELECT definition FROM composite WHERE name = ?", [name]).fetchall()
    if not rows:
        raise UnknownIndicator(value=COMPOSITE_PREFIX + name)
    definition = json.loads(rows[0][0])
    return Composite(name, tuple((code, float(w)) for code, w in definition["parts"]), definition["method"])


def composite_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [row[0] for row in con.execute("SELECT name FROM composite ORDER BY name").fetchall()]
