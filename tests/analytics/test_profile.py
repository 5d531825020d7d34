"""A commune's profile: ranks, changes, lights, strengths and why its rank moved, on small files loaded
through the real loader (where every expected figure is worked out by hand), and its summary's
numbers against the profile and the rankings on the national demo data."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import store
from analytics.league import sparklines
from analytics.overview import months
from analytics.profile import UnknownUnit, profile, summary
from analytics.ranking import rank
from analytics.values import SERVICE_INDEX
from i18n import format_number, translate
from tests.analytics.monthly_files import load_month

# Phú Thọ (25): Vân Bán, Lâm Thao, Tiên Lương, Đào Xá, Đà Bắc are xã, Phú Thọ is a phường; Sóc Sơn is a xã of Hà Nội
VAN_BAN, LAM_THAO, PHU_THO_WARD, TIEN_LUONG, DAO_XA, DA_BAC, SOC_SON = \
    "08377", "08494", "07942", "08344", "08662", "04831", "00376"
HEADER = ["Tổng tiếp nhận", "Đúng hạn", "Quá hạn", "Nộp trực tuyến", "Thời gian giải quyết trung bình",
          "Điểm công khai minh bạch", "Điểm dịch vụ công trực tuyến", "Điểm thanh toán trực tuyến",
          "Điểm số hóa hồ sơ", "Điểm mức độ hài lòng"]


@pytest.fixture
def two_months(fresh_db: Path, tmp_path: Path) -> Path:
    """August and September 2026. Service index = 20 × on time ÷ received + the five other groups.

    August in Phú Thọ: Tiên Lương 93, Lâm Thao 87, Vân Bán 86, the ward 84, Đà Bắc 50.
    September: the ward 100, Tiên Lương 93, Vân Bán 88, Lâm Thao 87 (no processing days); Đà Bắc silent.
    Sóc Sơn (Hà Nội) 100 both months. Đào Xá never reports.
    """
    load_month(fresh_db, tmp_path, "8/2026", HEADER, [
        [VAN_BAN, 100, 90, 10, 90, 2.0, 17, 10, 6, 20, 15],
        [LAM_THAO, 200, 190, 10, 60, 3.0, 15, 10, 8, 20, 15],
        [PHU_THO_WARD, 100, 80, 20, 80, 4.0, 15, 10, 8, 20, 15],
        [TIEN_LUONG, 100, 100, 0, 75, 5.0, 16, 11, 9, 21, 16],
        [DA_BAC, 100, 50, 50, 10, 9.0, 8, 5, 5, 10, 12],
        [SOC_SON, 100, 100, 0, 100, 1.0, 18, 12, 10, 22, 18],
    ])
    load_month(fresh_db, tmp_path, "9/2026", HEADER, [
        [VAN_BAN, 100, 95, 5, 90, 2.0, 18, 10, 6, 20, 15],
        [LAM_THAO, 200, 190, 10, 60, None, 15, 10, 8, 20, 15],
        [PHU_THO_WARD, 100, 100, 0, 80, 4.0, 18, 12, 10, 22, 18],
        [TIEN_LUONG, 100, 100, 0, 75, 5.0, 16, 11, 9, 21, 16],
        [SOC_SON, 100, 100, 0, 100, 1.0, 18, 12, 10, 22, 18],
    ])
    return fresh_db


@pytest.fixture
def van_ban(two_months: Path):
    # four reporting communes are no complete month: the peer rules are read here with every reporter counted
    with store.connect(two_months) as con:
        return profile(con, VAN_BAN, "2026-09", complete_share=0.0)


def test_a_partial_month_names_no_strengths_or_weaknesses_against_its_few_reporters(two_months):
    with store.connect(two_months) as con:
        found = profile(con, VAN_BAN, "2026-09")
    assert (found.strengths, found.weaknesses) == ((), ())
    assert found.line("on_time_rate").peer_rank is not None  # its ranks among those who reported remain


def test_identity_and_every_catalog_indicator_has_a_line_with_the_index_first(two_months, van_ban):
    with store.connect(two_months) as con:
        codes = [row[0] for row in con.execute("SELECT code FROM indicator").fetchall()]
    assert (van_ban.name_vi, van_ban.unit_type, van_ban.province_code, van_ban.province_vi) == \
        ("Xã Vân Bán", "xa", "25", "Phú Thọ")
    assert van_ban.name("en") == "Van Ban commune"
    assert van_ban.lines[0].code == SERVICE_INDEX
    assert sorted(line.code for line in van_ban.lines) == sorted(codes)


def test_service_index_ranks_in_province_and_country_with_their_change(van_ban):
    index = van_ban.line(SERVICE_INDEX)
    assert (index.value, index.previous_value, index.change) == (88.0, 86.0, 2.0)
    # September in Phú Thọ: ward 100, Tiên Lương 93, Vân Bán 88, Lâm Thao 87; August: 3rd of 5
    assert (index.province_rank, index.province_rank_of, index.province_previous_rank) == (3, 4, 3)
    assert index.province_rank_change == 0
    # with Sóc Sơn: 100, 100, 93, 88, 87 -> 4th of 5 in both months
    assert (index.national_rank, index.national_rank_of, index.national_rank_change) == (4, 5, 0)
    assert (index.peer_rank, index.peer_rank_of) == (3, 4)  # xã only: Sóc Sơn, Tiên Lương, Vân Bán, Lâm Thao


def test_ranks_equal_the_rankings_for_every_ranked_indicator(two_months, van_ban):
    with store.connect(two_months) as con:
        for line in van_ban.lines:
            if not line.ranked or line.value is None:
                continue
            scopes = {"province": rank(con, line.code, "2026-09", province="25"),
                      "national": rank(con, line.code, "2026-09"),
                      "peer": rank(con, line.code, "2026-09", peer_group="xa")}
            for scope, ranking in scopes.items():
                row = ranking.table.set_index("unit_code").loc[VAN_BAN]
                assert getattr(line, f"{scope}_rank") == row["rank"], (line.code, scope)
                assert getattr(line, f"{scope}_rank_of") == len(ranking.table), (line.code, scope)
            previous = scopes["province"].table.set_index("unit_code").loc[VAN_BAN, "previous_rank"]
            assert line.province_previous_rank == (None if pd.isna(previous) else previous), line.code


def test_lower_is_better_ranks_the_fewest_days_first(van_ban):
    days = van_ban.line("avg_processing_days")
    # Vân Bán 2 days; the ward 4, Tiên Lương 5 (Lâm Thao gave none in September); Sóc Sơn 1 day
    assert (days.province_rank, days.province_rank_of, days.national_rank) == (1, 3, 2)
    assert days.province_value == pytest.approx((2 + 4 + 5) / 3)  # a mean: days have no counts to sum


def test_indicators_without_a_direction_show_a_value_but_no_rank_or_light(van_ban):
    received = van_ban.line("dossiers_received")
    assert received.value == 100
    assert (received.province_rank, received.national_rank, received.peer_percentile, received.light) == \
        (None, None, None, None)


def test_province_rate_comes_from_summed_counts_not_from_averaging_rates(van_ban):
    online = van_ban.line("online_filing_rate")
    assert online.value == 90.0
    # (90 + 60 + 80 + 75) / (100 + 200 + 100 + 100); the mean of the four rates would be 68.75
    assert online.province_value == pytest.approx(61.0)


@pytest.mark.parametrize(("unit", "code", "expected"), [
    (VAN_BAN, "online_filing_rate", ("green", "target", 80.0)),  # 90% against the catalog's 80% target
    (TIEN_LUONG, "online_filing_rate", ("amber", "target", 80.0)),  # 75%: at least 90% of the target (72%)
    (LAM_THAO, "online_filing_rate", ("red", "target", 80.0)),  # 30%
    # no target in the catalog: the median of Phú Thọ's September values, never "90% of the maximum"
    (VAN_BAN, "transparency_score", ("green", "median", 17.0)),  # 18 against 18, 15, 18, 16
    (VAN_BAN, "online_service_score", ("red", "median", 10.5)),  # 10 against 10, 10, 12, 11 (was amber: 83% of 12)
    (VAN_BAN, "online_payment_score", ("red", "median", 8.5)),  # 6 against 6, 8, 10, 9
    (VAN_BAN, "avg_processing_days", ("green", "median", 4.0)),  # 2 days against 2, 4, 5: fewer is better
    (PHU_THO_WARD, "avg_processing_days", ("amber", "median", 4.0)),  # the median itself
    (VAN_BAN, SERVICE_INDEX, ("red", "median", 90.5)),  # 88 against 100, 93, 88, 87
    (VAN_BAN, "dossiers_on_time", (None, None, None)),  # a count measures size: no light
    (VAN_BAN, "dossiers_received", (None, None, None)),  # no direction
])
def test_traffic_light_against_the_catalog_target_else_the_province_median(two_months, unit, code, expected):
    with store.connect(two_months) as con:
        line = profile(con, unit, "2026-09").line(code)
    assert (line.light, line.light_basis, line.reference) == expected


def test_no_light_in_a_province_too_small_for_a_median(two_months):
    # Hà Nội has Sóc Sơn alone: nothing to compare with but the targets
    with store.connect(two_months) as con:
        soc_son = profile(con, SOC_SON, "2026-09")
    assert soc_son.line("transparency_score").light is None
    assert soc_son.line("online_filing_rate").light_basis == "target"


def test_strengths_and_weaknesses_against_the_peer_group(van_ban):
    # among the xã peers (Vân Bán, Lâm Thao, Tiên Lương, Sóc Sơn) Vân Bán beats two of three on
    # transparency (18 vs 15, 16, 18) and online filing (90% vs 30%, 75%, 100%), and one of two on days
    assert van_ban.line("transparency_score").peer_percentile == pytest.approx(200 / 3)
    assert van_ban.line("transparency_score").peer_below == pytest.approx(0.0)  # Sóc Sơn's 18 is equal, not better
    assert van_ban.line("avg_processing_days").peer_percentile == pytest.approx(50.0)
    assert van_ban.line("avg_processing_days").peer_below == pytest.approx(50.0)
    assert van_ban.strengths == ("transparency_score", "online_filing_rate", "avg_processing_days")
    # the most peers strictly better first: all three on online payment (6 vs 8, 9, 10), then two of three on
    # progress (19 vs 19, 20, 20) and online service (10 vs 10, 11, 12), in the lines' order
    assert van_ban.weaknesses == ("online_payment_score", "progress_score", "online_service_score")
    assert not set(van_ban.strengths) & set(van_ban.weaknesses)


def test_an_indicator_meeting_its_target_is_never_a_weakness(two_months, tmp_path):
    # October: Vân Bán files 85% online, above the 80% target, yet every other xã files more
    load_month(two_months, tmp_path, "10/2026", HEADER, [
        [VAN_BAN, 100, 95, 5, 85, 2.0, 18, 10, 6, 20, 15],
        [LAM_THAO, 100, 95, 5, 95, 2.0, 18, 10, 6, 20, 15],
        [TIEN_LUONG, 100, 95, 5, 90, 2.0, 18, 10, 6, 20, 15],
        [SOC_SON, 100, 95, 5, 99, 2.0, 18, 10, 6, 20, 15],
    ])
    with store.connect(two_months) as con:
        found = profile(con, VAN_BAN, "2026-10", complete_share=0.0)
    online = found.line("online_filing_rate")
    assert (online.peer_percentile, online.peer_below, online.light) == (0.0, 100.0, "green")
    assert "online_filing_rate" not in found.weaknesses


def test_rank_change_separates_its_own_gain_from_others_overtaking(van_ban):
    change = van_ban.rank_change
    assert (change.previous_index, change.current_index) == pytest.approx((86.0, 88.0))
    by_group = {g.code: g.change for g in change.groups}
    assert by_group == pytest.approx({"transparency_score": 1.0, "progress_score": 1.0, "online_service_score": 0.0,
                                      "online_payment_score": 0.0, "digitization_score": 0.0,
                                      "satisfaction_score": 0.0})
    assert change.previous_index + sum(by_group.values()) == pytest.approx(change.current_index)
    # 88 among the others' August scores (93, 87, 84, 50) would be 2nd; the ward's jump to 100 puts it 3rd
    assert (change.previous_rank, change.rank_with_own_change, change.current_rank) == (3, 2, 3)
    assert (change.own_effect, change.others_effect, change.places_gained) == (1, -1, 0)
    assert (change.previous_rank_of, change.current_rank_of) == (5, 4)


def test_status_full_for_a_unit_with_everything(van_ban):
    assert (van_ban.status, van_ban.reported, van_ban.missing) == ("full", True, ())
    assert van_ban.sparkline_months[-2:] == ("2026-08", "2026-09")
    assert van_ban.line(SERVICE_INDEX).sparkline[-2:] == pytest.approx((86.0, 88.0))
    assert all(v is None for v in van_ban.line(SERVICE_INDEX).sparkline[:-2])  # before any data: gaps, not 0


def test_a_missing_indicator_this_month_is_a_gap(two_months):
    with store.connect(two_months) as con:
        lam_thao = profile(con, LAM_THAO, "2026-09")
    assert (lam_thao.status, lam_thao.reported, lam_thao.missing) == ("gaps", True, ("avg_processing_days",))
    assert lam_thao.line("avg_processing_days").province_rank is None
    assert lam_thao.line(SERVICE_INDEX).value == 87.0
    assert translate("profile.summary.missing", "vi", count="1") in summary(lam_thao, "vi")


def test_a_unit_silent_this_month_has_gaps_and_says_so(two_months):
    with store.connect(two_months) as con:
        da_bac = profile(con, DA_BAC, "2026-09")
    assert (da_bac.status, da_bac.reported, da_bac.rank_change) == ("gaps", False, None)
    assert da_bac.line(SERVICE_INDEX).previous_value == 50.0
    assert summary(da_bac, "vi") == ["Xã Đà Bắc chưa báo cáo tháng này (Tháng 9/2026)."]
    assert summary(da_bac, "en") == ["Da Bac commune has not reported this month (9/2026)."]


def test_a_unit_that_never_reported(two_months):
    with store.connect(two_months) as con:
        dao_xa = profile(con, DAO_XA, "2026-09")
    assert (dao_xa.status, dao_xa.reported, dao_xa.rank_change, dao_xa.strengths) == ("never", False, None, ())
    assert all(line.value is None and line.province_rank is None for line in dao_xa.lines)
    assert dao_xa.line(SERVICE_INDEX).province_rank_of == 4  # the others are still counted
    assert summary(dao_xa, "vi") == ["Xã Đào Xá chưa từng báo cáo số liệu."]


def test_a_unit_missing_a_766_group_has_no_index_and_the_summary_says_why(two_months, tmp_path):
    load_month(two_months, tmp_path, "10/2026", HEADER, [
        [VAN_BAN, 100, 95, 5, 90, 2.0, 18, 10, 6, 20, None],  # no satisfaction score
        [TIEN_LUONG, 100, 100, 0, 75, 5.0, 16, 11, 9, 21, 16],
    ])
    with store.connect(two_months) as con:
        result = profile(con, VAN_BAN, "2026-10")
    assert result.line(SERVICE_INDEX).value is None and result.rank_change is None
    assert result.status == "gaps" and "satisfaction_score" in result.missing
    assert summary(result, "vi")[0] == ("Xã Vân Bán chưa có chỉ số phục vụ người dân và doanh nghiệp tháng này "
                                        "(thiếu điểm nhóm 766).")


def test_an_unknown_code_is_a_typed_error(two_months):
    with store.connect(two_months) as con, pytest.raises(UnknownUnit) as raised:
        profile(con, "99999", "2026-09")
    assert "99999" in raised.value.message("vi")


def test_summary_in_both_languages_on_the_small_data(van_ban):
    assert summary(van_ban, "vi")[:3] == [
        "Xã Vân Bán xếp thứ 3/4 trong tỉnh về chỉ số phục vụ người dân và doanh nghiệp (88,00 điểm), "
        "giữ nguyên thứ hạng so với tháng trước; thứ 4/5 cả nước.",
        "Tỷ lệ hồ sơ nộp trực tuyến 90,0%, cao hơn trung bình tỉnh 29,0 điểm.",
        "Thay đổi điểm của chính đơn vị giúp tăng 1 bậc; biến động của các đơn vị khác làm mất 1 bậc.",
    ]
    english = summary(van_ban, "en")
    assert english[1] == "Online filing rate: 90.0%, 29.0 points above the province average."


# -- on the national demo data -----------------------------------------------------------------------

def test_summary_numbers_are_the_analytics_results_for_a_fixed_unit_and_month(demo_db):
    with store.connect(demo_db) as con:
        result = profile(con, VAN_BAN, "2026-10")
        index_province = rank(con, SERVICE_INDEX, "2026-10", province="25").table.set_index("unit_code").loc[VAN_BAN]
        index_country = rank(con, SERVICE_INDEX, "2026-10").table.set_index("unit_code").loc[VAN_BAN]
        online = con.execute("""
            SELECT 100 * sum(numerator) / sum(denominator),
                   100 * sum(numerator) FILTER (WHERE unit_code = ?) / sum(denominator) FILTER (WHERE unit_code = ?)
            FROM observation o JOIN unit u ON u.code = o.unit_code
            WHERE is_current AND indicator_code = 'online_filing_rate' AND period = '2026-10' AND u.parent_code = '25'
        """, [VAN_BAN, VAN_BAN]).fetchall()[0]
    first, second = summary(result, "vi")[:2]
    numbers = re.findall(r"\d[\d.,]*\d|\d", first)
    vi = lambda value, decimals=0: format_number(value, "vi", decimals)  # noqa: E731
    moved = int(index_province["previous_change"])  # places up (positive) or down since last month
    assert numbers == [vi(index_province["rank"]), vi(index_province["rank_of"]), vi(index_province["shown_value"], 2),
                       vi(abs(moved)), vi(index_country["rank"]), vi(index_country["rank_of"])]
    if moved:
        assert translate(f"profile.summary.move.{'up' if moved > 0 else 'down'}", "vi", places=vi(abs(moved))) in first
    province_rate, own_rate = online
    gap = round(own_rate, 1) - round(province_rate, 1)
    assert second == translate("profile.summary.rate_above" if gap > 0 else "profile.summary.rate_below", "vi",
                               indicator="Tỷ lệ hồ sơ nộp trực tuyến", value=vi(own_rate, 1), gap=vi(abs(gap), 1))


def test_demo_units_with_gaps_and_full_data(demo_db):
    with store.connect(demo_db) as con:
        latest = months(con)[-1]
        silent = con.execute("""
            SELECT code FROM unit WHERE parent_code IS NOT NULL AND code NOT IN
                (SELECT unit_code FROM observation WHERE is_current AND period = ?) ORDER BY code LIMIT 1
        """, [latest]).fetchall()[0][0]
        assert profile(con, silent, latest).status == "gaps"
        assert profile(con, VAN_BAN, latest).status == "full"


def test_sparklines_equal_the_rankings_sparklines(demo_db):
    with store.connect(demo_db) as con:
        result = profile(con, VAN_BAN, "2026-10")
        for line in result.lines:
            # approx: the index sums six groups in whatever order the rows arrive (last-digit differences)
            expected = sparklines(con, line.code, [VAN_BAN], "2026-10")[VAN_BAN]
            assert [v is None for v in line.sparkline] == [v is None for v in expected], line.code
            assert [v for v in line.sparkline if v is not None] == \
                pytest.approx([v for v in expected if v is not None], rel=1e-12), line.code
    assert len(result.sparkline_months) == 12 and result.sparkline_months[-1] == "2026-10"


@pytest.fixture(scope="module")
def demo_profiles(demo_db):
    """Profiles of communes the code was not tuned on: a seeded draw of each unit type on the demo data."""
    import random

    with store.connect(demo_db) as con:
        latest = months(con)[-1]
        units = con.execute("SELECT code, unit_type FROM unit WHERE parent_code IS NOT NULL ORDER BY code").fetchall()
        draw = random.Random(16)
        chosen = [code for kind in ("xa", "phuong", "dac_khu")
                  for code in draw.sample([c for c, t in units if t == kind], 3)]
        from analytics.values import catalog

        yield con, catalog(con), latest, [profile(con, code, latest) for code in chosen]


def test_no_traffic_light_claims_a_target_the_catalog_does_not_have(demo_profiles):
    con, indicators, latest, found = demo_profiles
    for result in found:
        for line in result.lines:
            target = indicators[line.code].target
            if line.light_basis == "target":
                assert target and line.reference == float(target), (result.unit_code, line.code)
            elif line.light is not None:
                assert not target and line.light_basis == "median", (result.unit_code, line.code)
                assert line.kind != "count"
        # the median is the province's: restated from the Rankings' own table of shown values
        for code in ("transparency_score", "avg_processing_days"):
            line = result.line(code)
            shown = rank(con, code, latest, province=result.province_code).table["shown_value"]
            assert line.province_median == pytest.approx(float(shown.median())), (result.unit_code, code)


def test_strengths_and_weaknesses_never_contradict_the_traffic_lights(demo_profiles):
    _con, _indicators, _latest, found = demo_profiles
    listed = 0
    for result in found:
        lights = {line.code: line.light for line in result.lines}
        assert all(lights[code] != "green" for code in result.weaknesses), result.unit_code
        assert all(lights[code] != "red" for code in result.strengths), result.unit_code
        assert all(result.line(code).peer_below > 0 for code in result.weaknesses)
        listed += len(result.strengths) + len(result.weaknesses)
    assert listed  # the draw has strengths and weaknesses to check
