"""Reference data from data/: official units (loaded once) and the indicator catalog (synced each start).

The catalog file is the source of truth: a row an analyst adds to data/indicators.csv appears on the
next start with no code change.
"""

from __future__ import annotations


import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd

from store.audit import record
from store.db import REPO_ROOT, transaction
from store.audit import record_refusal
from store.users import NotAllowed, SessionExpired, User, require_role, system_user

DATA_DIR = REPO_ROOT / "data"
UNITS_CSV = DATA_DIR / "admin_units_2025.csv"
MERGES_CSV = DATA_DIR / "commune_merges_2025.csv"
CATALOG_CSV = DATA_DIR / "indicators.csv"
REFORM_DATE = "2025-07-01"
T = TypeVar("T")
UNIT_COLUMNS = ("code", "name_vi", "full_name_vi", "name_ascii", "name_en", "unit_type", "parent_code")  # the two-level local government took effect

_CATALOG_COLUMNS = {"min": "min_value", "max": "max_value"}
_CATALOG_FIELDS = ["code", "name_vi", "name_en", "unit", "direction", "kind", "numerator", "denominator",
                   "min_value", "max_value", "group_766", "max_points_766", "full_score_threshold",
                   "part_of", "when_empty", "target", "not_above", "decimals", "period_aggregation", "weight", "notes"]


def read_catalog(path: Path | None = None) -> pd.DataFrame:
    """The indicator catalog as a DataFrame with the database's column names."""
    frame = pd.read_csv(path or CATALOG_CSV, dtype=str, keep_default_na=False).rename(columns=_CATALOG_COLUMNS)
    for column in ("min_value", "max_value", "max_points_766", "full_score_threshold", "target"):
        frame[column] = pd.to_numeric(frame[column].replace("", None))
    frame["decimals"] = pd.to_numeric(frame["decimals"].replace("", "2")).astype(int)
    for column in ("numerator", "denominator", "group_766", "part_of", "when_empty", "not_above", "weight", "notes"):
        frame[column] = frame[column].replace("", None)
    return frame[_CATALOG_FIELDS]


def read_units(path: Path = UNITS_CSV) -> pd.DataFrame:
    """Provinces and communes as rows of the `unit` table."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    provinces = raw.drop_duplicates("province_code")
    province_rows = pd.DataFrame({
        "code": provinces["province_code"],
        "name_vi": provinces["province_name"],
        "full_name_vi": provinces["province_full_name"],
        "name_ascii": provinces["province_name_en"],
        "name_en": provinces["province_name_en"],
        "unit_type": provinces["province_full_name"].map(
            lambda name: "thanh_pho" if name.startswith("Thành phố") else "tinh"),
        "parent_code": None,
    })
    commune_rows = pd.DataFrame({
        "code": raw["commune_code"],
        "name_vi": raw["commune_name"],
        "full_name_vi": raw["commune_full_name"],
        "name_ascii": raw["commune_name_en"],
        "name_en": raw["commune_name_en"],
        "unit_type": raw["unit_type"],
        "parent_code": raw["province_code"],
    })
    units = pd.concat([province_rows, commune_rows], ignore_index=True)
    units["valid_from"] = pd.Timestamp(REFORM_DATE).date()
    units["valid_to"] = None
    return units


def read_aliases(path: Path = UNITS_CSV) -> pd.DataFrame:
    """Codes printed in Công văn 1027 where they differ from the official commune code."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    differing = raw[raw["code_in_cv1027"] != raw["commune_code"]]
    return pd.DataFrame({"alias_code": differing["code_in_cv1027"], "unit_code": differing["commune_code"],
                         "source": "CV 1027/CTK-CSCL"})


def sync_reference_data(con: duckdb.DuckDBPyConnection) -> None:
    """Load units, aliases and merges into an empty database; refresh the catalog every time."""
    catalog = read_catalog()
    with transaction(con):
        if con.execute("SELECT count(*) FROM unit").fetchall()[0][0] == 0:
            units = read_units()
            aliases = read_aliases()
            merges = pd.read_csv(MERGES_CSV, dtype=str, keep_default_na=False).rename(
                columns={"commune_code": "unit_code"})[["unit_code", "old_code", "old_full_name", "merge_type"]]
            con.register("units_df", units)
            con.register("aliases_df", aliases)
            con.register("merges_df", merges)
            con.execute("INSERT INTO unit BY NAME SELECT * FROM units_df")
            con.execute("INSERT INTO unit_alias BY NAME SELECT * FROM aliases_df")
            con.execute("INSERT INTO unit_merge BY NAME SELECT * FROM merges_df")
            for name in ("units_df", "aliases_df", "merges_df"):
                con.unregister(name)
        changes = _catalog_changes(con.execute("SELECT * FROM indicator").df(), catalog)
        con.register("catalog_df", catalog)
        con.execute("DELETE FROM indicator")
        con.execute("INSERT INTO indicator BY NAME SELECT * FROM catalog_df")
        con.unregister("catalog_df")
        if changes:  # the catalog is edited as a file; who started the app with the new file is on record
            record(con, f"file:{system_user()}", "catalog", CATALOG_CSV.name, changes)


