"""The demo data generator: realistic, internally consistent monthly reports and their workbooks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from analytics.index766 import derive, model_of
from etl.demo import DEMO_MONTHS, generate_demo_frames, write_demo_workbooks
from store.reference import read_catalog

DATA = Path(__file__).resolve().parents[2] / "data"
KEY_COLUMNS = ["commune_code", "commune_full_name"]

# (smaller, larger): the first count may never exceed the second on any row.
BOUNDED_BY = [
    ("dossiers_online", "dossiers_received"),
    ("dossiers_full_online", "dossiers_online"),
    ("payment_online", "payment_obligation"),
    ("payment_obligation", "dossiers_received"),
    ("dossiers_digitized", "dossiers_received"),
    ("results_electronic", "dossiers_received"),
    ("docs_esigned", "docs_outgoing"),
    ("survey_satisfied", "survey_responses"),
    ("vneid_level2", "adult_population"),
    ("adult_population", "population"),
]

@pytest.fixture(scope="module")
def units() -> pd.DataFrame:
    return pd.read_csv(DATA / "admin_units_2025.csv", dtype=str)


@pytest.fixture(scope="module")
def catalog() -> pd.DataFrame:
    return pd.read_csv(DATA / "indicators.csv")


@pytest.fixture(scope="module")
def frames(units: pd.DataFrame, catalog: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return generate_demo_frames(units, catalog)


@pytest.fixture(scope="module")
def all_rows(frames: dict[str, pd.DataFrame], units: pd.DataFrame) -> pd.DataFrame:
    """Every unit-month, with its month and unit type."""
    stacked = pd.concat([frame.assign(month=month) for month, frame in frames.items()], ignore_index=True)
    return stacked.merge(units[["commune_code", "unit_type"]], on="commune_code", how="left")


@pytest.fixture(scope="module")
def index_766(frames: dict[str, pd.DataFrame], units: pd.DataFrame) -> pd.DataFrame:
    """Every unit-month's metric points, groups and index, by the rule the loader applies to the counts."""
    model = model_of(read_catalog().itertuples(index=False))
    province = units.set_index("commune_code")["province_code"]
    parts = []
    for month, frame in frames.items():
        scored = derive(model, {c: frame[c].to_numpy(float) for c in indicator_codes(frame)}, len(frame))
        parts.append(pd.DataFrame({"month": month, "commune_code": frame["commune_code"].to_numpy(),
                                   "province_code": province[frame["commune_code"]].to_numpy(), **scored}))
    return pd.concat(parts, ignore_index=True)


def indicator_codes(frame: pd.DataFrame) -> list[str]:
    return [column for column in frame.columns if column not in KEY_COLUMNS]


def mean_online_share(frame: pd.DataFrame) -> float:
    return (frame["dossiers_online"] / frame["dossiers_received"]).mean()


def test_demo_covers_sixteen_months_from_july_2025_to_october_2026(frames):
    assert len(DEMO_MONTHS) == 16
    assert DEMO_MONTHS[0] == "2025-07" and DEMO_MONTHS[-1] == "2026-10"
    assert list(frames) == DEMO_MONTHS


def test_each_month_about_97_percent_of_units_report(frames, units):
    for month, frame in frames.items():
        assert 0.95 <= len(frame) / len(units) <= 0.99, month
    missing = 1 - sum(len(frame) for frame in frames.values()) / (len(units) * len(frames))
    assert 0.02 <= missing <= 0.04


def test_rows_are_known_units_once_each_with_their_official_name(frames, units):
    official_name = units.set_index("commune_code")["commune_full_name"]
    for frame in frames.values():
        assert frame["commune_code"].is_unique
        assert frame["commune_code"].isin(official_name.index).all()
        expected_names = official_name[frame["commune_code"]].to_numpy()
        assert (frame["commune_full_name"].to_numpy() == expected_names).all()


def test_columns_are_the_inputs_counts_means_and_the_published_ratio_never_a_766_score(frames, catalog):
    in_index = catalog["group_766"].notna() | catalog["part_of"].notna()
    inputs = catalog[catalog["kind"].isin(["count", "mean"]) | ((catalog["kind"] == "rate") & catalog["numerator"].isna())
                     | ((catalog["kind"] == "score") & ~in_index)]
    # the portal publishes no counts for e-certified copies: their columns stay out, their points are full
    unpublished = {"electronic_certified_copy_n", "electronic_certified_copy_d"}
    for frame in frames.values():
        assert list(frame.columns) == KEY_COLUMNS + [c for c in inputs["code"] if c not in unpublished]


def test_counts_are_non_negative_integers(all_rows, catalog):
    for code in catalog.loc[catalog["kind"] == "count", "code"]:
        if code not in all_rows:
            continue
        assert pd.api.types.is_integer_dtype(all_rows[code]), code
        assert (all_rows[code] >= 0).all(), code


