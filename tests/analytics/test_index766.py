"""The portal's 766 rule, stated once: points per metric, rounded half-up, summed into groups and the
index; the special cases of the spec, on counts generated here (not the sample's)."""

from __future__ import annotations

import numpy as np
import pytest

from analytics.index766 import derive, model_of, points, round_half_up
from store.reference import read_catalog

MODEL = model_of(read_catalog().itertuples(index=False))


def nan(size: int = 1) -> np.ndarray:
    return np.full(size, np.nan)


def test_points_are_linear_up_to_the_threshold_and_capped_at_the_maximum():
    n = np.array([0, 40, 80, 100, 5])
    d = np.array([100, 100, 100, 100, 0])
    assert list(round_half_up(points(2, n, d, 0.8))[:4]) == [0.0, 1.0, 2.0, 2.0]
    assert np.isnan(points(2, n, d, 0.8)[4])  # a denominator of 0 has no points
    assert list(round_half_up(points(20, [388], [447]))) == [17.36]


def test_rounding_is_half_up_not_to_even():
    assert list(round_half_up([0.125, 0.135, 2.675, 1.005, 6.0])) == [0.13, 0.14, 2.68, 1.01, 6.0]


def test_the_catalog_states_six_groups_worth_100_and_their_metrics_add_up_to_each_maximum():
    assert len(MODEL.groups) == 6
    maxima = {"transparency_score": 18, "progress_score": 20, "online_service_score": 12,
              "online_payment_score": 10, "digitization_score": 22, "satisfaction_score": 18}
    for group, maximum in maxima.items():
        assert sum(m.maximum for m in MODEL.metrics_of(group)) == maximum, group
    assert MODEL.index == "service_index"


def full_counts(size: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Random counts for every metric of every group, in catalog codes."""
    values: dict[str, np.ndarray] = {}
    for metric in MODEL.metrics:
        if metric.denominator is None:
            values[metric.numerator] = np.round(rng.uniform(0, 100, size), 2)
            continue
        d = rng.integers(1, 2000, size).astype(float)
        values[metric.denominator] = d
        values[metric.numerator] = np.floor(d * rng.uniform(0, 1, size))
    return values


def test_group_is_the_sum_of_rounded_metric_points_and_the_index_the_sum_of_groups():
    rng = np.random.default_rng(12)
    values = full_counts(500, rng)
    out = derive(MODEL, values, 500)
    for group in MODEL.groups:
        parts = MODEL.metrics_of(group)
        expected = sum(round_half_up(m.raw(values[m.numerator], values.get(m.denominator))) for m in parts)
        assert np.allclose(out[group], round_half_up(expected)), group
        assert (out[group] <= sum(m.maximum for m in parts) + 1e-9).all()
    assert np.allclose(out["service_index"], round_half_up(sum(out[g] for g in MODEL.groups)))
    assert (out["service_index"] <= 100).all() and (out["service_index"] >= 0).all()


def test_the_order_the_counts_come_in_changes_nothing():
    rng = np.random.default_rng(3)
    values = full_counts(50, rng)
    shuffled = dict(sorted(values.items(), key=lambda item: rng.random()))
    a, b = derive(MODEL, values, 50), derive(MODEL, shuffled, 50)
    assert a.keys() == b.keys()
    assert all(np.array_equal(a[k], b[k], equal_nan=True) for k in a)


def one_unit(**changes: float) -> dict[str, np.ndarray]:
    values = full_counts(1, np.random.default_rng(5))
    values.update({code: np.array([float(v)]) for code, v in changes.items()})
    return values


def test_no_petitions_earns_both_petition_metrics_in_full():
    out = derive(MODEL, one_unit(petition_on_time_n=0, petition_on_time_d=0, petition_satisfaction_n=0,
                                 petition_satisfaction_d=0), 1)
    assert out["petition_on_time_points"][0] == 6 and out["petition_satisfaction_points"][0] == 6


def test_nothing_rated_earns_no_satisfaction_points_but_the_group_is_still_scored():
    out = derive(MODEL, one_unit(dossier_satisfaction_n=0, dossier_satisfaction_d=0), 1)
    assert out["dossier_satisfaction_points"][0] == 0
    assert not np.isnan(out["satisfaction_score"][0])


def test_satisfaction_is_full_at_ninety_percent():
    out = derive(MODEL, one_unit(dossier_satisfaction_n=90, dossier_satisfaction_d=100), 1)
    assert out["dossier_satisfaction_points"][0] == 6
    out = derive(MODEL, one_unit(dossier_satisfaction_n=45, dossier_satisfaction_d=100), 1)
    assert out["dossier_satisfaction_points"][0] == 3


def test_a_denominator_of_zero_gives_the_metric_no_points_and_counts_nothing_toward_its_group():
    zero = derive(MODEL, one_unit(dossier_sync_n=0, dossier_sync_d=0), 1)
    assert np.isnan(zero.get("dossier_sync_points", nan())[0])  # shown empty
    parts = [m.code for m in MODEL.metrics_of("transparency_score") if m.code != "dossier_sync_points"]
    assert zero["transparency_score"][0] == pytest.approx(sum(zero[c][0] for c in parts))


def test_e_certified_copies_are_full_without_counts_and_the_online_group_follows_the_published_ratio():
    values = one_unit(online_service_ratio=51.83)
    del values["electronic_certified_copy_n"], values["electronic_certified_copy_d"]
    out = derive(MODEL, values, 1)
    assert out["electronic_certified_copy_points"][0] == 2
    assert out["online_service_score"][0] == 6.22  # 12 × 51.83 ÷ 100 = 6.2196


def test_a_missing_count_leaves_its_group_and_the_index_unscored_for_that_unit_only():
    values = full_counts(3, np.random.default_rng(9))
    values["original_result_available_n"] = np.array([np.nan, 10.0, 20.0])
    out = derive(MODEL, values, 3)
    assert np.isnan(out["digitization_score"][0]) and not np.isnan(out["digitization_score"][1:]).any()
    assert np.isnan(out["service_index"][0]) and not np.isnan(out["service_index"][1:]).any()


def test_a_file_with_only_some_groups_gets_those_groups_and_no_index():
    values = {"dossiers_on_time": np.array([90.0]), "dossiers_received": np.array([100.0])}
    out = derive(MODEL, values, 1)
    assert out == {"progress_score": pytest.approx(np.array([18.0]))}


def test_published_group_scores_stand_in_for_missing_metrics_in_the_index():
    given = {g: np.array([5.0]) for g in MODEL.groups}
    out = derive(MODEL, given, 1)
    assert out["service_index"][0] == 30.0
