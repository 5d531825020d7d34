"""The 766 service index as the national portal computes it, stated once (docs: ../shared/spec/766_index.md).

points(M, n, d, T) = min(M, M × (n ÷ d) ÷ T), rounded half-up to 2 decimals per metric; a group's score is
the sum of its metrics' rounded points; the index is the sum of the six group scores. A metric whose
denominator is 0 or missing has no points, unless the catalog says `when_empty` = full (petitions when the
unit had none, e-certified copies in 2026) or zero (satisfaction with nothing rated). A metric with a
numerator and no denominator is a published percentage (the online-service group: 12 × ratio ÷ 100).

Which metrics exist, their maxima, thresholds and groups live in the catalog (data/indicators.csv: a score
with `part_of` is a metric of that group; a group score with its own numerator is a one-metric group). The
loader, the demo, the aggregation over months and "what would it take" all come through here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

# a published score and the rule's agree within one hundredth: the portal's payment group is 0.01 off the
# stated rule for 2 of 74 Phú Thọ communes (its own rounding of the published ratio), never more
SCORE_TOLERANCE = 0.0101


def round_half_up(values: np.ndarray | float, decimals: int = 2) -> np.ndarray:
    """Half-up as the portal rounds (numpy's round is half-to-even); the nudge absorbs binary noise
    (2.675 is stored as 2.67499…)."""
    scale = 10.0 ** decimals
    return np.floor(np.asarray(values, dtype=float) * scale + 0.5 + 1e-9) / scale


def points(maximum: float, numerator: np.ndarray | float, denominator: np.ndarray | float,
           threshold: float | None = None) -> np.ndarray:
    """Unrounded points: linear up to the full-score threshold T (a fraction, 1.0 when None), capped at M.
    NaN where the denominator is 0 or missing."""
    n = np.asarray(numerator, dtype=float)
    d = np.asarray(denominator, dtype=float)
    cap = 1.0 if threshold is None else threshold
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(d > 0, n / np.where(d > 0, d, 1.0), np.nan)
    return np.minimum(float(maximum), float(maximum) * ratio / cap)


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value) or value == "":
        return None
    return str(value)


def _number(value: Any) -> float | None:
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return None
    return float(value)


@dataclass(frozen=True)
class Metric:
    """One scored metric of a group (its points are stored under `code`)."""

    code: str
    group: str
    numerator: str
    denominator: str | None  # None: the numerator is a published percentage
    maximum: float
    threshold: float  # the ratio that earns full points (0.8 for 80%)
    when_empty: str | None  # full | zero | None (no points)

    def raw(self, n: np.ndarray, d: np.ndarray | None) -> np.ndarray:
        """Unrounded points from counts (NaN where the rule gives none)."""
        if self.denominator is None:
            d = np.where(np.isnan(n), np.nan, 100.0)
        return points(self.maximum, n, d, self.threshold)

    def score(self, n: np.ndarray, d: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """(rounded points, NaN where the metric has none; settled: whether the counts decide it)."""
        n = np.asarray(n, dtype=float)
        d = np.where(np.isnan(n), np.nan, 100.0) if self.denominator is None else np.asarray(d, dtype=float)
        value = round_half_up(self.raw(n, d))
        has_d = ~np.isnan(d)
        empty = ~has_d | (d == 0)
        if self.when_empty == "full":
            return np.where(empty, self.maximum, value), empty | ~np.isnan(n)
        settled = has_d & ((d == 0) | ~np.isnan(n))
        if self.when_empty == "zero":
            value = np.where(has_d & (d == 0), 0.0, value)
        return np.where(settled, value, np.nan), settled


@dataclass(frozen=True)
class IndexModel:
    """The metrics of each group, the six groups in catalog order, and the index code."""

    metrics: tuple[Metric, ...]
    groups: tuple[str, ...]
    index: str | None

    def metrics_of(self, group: str) -> list[Metric]:
        return [m for m in self.metrics if m.group == group]


def model_of(rows: Iterable[Any]) -> IndexModel:
    """The index model from catalog rows (analytics' Indicator or the loader's catalog rows alike)."""
    rows = list(rows)
    metrics: list[Metric] = []
    groups: list[str] = []
    index = None
    for row in rows:
        group = _text(getattr(row, "group_766", None))
        part_of = _text(getattr(row, "part_of", None))
        if getattr(row, "period_aggregation", None) == "sum_of_groups":
            index = row.code
        if group:
            groups.append(row.code)
        if row.kind == "score" and (group or part_of) and _text(row.numerator):
            threshold = _number(row.full_score_threshold)
            maximum = float(row.max_points_766)
            metrics.append(Metric(row.code, part_of or row.code, str(row.numerator), _text(row.denominator),
                                  maximum, 1.0 if threshold is None else threshold / 100.0,
                                  _text(getattr(row, "when_empty", None))))
    return IndexModel(tuple(metrics), tuple(groups), index)


def derive(model: IndexModel, values: Mapping[str, np.ndarray], size: int) -> dict[str, np.ndarray]:
    """Metric points, group scores and the index for `size` records from the counts in `values`
    (code -> float array, NaN where missing). Given metric points and group scores stand in where the
    counts are missing; only what can be settled is returned (NaN elsewhere); codes with nothing are left out.

    The given values themselves are not overwritten here: the caller decides which is kept (the loader
    keeps the published figure and warns when the two differ)."""
    nothing = np.full(size, np.nan)
    out: dict[str, np.ndarray] = {}
    assumed: list[Metric] = []  # full when nothing is counted, and not in the file: kept only for a group
    toward: dict[str, np.ndarray] = {}
    for metric in model.metrics:
        carried = metric.numerator in values and (metric.denominator is None or metric.denominator in values)
        if not carried and metric.when_empty != "full":
            continue
        if not carried:
            assumed.append(metric)
        n = values.get(metric.numerator, nothing)
        d = values.get(metric.denominator, nothing) if metric.denominator else None
        value, settled = metric.score(n, d)
        out[metric.code] = np.where(settled, value, np.nan)
        # what the metric adds to its group: nothing where settled empty (0/0 has no points)
        toward[metric.code] = np.where(settled, np.nan_to_num(value), np.nan)
    for group in model.groups:
        parts = [m for m in model.metrics_of(group) if m.code != group]
        if not parts or not all(m.code in toward or m.code in values for m in parts) \
                or all(m in assumed and m.code not in values for m in parts):
            continue  # a one-metric group was scored above; a file without some metric leaves the group
        total = np.zeros(size)
        for m in parts:
            # the points from counts; where the counts settle nothing, the points as given
            have = toward.get(m.code, nothing)
            total = total + np.where(np.isnan(have), values.get(m.code, nothing), have)
        out[group] = round_half_up(total)  # NaN where any metric is unsettled
    for metric in assumed:
        if metric.group not in out:
            out.pop(metric.code)
    if model.index and all(g in values or g in out for g in model.groups):
        # a published group score stands where given, the derived one where not
        chosen = [np.where(np.isnan(values.get(g, nothing)), out.get(g, nothing), values.get(g, nothing))
                  for g in model.groups]
        out[model.index] = round_half_up(np.vstack(chosen).sum(axis=0))
    return {code: value for code, value in out.items() if not np.isnan(value).all()}


def differs(given: np.ndarray, computed: np.ndarray) -> np.ndarray:
    """Where a given two-decimal figure and the rule's disagree by more than their rounding."""
    return ~np.isnan(given) & ~np.isnan(computed) & (np.abs(given - computed) > SCORE_TOLERANCE)
