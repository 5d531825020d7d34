"""Reading the upload history: the batches, and what each one changed (read only; writes are in observations)."""

from __future__ import annotations

import duckdb
import pandas as pd

CHANGE_COLUMNS = ["unit_code", "name_vi", "full_name_vi", "name_en", "province_code", "indicator_code", "period", "before", "after",
                  "derived", "is_current"]


def batch_list(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every batch, newest first, with `same_bytes_as`: the earliest other batch of the identical file.

    Loading identical bytes while their batch is live writes nothing (the loader says when and by whom
    they were loaded), so a repeat shows up here only after the earlier batch was rolled back.
    """
    return con.execute("""
        SELECT batch_id, file_name, loaded_by, loaded_at, periods, rows_loaded, status, rolled_back_at,
               rolled_back_by, sha256,
               nullif(min(batch_id) OVER (PARTITION BY sha256), batch_id) AS same_bytes_as
        FROM batch ORDER BY batch_id DESC
    """).df()


def batch_changes(con: duckdb.DuckDBPyConnection, batch_id: int) -> pd.DataFrame:
    """Each value a batch wrote, with the value that was current just before it (`before`, NaN when new).

    The observation table is append-only, so "before" is the latest earlier value whose batch was live
    when this one was loaded (a batch rolled back before then did not count; one rolled back later did).
    `is_current` says whether the batch's value is still the one in force.
    """
    return con.execute("""
        WITH written AS MATERIALIZED (SELECT * FROM observation WHERE batch_id = $batch),
        live_then AS (
            SELECT b.batch_id FROM batch b, batch this
            WHERE this.batch_id = $batch AND b.batch_id < $batch
              AND (b.status = 'loaded' OR b.rolled_back_at > this.loaded_at)
        ),
        earlier AS (
            SELECT o.unit_code, o.indicator_code, o.period, arg_max(o.value, o.batch_id) AS value
            FROM observation o
            SEMI JOIN live_then l ON l.batch_id = o.batch_id
            SEMI JOIN written w ON w.unit_code = o.unit_code AND w.indicator_code = o.indicator_code
                 AND w.period = o.period
            GROUP BY ALL
        )
        SELECT w.unit_code, u.name_vi, u.full_name_vi, u.name_en, u.parent_code AS province_code, w.indicator_code, w.period,
               e.value AS before, w.value AS after, w.derived, w.is_current
        FROM written w
        LEFT JOIN earlier e ON e.unit_code = w.unit_code AND e.indicator_code = w.indicator_code
             AND e.period = w.period
        LEFT JOIN unit u ON u.code = w.unit_code
        ORDER BY w.period, w.unit_code, w.indicator_code
    """, {"batch": batch_id}).df()[CHANGE_COLUMNS]
