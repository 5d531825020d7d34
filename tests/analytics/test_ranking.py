"""Rankings as the national portal would give them, on files loaded through the real loader."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import store
from analytics.periods import AnalysisPeriod, PeriodError
from analytics.ranking import (Composite, UnknownScope, composite_values, goalpost_score, rank, rounded,
                               save_composite, wilson_interval)
from analytics.values import UnknownIndicator, catalog, load_observations, values_for
from errors import NotRankable
from tests.analytics.monthly_files import load_month
from tests.conftest import REPO
from store.users import User

ANALYST = User("an", "Nguyễn Văn An", "analyst", None)  # composites are saved by an analyst

# Five communes of Phú Thọ (25)
VAN_BAN, LAM_THAO, PHU_THO_WARD, TIEN_LUONG, DAO_XA = "08377", "08494", "07942", "08344", "08662"
GROUPS = ["Điểm công khai minh bạch", "Điểm dịch vụ công trực tuyến", "Điểm thanh toán trực tuyến",
          "Điểm số hóa hồ sơ", "Điểm mức độ hài lòng"]


@pytest.fixture
def phu_tho(fresh_db, tmp_path) -> Path:
    """Two months of on-time counts and group scores for four communes; Đào Xá never reports."""
    header = ["Tổng tiếp nhận", "Đúng hạn", "Quá hạn", "Thời gian giải quyết trung bình", *GROUPS]
    load_month(fresh_db, tmp_path, "8/2026", header, [
        [VAN_BAN, 1000, 900, 100, 3.0, 15, 10, 8, 20, 15],
        [LAM_THAO, 20, 19, 1, 5.0, 15, 10, 8, 20, 15],
        [PHU_THO_WARD, 200, 180, 20, 4.0, 15, 10, 8, 20, None],  # satisfaction score missing
        [TIEN_LUONG, 500, 450, 50, 4.0, 15, 10, 8, 20, 15],
    ])
    load_month(fresh_db, tmp_path, "9/2026", header, [
        [VAN_BAN, 1000, 950, 50, 2.0, 16, 11, 9, 21, 16],
        [LAM_THAO, 20, 18, 2, 6.0, 15, 10, 8, 20, 15],
        [PHU_THO_WARD, 100, 90, 10, 4.0, 15, 10, 8, 20, 15],
        [TIEN_LUONG, 800, 720, 80, 4.0, 15, 10, 8, 20, 15],
    ])
    return fresh_db


def ranks(result) -> dict[str, int]:
    return dict(zip(result.table["unit_code"], result.table["rank"].astype(int)))


def test_equal_rounded_values_share_a_rank_and_the_next_rank_skips(phu_tho):
    with store.connect(phu_tho) as con:
        result = rank(con, "on_time_rate", "2026-09", province="25")

    # Phú Thọ ward 90/100, Tiên Lương 720/800 and Lâm Thao 18/20 are all 90.00%
    assert ranks(result) == {VAN_BAN: 1, PHU_THO_WARD: 2, TIEN_LUONG: 2, LAM_THAO: 2}
    assert list(result.table["rank_label"]) == ["1/4", "2/4", "2/4", "2/4"]


def test_ranking_uses_the_value_rounded_to_two_decimals():
    assert list(rounded([96.5549, 96.555, 96.5551, 77.375], 2)) == [96.55, 96.56, 96.56, 77.38]


def test_lower_is_better_for_processing_days(phu_tho):
    with store.connect(phu_tho) as con:
        result = rank(con, "avg_processing_days", "2026-09", province="25")

    assert ranks(result) == {VAN_BAN: 1, PHU_THO_WARD: 2, TIEN_LUONG: 2, LAM_THAO: 4}


def test_units_without_data_are_listed_apart_never_ranked_last(phu_tho):
    with store.connect(phu_tho) as con:
        result = rank(con, "on_time_rate", "2026-09", province="25")

    assert DAO_XA not in set(result.table["unit_code"])
    assert DAO_XA in set(result.not_reported["unit_code"])
    assert len(result.table) + len(result.not_reported) == 148


def test_rank_change_against_the_previous_month(phu_tho):
    with store.connect(phu_tho) as con:
        result = rank(con, "on_time_rate", "2026-09", province="25")

    row = result.table.set_index("unit_code").loc[LAM_THAO]
    # August: Lâm Thao 95% was first; September: 90%, sharing second
    assert (row["previous_rank"], row["rank"], row["previous_change"]) == (1, 2, -1)
    assert result.table["year_ago_rank"].isna().all()


def test_the_derived_progress_score_ranks_like_the_portal(phu_tho):
    with store.connect(phu_tho) as con:
        result = rank(con, "progress_score", "2026-09", province="25")

    assert result.table.set_index("unit_code").loc[VAN_BAN, "shown_value"] == 19.0  # 20 × 950 / 1000


def test_a_unit_missing_a_group_gets_no_index_and_is_reported_incomplete(phu_tho):
    with store.connect(phu_tho) as con:
        result = rank(con, "service_index", "2026-08", province="25")

    assert PHU_THO_WARD not in set(result.table["unit_code"])
    incomplete = result.incomplete.set_index("unit_code")
    assert incomplete.loc[PHU_THO_WARD, "missing"] == ["satisfaction_score"]
    assert PHU_THO_WARD not in set(result.not_reported["unit_code"])
    # Vân Bán: progress 20 × 900/1000 = 18 plus 15 + 10 + 8 + 20 + 15
    assert result.table.set_index("unit_code").loc[VAN_BAN, "shown_value"] == 86.0


def test_a_quarter_rate_comes_from_summed_numerators_not_from_averaging_months(phu_tho):
    with store.connect(phu_tho) as con:
        indicators = catalog(con)
        quarter = values_for(con, indicators, "on_time_rate", AnalysisPeriod.parse("2026-Q3")).set_index("unit_code")

    # Phú Thọ ward: (180 + 90) / (200 + 100) = 90%, the mean of its months would be 90% too;
    # Tiên Lương: (450 + 720) / (500 + 800) = 90%; Lâm Thao: (19 + 18) / 40 = 92.5% vs mean 92.5%;
    # Vân Bán: 1850 / 2000 = 92.5%
    assert quarter.loc[VAN_BAN, "value"] == pytest.approx(92.5)
    assert (quarter.loc[VAN_BAN, "numerator"], quarter.loc[VAN_BAN, "denominator"]) == (1850, 2000)


def test_a_province_rate_is_not_the_mean_of_its_commune_rates(phu_tho):
    from analytics.overview import Scope, headline_series

    with store.connect(phu_tho) as con:
        series = headline_series(con, Scope("25"), ("on_time_rate",)).set_index("period")["value"]

    august_mean_of_rates = np.mean([90.0, 95.0, 90.0, 90.0])
    assert series["2026-08"] == pytest.approx(100 * (900 + 19 + 180 + 450) / (1000 + 20 + 200 + 500))
    assert series["2026-08"] != pytest.approx(august_mean_of_rates)


def test_a_quarter_mean_is_weighted_by_dossiers(phu_tho):
    with store.connect(phu_tho) as con:
        quarter = values_for(con, catalog(con), "avg_processing_days", AnalysisPeriod.parse("2026-Q3"))

    tien_luong = quarter.set_index("unit_code").loc[TIEN_LUONG, "value"]
    assert tien_luong == pytest.approx(4.0)
    ward = quarter.set_index("unit_code").loc[LAM_THAO, "value"]
    assert ward == pytest.approx((5.0 * 20 + 6.0 * 20) / 40)


def test_thin_denominators_carry_a_caution_and_a_wilson_interval(phu_tho):
    with store.connect(phu_tho) as con:
        flagged = rank(con, "on_time_rate", "2026-09", province="25")
        without = rank(con, "on_time_rate", "2026-09", province="25", exclude_thin=True)

    row = flagged.table.set_index("unit_code").loc[LAM_THAO]
    assert bool(row["caution"]) and row["ci_low"] < 90 < row["ci_high"]
    assert LAM_THAO not in set(without.table["unit_code"])
    assert list(without.left_out["unit_code"]) == [LAM_THAO]
    assert list(without.table["rank_label"]) == ["1/3", "2/3", "2/3"]


def test_wilson_interval_matches_the_textbook_value():
    low, high = wilson_interval(np.array([18.0]), np.array([20.0]))
    assert (round(low[0], 1), round(high[0], 1)) == (69.9, 97.2)


def test_peer_groups_rank_like_with_like(phu_tho):
    with store.connect(phu_tho) as con:
        wards = rank(con, "on_time_rate", "2026-09", peer_group="phuong")

    assert set(wards.table["unit_code"]) == {PHU_THO_WARD}
    assert list(wards.table["rank_label"]) == ["1/1"]


def test_composite_scores_on_fixed_goalposts_so_others_cannot_move_a_unit(phu_tho, tmp_path):
    composite = Composite("Tiến độ và thời gian", (("on_time_rate", 2.0), ("progress_score", 1.0)))
    september = AnalysisPeriod.parse("2026-09")

    def scores():
        with store.connect(phu_tho) as con:
            obs = load_observations(con, {"on_time_rate", "progress_score"}, september.months())
            return composite_values(obs, catalog(con), composite, september)[0]

    before = scores()
    load_month(phu_tho, tmp_path, "9/2026", ["Tổng tiếp nhận", "Đúng hạn", "Quá hạn"],
               [[TIEN_LUONG, 800, 100, 700]])  # another unit collapses
    after = scores()

    van_ban = 95.0  # on time 95% scores 95; progress 19/20 points scores 95
    assert before.set_index("unit_code").loc[VAN_BAN, "value"] == pytest.approx(van_ban)
    assert after.set_index("unit_code").loc[VAN_BAN, "value"] == pytest.approx(van_ban)


def test_goalposts_flip_for_lower_is_better_and_cap_at_the_target(phu_tho):
    with store.connect(phu_tho) as con:
        indicators = catalog(con)
    assert list(goalpost_score(indicators["on_time_rate"], np.array([90.0, 120.0]))) == [90.0, 100.0]
    assert list(goalpost_score(indicators["progress_score"], np.array([10.0]))) == [50.0]


def test_a_saved_composite_ranks_by_name_and_geometric_punishes_imbalance(phu_tho):
    with store.connect(phu_tho) as con:
        save_composite(con, Composite("Cân bằng", (("on_time_rate", 1.0), ("online_service_score", 1.0)),
                                      "geometric"), ANALYST)
        result = rank(con, "composite:Cân bằng", "2026-09", province="25")

    values = result.table.set_index("unit_code")["value"]
    # Vân Bán: on time 95 and 11/12 points (91.67): geometric mean sqrt(95 × 91.67)
    assert values[VAN_BAN] == pytest.approx(np.sqrt(95 * 100 * 11 / 12))


def test_unknown_indicator_scope_and_period_are_typed_errors(phu_tho):
    with store.connect(phu_tho) as con:
        with pytest.raises(UnknownIndicator):
            rank(con, "wifi_points", "2026-09")
        with pytest.raises(UnknownScope):
            rank(con, "on_time_rate", "2026-09", province="99")
        with pytest.raises(PeriodError):
            rank(con, "on_time_rate", "September")
        with pytest.raises(NotRankable):  # a count of dossiers received is neither good nor bad
            rank(con, "dossiers_received", "2026-09")


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analytics", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120)


def test_cli_json_on_a_file_loaded_with_the_etl_command(samples, fresh_db):
    loaded = subprocess.run([sys.executable, "-m", "etl", "load", str(samples / "laocai_2026-09_bao_cao_tthc.xlsx"),
                             "--db", str(fresh_db)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert loaded.returncode == 0

    done = run_cli("rank", "--indicator", "on_time_rate", "--period", "2026-09", "--province", "15",
                   "--db", str(fresh_db), "--format", "json")

    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert [r["rank"] for r in rows[:60]] == sorted(r["rank"] for r in rows[:60])
    assert all(r["rank"] is None for r in rows[60:]) and len(rows) == 99  # Lào Cai has 99 units
    first = rows[0]
    assert set(first) == {"unit_code", "unit_name", "value", "rank", "rank_of", "previous_rank", "change",
                          "caution"}
    assert first["rank_of"] == 60


def test_cli_ranks_the_service_index_on_the_demo_data(demo_db):
    done = run_cli("rank", "--indicator", "service_index", "--period", "2026-10", "--province", "01",
                   "--db", str(demo_db), "--format", "csv")

    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[0].startswith("unit_code,unit_name,value,rank,rank_of")
    assert len(lines) == 1 + 126


@pytest.mark.parametrize(("args", "message"), [
    (["--indicator", "wifi", "--period", "2026-09"], "wifi"),
    (["--indicator", "on_time_rate", "--period", "2026-09", "--province", "99"], "99"),
    (["--indicator", "on_time_rate", "--period", "2020-01"], "2020-01"),
    (["--indicator", "dossiers_received", "--period", "2026-09"], "online_filing_rate"),
])
def test_cli_exits_one_with_a_clear_message(fresh_db, args, message):
    done = run_cli("rank", *args, "--db", str(fresh_db))

    assert done.returncode == 1
    assert message in done.stderr


def test_a_quarter_of_summed_counts_sets_apart_a_unit_that_missed_a_month(phu_tho, tmp_path):
    load_month(phu_tho, tmp_path, "7/2026", ["Tổng tiếp nhận", "Đúng hạn", "Quá hạn"],
               [[VAN_BAN, 100, 90, 10], [LAM_THAO, 10, 9, 1], [PHU_THO_WARD, 50, 45, 5]])  # Tiên Lương silent

    with store.connect(phu_tho) as con:
        result = rank(con, "dossiers_overdue", "2026-Q3", province="25")

    assert TIEN_LUONG not in set(result.table["unit_code"])
    assert result.incomplete.set_index("unit_code").loc[TIEN_LUONG, "missing"] == ["2026-07"]
    assert result.table.set_index("unit_code").loc[VAN_BAN, "value"] == 100 + 50 + 10  # July, August, Sept.


def test_the_cli_prints_values_as_ranked(phu_tho):
    done = run_cli("rank", "--indicator", "dossiers_on_time", "--period", "2026-09", "--province", "25",
                   "--db", str(phu_tho), "--format", "json")

    assert json.loads(done.stdout)[0] == {"unit_code": VAN_BAN, "unit_name": "Xã Vân Bán", "value": 950.0,
                                          "rank": 1, "rank_of": 4, "previous_rank": 1, "change": 0,
                                          "caution": False}
