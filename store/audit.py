"""The audit trail: who did what, when, to what, and whether it was allowed. Append-only."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

if TYPE_CHECKING:
    from store.users import User

AUDIT_COLUMNS = ["audit_id", "happened_at", "actor", "action", "target", "outcome", "detail"]


def record(con: duckdb.DuckDBPyConnection, actor: str, action: str, target: str | None,
           detail: dict[str, Any], *, outcome: str = "ok", at: datetime | None = None) -> None:
    """One line of the trail; call it inside the transaction of the change it describes."""
    con.execute("INSERT INTO audit (happened_at, actor, action, target, outcome, detail) VALUES (?, ?, ?, ?, ?, ?)",
                [at or datetime.now().replace(microsecond=0), actor, action, target, outcome,
                 json.dumps(detail, ensure_ascii=False, default=str)])


def record_refusal(con: duckdb.DuckDBPyConnection, actor: str, action: str, target: str | None,
                   detail: dict[str, Any]) -> None:
    """A refused attempt, kept even when the caller's transaction is rolled back: written through a
    cursor, which is a connection of its own with its own (committed) transaction."""
    side = con.cursor()
    try:
        record(side, actor, action, target, detail, outcome="refused")
    finally:
        side.close()


def audit_log(con: duckdb.DuckDBPyConnection, reader: "User", *, actor: str | None = None, action: str | None = None,
              since: datetime | None = None, until: datetime | None = None, limit: int = 10_000) -> pd.DataFrame:
    """The trail, newest first, filtered by who, what and when (each filter optional); admins only."""
    from store.users import require_role  # local: users records to the trail through this module

    require_role(reader, "admin", "audit")
    return con.execute("""
        SELECT audit_id, happened_at, actor, action, target, outcome, detail FROM audit
        WHERE (? IS NULL OR actor = ?) AND (? IS NULL OR action = ?)
          AND (? IS NULL OR happened_at >= ?) AND (? IS NULL OR happened_at < ?)
        ORDER BY audit_id DESC LIMIT ?
    """, [actor, actor, action, action, since, since, until, until, limit]).df()
