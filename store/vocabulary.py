"""What people teach the loader on the Upload page, kept in the database for the next file.

- Learned headers: a column header a person confirmed (folded label -> indicator code or role), used by
  every analyst's later files on top of the shipped data/column_synonyms.csv.
- Remembered unit picks: a unit as one province's files write it ('P. Hòa Bình', folded) -> the unit a
  person picked, used for that province's later files.

Both writes check the person here (not by hiding buttons) and leave an audit record under their account.
Callers fold the texts (etl.columns.label_key, etl.text.fold): the store keeps keys, it does not make them.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from store.audit import record, record_refusal
from store.db import transaction
from store.users import NotAllowed, User, acting, check_write_units, provinces_of, require_role

ROLE_PREFIX = "_"  # roles (_unit_name, _unit_code, _period ...) start with it; indicator codes do not


def learned_headers(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every learned header: folded label -> indicator code or role."""
    return dict(con.execute("SELECT label_key, target FROM learned_header").fetchall())


def learn_headers(con: duckdb.DuckDBPyConnection, who: User | str | None,
                  headers: Iterable[tuple[str, str, str]]) -> int:
    """Keep (folded label, label as written, target) pairs a person confirmed; an analyst or admin may teach
    every analyst's loader. Returns how many pairs were new or changed (0 writes no audit record).

    Raises NotAllowed (recorded) for a viewer, ValueError for a target that is neither a role nor an indicator.
    """
    actor = acting(who)
    wanted = {key: (label, target) for key, label, target in headers if key and target}
    if not wanted:
        return 0
    try:
        require_role(actor, "analyst", "learn_header")
    except NotAllowed:
        record_refusal(con, actor.username, "learn_header", None, {"labels": sorted(wanted)})
        raise
    indicators = {code for (code,) in con.execute("SELECT code FROM indicator").fetchall()}
    unknown = sorted(t for _label, t in wanted.values() if not t.startswith(ROLE_PREFIX) and t not in indicators)
    if unknown:
        raise ValueError(f"unknown targets: {', '.join(unknown)}")
    known = learned_headers(con)
    changed = {key: pair for key, pair in wanted.items() if known.get(key) != pair[1]}
    if not changed:
        return 0
    with transaction(con):
        for key, (label, target) in changed.items():
            con.execute("INSERT OR REPLACE INTO learned_header VALUES (?, ?, ?, ?, current_timestamp)",
                        [key, target, label, actor.username])
        record(con, actor.username, "learn_header", None,
               {"headers": [{"label": label, "target": target} for label, target in changed.values()]})
    return len(changed)


def remembered_units(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], str]:
    """Every remembered pick: (province code, folded unit as written) -> unit code."""
    return {(province, key): code for province, key, code in
            con.execute("SELECT province_code, written_key, unit_code FROM unit_pick").fetchall()}


def remember_units(con: duckdb.DuckDBPyConnection, who: User | str | None,
                   picks: Iterable[tuple[str, str, str]], target: str | None = None) -> int:
    """Keep (folded unit as written, as written, unit code) picks for the picked unit's province; only a
    person who may change that province's data (its analyst, an analyst of every province, an admin).
    `target` names what the audit record is about (the file). Returns how many picks were new or changed.

    Raises NotAllowed (recorded) when any pick is outside the person's province, ValueError for a code that
    is not a commune.
    """
    wanted = {key: (written, code) for key, written, code in picks if key and code}
    if not wanted:
        return 0
    codes = {code for _written, code in wanted.values()}
    actor = check_write_units(con, who, codes, "remember_unit", target)
    province_of = provinces_of(con, codes)
    communes = {code for code, province in province_of.items() if code != province}
    if codes - communes:
        raise ValueError(f"not communes: {', '.join(sorted(codes - communes))}")
    known = remembered_units(con)
    changed = {(province_of[code], key): (written, code) for key, (written, code) in wanted.items()
               if known.get((province_of[code], key)) != code}
    if not changed:
        return 0
    with transaction(con):
        for (province, key), (written, code) in changed.items():
            con.execute("INSERT OR REPLACE INTO unit_pick VALUES (?, ?, ?, ?, ?, current_timestamp)",
                        [province, key, code, written, actor.username])
        record(con, actor.username, "remember_unit", target,
               {"units": [{"written": written, "unit": code} for written, code in changed.values()]})
    return len(changed)
