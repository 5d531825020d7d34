"""Opening the database: path, lock waiting, migrations, reference data on first open."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from errors import DatabaseBusy, SchemaTooNew
from store.schema import MIGRATIONS, SCHEMA_VERSION

XASO_VERSION = "0.2.0"
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = REPO_ROOT / "data" / "xaso.duckdb"
_LOCK_WAIT_SECONDS = float(os.environ.get("XASO_LOCK_WAIT", "30"))
# DuckDB locks the whole file per process. A busy dashboard opens connections in many threads, one after
# the other, so the file is almost never free and a command-line load could wait out its lock wait
# between them. A process waiting for the lock says so with a marker file beside the database
# (`<db>.waiting-<pid>`, touched at every retry); other processes hold back new connections while a fresh
# marker is there (at most _YIELD_SECONDS per connection, so two waiting processes cannot block each other).
_WAITING_MARK = ".waiting-"
_MARK_FRESH_SECONDS = 2.0  # a marker not touched for this long is a waiter that died (or gave up)
_YIELD_SECONDS = 2.0
_RETRY_CAP_SECONDS = 0.1  # the waiter looks often: the gaps the others leave it are short

_prepared: set[str] = set()  # paths migrated and seeded by this process
_prepare_lock = threading.Lock()


def database_path() -> Path:
    """The database file: $XASO_DB, default data/xaso.duckdb."""
    return Path(os.environ.get("XASO_DB") or DEFAULT_DB)


@contextmanager
def connect(path: Path | str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection for one unit of work, migrated and seeded, closed on exit.

    Waits (up to XASO_LOCK_WAIT seconds) while another process holds the file's write lock.
    """
    target = Path(path) if path is not None else database_path()
    con = _open_waiting(target)
    try:
        key = str(target.resolve())
        if key not in _prepared or _unversioned(con):  # a file deleted and made anew is new again
            with _prepare_lock:
                _prepare(con)
                _prepared.add(key)
        yield con
    finally:
        con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing: commit when the block ends, roll back if it raises."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _open_waiting(path: Path) -> duckdb.DuckDBPyConnection:
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + _LOCK_WAIT_SECONDS
    delay = 0.02
    mark = path.with_name(f"{path.name}{_WAITING_MARK}{os.getpid()}")
    _yield_to_waiting_processes(path)
    try:
        while True:
            try:
                return duckdb.connect(str(path))
            except duckdb.ResourceInUseException as exc:
                # DuckDB shares one database instance per file within a process; a thread opening the file
                # while another closes the instance's last connection gets "Unique file handle conflict"
                # (many sessions of the dashboard at once). The instance is gone a moment later: open again.
                if "file handle conflict" not in str(exc).lower() or time.monotonic() >= deadline:
                    raise
                time.sleep(0.01)
                continue
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower():
                    raise
                if time.monotonic() >= deadline:
                    raise DatabaseBusy(path=str(path), seconds=_LOCK_WAIT_SECONDS) from exc
                mark.touch()  # another process holds the file: ask it to leave us a gap
                time.sleep(delay)
                delay = min(delay * 2, _RETRY_CAP_SECONDS)
    finally:
        mark.unlink(missing_ok=True)


def _yield_to_waiting_processes(path: Path) -> None:
    """Hold back while another process has said it waits for this file (see _WAITING_MARK)."""
    until = time.monotonic() + _YIELD_SECONDS
    while time.monotonic() < until and _someone_else_waits(path):
        time.sleep(0.01)


def _someone_else_waits(path: Path) -> bool:
    prefix, own = f"{path.name}{_WAITING_MARK}", f"{path.name}{_WAITING_MARK}{os.getpid()}"
    try:
        entries = list(os.scandir(path.parent))
    except FileNotFoundError:
        return False
    now = time.time()
    for entry in entries:
        if entry.name.startswith(prefix) and entry.name != own:
            try:
                if now - entry.stat().st_mtime < _MARK_FRESH_SECONDS:
                    return True
            except FileNotFoundError:  # the waiter got in meanwhile
                continue
    return False


def _prepare(con: duckdb.DuckDBPyConnection) -> None:
    from store.reference import sync_reference_data  # local: reference imports this module

    migrate(con)
    sync_reference_data(con)


def _unversioned(con: duckdb.DuckDBPyConnection) -> bool:
    """schema_version(con) == 0, asked on every open: reading the table is ~6 ms cheaper on a fresh
    connection than asking the catalog whether it exists (a page run opens one or two connections)."""
    try:
        version = con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchall()[0][0]
    except duckdb.Error:  # no such table (DuckDB then also tries a Python object of that name): ask the catalog
        version = schema_version(con)
    return version == 0


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The version recorded in the file; 0 for a new, empty file."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchall()[0][0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchall()[0][0]


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the file up to SCHEMA_VERSION in one transaction; refuse a file from a newer release."""
    current = schema_version(con)
    if current > SCHEMA_VERSION:
        needed = con.execute(
            "SELECT app_version FROM schema_version ORDER BY version DESC LIMIT 1"
        ).fetchall()[0][0]
        raise SchemaTooNew(found=current, supported=SCHEMA_VERSION, needed=needed, ours=XASO_VERSION)
    if current == SCHEMA_VERSION:
        return current
    with transaction(con):
        if current == 0:
            con.execute(
                "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, app_version VARCHAR NOT NULL,"
                " applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
            )
        for version in range(current + 1, SCHEMA_VERSION + 1):
            con.execute(MIGRATIONS[version - 1])
            con.execute("INSERT INTO schema_version (version, app_version) VALUES (?, ?)",
                        [version, XASO_VERSION])
    return SCHEMA_VERSION
