"""Trends: communes month by month beside their province, the country and the target; gaps stay gaps."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

import store
from analytics.trends import NATIONAL, changes, heatmap, trend, trends
from tests.analytics.monthly_files import load_month

# Phú Thọ (25): three communes; Hà Nội (01): one
VAN_BAN, LAM_THAO, DAO_XA, XUAN_DINH = "08377", "08494", "08662", "00611"
SILENT = "08305"  # a Phú Thọ commune in no file
HEADER = ["Tổng tiếp nhận", "Hồ sơ nộp trực tuyến", "Quá hạn", "Thời gian giải quyết trung bình"]


@pytest.fixture
def four_communes(fresh_db: Path, tmp_path: Path) -> Path:
    # received, online, overdue, processing days
    load_month(fresh_db, tmp_path, "8/2025", HEADER, [[VAN_BAN, 1000, 500, 30, 6.0],
                                                      [LAM_THAO, 100, 20, 5, 9.0],
                                                      [DAO_XA, 200, 60, 8, 7.0]])
    load_month(fresh_db, tmp_path, "7/2026", HEADER, [[VAN_BAN, 1000, 800, 20, 5.0],
                                                      [LAM_THAO, 100, 5, 4, 10.0]])  # Đào Xá silent
    load_month(fresh_db, tmp_path, "8/2026", HEADER, [[VAN_BAN, 1000, 900, 10, 5.0],
                                                      [LAM_THAO, 100, 10, 0, 10.0],
                                                      [DAO_XA, 200, 150, 3, 4.0],
                                                      [XUAN_DINH, 500, 400, 1, 2.0]])
    return fresh_db


def test_area_lines_come_from_summed_counts_never_from_averaging_rates(four_communes):
    with store.connect(four_communes) as con:
        result = trend(con, "online_filing_rate", (VAN_BAN, XUAN_DINH))

    august = result.areas.loc["2026-08"]
    assert august["25"] == pytest.approx(100 * (900 + 10 + 150) / (1000 + 100 + 200))  # 81.5, not a mean 63.3
    assert august["01"] == pytest.approx(100 * 400 / 500)
    assert august[NATIONAL] == pytest.approx(100 * (900 + 10 + 150 + 400) / 1800)
    assert result.areas.loc["2026-07", "25"] == pytest.approx(100 * 805 / 1100)
    assert list(result.areas.columns) == ["25", "01", NATIONAL]  # the communes' provinces, then the country
    assert result.unit_province == {VAN_BAN: "25", XUAN_DINH: "01"}


def test_processing_days_of_an_area_are_weighted_by_the_dossiers_received(four_communes):
    with store.connect(four_communes) as con:
        result = trend(con, "avg_processing_days", (), ("25",))

    assert result.areas.loc["2026-08", "25"] == pytest.approx((1000 * 5 + 100 * 10 + 200 * 4) / 1300)
    assert result.target is None and result.direction == "lower"


def test_a_month_without_a_report_is_a_gap_never_a_zero(four_communes):
    with store.connect(four_communes) as con:
        result = trend(con, "online_filing_rate", (DAO_XA, SILENT, VAN_BAN))

    assert result.months == ["2025-08", "2026-07", "2026-08"]
    assert list(result.units.columns) == [DAO_XA, SILENT, VAN_BAN]  # in the order asked
    assert result.units[DAO_XA].tolist()[0] == pytest.approx(30.0)
    assert math.isnan(result.units.at["2026-07", DAO_XA])
    assert result.units[SILENT].isna().all()  # never reported: all gaps, still a column
    # the province line of a month counts only the communes that reported it
    assert result.areas.loc["2026-07", "25"] == pytest.approx(100 * 805 / 1100)


def test_month_on_month_and_year_on_year_change_need_both_months(four_communes):
    with store.connect(four_communes) as con:
        table = changes(trend(con, "online_filing_rate", (VAN_BAN, DAO_XA, SILENT))).set_index("code")

    van_ban = table.loc[VAN_BAN]
    assert (van_ban["value"], van_ban["previous"], van_ban["year_ago"]) == (pytest.approx(90), pytest.approx(80),
                                                                         pytest.approx(50))
    assert (van_ban["mom"], van_ban["yoy"]) == (pytest.approx(10), pytest.approx(40))
    assert van_ban["better_mom"] is True
    dao_xa = table.loc[DAO_XA]
    assert math.isnan(dao_xa["mom"])  # July missing: no change rather than a change from zero
    assert dao_xa["yoy"] == pytest.approx(75 - 30)
    assert table.loc[SILENT, ["value", "mom", "yoy"]].isna().all()
    province = table.loc["25"]
    assert province["line"] == "province"
    assert province["yoy"] == pytest.approx(100 * 1060 / 1300 - 100 * 580 / 1300)
    assert table.loc[NATIONAL, "line"] == NATIONAL


def test_a_fall_in_overdue_dossiers_counts_as_better(four_communes):
    with store.connect(four_communes) as con:
        table = changes(trend(con, "dossiers_overdue", (VAN_BAN, LAM_THAO))).set_index("code")

    assert table.loc[VAN_BAN, "mom"] == pytest.approx(-10)
    assert table.loc[VAN_BAN, "better_mom"]
    assert table.loc[LAM_THAO, "yoy"] == pytest.approx(-5)
    assert table.loc[LAM_THAO, "better_yoy"]


def test_a_count_line_of_an_area_is_the_total_of_its_reporting_communes(four_communes):
    # the same figure as the Map's and the Overview's province total (analytics.aggregate)
    with store.connect(four_communes) as con:
        result = trend(con, "dossiers_overdue", (), ("25",))

    assert result.areas.at["2026-08", "25"] == pytest.approx(10 + 0 + 3)
    assert result.areas.at["2026-07", "25"] == pytest.approx(20 + 4)  # Đào Xá silent: not a zero
    assert result.areas.at["2026-08", NATIONAL] == pytest.approx(10 + 0 + 3 + 1)


def test_changes_can_be_read_for_an_earlier_month(four_communes):
    with store.connect(four_communes) as con:
        table = changes(trend(con, "online_filing_rate", (VAN_BAN,)), "2026-07").set_index("code")

    assert table.loc[VAN_BAN, "value"] == pytest.approx(80)
    assert math.isnan(table.loc[VAN_BAN, "mom"])  # 2026-06 has no data at all
    assert math.isnan(table.loc[VAN_BAN, "yoy"])  # nor has 2025-07


def test_the_target_line_is_the_catalogs_target(four_communes):
    with store.connect(four_communes) as con:
        online, on_time = trend(con, "online_filing_rate"), trend(con, "on_time_rate")

    assert online.target == 80.0  # QĐ 942: 80% online
    assert on_time.target is None  # no target in the catalog: no line, not the 100% maximum


def test_the_heatmap_puts_the_best_latest_value_first_following_the_direction(four_communes):
    with store.connect(four_communes) as con:
        online, overdue = heatmap(con, "online_filing_rate", "25"), heatmap(con, "dossiers_overdue", "25")

    # August 2026: online 90% Vân Bán, 75% Đào Xá, 10% Lâm Thao; overdue 10, 3, 0 (fewer is better)
    assert online.values.index[:3].tolist() == [VAN_BAN, DAO_XA, LAM_THAO]
    assert overdue.values.index[:3].tolist() == [LAM_THAO, DAO_XA, VAN_BAN]
    assert list(online.values.columns) == ["2025-08", "2026-07", "2026-08"]
    assert math.isnan(online.values.at[DAO_XA, "2026-07"])
    assert len(online.values) == 148  # every commune of Phú Thọ: the silent ones as empty rows
    assert online.values.iloc[3:].isna().all().all()
    assert online.names["code"].tolist() == online.values.index.tolist()
    assert XUAN_DINH not in online.values.index


def test_a_service_index_month_needs_all_six_groups(fresh_db, tmp_path):
    groups = ["Đúng hạn", "Điểm công khai minh bạch", "Điểm dịch vụ công trực tuyến", "Điểm thanh toán trực tuyến",
              "Điểm số hóa hồ sơ", "Điểm mức độ hài lòng"]
    load_month(fresh_db, tmp_path, "8/2026", ["Tổng tiếp nhận", *groups],
               [[VAN_BAN, 1000, 900, 15, 10, 8, 20, 15], [LAM_THAO, 100, 50, 15, 10, 8, 20, None]])
    with store.connect(fresh_db) as con:
        result = trend(con, "service_index", (VAN_BAN, LAM_THAO))

    # Vân Bán: progress 20 × 900/1000 = 18, plus the five stored scores
    assert result.units.at["2026-08", VAN_BAN] == pytest.approx(18 + 15 + 10 + 8 + 20 + 15)
    assert math.isnan(result.units.at["2026-08", LAM_THAO])  # a group missing: no index, not a lower one
    assert result.areas.at["2026-08", "25"] == pytest.approx(86)  # the mean of the complete communes only


def test_several_indicators_read_together_match_each_read_alone(four_communes):
    with store.connect(four_communes) as con:
        together = trends(con, ("online_filing_rate", "avg_processing_days"), (VAN_BAN, DAO_XA), ("01",))
        alone = [trend(con, code, (VAN_BAN, DAO_XA), ("01",)) for code in ("online_filing_rate", "avg_processing_days")]

    for joint, single in zip(together, alone):
        assert joint.indicator == single.indicator
        pd.testing.assert_frame_equal(joint.units, single.units)
        pd.testing.assert_frame_equal(joint.areas, single.areas)
    assert together[1].units.at["2026-08", DAO_XA] == pytest.approx(4.0)
