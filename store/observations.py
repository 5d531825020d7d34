"""Writing observations with history, batches, rollback: the only SQL that changes data."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from errors import BatchNotFound
from store.audit import record

if TYPE_CHECKING:
    from store.users import User

OBSERVATION_COLUMNS = ["unit_code", "indicator_code", "period", "value", "numerator", "denominator", "derived"]


def find_loaded_batch(con: duckdb.DuckDBPyConnection, sha256: str) -> dict[str, Any] | None:
    """The live batch that loaded these exact bytes, if any."""
    rows = con.execute(
        "SELECT batch_id, file_name, loaded_by, loaded_at FROM batch WHERE sha256 = ? AND status = 'loaded'"
        " ORDER BY batch_id DESC LIMIT 1", [sha256]).fetchall()
    if not rows:
        return None
    batch_id, file_name, loaded_by, loaded_at = rows[0]
    return {"batch_id": batch_id, "file_name": file_name, "loaded_by": loaded_by, "loaded_at": loaded_at}


def write_batch(con: duckdb.DuckDBPyConnection, incoming: pd.DataFrame, *, file_name: str, sha256: str,
                loaded_by: str, periods: list[str], report: dict[str, Any]) -> tuple[int | None, int]:
    """Record a batch of the incoming values that are new or differ from the current ones.

    The values they supersede stay as history. Returns (batch id, values written); (None, 0) when nothing
    changed. Call inside a transaction (store.transaction) so a crash leaves the database as before.
    """
    con.register("incoming_df", incoming[OBSERVATION_COLUMNS])
    try:
        con.execute("""
            CREATE OR REPLACE TEMP TABLE changed_obs AS
            SELECT i.* FROM incoming_df i
            LEFT JOIN observation o
              ON o.is_current AND o.unit_code = i.unit_code AND o.indicator_code = i.indicator_code
             AND o.period = i.period
            WHERE o.unit_code IS NULL
               OR o.value IS DISTINCT FROM i.value
               OR o.numerator IS DISTINCT FROM i.numerator
               OR o.denominator IS DISTINCT FROM i.denominator
        """)
    finally:
        con.unregister("incoming_df")
    changed = con.execute("SELECT count(*) FROM changed_obs").fetchall()[0][0]
    if changed == 0:
        con.execute("DROP TABLE changed_obs")
        return None, 0
    batch_id = con.execute(
        "INSERT INTO batch (file_name, sha256, loaded_by, loaded_at, periods, rows_loaded, report, status)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, 'loaded') RETURNING batch_id",
        [file_name, sha256, loaded_by, datetime.now(), sorted(periods), changed,
         json.dumps(report, ensure_ascii=False, default=str)]).fetchall()[0][0]
    con.execute("""
        UPDATE observation o SET is_current = false
        FROM changed_obs c
        WHERE o.is_current AND o.unit_code = c.unit_code AND o.indicator_code = c.indicator_code
          AND o.period = c.period
    """)
    con.execute("""
        INSERT INTO observation
        SELECT unit_code, indicator_code, period, value, numerator, denominator, derived, ?, true
        FROM changed_obs
    """, [batch_id])
    con.execute("DROP TABLE changed_obs")
    return batch_id, changed


def rollback_batch(con: duckdb.DuckDBPyConnection, batch_id: int, by: "User | str") -> int:
    """Undo a batch: its values stop being current and the latest earlier live value comes back.

    `by` must be allowed to change every province the batch touched (an analyst: their own province).
    Returns how many current values changed. Call inside a transaction.
    """
    from store.users import check_write_units  # local: users imports this package's db module

    rows = con.execute("SELECT status, file_name FROM batch WHERE batch_id = ?", [batch_id]).fetchall()
    if not rows or rows[0][0] != "loaded":
        raise BatchNotFound(batch_id=batch_id)
    units = [r[0] for r in con.execute("SELECT DISTINCT unit_code FROM observation WHERE batch_id = ?",
                                       [batch_id]).fetchall()]
    actor = check_write_units(con, by, units, "rollback", str(batch_id))
    con.execute("UPDATE batch SET status = 'rolled_back', rolled_back_at = ?, rolled_back_by = ? WHERE batch_id = ?",
                [datetime.now(), actor.username, batch_id])
    con.execute("""
        CREATE TEMP TABLE rollback_keys AS
        SELECT unit_code, indicator_code, period FROM observation WHERE batch_id = ? AND is_current
    """, [batch_id])
    count = con.execute("SELECT count(*) FROM rollback_keys").fetchall()[0][0]
    con.execute("UPDATE observation SET is_current = false WHERE batch_id = ?", [batch_id])
    con.execute("""
        UPDATE observation o SET is_current = true
        FROM (
            SELECT o2.unit_code, o2.indicator_code, o2.period, max(o2.batch_id) AS batch_id
            FROM observation o2
            JOIN rollback_keys k USING (unit_code, indicator_code, period)
            JOIN batch b ON b.batch_id = o2.batch_id AND b.status = 'loaded'
            GROUP BY ALL
        ) latest
        WHERE o.unit_code = latest.unit_code AND o.indicator_code = latest.indicator_code
          AND o.period = latest.period AND o.batch_id = latest.batch_id
    """)
    con.execute("DROP TABLE rollback_keys")
    record(con, actor.username, "rollback", str(batch_id), {"file": rows[0][1], "values": count})
    return count


def rollback_effect(con: duckdb.DuckDBPyConnection, batch_id: int) -> tuple[int, int]:
    """What rolling back a batch would do, before anyone confirms it: (current values it would remove, of
    those how many get an earlier loaded value back; the rest become empty)."""
    removed, restored = con.execute("""
        WITH k AS (SELECT unit_code, indicator_code, period FROM observation WHERE batch_id = ? AND is_current)
        SELECT (SELECT count(*) FROM k),
               (SELECT count(*) FROM k WHERE EXISTS (
                    SELECT 1 FROM observation o JOIN batch b ON b.batch_id = o.batch_id AND b.status = 'loaded'
                    WHERE o.unit_code = k.unit_code AND o.indicator_code = k.indicator_code
                      AND o.period = k.period AND o.batch_id <> ?))
    """, [batch_id, batch_id]).fetchall()[0]
    return int(removed), int(restored)


def batch_history(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every batch, newest first."""
    return con.execute("""
        SELECT batch_id, file_name, loaded_by, loaded_at, periods, rows_loaded, status, rolled_back_at,
               rolled_back_by, sha256
        FROM batch ORDER BY batch_id DESC
    """).df()


def current_values(con: duckdb.DuckDBPyConnection, units: list[str], periods: list[str]) -> pd.DataFrame:
    """Current values of these units in these periods (for comparing a file with what is stored)."""
    return con.execute("""
        SELECT unit_code, indicator_code, period, value FROM observation
        WHERE is_current AND list_contains(?, unit_code) AND list_contains(?, period)
    """, [units, periods]).df()


def data_version(con: duckdb.DuckDBPyConnection) -> str:
    """A token that changes with every load and rollback (cache key for the pages)."""
    created, batches, last, rolled_back, composites = con.execute(
        "SELECT (SELECT min(applied_at) FROM schema_version), count(*), coalesce(max(batch_id), 0),"
        " count(rolled_back_at), (SELECT count(*) || '@' || coalesce(max(created_at)::VARCHAR, '') FROM composite)"
        " FROM batch").fetchall()[0]
    return f"{created}:{batches}:{last}:{rolled_back}:{composites}"
