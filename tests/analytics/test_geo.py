"""The map's boundaries and values: one polygon per unit, parsed once, values and ranks as the rankings."""

from __future__ import annotations

import copy
import json
import math

import pandas as pd
import pytest

import store
from analytics.geo import COMMUNES_GEOJSON, boundaries_of, commune_boundaries, map_values, province_boundaries
from analytics.overview import HEADLINE_INDICATORS, Scope, headlines
from analytics.ranking import rank
from tests.analytics.monthly_files import load_month

COMMUNES, PROVINCES, HA_NOI = 3321, 34, 126
GROUPS = ["Điểm công khai minh bạch", "Điểm dịch vụ công trực tuyến", "Điểm thanh toán trực tuyến",
          "Điểm số hóa hồ sơ", "Điểm mức độ hài lòng"]
HEADER = ["Tổng tiếp nhận", "Đúng hạn", "Thời gian giải quyết trung bình", *GROUPS]


def unit_codes(db, provinces: bool) -> list[str]:
    with store.connect(db) as con:
        return [row[0] for row in con.execute(
            f"SELECT code FROM unit WHERE parent_code IS {'' if provinces else 'NOT '}NULL").fetchall()]


def test_every_commune_in_the_database_has_exactly_one_polygon_and_every_polygon_a_commune(reference_db):
    polygons = pd.Series(commune_boundaries().codes)
    communes = set(unit_codes(reference_db, provinces=False))

    assert len(communes) == COMMUNES
    assert polygons.duplicated().sum() == 0
    assert sorted(communes - set(polygons)) == []
    assert sorted(set(polygons) - communes) == []


def test_every_province_has_one_polygon(reference_db):
    polygons = province_boundaries().codes

    assert len(polygons) == PROVINCES == len(set(polygons))
    assert set(polygons) == set(unit_codes(reference_db, provinces=True))


def test_the_boundaries_are_parsed_once_and_never_copied():
    national = commune_boundaries()

    assert commune_boundaries() is national
    assert province_boundaries() is province_boundaries()
    # plotly deep-copies figure data on every draw: the shared boundaries must come back as themselves
    assert copy.deepcopy({"geojson": national})["geojson"] is national
    zoomed = boundaries_of(frozenset({"00004", "00008"}))
    assert boundaries_of(frozenset({"00008", "00004"})) is zoomed
    assert zoomed.codes == ["00004", "00008"]
    assert all(any(f is g for g in national["features"]) for f in zoomed["features"])


def test_the_shapes_are_the_files_own_geometry_keyed_by_code():
    with open(COMMUNES_GEOJSON, encoding="utf-8") as f:
        raw = json.load(f)
    first = raw["features"][0]

    shared = commune_boundaries()["features"][0]
    assert shared["id"] == first["properties"]["code"]
    assert shared["geometry"] == first["geometry"]


@pytest.mark.parametrize("indicator, province", [("service_index", None), ("on_time_rate", "01"),
                                                 ("avg_processing_days", "25")])
def test_commune_values_and_ranks_are_the_rankings_own(demo_db, indicator, province):
    with store.connect(demo_db) as con:
        shown = map_values(con, indicator, "2026-10", "communes", province)
        ranking = rank(con, indicator, "2026-10", province=province)

    table = shown.table.set_index("code")
    ranked = ranking.table.set_index("unit_code")
    expected_units = COMMUNES if province is None else len(ranked) + len(ranking.not_reported) + len(ranking.incomplete)
    assert len(table) == expected_units
    assert (table.loc[ranked.index, "value"] == ranked["value"]).all()
    assert (table.loc[ranked.index, "shown_value"] == ranked["shown_value"]).all()
    assert (table.loc[ranked.index, "rank"] == ranked["rank"]).all()
    assert (table.loc[ranked.index, "rank_of"] == len(ranked)).all()
    silent = table.loc[list(ranking.not_reported["unit_code"])]
    assert len(silent) > 0  # the demo leaves some units out of every month
    assert silent["value"].isna().all() and silent["rank"].isna().all()
    assert set(silent["status"]) == {"not_reported"}


def test_a_national_map_of_a_month_holds_every_commune(demo_db):
    with store.connect(demo_db) as con:
        shown = map_values(con, "service_index", "2026-10")

    assert sorted(shown.codes) == sorted(commune_boundaries().codes)
    assert shown.direction == "higher" and shown.decimals == 2


