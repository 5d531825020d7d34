"""Data quality on purpose-built months: who reported, how late, and which values stand out."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import numpy as np
import pytest

import store
from analytics.quality import (FLAG_THRESHOLD, THRESHOLD, completeness, flags, outliers, scores, timeliness)
from tests.analytics.monthly_files import load_month

PHU_THO, HA_NOI = "25", "01"
# xã of Phú Thọ, each with a part to play in July 2026, and ordinary ones; one xã of Hà Nội
SPIKE, LOW_PEER, LONE_SCORE, PARTIAL, SILENT = "04831", "04846", "04849", "04873", "04876"
ORDINARY = ["04891", "04897", "04924", "04960", "04978", "04990", "05014"]
SOC_SON = "00376"
UNITS = [SPIKE, LOW_PEER, LONE_SCORE, PARTIAL, SILENT, *ORDINARY, SOC_SON]
HEADER = ["Tổng tiếp nhận", "Điểm công khai minh bạch", "Điểm dịch vụ công trực tuyến"]
HISTORY_OFFSETS = [0, 4, -4, 2, -2, 6]  # January to June: median 1, MAD 3 around each unit's base
JULY_OFFSET, SPIKE_JUMP = 3, 60
TRANSPARENCY = [14.0, 14.5, 15.0, 15.5, 16.0]  # each unit keeps one of these every month
LOW_TRANSPARENCY, LOW_SERVICE = 5.0, 6.0


def base(unit: str) -> int:
    return 100 + 10 * UNITS.index(unit)


def transparency(unit: str) -> float:
    return TRANSPARENCY[UNITS.index(unit) % len(TRANSPARENCY)]


def july_row(unit: str) -> list:
    received = base(unit) + (1 + SPIKE_JUMP if unit == SPIKE else JULY_OFFSET)
    if unit == PARTIAL:
        return [unit, received, None, None]  # only one of the three asked for
    return [unit, received, LOW_TRANSPARENCY if unit == LOW_PEER else transparency(unit),
            LOW_SERVICE if unit == LONE_SCORE else 12.0]


@pytest.fixture(scope="module")
def seven_months(reference_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """January-June 2026 from all units; July with a spike, a low peer, a lone low score, a partial
    report and a silent unit."""
    folder = tmp_path_factory.mktemp("quality")
    db = folder / "xaso.duckdb"
    db.write_bytes(reference_db.read_bytes())
    for month, offset in enumerate(HISTORY_OFFSETS, start=1):
        load_month(db, folder, f"{month}/2026", HEADER,
                   [[u, base(u) + offset, transparency(u), 12.0] for u in UNITS])
    load_month(db, folder, "7/2026", HEADER, [july_row(u) for u in UNITS if u != SILENT])
    return db


def modified_z(x: float, reference: list[float]) -> float:
    centre = float(np.median(reference))
    return 0.6745 * (x - centre) / float(np.median(np.abs(np.array(reference) - centre)))


# -- completeness ----------------------------------------------------------------------------------

def test_the_units_missing_the_month_come_first_and_each_province_counts_them(seven_months):
    with store.connect(seven_months) as con:
        result = completeness(con, "2026-07", PHU_THO)

    units = result.units
    first_reporting = int(np.flatnonzero(units["reported"].to_numpy())[0])
    assert SILENT in set(units["unit_code"].iloc[:first_reporting])
    assert not units["reported"].iloc[:first_reporting].any() and units["reported"].iloc[first_reporting:].all()
    silent = units.set_index("unit_code").loc[SILENT]
    assert silent["months_missing"] == 1 and silent["share"] == 0
    counts = result.provinces.set_index("province_code").loc[PHU_THO]
    phu_tho_units = len(units)  # every commune of Phú Thọ, most never reporting here
    assert counts["units"] == phu_tho_units == 148
    assert counts["reported"] == 11  # the twelve xã of Phú Thọ less the silent one
    assert counts["missing"] == phu_tho_units - 11
    assert counts["incomplete"] == 1
    assert counts["share"] == pytest.approx(11 / 148)
    assert result.months == [f"2026-0{m}" for m in range(1, 8)]


def test_a_unit_reporting_one_of_the_three_indicators_asked_for_has_a_third_of_them(seven_months):
    with store.connect(seven_months) as con:
        result = completeness(con, "2026-07")

    units = result.units.set_index("unit_code")
    assert units.loc[PARTIAL, ["reported", "indicators", "expected"]].tolist() == [True, 1, 3]
    assert units.loc[PARTIAL, "share"] == pytest.approx(1 / 3)
    assert units.loc[SOC_SON, "share"] == 1.0
    assert result.provinces.set_index("province_code").loc[HA_NOI, ["reported", "incomplete"]].tolist() == [1, 0]
    matrix = result.matrix.set_index(["unit_code", "period"])
    assert matrix.loc[(SILENT, "2026-06"), "reported"] and not matrix.loc[(SILENT, "2026-07"), "reported"]
    assert len(result.matrix) == len(result.units) * 7  # every unit in scope × every month of the window


def test_a_rate_the_loader_derived_covers_the_rate_and_is_not_expected_itself(fresh_db, tmp_path):
    load_month(fresh_db, tmp_path, "7/2026", ["Tổng tiếp nhận", "Đúng hạn", "Quá hạn"],
               [[SPIKE, 100, 90, 10], [LOW_PEER, 50, 45, None]])

    with store.connect(fresh_db) as con:
        units = completeness(con, "2026-07", PHU_THO).units.set_index("unit_code")

    assert units.loc[SPIKE, ["indicators", "expected", "share"]].tolist() == [3, 3, 1.0]
    assert units.loc[LOW_PEER, "indicators"] == 2 and units.loc[LOW_PEER, "share"] == pytest.approx(2 / 3)


# -- timeliness ------------------------------------------------------------------------------------

def test_days_count_from_the_months_last_day_to_the_earliest_batch_holding_current_values(fresh_db, tmp_path):
    load_month(fresh_db, tmp_path, "2/2026", HEADER[:2], [[SPIKE, 100, 15], [LOW_PEER, 50, 14]])
    # a correction of one of Spike's two values, and a unit reporting for the first time
    load_month(fresh_db, tmp_path, "2/2026", HEADER[:1], [[SPIKE, 101], [ORDINARY[0], 70]])
    with store.connect(fresh_db) as con:
        first, second = sorted(row[0] for row in con.execute("SELECT batch_id FROM batch").fetchall())
        # the loader stamps the time it runs; set the dates an analyst loading in March would have left
        for batch, loaded in ((first, "2026-03-02 16:45:00"), (second, "2026-03-09 08:30:00")):
            con.execute("UPDATE batch SET loaded_at = CAST(? AS TIMESTAMP) WHERE batch_id = ?", [loaded, batch])
        result = timeliness(con, "2026-02")

    days = result.units.set_index("unit_code")["days"]
    assert days[ORDINARY[0]] == (date(2026, 3, 9) - date(2026, 2, 28)).days == 9
    assert days[SPIKE] == days[LOW_PEER] == (date(2026, 3, 2) - date(2026, 2, 28)).days == 2  # the earlier batch
    assert result.units["arrived"].min() == datetime(2026, 3, 2, 16, 45)
    assert list(result.units["unit_code"]) == [ORDINARY[0], SPIKE, LOW_PEER]  # latest first, then by name
    province = result.provinces.set_index("province_code").loc[PHU_THO]
    assert province["units"] == 3 and province["max_days"] == max(days)
    assert province["median_days"] == float(np.median(days.to_numpy()))


# -- outliers --------------------------------------------------------------------------------------

def test_a_spike_is_found_against_the_units_own_history_with_its_modified_z(seven_months):
    with store.connect(seven_months) as con:
        found = outliers(con, "2026-07")

    history = [base(SPIKE) + o for o in HISTORY_OFFSETS]
    row = found[(found["unit_code"] == SPIKE) & (found["test"] == "history")].iloc[0]
    assert row["indicator_code"] == "dossiers_received"
    assert row["value"] == base(SPIKE) + 1 + SPIKE_JUMP and row["expected"] == float(np.median(history))
    assert row["z"] == pytest.approx(modified_z(row["value"], history)) == pytest.approx(0.6745 * 60 / 3)
    assert list(found["z"].abs()) == sorted(found["z"].abs(), reverse=True)


def test_a_low_score_is_found_against_its_peers_and_an_ordinary_value_is_not(seven_months):
    with store.connect(seven_months) as con:
        found = outliers(con, "2026-07")
        tested = scores(con, "2026-07")

    peers = [LOW_TRANSPARENCY if u == LOW_PEER else transparency(u)
             for u in UNITS if u not in (SILENT, PARTIAL)]  # every xã with a July score, Sóc Sơn too
    row = found[(found["unit_code"] == LOW_PEER) & (found["test"] == "peers")].iloc[0]
    assert row["indicator_code"] == "transparency_score" and row["reference_size"] == len(peers) == 11
    assert row["z"] == pytest.approx(modified_z(LOW_TRANSPARENCY, peers))
    assert row["z"] < -THRESHOLD
    ordinary = tested[tested["unit_code"] == ORDINARY[0]]
    assert set(ordinary["test"]) == {"history", "peers"}  # tested both ways ...
    assert (ordinary["z"].abs() <= THRESHOLD).all()  # ... and found ordinary
    assert ORDINARY[0] not in set(found["unit_code"])
    counts = found[found["test"] == "peers"]["indicator_code"]
    assert "dossiers_received" not in set(counts)  # counts grow with size: never compared with peers


def test_no_spread_in_the_reference_never_divides_by_zero(seven_months):
    with store.connect(seven_months) as con:
        tested = scores(con, "2026-07")

    assert np.isfinite(tested["z"]).all()
    # peers all at 12 points but one at 6: MAD 0, so the mean absolute deviation stands in
    peers = [LOW_SERVICE if u == LONE_SCORE else 12.0 for u in UNITS if u not in (SILENT, PARTIAL)]
    mean_ad = float(np.mean(np.abs(np.array(peers) - 12.0)))
    lone = tested[(tested["unit_code"] == LONE_SCORE) & (tested["indicator_code"] == "online_service_score")]
    assert lone.set_index("test").loc["peers", "z"] == pytest.approx((LOW_SERVICE - 12.0) / (1.253314 * mean_ad))
    # the same score twelve months running: no spread at all, so no history z, not an infinite one
    assert "history" not in set(lone["test"])
    assert tested[(tested["test"] == "history") & (tested["indicator_code"] == "transparency_score")].empty


def test_a_unit_with_too_little_history_is_not_judged_on_it(seven_months):
    with store.connect(seven_months) as con:
        june = scores(con, "2026-06")  # five earlier months only

    assert set(june["test"]) == {"peers"}


def test_a_province_lists_only_its_units(seven_months):
    with store.connect(seven_months) as con:
        assert set(outliers(con, "2026-07", HA_NOI)["unit_code"]) <= {SOC_SON}
        assert SPIKE in set(outliers(con, "2026-07", PHU_THO)["unit_code"])


# -- the rankings' badge ---------------------------------------------------------------------------

def test_flags_name_the_partial_unit_and_the_far_out_values(seven_months):
    with store.connect(seven_months) as con:
        marked = flags(con, "2026-07")
        tested = scores(con, "2026-07")

    far_out = set(tested.loc[tested["z"].abs() > FLAG_THRESHOLD, "unit_code"])
    assert SPIKE in far_out  # z 13.5 against its own history
    assert marked[PARTIAL] == ("incomplete",)
    assert marked[SPIKE] == ("outlier",)
    assert {u for u, why in marked.items() if "outlier" in why} == far_out
    assert SILENT not in marked and ORDINARY[0] not in marked  # not reporting is not ranked, not flagged
