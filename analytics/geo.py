"""What the map draws: the boundaries (parsed once per process) and each unit's value and rank.

Communes take their value and rank from analytics.ranking.rank, so the map and the Rankings page never
disagree; a unit with no value stays in the table with NaN (drawn as "no data", never as 0). Provinces
aggregate their communes by the one area rule (analytics.aggregate); then ranked among the provinces the
way the portal ranks (rounded value, ties share a rank).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from analytics.periods import AnalysisPeriod
from analytics.ranking import Composite, codes_for, communes, rank, resolve, rounded, unit_scores
from analytics.aggregate import combine, unit_rows
from analytics.values import Indicator, load_observations
from store.reference import DATA_DIR

COMMUNES_GEOJSON = DATA_DIR / "communes_2025.geojson"
PROVINCES_GEOJSON = DATA_DIR / "provinces_2025.geojson"
LEVELS = ("communes", "provinces")
MAP_COLUMNS = ["code", "name_vi", "name_en", "province_code", "province_vi", "province_en", "value",
               "shown_value", "rank", "rank_of", "status", "units_reported", "units_total"]


class GeoJSON(dict):
    """A parsed GeoJSON FeatureCollection that copies as itself.

    Plotly deep-copies a figure's data twice on every draw (building the trace, then st.plotly_chart's
    to_dict): some 300,000 coordinate lists, 0.8 s a run for the national map. Boundaries never change
    once read, so every figure shares the one object; nothing may modify it.
    """

    def __copy__(self) -> GeoJSON:
        return self

    def __deepcopy__(self, memo: dict) -> GeoJSON:
        return self

    @property
    def codes(self) -> list[str]:
        """The feature ids in file order (the unit codes)."""
        return [feature["id"] for feature in self["features"]]


def _read(path: Path) -> GeoJSON:
    """Features keyed by `id` = unit code, geometry only (names come from the database, in either language)."""
    with open(path, encoding="utf-8") as f:
        raw = json.load(f)
    features = [{"type": "Feature", "id": feature["properties"]["code"], "geometry": feature["geometry"]}
                for feature in raw["features"]]
    return GeoJSON(type="FeatureCollection", features=features)


@cache
def commune_boundaries() -> GeoJSON:
    """The 3,321 commune polygons, parsed once per process."""
    return _read(COMMUNES_GEOJSON)


@cache
def province_boundaries() -> GeoJSON:
    """The 34 province polygons, parsed once per process."""
    return _read(PROVINCES_GEOJSON)


@lru_cache(maxsize=256)
def boundaries_of(codes: frozenset[str]) -> GeoJSON:
    """The commune polygons of some units: a province's for its zoomed map, or the units of one colour
    layer (with data / no data), so each layer sends only its own shapes; each subset built once.

    The subsets share commune_boundaries()' features: the file is still parsed only once.
    """
    return GeoJSON(type="FeatureCollection",
                   features=[f for f in commune_boundaries()["features"] if f["id"] in codes])


@dataclass(frozen=True)
class MapValues:
    """One row per unit drawn (columns MAP_COLUMNS) and how to read the values.

    `status` is "ranked" (it has a value and a rank), or says why not: "not_reported" (no figures in
    the period) or "incomplete" (a 766 group or composite part missing).
    """

    level: str  # communes | provinces
    indicator: str
    period: str
    province: str | None  # the province zoomed to (communes level only)
    table: pd.DataFrame
    decimals: int
    unit: str  # the catalog's unit, or "score" for a composite
    direction: str  # higher | lower

    @property
    def lower_is_better(self) -> bool:
        return self.direction == "lower"

    @property
    def codes(self) -> list[str]:
        return self.table["code"].tolist()


def map_values(con: duckdb.DuckDBPyConnection, indicator: str, period: str, level: str = "communes",
               province: str | None = None) -> MapValues:
    """Every commune (of the country or one province) or every province, with its value and rank."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    indicators, what = resolve(con, indicator)
    unit, direction, decimals = _reading(what)
    if level == "communes":
        table = _commune_rows(con, indicator, period, province)
    else:
        table = _province_rows(con, indicators, what, period, decimals, direction == "lower")
        province = None
    return MapValues(level, indicator, str(AnalysisPeriod.parse(period)), province, table, decimals, unit,
                     direction)


def _reading(what: Indicator | Composite) -> tuple[str, str, int]:
    """(unit, direction, decimals) as the rankings read them: a composite is a 0-100 score, higher better."""
    if isinstance(what, Composite):
        return "score", "higher", 2
    return what.unit, ("lower" if what.direction == "lower" else "higher"), int(what.decimals)


def _commune_rows(con: duckdb.DuckDBPyConnection, indicator: str, period: str, province: str | None) -> pd.DataFrame:
    ranking = rank(con, indicator, period, province=province)
    ranked = ranking.table.assign(status="ranked")
    incomplete = ranking.incomplete.drop(columns="missing").assign(status="incomplete")
    silent = ranking.not_reported.assign(status="not_reported")
    rows = pd.concat([ranked, incomplete, silent], ignore_index=True).rename(columns={"unit_code": "code"})
    rows["units_reported"] = (rows["status"] == "ranked").astype(int)
    rows["units_total"] = 1
    for column in ("value", "shown_value"):
        rows[column] = rows[column].astype(float) if column in rows else np.nan
    rows["rank"] = rows["rank"].astype("Int64")
    rows["rank_of"] = (rows["rank_of"] if "rank_of" in rows else pd.Series(dtype="Int64")).astype("Int64")
    return rows[MAP_COLUMNS].sort_values("code", ignore_index=True)


def _province_rows(con: duckdb.DuckDBPyConnection, indicators: dict[str, Indicator], what: Indicator | Composite,
                   period: str, decimals: int, lower_is_better: bool) -> pd.DataFrame:
    when = AnalysisPeriod.parse(period)
    units = communes(con)
    obs = load_observations(con, codes_for(indicators, what), when.months())
    if isinstance(what, Composite):  # a composite is no catalog figure: the mean of the units' scores
        scores = unit_scores(obs, indicators, what, when)[0]
        rows, rule = scores.assign(period=str(when), weight=np.nan), None
    else:
        rows, rule = unit_rows(obs, indicators, what.code, when), what
    parents = dict(zip(units["unit_code"], units["province_code"]))
    rows = rows.assign(province_code=rows["unit_code"].map(parents))
    rows = rows[rows["province_code"].notna() & rows["value"].notna()]
    per_province = combine(rows, rule, ["province_code"]).set_index("province_code")
    provinces = con.execute("SELECT code, full_name_vi AS name_vi, name_en FROM unit WHERE parent_code IS NULL").df()
    rows = provinces.assign(province_code=provinces["code"], province_vi=provinces["name_vi"],
                            province_en=provinces["name_en"])
    rows["value"] = rows["code"].map(per_province["value"]).astype(float)
    rows["units_reported"] = rows["code"].map(per_province["units"]).fillna(0).astype(int)
    rows["units_total"] = rows["code"].map(units["province_code"].value_counts()).fillna(0).astype(int)
    has_value = rows["value"].notna()
    rows["shown_value"] = np.where(has_value, rounded(rows["value"].fillna(0.0), decimals), np.nan)
    rows["rank"] = rows["shown_value"].rank(method="min", ascending=lower_is_better).astype("Int64")
    rows["rank_of"] = pd.array([int(has_value.sum())] * len(rows), dtype="Int64")
    rows.loc[~has_value, "rank_of"] = pd.NA
    rows["status"] = np.where(has_value, "ranked", "not_reported")
    return rows[MAP_COLUMNS].sort_values("code", ignore_index=True)