@pytest.fixture
def two_provinces(fresh_db, tmp_path):
    """Hà Nội: a big commune (1000 dossiers, 90% on time, 2 days) and a small one (100, 50%, 10 days,
    one 766 group missing); Phú Thọ: one commune (200, 95%, 4 days). The other 32 provinces: nothing."""
    load_month(fresh_db, tmp_path, "8/2026", HEADER, [
        ["00004", 1000, 900, 2.0, 15, 10, 8, 20, 15],
        ["00008", 100, 50, 10.0, 15, 10, 8, 20, None],
        ["08377", 200, 190, 4.0, 16, 11, 9, 21, 16],
    ])
    return fresh_db


def province_row(shown, code: str) -> pd.Series:
    return shown.table.set_index("code").loc[code]


def test_a_province_rate_comes_from_its_communes_summed_counts(two_provinces):
    with store.connect(two_provinces) as con:
        shown = map_values(con, "on_time_rate", "2026-08", "provinces")

    ha_noi, phu_tho = province_row(shown, "01"), province_row(shown, "25")
    assert ha_noi["value"] == pytest.approx(100 * 950 / 1100)  # not the mean of 90% and 50%
    assert phu_tho["value"] == pytest.approx(95.0)
    assert (phu_tho["rank"], ha_noi["rank"], ha_noi["rank_of"]) == (1, 2, 2)
    assert (ha_noi["units_reported"], ha_noi["units_total"]) == (2, HA_NOI)


def test_a_province_count_is_its_communes_total(two_provinces):
    with store.connect(two_provinces) as con:
        shown = map_values(con, "dossiers_on_time", "2026-08", "provinces")

    assert province_row(shown, "01")["value"] == 950
    assert province_row(shown, "25")["value"] == 190


def test_province_processing_days_are_weighted_by_dossiers_and_lower_ranks_first(two_provinces):
    with store.connect(two_provinces) as con:
        shown = map_values(con, "avg_processing_days", "2026-08", "provinces")

    ha_noi, phu_tho = province_row(shown, "01"), province_row(shown, "25")
    assert ha_noi["value"] == pytest.approx((2.0 * 1000 + 10.0 * 100) / 1100)
    assert ha_noi["shown_value"] == 2.7  # one decimal, as the catalog shows days
    assert (ha_noi["rank"], phu_tho["rank"]) == (1, 2)
    assert shown.lower_is_better


def test_a_province_service_index_is_the_mean_over_its_complete_communes(two_provinces):
    with store.connect(two_provinces) as con:
        shown = map_values(con, "service_index", "2026-08", "provinces")

    ha_noi, phu_tho = province_row(shown, "01"), province_row(shown, "25")
    # Ba Đình alone (Ngọc Hà lacks a group): progress 20 × 900/1000 = 18, plus 15 + 10 + 8 + 20 + 15
    assert ha_noi["value"] == pytest.approx(18 + 15 + 10 + 8 + 20 + 15)
    assert phu_tho["value"] == pytest.approx(20 * 190 / 200 + 16 + 11 + 9 + 21 + 16)
    assert (ha_noi["units_reported"], phu_tho["rank"], ha_noi["rank"]) == (1, 1, 2)


def test_provinces_and_communes_without_figures_are_kept_with_no_value_never_zero(two_provinces):
    with store.connect(two_provinces) as con:
        provinces = map_values(con, "on_time_rate", "2026-08", "provinces")
        communes = map_values(con, "service_index", "2026-08", "communes", "01")

    assert len(provinces.table) == PROVINCES
    silent = provinces.table[~provinces.table["code"].isin(["01", "25"])]
    assert len(silent) == PROVINCES - 2
    assert silent["value"].isna().all() and silent["rank"].isna().all() and (silent["units_reported"] == 0).all()
    assert set(silent["status"]) == {"not_reported"}
    by_code = communes.table.set_index("code")
    assert len(by_code) == HA_NOI
    assert by_code.at["00004", "status"] == "ranked" and by_code.at["00004", "rank"] == 1
    assert by_code.at["00008", "status"] == "incomplete" and math.isnan(by_code.at["00008", "value"])
    assert (by_code.drop(index=["00004", "00008"])["status"] == "not_reported").all()


@pytest.mark.parametrize("indicator", HEADLINE_INDICATORS)
def test_province_values_agree_with_the_overview_headlines(demo_db, indicator):
    with store.connect(demo_db) as con:
        shown = map_values(con, indicator, "2026-10", "provinces").table.set_index("code")
        cards = {code: {h.indicator_code: h for h in headlines(con, Scope(code), "2026-10")}[indicator]
                 for code in ("01", "25", "79")}

    for code, card in cards.items():
        assert shown.at[code, "value"] == pytest.approx(card.value), code
        assert shown.at[code, "units_reported"] == card.units, code


def test_an_unknown_level_is_refused(fresh_db):
    with store.connect(fresh_db) as con, pytest.raises(ValueError, match="level"):
        map_values(con, "on_time_rate", "2026-08", "districts")
