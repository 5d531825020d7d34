"""The catalog's rules over parsed blocks, column by column: ranges, 'not above', rates beside their
counts; then the observations to store, given and derived (rates from counts; the 766 metric points,
group scores and index by analytics.index766, published figures kept and checked against them)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from analytics import index766
from analytics.values import derive
from errors import Problem
from etl.parse import Block, Catalog

RATE_TOLERANCE = 0.011  # points: a given rate may differ from its counts by its own rounding, plus this
OBSERVATION_COLUMNS = ["unit_code", "indicator_code", "period", "value", "numerator", "denominator", "derived"]


def check_blocks(file: str, blocks: list[Block], catalog: Catalog, problems: list[Problem]) -> pd.DataFrame:
    """Apply the rules to every block; return the observations of the records without an error."""
    frames = [_check_block(file, block, catalog, problems) for block in blocks if len(block)]
    frames = [frame for frame in frames if len(frame)]
    if not frames:
        return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in zip(
            OBSERVATION_COLUMNS, ["str", "str", "str", "float64", "float64", "float64", "bool"])})
    if len(frames) == 1:
        return frames[0]
    return pd.concat([f.astype({c: "str" for c in ("unit_code", "indicator_code", "period")}) for f in frames],
                     ignore_index=True)


def _report(problems: list[Problem], code: str, file: str, block: Block, column: Any, mask: np.ndarray,
            params: dict[str, Any] | None = None, extra: Any = None) -> None:
    for i in np.flatnonzero(mask):
        more = dict(params or {})
        if extra is not None:
            more.update(extra(i))
        problems.append(Problem(code, file, block.sheet, int(column.rows[i]), column.label, column.raw[i], more))


def _check_block(file: str, block: Block, catalog: Catalog, problems: list[Problem]) -> pd.DataFrame:
    columns = block.columns
    out_of_range = np.zeros(len(block), dtype=bool)
    for code, column in columns.items():
        low, high = catalog.minimum(code), catalog.maximum(code)
        if low is not None:
            below = column.values < low
            _report(problems, "below_min", file, block, column, below, {"minimum": low, "indicator": code})
            out_of_range |= below
        if high is not None:
            above = column.values > high
            _report(problems, "above_max", file, block, column, above, {"maximum": high, "indicator": code})
            out_of_range |= above
    bad = out_of_range.copy()  # comparing columns only makes sense once each value is in range
    for code, column in columns.items():
        limit_code = catalog.rows[code].not_above
        if limit_code and limit_code in columns:
            limit = columns[limit_code]
            exceeds = ~out_of_range & (column.values > limit.values)
            _report(problems, "exceeds", file, block, column, exceeds, {"other_column": limit.label},
                    lambda i, limit=limit: {"other_value": limit.raw[i]})
            bad |= exceeds
    derived: list[tuple[Any, np.ndarray, np.ndarray, np.ndarray]] = []  # (indicator, value, n, d)
    for indicator in catalog.derivable():
        if indicator.numerator not in columns or indicator.denominator not in columns:
            continue
        n, d = columns[indicator.numerator].values, columns[indicator.denominator].values
        valid = ~np.isnan(n) & ~np.isnan(d) & (d > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            computed = derive(indicator, n / d)
        given = columns.get(indicator.code)
        if given is not None:
            differs = valid & ~bad & ~np.isnan(given.values) & (
                np.abs(given.values - computed) > given.tolerance + RATE_TOLERANCE)
            _report(problems, "rate_mismatch", file, block, given, differs, None,
                    lambda i, computed=computed, n=n, d=d: {"computed": round(float(computed[i]), 2),
                                                              "numerator": n[i], "denominator": d[i]})
            bad |= differs
        derived.append((indicator, np.where(valid, computed, np.nan), np.where(valid, n, np.nan),
                        np.where(valid, d, np.nan)))
    keep = ~bad
    derived += _index_766(file, block, catalog, bad, problems)
    parts: list[tuple[str, np.ndarray, np.ndarray, np.ndarray, bool]] = []
    with_counts = {indicator.code: (value, n, d) for indicator, value, n, d in derived}
    nothing = np.full(len(block), np.nan)
    for code, column in columns.items():
        value, n, d = column.values, nothing, nothing
        if code in with_counts:  # given beside its counts: store the counts with it
            counted = ~np.isnan(with_counts[code][0])
            if catalog.rows[code].kind == "rate":  # the exact rate, not the one rounded for print
                value = np.where(counted, with_counts[code][0], value)
            else:  # a published score is kept as published; a blank one is filled by the rule
                value = np.where(np.isnan(value), with_counts[code][0], value)
            n, d = with_counts[code][1], with_counts[code][2]
        parts.append((code, value, n, d, False))
    parts += [(indicator.code, value, n, d, True) for indicator, value, n, d in derived
              if indicator.code not in columns]
    return _frame(block, parts, keep)


def _frame(block: Block, parts: list[tuple[str, np.ndarray, np.ndarray, np.ndarray, bool]],
           keep: np.ndarray) -> pd.DataFrame:
    """One frame for the whole block, built from concatenated arrays (one conversion, not one per column)."""
    present = [keep & ~np.isnan(value) for _code, value, _n, _d, _derived in parts]
    counts = [int(mask.sum()) for mask in present]
    # categoricals from codes: the unit and period strings are converted once per distinct value
    unit_codes, units = pd.factorize(block.units)
    period_codes, periods = pd.factorize(block.periods)
    return pd.DataFrame({
        "unit_code": pd.Categorical.from_codes(np.concatenate([unit_codes[m] for m in present]), units),
        "indicator_code": pd.Categorical.from_codes(np.repeat(np.arange(len(parts)), counts),
                                                    [part[0] for part in parts]),
        "period": pd.Categorical.from_codes(np.concatenate([period_codes[m] for m in present]), periods),
        "value": np.concatenate([part[1][m] for part, m in zip(parts, present)]),
        "numerator": np.concatenate([part[2][m] for part, m in zip(parts, present)]),
        "denominator": np.concatenate([part[3][m] for part, m in zip(parts, present)]),
        "derived": np.repeat([part[4] for part in parts], counts),
    })


def _index_766(file: str, block: Block, catalog: Catalog, bad: np.ndarray,
               problems: list[Problem]) -> list[tuple[Any, np.ndarray, np.ndarray, np.ndarray]]:
    """The 766 metric points, group scores and index by the portal's rule, each with the counts it came
    from. A published figure beside them is kept; where it disagrees with the rule, a warning names both."""
    model = catalog.index_model
    columns = block.columns
    values = {code: column.values for code, column in columns.items()}
    nothing = np.full(len(block), np.nan)
    by_code = {m.code: m for m in model.metrics}
    out = []
    for code, computed in index766.derive(model, values, len(block)).items():
        given = columns.get(code)
        if given is not None:
            for i in np.flatnonzero(~bad & index766.differs(given.values, computed)):
                problems.append(Problem("published_score_differs", file, block.sheet, int(given.rows[i]), given.label,
                                        given.raw[i], {"indicator": code, "computed": float(computed[i])}, "warning"))
        metric = by_code.get(code)
        n = values.get(metric.numerator, nothing) if metric else nothing
        d = values.get(metric.denominator, nothing) if metric and metric.denominator else nothing
        counted = ~np.isnan(computed)
        out.append((catalog.rows[code], computed, np.where(counted, n, np.nan), np.where(counted, d, np.nan)))
    return out


def locate(blocks: list[Block]) -> dict[tuple[str, str], tuple[Block, int]]:
    """(unit, period) -> where its record is, for pointing a later warning at the right cell."""
    return {(unit, period): (block, i) for block in blocks
            for i, (unit, period) in enumerate(zip(block.units, block.periods))}