def test_on_time_plus_overdue_equals_received(all_rows):
    handled = all_rows["dossiers_on_time"] + all_rows["dossiers_overdue"]
    assert (handled == all_rows["dossiers_received"]).all()


@pytest.mark.parametrize(("smaller", "larger"), BOUNDED_BY)
def test_dependent_count_never_exceeds_its_base(all_rows, smaller, larger):
    assert (all_rows[smaller] <= all_rows[larger]).all()


def test_every_catalog_not_above_rule_holds(all_rows, catalog):
    if "not_above" not in catalog:
        pytest.skip("this catalog has no not_above column")
    for row in catalog.dropna(subset=["not_above"]).itertuples():
        if row.code in all_rows:
            assert (all_rows[row.code] <= all_rows[row.not_above]).all(), row.code


def test_average_processing_days_is_positive_with_one_decimal(all_rows):
    days = all_rows["avg_processing_days"]
    assert (days > 0).all()
    assert np.allclose(days, days.round(1))
    assert 1.5 <= days.median() <= 12


def test_766_points_lie_between_zero_and_their_maximum_with_two_decimals(index_766, catalog):
    maxima = catalog.set_index("code")["max_points_766"]
    for code in [c for c in index_766.columns if c in maxima.index]:
        score = index_766[code].dropna()
        assert score.between(0, float(maxima[code])).all(), code
        assert np.allclose(score, score.round(2)), code


def test_the_latest_month_looks_like_the_published_index(index_766):
    latest = index_766[index_766["month"] == DEMO_MONTHS[-1]]
    assert latest["service_index"].notna().mean() > 0.99  # every reporting commune has an index
    assert 55 <= latest["service_index"].median() <= 75  # Phú Thọ, August 2026: 63.66
    # groups near the published medians (spec table), within a few points
    published = {"progress_score": 17.45, "online_service_score": 6.28, "digitization_score": 7.91,
                 "online_payment_score": 6.38, "satisfaction_score": 17.79}
    for code, median in published.items():
        assert abs(latest[code].median() - median) < 2.5, code
    provinces = latest.groupby("province_code")["service_index"].mean()
    assert provinces.min() < 62 and provinces.max() > 78  # provinces spread over roughly 55–85
    assert 50 < provinces.min() and provinces.max() < 90


def test_communes_keep_their_standing_from_month_to_month(index_766):
    index = index_766.pivot(index="commune_code", columns="month", values="service_index")
    last, before = index[DEMO_MONTHS[-1]], index[DEMO_MONTHS[-2]]
    both = last.notna() & before.notna()
    assert last[both].rank().corr(before[both].rank()) > 0.9
    change = (last[both].rank(method="min") - before[both].rank(method="min")).abs()
    assert change.median() < 0.05 * both.sum()  # a few percent of the country, not hundreds of places


def test_petitions_are_rare_and_a_commune_without_any_earns_their_points_in_full(all_rows, index_766):
    none = all_rows["petition_on_time_d"] == 0
    assert none.mean() > 0.6
    assert (index_766.loc[none.to_numpy(), "petition_on_time_points"] == 6).all()


def test_sizes_are_plausible_for_a_commune(all_rows):
    ordinary = all_rows["dossiers_received"].between(100, 3_000)
    assert ordinary.mean() > 0.999
    assert all_rows["population"].between(3_000, 85_000).all()
    assert (all_rows["adult_population"] / all_rows["population"]).between(0.74, 0.80).all()
    assert all_rows["digital_teams"].between(1, 20).all()
    assert (all_rows["digital_team_members"] / all_rows["digital_teams"]).between(3, 10).all()
    assert all_rows["docs_outgoing"].between(50, 500).all()
    survey_share = all_rows["survey_responses"] / all_rows["dossiers_received"]
    assert 0.05 <= survey_share.median() <= 0.5


def test_vneid_activation_grows_towards_60_to_85_percent_of_adults(all_rows):
    activation = all_rows["vneid_level2"] / all_rows["adult_population"]
    by_month = activation.groupby(all_rows["month"]).median()
    assert by_month["2025-07"] < by_month["2026-10"]
    assert 0.60 <= by_month["2026-10"] <= 0.85


def test_stocks_never_fall_from_one_month_to_the_next(all_rows):
    ordered = all_rows.sort_values(["commune_code", "month"])
    for code in ["population", "vneid_level2", "digital_trainees", "digital_teams"]:
        assert (ordered.groupby("commune_code")[code].diff().dropna() >= 0).all(), code


def test_phuong_file_more_dossiers_online_than_xa(all_rows):
    online_share = all_rows["dossiers_online"] / all_rows["dossiers_received"]
    by_type = online_share.groupby(all_rows["unit_type"]).mean()
    assert by_type["phuong"] > by_type["xa"]
    received = all_rows.groupby("unit_type")["dossiers_received"].median()
    assert received["phuong"] > received["xa"] > received["dac_khu"]


