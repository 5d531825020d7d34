"""One rule per figure: every aggregation over units (a province, the country) and over time.

Over time, one unit: analytics.values.values_from (summed numerators and denominators for rates and
scores derived from counts, the last month for stocks, weighted means, sums). Over units, one area:
`combine` here. Every page, the meeting pack and the command line read area figures through this module,
so the same province, month and indicator gives the same number everywhere.

The area rules, driven by the catalog (data/indicators.csv):
- ratio (rates, and 766 scores the catalog derives from counts): derive(Σ numerators ÷ Σ denominators),
  × 100 for percent, × 1000 for per_1000, the group's maximum for a score; never a mean of rates. Units
  that gave only the rate (no counts) count only when no unit of the area gave counts (then: the mean);
- weighted_mean (average processing days): Σ value × weight ÷ Σ weight (weight = dossiers received);
- counts (sum or last over time): the area's total;
- the 766 index (sum_of_groups): the mean over the units that have all six group scores;
- other scores (mean): the mean over the units that have one.
`units` is how many units the figure stands on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.periods import AnalysisPeriod
from analytics.values import Indicator, complete_index, derive, group_codes, values_from

UNIT_ROW_COLUMNS = ["unit_code", "period", "value", "numerator", "denominator", "weight"]


def unit_rows(obs: pd.DataFrame, indicators: dict[str, Indicator], code: str,
              period: AnalysisPeriod | None = None) -> pd.DataFrame:
    """UNIT_ROW_COLUMNS: one row per unit and month (period None), or per unit for a month, quarter or
    year (period given; `period` then holds its name). `weight` is the unit's value of the indicator's
    weight over the same time (dossiers received for processing days), NaN where it has none."""
    indicator = indicators[code]
    if obs.empty:
        return pd.DataFrame(columns=UNIT_ROW_COLUMNS)
    if period is not None:
        values = values_from(obs, indicators, code, period)
        frame = pd.DataFrame({"unit_code": values["unit_code"].astype(str).to_numpy(), "period": str(period),
                              "value": values["value"].to_numpy(float),
                              "numerator": values["numerator"].to_numpy(float),
                              "denominator": values["denominator"].to_numpy(float)})
        if indicator.weight:
            weights = values_from(obs, indicators, indicator.weight, period)
            return frame.assign(weight=frame["unit_code"].map(
                dict(zip(weights["unit_code"].astype(str), weights["value"].astype(float)))).astype(float))
        return frame.assign(weight=np.nan)[UNIT_ROW_COLUMNS]
    if indicator.period_aggregation == "sum_of_groups":
        scores = obs[obs["indicator_code"].isin(group_codes(indicators))]
        frame = complete_index(scores, len(group_codes(indicators)), by_period=True)
        return frame.assign(numerator=np.nan, denominator=np.nan, weight=np.nan)[UNIT_ROW_COLUMNS]
    rows = obs[obs["indicator_code"] == code]
    frame = pd.DataFrame({"unit_code": rows["unit_code"].astype(str).to_numpy(),
                          "period": rows["period"].astype(str).to_numpy(),
                          "value": rows["value"].to_numpy(float), "numerator": rows["numerator"].to_numpy(float),
                          "denominator": rows["denominator"].to_numpy(float)})
    if indicator.weight:
        weights = obs[obs["indicator_code"] == indicator.weight]
        weights = pd.DataFrame({"unit_code": weights["unit_code"].astype(str).to_numpy(),
                                "period": weights["period"].astype(str).to_numpy(),
                                "weight": weights["value"].to_numpy(float)})
        return frame.merge(weights, on=["unit_code", "period"], how="left")[UNIT_ROW_COLUMNS]
    return frame.assign(weight=np.nan)[UNIT_ROW_COLUMNS]


def combine(rows: pd.DataFrame, indicator: Indicator | None, by: list[str] | tuple[str, ...] = ()) -> pd.DataFrame:
    """The area's value from its units' rows (unit_rows), one row per `by` group: [*by, value, units].

    indicator None: a figure outside the catalog (a user's composite), the mean over the units."""
    by = list(by)
    columns = [*by, "value", "units"]
    rows = rows[rows["value"].notna()]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    key = _keys(rows, by)
    grouped = rows.groupby(key, sort=True)
    plain = grouped["value"].mean()
    units = grouped["value"].size()
    how = None if indicator is None else indicator.period_aggregation
    if how == "ratio":
        counted = rows[rows["denominator"].notna()]
        ckey = _keys(counted, by)
        sums = counted.groupby(ckey, sort=True)[["numerator", "denominator"]].sum()
        ratio = sums["numerator"] / sums["denominator"].where(sums["denominator"] > 0)
        derived = pd.Series(derive(indicator, ratio.to_numpy(float), sums["denominator"].to_numpy(float)),
                            index=sums.index)
        counted_units = counted.groupby(ckey, sort=True)["value"].size()
        value = derived.reindex(plain.index).where(plain.index.isin(sums.index), plain)
        units = counted_units.reindex(units.index).where(units.index.isin(sums.index), units)
    elif how == "weighted_mean":
        weights = rows["weight"].fillna(0.0)
        weighted = (rows["value"] * weights).groupby(key, sort=True).sum()
        total = weights.groupby(key, sort=True).sum()
        value = (weighted / total.where(total > 0)).fillna(plain)
    elif indicator is not None and indicator.kind == "count":
        value = grouped["value"].sum()
    else:  # the index (complete units only), other scores: the mean over the units that have one
        value = plain
    out = pd.DataFrame({"value": value.astype(float), "units": units.astype(int)})
    if by:
        return out.reset_index()[columns]
    return out.reset_index(drop=True)[columns]


def _keys(rows: pd.DataFrame, by: list[str]) -> list[pd.Series]:
    """Group keys as Series (a Series' groupby needs them so); one constant key for a single area."""
    return [rows[column] for column in by] or [pd.Series(0, index=rows.index)]


def area_value(rows: pd.DataFrame, indicator: Indicator) -> tuple[float | None, int]:
    """(value, units) of one area from its units' rows; (None, 0) when none has a value."""
    frame = combine(rows, indicator)
    if frame.empty or pd.isna(frame["value"].iloc[0]):
        return None, 0
    return float(frame["value"].iloc[0]), int(frame["units"].iloc[0])
