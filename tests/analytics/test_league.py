"""What the Rankings page shows around a ranking, on files loaded through the real loader."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import store
from analytics.league import (covered_months, composite_parts, distribution, export_rows, goal, indicator_choices,
                              league, months_back, neighbours, period_choices, sparklines, top_bottom)
from analytics.ranking import Composite, rank, save_composite
from analytics.values import catalog
from tests.analytics.monthly_files import load_month
from store.users import User

ANALYST = User("an", "Nguyễn Văn An", "analyst", None)  # composites are saved by an analyst

# Three communes of Phú Thọ (25)
VAN_BAN, LAM_THAO, DAO_XA = "08377", "08494", "08662"
HEADER = ["Tổng tiếp nhận", "Đúng hạn", "Quá hạn", "Điểm công khai minh bạch", "Điểm dịch vụ công trực tuyến",
          "Điểm thanh toán trực tuyến", "Điểm số hóa hồ sơ", "Điểm mức độ hài lòng"]


@pytest.fixture
def phu_tho(fresh_db, tmp_path) -> Path:
    """Vân Bán skips September; Lâm Thao reports every month but lacks a group score in September;
    Đào Xá never reports."""
    load_month(fresh_db, tmp_path, "8/2026", HEADER, [[VAN_BAN, 1000, 900, 100, 15, 10, 8, 20, 15],
                                              [LAM_THAO, 20, 19, 1, 15, 10, 8, 20, 15]])
    load_month(fresh_db, tmp_path, "9/2026", HEADER, [[LAM_THAO, 20, 18, 2, 15, 10, 8, 20, None]])
    load_month(fresh_db, tmp_path, "10/2026", HEADER, [[VAN_BAN, 1000, 950, 50, 16, 11, 9, 21, 16],
                                               [LAM_THAO, 40, 36, 4, 15, 10, 8, 20, 15]])
    return fresh_db


def ranked_table(ranks: list[int]) -> pd.DataFrame:
    """A ranked table as analytics.ranking gives it, units U01, U02, ... best first."""
    return pd.DataFrame({"unit_code": [f"U{i:02d}" for i in range(1, len(ranks) + 1)],
                         "rank": pd.array(ranks, dtype="Int64"),
                         "shown_value": [100.0 - r for r in ranks]})


# -- sparklines ------------------------------------------------------------------------------------

def test_a_month_without_figures_is_a_gap_not_a_zero(phu_tho):
    with store.connect(phu_tho) as con:
        lines = sparklines(con, "on_time_rate", [VAN_BAN, LAM_THAO, DAO_XA], "2026-10", months=3)

    assert lines == {VAN_BAN: [90.0, None, 95.0], LAM_THAO: [95.0, 90.0, 90.0], DAO_XA: [None, None, None]}


def test_a_sparkline_covers_the_twelve_calendar_months_up_to_the_month(phu_tho):
    with store.connect(phu_tho) as con:
        line = sparklines(con, "on_time_rate", [LAM_THAO], "2026-10")[LAM_THAO]

    assert len(line) == 12
    assert line[:9] == [None] * 9  # November 2025 to July 2026: nothing loaded
    assert line[9:] == [95.0, 90.0, 90.0]


def test_the_service_index_has_a_point_only_in_months_with_all_six_groups(phu_tho):
    with store.connect(phu_tho) as con:
        lines = sparklines(con, "service_index", [VAN_BAN, LAM_THAO], "2026-10", months=3)

    # progress 20 × on time ÷ received, plus the five loaded group scores
    assert lines[VAN_BAN] == [pytest.approx(18 + 68), None, pytest.approx(19 + 73)]
    assert lines[LAM_THAO] == [pytest.approx(19 + 68), None, pytest.approx(18 + 68)]


@pytest.mark.parametrize("method", ["arithmetic", "geometric"])
def test_a_composite_sparkline_ends_at_the_value_the_unit_is_ranked_on(phu_tho, method):
    with store.connect(phu_tho) as con:
        save_composite(con, Composite("Đúng hạn", (("on_time_rate", 2.0), ("transparency_score", 1.0)), method), ANALYST)
        lines = sparklines(con, "composite:Đúng hạn", [VAN_BAN, LAM_THAO], "2026-10", months=3)
        ranked = rank(con, "composite:Đúng hạn", "2026-10", province="25").table.set_index("unit_code")["value"]

    assert lines[VAN_BAN][-1] == pytest.approx(ranked[VAN_BAN])
    assert lines[LAM_THAO][-1] == pytest.approx(ranked[LAM_THAO])
    assert lines[VAN_BAN][1] is None


def test_months_back_crosses_the_new_year():
    assert months_back("2026-02", 4) == ["2025-11", "2025-12", "2026-01", "2026-02"]


# -- the league ------------------------------------------------------------------------------------

def test_a_league_carries_the_sparklines_of_its_ranked_units_and_what_a_full_bar_means(phu_tho):
    with store.connect(phu_tho) as con:
        result = league(con, "online_filing_rate", "2026-10", "25")
        index = league(con, "service_index", "2026-Q4", "25")

    assert result.goal == 80.0  # the national target, not 100
    assert index.goal == 100.0 and index.unit == "points" and index.decimals == 2
    assert set(index.sparklines) == set(index.ranking.table["unit_code"]) == {VAN_BAN, LAM_THAO}
    assert index.sparkline_months[-1] == "2026-10"  # the quarter runs on, the line stops at its last month


def test_a_full_bar_is_the_target_else_the_maximum_of_a_scale_and_no_bar_where_lower_is_better(phu_tho):
    with store.connect(phu_tho) as con:
        indicators = catalog(con)

    assert goal(indicators["satisfaction_rate"]) == 90.0
    assert goal(indicators["on_time_rate"]) == 100.0
    assert goal(indicators["progress_score"]) == 20.0
    assert goal(indicators["avg_processing_days"]) is None
    assert goal(indicators["dossiers_on_time"]) is None
    # its maximum (1,000 per 1,000 residents) only bounds the values: a bar against it would read 7%
    assert indicators["trainees_per_1000"].maximum == 1000 and goal(indicators["trainees_per_1000"]) is None


# -- slices of the table ---------------------------------------------------------------------------

def test_neighbours_are_three_places_either_side():
    table = ranked_table(list(range(1, 21)))

    assert list(neighbours(table, "U10")["unit_code"]) == ["U07", "U08", "U09", "U10", "U11", "U12", "U13"]
    assert list(neighbours(table, "U02")["unit_code"]) == ["U01", "U02", "U03", "U04", "U05"]
    assert list(neighbours(table, "U20")["unit_code"]) == ["U17", "U18", "U19", "U20"]
    assert neighbours(table, "U99").empty


def test_top_and_bottom_n_keep_units_tied_at_the_edge():
    table = ranked_table([1, 2, 3, 3, 5, 6, 7, 8, 9, 9, 11])

    shown = top_bottom(table, 3)

    assert list(shown["rank"]) == [1, 2, 3, 3, 9, 9, 11]


def test_top_and_bottom_of_a_short_table_show_each_unit_once():
    table = ranked_table([1, 2, 3, 4])

    assert list(top_bottom(table, 10)["unit_code"]) == ["U01", "U02", "U03", "U04"]
    assert top_bottom(table.iloc[0:0], 10).empty


def test_the_distribution_says_how_many_units_a_unit_is_ahead_of():
    table = ranked_table([1, 2, 3, 4, 5])

    spread = distribution(table, "U02")

    assert (spread.q1, spread.median, spread.q3) == (96.0, 97.0, 98.0)
    assert spread.unit_value == 98.0
    assert spread.share_behind == pytest.approx(3 / 4)  # of the four others, three are behind it (ranking.standing)
    assert distribution(table, None).unit_value is None


# -- choices ---------------------------------------------------------------------------------------

def test_the_period_picker_offers_months_latest_first_then_their_quarters_and_years():
    available = ["2025-11", "2025-12", "2026-01"]

    assert period_choices(available) == ["2026-01", "2025-12", "2025-11", "2026-Q1", "2025-Q4", "2026", "2025"]
    assert covered_months("2026-Q1", available) == ["2026-01"]


def test_the_indicator_picker_starts_with_the_service_index_and_ends_with_saved_composites(phu_tho):
    with store.connect(phu_tho) as con:
        save_composite(con, Composite("Số hóa", (("digitization_rate", 1.0), ("esign_rate", 1.0))), ANALYST)
        choices = indicator_choices(con)
        parts = composite_parts(con)

    assert choices[0] == "service_index"
    assert choices[-1] == "composite:Số hóa"
    assert "population" not in choices  # no direction: nothing to rank
    assert "on_time_rate" in parts and "service_index" in parts
    assert "avg_processing_days" not in parts and "dossiers_on_time" not in parts  # no goalposts


# -- the table as a file ---------------------------------------------------------------------------

def test_the_export_lists_every_unit_in_scope_ranked_first_then_why_the_others_are_not(phu_tho):
    with store.connect(phu_tho) as con:
        result = rank(con, "on_time_rate", "2026-08", province="25", exclude_thin=True)

    rows = export_rows(result, "vi").set_index("unit_code")

    assert rows.loc[VAN_BAN, ["rank", "rank_of", "value", "status"]].tolist() == [1, 1, 90.0, "ranked"]
    assert rows.loc[LAM_THAO, "status"] == "left_out" and pd.isna(rows.loc[LAM_THAO, "rank"])
    assert rows.loc[DAO_XA, "status"] == "not_reported"
    assert rows.loc[DAO_XA, "name"] == "Xã Đào Xá" and rows.loc[DAO_XA, "province"] == "Phú Thọ"
    assert len(rows) == 148
    assert list(rows.index[:1]) == [VAN_BAN]


def test_the_export_says_which_group_an_incomplete_unit_lacks(phu_tho):
    with store.connect(phu_tho) as con:
        result = rank(con, "service_index", "2026-09", province="25")

    rows = export_rows(result, "en").set_index("unit_code")

    assert rows.loc[LAM_THAO, "status"] == "incomplete"
    assert rows.loc[LAM_THAO, "missing"] == ["satisfaction_score"]
    assert rows.loc[DAO_XA, "missing"] == []
    assert rows.loc[DAO_XA, "name"] == "Dao Xa"
    assert (rows["status"] == "ranked").sum() == 0


def test_the_pickers_offer_the_766_groups_but_not_the_metrics_that_make_them(phu_tho):
    from analytics.trends import indicator_choices as trend_choices
    from analytics.values import catalog, metric_parts

    with store.connect(phu_tho) as con:
        indicators = catalog(con)
        ranked, followed, composed = indicator_choices(con), trend_choices(con), composite_parts(con)
    parts = metric_parts(indicators)

    assert {code for code, ind in indicators.items() if ind.part_of} <= parts  # every metric's points
    behind = {part for code in parts if indicators[code].part_of
              for part in (indicators[code].numerator, indicators[code].denominator)}
    assert {code for code in parts if not indicators[code].part_of} == behind - {None}  # and what they count
    assert not parts & (set(ranked) | set(followed) | set(composed))
    assert set(composed) <= set(ranked)  # a composite's part is named as the picker names it
    groups = {code for code, ind in indicators.items() if ind.group_766}
    assert groups <= set(ranked) and groups <= set(followed) and "on_time_rate" in ranked