def test_online_share_and_the_index_improve_over_the_period(frames, index_766):
    first, last = frames["2025-07"], frames["2026-10"]
    assert mean_online_share(last) > mean_online_share(first)
    by_month = index_766.groupby("month")["service_index"].mean()
    assert by_month["2026-10"] > by_month["2025-07"]


def test_a_handful_of_unit_months_are_outliers_with_about_five_times_the_usual_dossiers(all_rows):
    usual = all_rows.groupby("commune_code")["dossiers_received"].transform("median")
    outliers = all_rows["dossiers_received"] >= 4 * usual
    assert 5 <= outliers.sum() <= 60


def test_same_seed_gives_identical_frames_and_another_seed_differs(units, catalog, frames):
    again = generate_demo_frames(units, catalog, seed=766)
    other = generate_demo_frames(units, catalog, seed=767)
    for month in DEMO_MONTHS:
        pd.testing.assert_frame_equal(again[month], frames[month])
    assert not frames["2025-07"].equals(other["2025-07"])


def test_catalog_read_as_text_gives_the_same_frames(units, frames):
    from_text = generate_demo_frames(units, pd.read_csv(DATA / "indicators.csv", dtype=str))
    for month in DEMO_MONTHS:
        pd.testing.assert_frame_equal(from_text[month], frames[month])


def test_counts_added_to_the_catalog_get_plausible_values_and_change_nothing_else(units, catalog, frames):
    added = pd.DataFrame([
        {"code": "public_wifi_points", "name_vi": "Điểm wifi công cộng", "kind": "count", "min": 0},
        {"code": "dossiers_by_post", "name_vi": "Hồ sơ nhận qua bưu chính", "kind": "count", "min": 0,
         "not_above": "dossiers_received"},
    ])
    extended = generate_demo_frames(units, pd.concat([catalog, added], ignore_index=True))
    for month in DEMO_MONTHS:
        frame = extended[month]
        for code in added["code"]:
            assert pd.api.types.is_integer_dtype(frame[code]) and (frame[code] >= 0).all(), code
        assert (frame["dossiers_by_post"] <= frame["dossiers_received"]).all()
        pd.testing.assert_frame_equal(frame.drop(columns=list(added["code"])), frames[month])


@pytest.fixture(scope="module")
def written(frames, catalog, tmp_path_factory) -> tuple[list[Path], list[tuple[int, int, str]]]:
    """Two months written to disk, with the progress calls made while writing."""
    calls: list[tuple[int, int, str]] = []
    two_months = {month: frames[month] for month in ["2025-07", "2026-10"]}
    paths = write_demo_workbooks(two_months, catalog, tmp_path_factory.mktemp("demo"),
                                 progress=lambda done, total, name: calls.append((done, total, name)))
    return paths, calls


def read_sheet(path: Path) -> tuple[str, list[tuple]]:
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        sheet = workbook.worksheets[0]
        return sheet.title, [tuple(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def test_workbooks_are_named_by_month_and_report_progress(written):
    paths, calls = written
    assert [path.name for path in paths] == ["bao_cao_chuyen_doi_so_2025-07.xlsx",
                                             "bao_cao_chuyen_doi_so_2026-10.xlsx"]
    assert all(path.exists() for path in paths)
    assert calls == [(1, 2, paths[0].name), (2, 2, paths[1].name)]


def test_workbook_opens_with_title_rows_and_month_sheet(written):
    title, rows = read_sheet(written[0][0])
    assert title == "Thang 07-2025"
    assert rows[0][0] == "UBND CÁC TỈNH, THÀNH PHỐ"
    assert "THÁNG 7/2025" in rows[1][0]
    assert "mô phỏng" in rows[2][0]
    assert all(value is None for value in rows[3])


def test_workbook_header_uses_catalog_vietnamese_names(written, frames, catalog):
    _, rows = read_sheet(written[0][0])
    name_vi = catalog.set_index("code")["name_vi"]
    expected = ["STT", "Mã xã", "Tên đơn vị", *name_vi[indicator_codes(frames["2025-07"])]]
    assert list(rows[4]) == expected


def test_workbook_rows_hold_text_codes_and_the_frame_numbers(written, frames):
    _, rows = read_sheet(written[0][1])
    frame = frames["2026-10"]
    data_rows = rows[5:]
    assert [row[0] for row in data_rows] == list(range(1, len(frame) + 1))
    assert all(isinstance(row[1], str) and len(row[1]) == 5 for row in data_rows)
    assert [row[1:3] for row in data_rows] == list(frame[KEY_COLUMNS].itertuples(index=False, name=None))
    values = frame[indicator_codes(frame)]
    assert [row[3:] for row in data_rows] == list(values.itertuples(index=False, name=None))
