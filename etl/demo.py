"""Simulated monthly commune reports, so the dashboard can be shown before any real data is loaded.

`generate_demo_frames` draws one wide table per month (pure numpy, deterministic for a seed);
`write_demo_workbooks` writes each month as the spreadsheet an analyst would upload, title rows and all,
so the demo exercises the same loader path as real files. No streamlit, no database.

The numbers are invented but hang together: every dependent count is drawn from the count it must not
exceed, so the portal's identities (received = on time + overdue, online <= received, ...) hold on every
row, and all rates follow one latent "digital maturity" per unit-month.

The 766 index is drawn at the metric level, as the portal publishes it (../shared/spec/766_index.md): the
counts of each metric and the online-service ratio, with distributions like Phú Thọ's in August 2026 and a
province effect that spreads provinces over roughly 55–85. The loader then derives the metric points, the
groups and the index by the portal's rule (analytics.index766); no score is invented here. A commune keeps
its standing from month to month: its own effect is fixed, the monthly noise modest.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

# The new communes exist from 1 July 2025; trends are measured in months since then.
FIRST_MONTH = "2025-07"
DEMO_MONTHS: list[str] = [str(period) for period in pd.period_range(FIRST_MONTH, "2026-10", freq="M")]

GENERATED_KINDS = ("count", "mean", "score")
# The portal publishes no counts for e-certified copies in 2026 (full points for every unit): left blank.
NOT_PUBLISHED = ("electronic_certified_copy_n", "electronic_certified_copy_d")

MISSING_SHARE = 0.03
OUTLIER_SHARE = 0.0005
OUTLIER_FACTOR = 5

# Dossier volume by calendar month: the rush before Tết (17 Feb 2026) and the holiday itself.
SEASONALITY = {1: 1.12, 2: 0.78, 12: 1.06}

TITLE_AUTHORITY = "UBND CÁC TỈNH, THÀNH PHỐ"
TITLE_REPORT = "BÁO CÁO CHỈ SỐ CHUYỂN ĐỔI SỐ CẤP XÃ THÁNG {month}/{year}"
TITLE_DISCLAIMER = "(Dữ liệu mô phỏng để trình diễn — không phải số liệu thật)"
KEY_HEADERS = ("STT", "Mã xã", "Tên đơn vị")


def generate_demo_frames(units: pd.DataFrame, catalog: pd.DataFrame, seed: int = 766,
                         months: list[str] = DEMO_MONTHS) -> dict[str, pd.DataFrame]:
    """One wide DataFrame per month: columns 'commune_code', 'commune_full_name', then one column per
    generated indicator code. Rows only for units that reported that month."""
    rng = np.random.default_rng(seed)
    elapsed = np.array([_months_between(FIRST_MONTH, month) for month in months])
    calendar_month = np.array([int(month[5:7]) for month in months])

    maturity, baseline = _maturity(units, elapsed, rng)
    simulated = _simulate_known(units, maturity, baseline, elapsed, calendar_month, rng)
    reported = rng.random((len(units), len(months))) >= _missing_propensity(len(units), rng)[:, None]

    generated = _generated_catalog(catalog)
    available = dict(simulated)
    for row in generated[~generated["code"].isin(simulated)].itertuples(index=False):
        available[row.code] = _simulate_unknown(row.code, row.kind, float(row.max_points),
                                                available.get(row.not_above), simulated["population"],
                                                maturity, elapsed, seed)
    columns = {code: available[code] for code in generated["code"]}

    frames: dict[str, pd.DataFrame] = {}
    for j, month in enumerate(months):
        rows = reported[:, j]
        frames[month] = pd.DataFrame({
            "commune_code": units["commune_code"].to_numpy()[rows],
            "commune_full_name": units["commune_full_name"].to_numpy()[rows],
            **{code: values[rows, j] for code, values in columns.items()},
        })
    return frames


def write_demo_workbooks(frames: dict[str, pd.DataFrame], catalog: pd.DataFrame, out_dir: Path,
                         progress: Callable[[int, int, str], None] | None = None) -> list[Path]:
    """Write one .xlsx per month named `bao_cao_chuyen_doi_so_{YYYY-MM}.xlsx` in the upload layout; return paths."""
    labels = dict(zip(catalog["code"], catalog["name_vi"]))
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for i, (month, frame) in enumerate(frames.items(), start=1):
        path = out_dir / f"bao_cao_chuyen_doi_so_{month}.xlsx"
        _write_month_workbook(frame, month, labels, path)
        paths.append(path)
        if progress is not None:
            progress(i, len(frames), path.name)
    return paths


def _generated_catalog(catalog: pd.DataFrame) -> pd.DataFrame:
    """Catalog rows to simulate, in catalog order, with each row's score ceiling as `max_points` and the
    count it must not exceed as `not_above` (None when unbounded or the catalog has no such column).

    The inputs only: counts, means and the percentages only the portal publishes (a rate without counts);
    no 766 score (the loader derives every metric, group and the index from the counts) and no count the
    portal leaves blank. A score an analyst adds outside the index is simulated as before."""
    blank = pd.Series("", index=catalog.index)
    in_index = catalog.get("group_766", blank).fillna("").astype(str).ne("") | \
        catalog.get("part_of", blank).fillna("").astype(str).ne("")
    published_share = (catalog["kind"] == "rate") & catalog["numerator"].fillna("").astype(str).eq("")
    wanted = (catalog["kind"].isin(GENERATED_KINDS) & ~((catalog["kind"] == "score") & in_index)) | published_share
    rows = catalog[wanted & ~catalog["code"].isin(NOT_PUBLISHED)]
    max_points = pd.to_numeric(rows["max_points_766"], errors="coerce")
    not_above = rows["not_above"] if "not_above" in rows else pd.Series(None, index=rows.index)
    return pd.DataFrame({"code": rows["code"], "kind": rows["kind"],
                         "max_points": max_points.fillna(pd.to_numeric(rows["max"], errors="coerce")),
                         "not_above": not_above.astype(object).where(not_above.notna(), None)})


def _months_between(start: str, month: str) -> int:
    return (pd.Period(month, freq="M") - pd.Period(start, freq="M")).n


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _share(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, 0 where nothing was counted."""
    return np.divide(numerator, denominator, out=np.zeros(numerator.shape), where=denominator > 0)


