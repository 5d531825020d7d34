"""What the demo's 766 index looks like in its latest month, beside the published figures it imitates.

    PYTHONPATH=. .venv/bin/python -m benchmarks.demo_index                 # from the generated counts
    PYTHONPATH=. .venv/bin/python -m benchmarks.demo_index --db FILE       # from a built demo database (copied)

Prints the national index median and interquartile range, the spread of province means, each group's
median, the national on-time rate (Σ on time ÷ Σ received) and the median month-to-month absolute change
of a commune's national rank (ranked as the portal ranks: equal values share a rank). Without --db the
index comes from the generated counts by analytics.index766, the rule the loader applies; with --db it is
read back as the loader stored it. Also prints how long generating the frames took.
Published reference (Phú Thọ, August 2026): index median 63.66 (48.47–67.00); provinces about 60–87.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

import store

from analytics.index766 import derive, model_of
from etl.demo import DEMO_MONTHS, generate_demo_frames
from store.reference import CATALOG_CSV, UNITS_CSV, read_catalog


def from_frames(seed: int) -> tuple[dict[str, pd.DataFrame], float]:
    """month -> unit_code, province_code, the six groups, service_index, on-time counts; and generation time."""
    units = pd.read_csv(UNITS_CSV, dtype=str, keep_default_na=False)
    catalog = pd.read_csv(CATALOG_CSV, dtype=str, keep_default_na=False)
    started = time.perf_counter()
    frames = generate_demo_frames(units, catalog, seed=seed)
    seconds = time.perf_counter() - started
    model = model_of(read_catalog().itertuples(index=False))
    province = units.set_index("commune_code")["province_code"]
    out = {}
    for month, frame in frames.items():
        values = {c: frame[c].to_numpy(float) for c in frame.columns[2:]}
        scored = derive(model, values, len(frame))
        out[month] = pd.DataFrame({"unit_code": frame["commune_code"],
                                   "province_code": province[frame["commune_code"]].to_numpy(),
                                   "dossiers_on_time": frame["dossiers_on_time"],
                                   "dossiers_received": frame["dossiers_received"],
                                   **{code: scored[code] for code in (*model.groups, model.index)}})
    return out, seconds


def _read(con) -> pd.DataFrame:
    return con.execute("""
        SELECT o.period, o.unit_code, u.parent_code AS province_code, o.indicator_code, o.value
        FROM observation o JOIN unit u ON u.code = o.unit_code
        WHERE o.is_current AND o.indicator_code IN (SELECT code FROM indicator WHERE group_766 IS NOT NULL
              OR code IN ('service_index', 'dossiers_on_time', 'dossiers_received'))""").df()


def from_database(db: str) -> dict[str, pd.DataFrame]:
    """Read from a copy: opening a database brings its schema and catalog up to date."""
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "demo.duckdb"
        shutil.copy(db, copy)
        with store.connect(copy) as con:
            rows = _read(con)
    wide = rows.pivot_table(index=["period", "unit_code", "province_code"], columns="indicator_code",
                            values="value").reset_index()
    if "service_index" not in wide:  # a database from before the index was stored: the sum of the groups
        groups = [c for c in wide.columns if c.endswith("_score")]
        wide["service_index"] = wide[groups].sum(axis=1, min_count=len(groups)).where(wide[groups].notna().all(axis=1))
    return {month: frame.drop(columns="period").reset_index(drop=True) for month, frame in wide.groupby("period")}


def national_ranks(frame: pd.DataFrame) -> pd.Series:
    index = frame.set_index("unit_code")["service_index"].dropna().round(2)
    return index.rank(method="min", ascending=False)


def province_ranks(frame: pd.DataFrame) -> pd.Series:
    index = frame.set_index("unit_code")[["province_code", "service_index"]].dropna()
    return index.groupby("province_code")["service_index"].rank(method="min", ascending=False)


def report(months: dict[str, pd.DataFrame]) -> dict[str, float]:
    latest, previous = months[DEMO_MONTHS[-1]], months[DEMO_MONTHS[-2]]
    index = latest["service_index"].dropna()
    provinces = latest.groupby("province_code")["service_index"].mean()
    now, before = national_ranks(latest), national_ranks(previous)
    both = now.index.intersection(before.index)
    figures = {
        "index_median": float(index.median()), "index_q1": float(index.quantile(0.25)),
        "index_q3": float(index.quantile(0.75)), "index_min": float(index.min()), "index_max": float(index.max()),
        "province_mean_min": float(provinces.min()), "province_mean_max": float(provinces.max()),
        "on_time_rate": float(100 * latest["dossiers_on_time"].sum() / latest["dossiers_received"].sum()),
        "median_rank_change": float((now[both] - before[both]).abs().median()),
        "median_province_rank_change": float((province_ranks(latest) - province_ranks(previous)).abs().median()),
        "units_ranked": float(len(now)),
    }
    for column in latest.columns:
        if column.endswith("_score"):
            figures[f"median_{column}"] = float(latest[column].median())
    return figures


def main(argv: Sequence[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", help="a built demo database (copied, never changed)")
    parser.add_argument("--seed", type=int, default=766)
    args = parser.parse_args(argv)
    if args.db:
        figures = report(from_database(args.db))
    else:
        months, seconds = from_frames(args.seed)
        figures = report(months)
        figures["generation_seconds"] = seconds
    print(f"demo, {DEMO_MONTHS[-1]}: {int(figures['units_ranked'])} communes with an index")
    print(f"  index median {figures['index_median']:.2f}, IQR {figures['index_q1']:.2f}–{figures['index_q3']:.2f}, "
          f"range {figures['index_min']:.2f}–{figures['index_max']:.2f}   (published Phú Thọ: 63.66, 48.47–67.00)")
    print(f"  province means {figures['province_mean_min']:.2f}–{figures['province_mean_max']:.2f}"
          "   (published provinces: about 60–87)")
    print("  group medians: " + ", ".join(f"{k[7:]} {v:.2f}" for k, v in figures.items() if k.startswith("median_")
                                          and k.endswith("_score")))
    print(f"  on-time rate {figures['on_time_rate']:.1f}%   (published Phú Thọ: about 79–87%)")
    print(f"  median month-to-month change of national rank: {figures['median_rank_change']:.0f} places, "
          f"of province rank: {figures['median_province_rank_change']:.0f}")
    if "generation_seconds" in figures:
        print(f"  generating 16 months took {figures['generation_seconds']:.1f} s")
    return figures


if __name__ == "__main__":
    main()