def _catalog_changes(stored: pd.DataFrame, incoming: pd.DataFrame) -> dict[str, list[str]]:
    """Indicator codes added, removed and changed between the stored catalog and the file (empty: none)."""
    if stored.empty:
        return {}  # a new database, not a change
    def rows(frame: pd.DataFrame) -> dict[str, tuple]:
        shown = frame[sorted(set(stored.columns) & set(incoming.columns))].astype(object)
        shown = shown.map(_comparable)
        return {row[shown.columns.get_loc("code")]: tuple(row) for row in shown.itertuples(index=False)}
    old, new = rows(stored), rows(incoming)
    changes = {"added": sorted(set(new) - set(old)), "removed": sorted(set(old) - set(new)),
               "changed": sorted(code for code in set(old) & set(new) if old[code] != new[code])}
    return {kind: codes for kind, codes in changes.items() if codes}


def _comparable(value: object) -> object:
    """'100', 100 and 100.0 alike; blank and missing alike ('': pandas would turn None back into NaN,
    which equals nothing); other text as it is."""
    if value is None or value == "" or (not isinstance(value, str) and pd.isna(value)):
        return ""
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def units_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every unit (provinces have no parent_code)."""
    return con.execute(f"SELECT {', '.join(UNIT_COLUMNS)} FROM unit ORDER BY code").df()


def alias_codes(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT alias_code, unit_code FROM unit_alias").fetchall())


def catalog_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The indicator catalog as stored (synced from data/indicators.csv at start)."""
    return con.execute("SELECT * FROM indicator").df()


def mapping_profiles(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """Saved layouts: fingerprint -> {label: target}."""
    return {fingerprint: json.loads(mapping) for fingerprint, mapping in
            con.execute("SELECT fingerprint, mapping FROM mapping_profile ORDER BY created_at").fetchall()}


def mapping_profile_named(con: duckdb.DuckDBPyConnection, name: str) -> dict[str, str] | None:
    """One saved mapping by the name it was saved under ({label: target}); None when there is none."""
    row = con.execute("SELECT mapping FROM mapping_profile WHERE name = ? ORDER BY created_at DESC LIMIT 1",
                      [name]).fetchone()
    return json.loads(row[0]) if row else None


def mapping_profile_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [name for (name,) in con.execute("SELECT DISTINCT name FROM mapping_profile ORDER BY name").fetchall()]


def save_mapping_profile(con: duckdb.DuckDBPyConnection, name: str, fingerprint: str, mapping: dict[str, str],
                         created_by: str) -> None:
    """Remember a confirmed mapping so the same layout loads again without questions."""
    con.execute("INSERT OR REPLACE INTO mapping_profile VALUES (?, ?, ?, ?, current_timestamp)",
                [name, fingerprint, json.dumps(mapping, ensure_ascii=False), created_by])


def store_composite(con: duckdb.DuckDBPyConnection, name: str, definition: str, by: User | None) -> None:
    """A named composite index (its definition as JSON), saved by `by` and recorded in the audit trail.

    Saving needs an analyst; saving a name again replaces it, which only its author or an administrator may
    do (NotAllowed otherwise, the refusal recorded). Every reader sees every composite.
    """
    if by is None:  # a public visitor, or a session that ended
        raise SessionExpired()
    if not isinstance(by, User):  # a bare name would say nothing about the role: refuse, never guess
        raise TypeError(f"store_composite needs the signed-in User, got {type(by).__name__}")
    author = con.execute("SELECT created_by FROM composite WHERE name = ?", [name]).fetchall()
    replaced = author[0][0] if author else None
    try:
        require_role(by, "analyst", "composite")
        if replaced is not None and replaced != by.username and by.role != "admin":
            raise NotAllowed(user=by.username, role=by.role, action="composite_overwrite", provinces="–")
    except NotAllowed:
        record_refusal(con, by.username, "composite", name, {"author": replaced})
        raise
    with transaction(con):
        con.execute("INSERT OR REPLACE INTO composite VALUES (?, ?, ?, current_timestamp)", [name, definition,
                                                                                          by.username])
        record(con, by.username, "composite", name, {"definition": json.loads(definition), "replaced": replaced})


def reference_key(con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    """Which database (file and creation) a connection is on, to cache reference data per database: units
    are loaded once into a new file, the catalog is synced when a process first opens it."""
    path = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchall()
    created = con.execute("SELECT min(applied_at) FROM schema_version").fetchall()
    return str(path[0][0]), str(created[0][0])


def cache_by_key(function: Callable[..., T]) -> Callable[..., T]:
    """Remember a function's result per its first argument (a hashable key); the others are not keyed."""
    results: dict[Any, T] = {}

    def cached(key: Any, *args: Any) -> T:
        if key not in results:
            results[key] = function(key, *args)
        return results[key]

    return cached