def _points(max_points: float, fraction: np.ndarray) -> np.ndarray:
    return np.round(max_points * np.clip(fraction, 0.0, 1.0), 2)


def _maturity(units: pd.DataFrame, elapsed: np.ndarray,
              rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Latent digital maturity on a logit scale: (per unit-month, per-unit baseline at July 2025)."""
    unit_type = units["unit_type"].to_numpy()
    province_index, provinces = pd.factorize(units["province_code"])
    # Centrally-run cities ("Thành phố ...") start ahead of the provinces.
    is_city = units["province_full_name"].str.startswith("Thành phố").to_numpy()
    province_effect = rng.normal(0.0, 0.35, len(provinces))[province_index] + 0.3 * is_city
    type_effect = _by_unit_type(unit_type, phuong=0.5, dac_khu=-0.3, xa=0.0)
    unit_effect = rng.normal(0.0, 0.45, len(units))
    baseline = province_effect + type_effect + unit_effect
    monthly_gain = rng.normal(0.07, 0.02, len(units))
    noise = rng.normal(0.0, 0.15, (len(units), len(elapsed)))
    return baseline[:, None] + monthly_gain[:, None] * elapsed[None, :] + noise, baseline


def _missing_propensity(n_units: int, rng: np.random.Generator) -> np.ndarray:
    """Per-unit chance of not reporting a month, averaging MISSING_SHARE: a few units are chronically late."""
    concentration = 30.0
    return rng.beta(MISSING_SHARE * concentration, (1 - MISSING_SHARE) * concentration, n_units)


def _by_unit_type(unit_type: np.ndarray, *, phuong: float, dac_khu: float, xa: float) -> np.ndarray:
    return np.select([unit_type == "phuong", unit_type == "dac_khu"], [phuong, dac_khu], xa)


def _simulate_known(units: pd.DataFrame, maturity: np.ndarray, baseline: np.ndarray, elapsed: np.ndarray,
                    calendar_month: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Every indicator whose model is known, each (units × months). Draw order is fixed, so the values do
    not depend on which of them the catalog asks for."""
    unit_type = units["unit_type"].to_numpy()
    # the 766 metrics draw from their own generator, so the project's own indicators keep their values
    rng766 = np.random.default_rng([int(rng.integers(2**32)), 766])
    province_index, provinces = pd.factorize(units["province_code"])
    province = rng766.normal(0.0, 1.0, len(provinces))  # how far the province's portal setup has come
    standing = _standing(baseline, elapsed, rng766)
    residents = _simulate_residents(unit_type, baseline, elapsed, rng)
    activity = _simulate_activity(unit_type, residents["population"], maturity, calendar_month, rng,
                                  on_time_share=_sigmoid(1.8 + 0.5 * standing + 0.3 * province[province_index][:, None]))
    metrics = _simulate_766(activity, standing, province, province_index, rng766)
    return {**activity, **residents, **metrics}


def _simulate_residents(unit_type: np.ndarray, baseline: np.ndarray, elapsed: np.ndarray,
                        rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Stocks: they grow smoothly (no monthly noise), so none falls from one month to the next."""
    n_units = len(unit_type)
    initial_population = np.clip(_by_unit_type(unit_type, phuong=32_000, dac_khu=6_000, xa=16_000)
                                 * rng.lognormal(0.0, 0.45, n_units), 3_000, 80_000)
    monthly_growth = np.clip(rng.normal(0.01, 0.005, n_units), 0.0, None)[:, None] / 12
    population = np.rint(initial_population[:, None] * (1 + monthly_growth) ** elapsed).astype(np.int64)
    adult_population = np.floor(population * rng.uniform(0.75, 0.80, n_units)[:, None]).astype(np.int64)
    vneid_share = _sigmoid((0.1 + 0.4 * baseline + rng.normal(0.0, 0.25, n_units))[:, None]
                           + rng.normal(0.06, 0.01, n_units)[:, None] * elapsed)
    vneid_level2 = np.floor(adult_population * vneid_share).astype(np.int64)

    # Roughly one community digital team per village or residential group, a few added over the period.
    initial_teams = np.clip(np.rint(initial_population / 2_500 * rng.lognormal(0.0, 0.3, n_units)), 1, 18)
    added_teams = np.floor(rng.uniform(0.0, 0.15, n_units)[:, None] * elapsed)
    digital_teams = np.clip(initial_teams[:, None] + added_teams, 1, 20).astype(np.int64)
    digital_team_members = np.rint(digital_teams * rng.uniform(3.0, 10.0, n_units)[:, None]).astype(np.int64)
    # Bình dân học vụ số participants are reported cumulatively, approaching a unit-specific reach.
    reach_per_1000 = rng.uniform(400.0, 900.0, n_units)[:, None] * _sigmoid(
        (-2.2 + 0.5 * baseline + rng.normal(0.0, 0.4, n_units))[:, None] + 0.25 * elapsed)
    digital_trainees = np.floor(population * reach_per_1000 / 1_000).astype(np.int64)
    return {"population": population, "adult_population": adult_population, "vneid_level2": vneid_level2,
            "digital_trainees": digital_trainees, "digital_teams": digital_teams,
            "digital_team_members": digital_team_members}


def _simulate_activity(unit_type: np.ndarray, population: np.ndarray, maturity: np.ndarray,
                       calendar_month: np.ndarray, rng: np.random.Generator,
                       on_time_share: np.ndarray) -> dict[str, np.ndarray]:
    """Monthly flows. Each dependent count is a binomial draw from the count it must not exceed."""
    n_units = len(unit_type)
    shape = maturity.shape
    season = np.array([SEASONALITY.get(month, 1.0) for month in calendar_month])
    dossiers_per_capita = (_by_unit_type(unit_type, phuong=0.033, dac_khu=0.028, xa=0.028)
                           * rng.lognormal(0.0, 0.3, n_units))
    dossiers_received = np.clip(np.rint(population * dossiers_per_capita[:, None] * season
                                        * rng.lognormal(0.0, 0.12, shape)), 100, 3_000).astype(np.int64)
    outlier = rng.random(shape) < OUTLIER_SHARE
    dossiers_received = np.where(outlier, dossiers_received * OUTLIER_FACTOR, dossiers_received)

    dossiers_on_time = rng.binomial(dossiers_received, on_time_share)
    dossiers_overdue = dossiers_received - dossiers_on_time
    avg_processing_days = np.round(np.clip(5.0 * np.exp(-0.3 * maturity + rng.normal(0.0, 0.15, shape))
                                           + 20 * _share(dossiers_overdue, dossiers_received), 1.0, 12.0), 1)
    dossiers_online = rng.binomial(dossiers_received, _sigmoid(0.2 + maturity))
    dossiers_full_online = rng.binomial(dossiers_online, _sigmoid(-0.6 + 0.9 * maturity))
    payment_obligation = rng.binomial(dossiers_received, rng.uniform(0.2, 0.4, n_units)[:, None])
    payment_online = rng.binomial(payment_obligation, _sigmoid(-0.4 + maturity))
    dossiers_digitized = rng.binomial(dossiers_received, _sigmoid(0.6 + maturity))
    results_electronic = rng.binomial(dossiers_received, _sigmoid(0.9 + maturity))
    typical_docs = (_by_unit_type(unit_type, phuong=220, dac_khu=90, xa=150)
                    * rng.lognormal(0.0, 0.35, n_units))
    docs_outgoing = np.clip(np.rint(typical_docs[:, None] * season * rng.lognormal(0.0, 0.2, shape)),
                            50, 500).astype(np.int64)
    docs_esigned = rng.binomial(docs_outgoing, _sigmoid(2.2 + 0.7 * maturity))
    survey_responses = rng.binomial(dossiers_received, _sigmoid(-1.6 + 0.4 * maturity))
    survey_satisfied = rng.binomial(survey_responses, _sigmoid(2.6 + 0.5 * maturity))
    return {"dossiers_received": dossiers_received, "dossiers_on_time": dossiers_on_time,
            "dossiers_overdue": dossiers_overdue, "avg_processing_days": avg_processing_days,
            "dossiers_online": dossiers_online, "dossiers_full_online": dossiers_full_online,
            "payment_obligation": payment_obligation, "payment_online": payment_online,
            "dossiers_digitized": dossiers_digitized, "results_electronic": results_electronic,
            "docs_outgoing": docs_outgoing, "docs_esigned": docs_esigned,
            "survey_responses": survey_responses, "survey_satisfied": survey_satisfied}


def _standing(baseline: np.ndarray, elapsed: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A commune's standing on the 766 metrics (units × months, logit scale): its own fixed effect, a slow
    common improvement that reaches it in the last month, and modest monthly noise (smaller than the
    spread between communes, so ranks move by a few places, not hundreds)."""
    return baseline[:, None] + 0.02 * (elapsed - elapsed.max())[None, :] + \
        rng.normal(0.0, 0.06, (len(baseline), len(elapsed)))


def _simulate_766(activity: dict[str, np.ndarray], standing: np.ndarray, province: np.ndarray,
                  province_index: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The counts behind each 766 metric and the online-service ratio (units × months).

    Levels follow the published Phú Thọ figures (a median commune: publication counts empty, 87 of 89
    procedures in full, on time 87%, results electronic 87%, few components digitised or reused, no
    petitions, satisfaction 88%); a province further along publishes on time, digitises and takes online
    payment more, which spreads province means over roughly 55–85."""
    shape = standing.shape
    n_units, n_months = shape
    p_unit = province[province_index][:, None]  # the province's effect, per commune
    received = activity["dossiers_received"]

    def share(level: float, unit: float, prov: float, noise: float = 0.05) -> np.ndarray:
        return _sigmoid(level + unit * standing + prov * p_unit + rng.normal(0.0, noise, shape))

    def of(base: np.ndarray, chance: np.ndarray) -> np.ndarray:
        return rng.binomial(base, chance)

    n_prov = len(province)
    months = (n_prov, n_months)
    # publication: the province publishes, its communes carry its counts; only provinces further along
    # had procedures due (Phú Thọ had none: 0/0, no points); a province's counts change little by month
    def steady(low: int, high: int, present: np.ndarray) -> np.ndarray:
        return np.repeat((rng.integers(low, high, n_prov) * present)[:, None], n_months, axis=1)

    due_publish = steady(4, 12, province > 0.3)
    due_update = steady(3, 8, province > 0.8)
    procedures = steady(60, 120, np.ones(n_prov, dtype=bool))

    def provincial_share(counts: np.ndarray, level: float, slope: float) -> np.ndarray:
        return np.rint(counts * _sigmoid(level + slope * province[:, None] + rng.normal(0.0, 0.05, months)))

    provincial = {
        "publish_on_time_n": provincial_share(due_publish, 1.5, 1.0).astype(np.int64),
        "publish_on_time_d": due_publish,
        "public_update_on_time_n": provincial_share(due_update, 1.2, 1.0).astype(np.int64),
        "public_update_on_time_d": due_update,
        "public_content_full_n": provincial_share(procedures, 3.0, 0.5).astype(np.int64),
        "public_content_full_d": procedures,
        "citizen_data_formality_d": steady(300, 420, np.ones(n_prov, dtype=bool)),
    }
    provincial = {code: values[province_index] for code, values in provincial.items()}
    # fee procedures of a commune: stable from month to month
    fee_procedures = np.repeat(rng.integers(25, 41, n_units)[:, None], n_months, axis=1)
    linked_procedures = provincial["citizen_data_formality_d"]
    petitions = rng.poisson(np.clip(received / 4000, 0.02, None) * np.exp(-0.5 * standing))
    classified = of(petitions, 0.6)
    out = {
        **provincial,
        "dossier_sync_n": of(received, share(4.0, 0.5, 0.3)), "dossier_sync_d": received,
        "online_service_ratio": np.round(100 * share(0.08, 0.1, 0.35, 0.02), 2),
        "fee_procedures_used_n": of(fee_procedures, share(-1.5, 0.3, 0.8)), "fee_procedures_used_d": fee_procedures,
        "fee_procedures_paid_online_n": of(fee_procedures, share(-1.3, 0.3, 0.8)),
        "fee_procedures_paid_online_d": fee_procedures,
        "original_result_available_n": of(received, share(1.9, 0.5, 0.3)), "original_result_available_d": received,
        "so_hoa_giay_to_giai_quyet_n": of(received, share(-2.5, 0.4, 1.0)), "so_hoa_giay_to_giai_quyet_d": received,
        "reused_digitized_data_n": of(received, share(-3.3, 0.4, 1.0)), "reused_digitized_data_d": received,
        "synced_personal_storage_n": of(received, share(-6.0, 0.3, 1.5)), "synced_personal_storage_d": received,
        "citizen_data_dossier_n": of(received, share(-0.8, 0.4, 0.8)), "citizen_data_dossier_d": received,
        "citizen_data_formality_n": of(linked_procedures, share(-2.7, 0.3, 0.8)),
        "dossier_satisfaction_n": of(received, share(2.0, 0.5, 0.3)), "dossier_satisfaction_d": received,
        "petition_on_time_n": of(petitions, share(1.5, 0.5, 0.3)), "petition_on_time_d": petitions,
        "petition_satisfaction_n": of(petitions, share(1.0, 0.5, 0.3)), "petition_satisfaction_d": petitions,
        "petition_class_tthc_n": classified, "petition_class_tthc_d": petitions,
        "petition_class_staff_n": of(petitions - classified, 0.3), "petition_class_staff_d": petitions,
    }
    # payment online follows the same standing (the project's own online-payment rate reads it too)
    out["payment_online"] = of(activity["payment_obligation"], share(1.3, 0.5, 0.4))
    return out


def _simulate_unknown(code: str, kind: str, max_points: float, bound: np.ndarray | None,
                      population: np.ndarray, maturity: np.ndarray, elapsed: np.ndarray,
                      seed: int) -> np.ndarray:
    """Plausible values for a catalog row this module has no model for (an analyst added it). A count
    with a `bound` (its catalog `not_above`) is a share of it, so the loader's check still passes.

    Drawn from a generator keyed by the code, so adding a row never changes any other column.
    """
    rng = np.random.default_rng([seed, zlib.crc32(code.encode())])
    shape = maturity.shape
    if kind == "count" and bound is not None:
        return rng.binomial(bound, rng.uniform(0.3, 0.9, shape[0])[:, None])
    if kind == "count":
        per_capita = rng.lognormal(np.log(50 / 16_000), 0.8, shape[0])[:, None]
        trend = 1 + 0.01 * elapsed
        return np.rint(population * per_capita * trend * rng.lognormal(0.0, 0.15, shape)).astype(np.int64)
    if kind == "mean":
        typical = rng.lognormal(np.log(5.0), 0.4, shape[0])[:, None]
        return np.round(np.maximum(typical * rng.lognormal(0.0, 0.1, shape), 0.1), 1)
    return _points(max_points, _sigmoid(1.0 + maturity + rng.normal(0.0, 0.3, shape)))


def _write_month_workbook(frame: pd.DataFrame, month: str, labels: dict[str, str], path: Path) -> None:
    year, month_number = month.split("-")
    indicator_codes = list(frame.columns[2:])
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(f"Thang {month_number}-{year}")
    sheet.append([TITLE_AUTHORITY])
    sheet.append([TITLE_REPORT.format(month=int(month_number), year=year)])
    sheet.append([TITLE_DISCLAIMER])
    sheet.append([])
    sheet.append([*KEY_HEADERS, *(labels[code] for code in indicator_codes)])
    # .tolist() yields plain Python ints and floats, which openpyxl writes fastest and exactly.
    value_columns = [frame[code].tolist() for code in indicator_codes]
    rows = zip(frame["commune_code"].tolist(), frame["commune_full_name"].tolist(), *value_columns)
    for serial, (commune_code, commune_name, *values) in enumerate(rows, start=1):
        sheet.append([serial, _text_cell(sheet, commune_code), commune_name, *values])
    workbook.save(path)


def _text_cell(sheet: WriteOnlyWorksheet, value: str) -> WriteOnlyCell:
    """A cell formatted as Text, so Excel keeps the leading zeros of a code when someone edits it."""
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = "@"
    return cell
