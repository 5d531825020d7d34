"""The official units and the indicator catalog, loaded on first start."""

from __future__ import annotations

import csv

import duckdb

import store
from store.reference import CATALOG_CSV
from tests.conftest import TEST_DATA

SPEC_CATALOG = TEST_DATA / "spec" / "indicators.csv"


def rows(db, sql, params=()):
    with duckdb.connect(str(db)) as con:
        return con.execute(sql, list(params)).fetchall()


def test_the_database_holds_34_provinces_and_3321_communes(fresh_db):
    assert rows(fresh_db, "SELECT count(*) FROM unit WHERE parent_code IS NULL") == [(34,)]
    assert rows(fresh_db, "SELECT count(*) FROM unit WHERE parent_code IS NOT NULL") == [(3321,)]
    assert rows(fresh_db, "SELECT unit_type, count(*) FROM unit WHERE parent_code IS NOT NULL GROUP BY 1 ORDER BY 1") \
        == [("dac_khu", 13), ("phuong", 687), ("xa", 2621)]


def test_ha_noi_has_126_units_and_phu_tho_148(fresh_db):
    assert rows(fresh_db, "SELECT count(*) FROM unit WHERE parent_code = '01'") == [(126,)]
    assert rows(fresh_db, "SELECT count(*) FROM unit WHERE parent_code = '25'") == [(148,)]
    assert rows(fresh_db, "SELECT full_name_vi, unit_type FROM unit WHERE code = '01'") == [("Thành phố Hà Nội", "thanh_pho")]


def test_both_code_columns_are_accepted_codes(fresh_db):
    assert rows(fresh_db, "SELECT alias_code, unit_code FROM unit_alias ORDER BY 1") == [("06970", "06978"),
                                                                                        ("23737", "23938")]


def test_the_merge_table_is_loaded(fresh_db):
    assert rows(fresh_db, "SELECT count(*) FROM unit_merge") == [(10604,)]


def test_starting_twice_duplicates_nothing(fresh_db):
    for _ in range(2):
        with store.connect(fresh_db):
            pass
    assert rows(fresh_db, "SELECT count(*) FROM unit") == [(3355,)]
    with open(CATALOG_CSV, encoding="utf-8") as f:
        catalog_rows = sum(1 for _ in csv.DictReader(f))
    assert rows(fresh_db, "SELECT count(*) FROM indicator") == [(catalog_rows,)]  # one per row of the file


def test_the_catalog_holds_every_row_of_the_spec_with_the_same_codes_and_facts():
    with open(SPEC_CATALOG, encoding="utf-8") as spec_file, open(CATALOG_CSV, encoding="utf-8") as our_file:
        spec = {row["code"]: row for row in csv.DictReader(spec_file)}
        ours = {row["code"]: row for row in csv.DictReader(our_file)}

    assert set(spec) <= set(ours)
    for code, row in spec.items():
        assert {k: ours[code][k] for k in row} == row, code


def test_a_row_added_to_the_catalog_file_appears_on_the_next_start(fresh_db, tmp_path, monkeypatch):
    import store.reference as reference

    extended = tmp_path / "indicators.csv"
    with open(CATALOG_CSV, encoding="utf-8") as f:
        catalog_rows = list(csv.DictReader(f))
    catalog_rows.append({**{key: "" for key in catalog_rows[0]}, "code": "wifi_points", "name_vi": "Điểm wifi công cộng",
                 "name_en": "Public wifi points", "unit": "count", "direction": "higher", "kind": "count",
                 "min": "0", "decimals": "0", "period_aggregation": "last"})
    with open(extended, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(catalog_rows[0]))
        writer.writeheader()
        writer.writerows(catalog_rows)
    monkeypatch.setattr(reference, "CATALOG_CSV", extended)
    with store.connect(fresh_db) as con:
        reference.sync_reference_data(con)

    assert rows(fresh_db, "SELECT name_vi, kind FROM indicator WHERE code = 'wifi_points'") == [
        ("Điểm wifi công cộng", "count")]


def test_a_changed_catalog_file_is_recorded_in_the_audit_trail(fresh_db, tmp_path, monkeypatch):
    import pandas as pd

    from store import db, reference
    from store.audit import audit_log
    from store.users import SYSTEM

    edited = pd.read_csv(reference.CATALOG_CSV, dtype=str, keep_default_na=False)
    edited.loc[edited["code"] == "online_filing_rate", "target"] = "90"
    edited = edited[edited["code"] != "trainees_per_1000"]
    path = tmp_path / "indicators.csv"
    edited.to_csv(path, index=False)
    monkeypatch.setattr(reference, "CATALOG_CSV", path)
    monkeypatch.setattr(db, "_prepared", set())  # as a new process would: sync again on open

    with store.connect(fresh_db) as con:
        trail = audit_log(con, SYSTEM, action="catalog")
        assert con.execute("SELECT target FROM indicator WHERE code = 'online_filing_rate'").fetchone()[0] == 90

    assert len(trail) == 1 and trail["actor"][0].startswith("file:")
    assert '"removed": ["trainees_per_1000"]' in trail["detail"][0]
    assert '"changed": ["online_filing_rate"]' in trail["detail"][0]


def test_an_unchanged_catalog_writes_no_audit_line(fresh_db, monkeypatch):
    from store import db
    from store.audit import audit_log
    from store.users import SYSTEM

    monkeypatch.setattr(db, "_prepared", set())
    with store.connect(fresh_db) as con:
        assert audit_log(con, SYSTEM, action="catalog").empty
