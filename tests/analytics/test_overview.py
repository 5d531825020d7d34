"""Headline figures: area rates from summed counts, the service index only for complete units."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

import store
from analytics.overview import Scope, headline_series, headlines, months, unit_counts, unit_table
from etl.load import load_file

GROUPS = ["Điểm công khai minh bạch", "Điểm dịch vụ công trực tuyến", "Điểm thanh toán trực tuyến",
          "Điểm số hóa hồ sơ", "Điểm mức độ hài lòng"]


def write_month(path: Path, period_title: str, rows: list[list]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([f"BÁO CÁO THÁNG {period_title}"])
    sheet.append(["Mã xã", "Tên đơn vị", "Tổng tiếp nhận", "Đúng hạn", "Hồ sơ nộp trực tuyến", *GROUPS])
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


@pytest.fixture
def two_communes(fresh_db, tmp_path) -> Path:
    # Phú Thọ (25): a big commune at 90% online and a small one at 10%: mean of rates 50%, true rate 82.7%
    august = write_month(tmp_path / "a.xlsx", "8/2026", [
        ["08377", "Xã Vân Bán", 1000, 900, 900, 15, 10, 8, 20, 15],
        ["08494", "Xã Lâm Thao", 100, 50, 10, 15, 10, 8, 20, None],  # one group score missing
    ])
    september = write_month(tmp_path / "b.xlsx", "9/2026", [
        ["08377", "Xã Vân Bán", 1000, 950, 950, 16, 11, 9, 21, 16],
    ])
    for path in (august, september):
        assert load_file(path, db=fresh_db).status == "loaded"
    return fresh_db


def test_a_province_rate_comes_from_summed_counts_never_from_averaging_rates(two_communes):
    with store.connect(two_communes) as con:
        series = headline_series(con, Scope("25"))

    online = series[(series.indicator_code == "online_filing_rate") & (series.period == "2026-08")]
    assert online["value"].item() == pytest.approx(100 * 910 / 1100)
    assert online["units"].item() == 2


def test_the_service_index_counts_only_units_with_all_six_groups(two_communes):
    with store.connect(two_communes) as con:
        august = {h.indicator_code: h for h in headlines(con, Scope("25"), "2026-08")}
        commune = {h.indicator_code: h for h in headlines(con, Scope("08494"), "2026-08")}

    # Vân Bán: progress 20 × 900/1000 = 18, plus 15 + 10 + 8 + 20 + 15
    assert august["service_index"].value == pytest.approx(18 + 15 + 10 + 8 + 20 + 15)
    assert august["service_index"].units == 1
    assert commune["service_index"].value is None  # incomplete: no index rather than a lower one


def test_headlines_carry_the_previous_month_and_the_trend(two_communes):
    with store.connect(two_communes) as con:
        cards = {h.indicator_code: h for h in headlines(con, Scope("08377"), "2026-09")}

    on_time = cards["on_time_rate"]
    assert (on_time.value, on_time.previous) == (pytest.approx(95.0), pytest.approx(90.0))
    assert on_time.change == pytest.approx(5.0)
    assert on_time.series == [pytest.approx(90.0), pytest.approx(95.0)]
    assert cards["satisfaction_rate"].value is None  # never reported: nothing invented


def test_the_unit_table_lists_every_unit_in_scope_with_blanks_for_the_silent(two_communes):
    with store.connect(two_communes) as con:
        table = unit_table(con, Scope("25"), "2026-09")
        assert months(con) == ["2026-08", "2026-09"]
        assert unit_counts(con) == {"provinces": 34, "communes": 3321}

    assert len(table) == 148
    reported = table.set_index("code")["on_time_rate"].dropna()
    assert reported.to_dict() == {"08377": pytest.approx(95.0)}


def test_the_country_figure_on_demo_data_equals_the_ratio_of_national_sums(demo_db):
    with store.connect(demo_db) as con:
        cards = {h.indicator_code: h for h in headlines(con, Scope(), "2026-10")}
        online, received = con.execute(
            "SELECT sum(value) FILTER (WHERE indicator_code = 'dossiers_online'),"
            " sum(value) FILTER (WHERE indicator_code = 'dossiers_received')"
            " FROM observation WHERE is_current AND period = '2026-10'").fetchall()[0]

    assert cards["online_filing_rate"].value == pytest.approx(100 * online / received)
    assert len(cards["online_filing_rate"].series) == 16
