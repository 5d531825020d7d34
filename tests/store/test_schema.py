"""Versioned migrations, the database path, and connections that are safe under threads."""

from __future__ import annotations

import threading

import duckdb
import pytest

import store
import store.db as db
from errors import SchemaTooNew
from store.schema import SCHEMA_VERSION


def test_the_database_path_comes_from_xaso_db(monkeypatch, tmp_path):
    monkeypatch.setenv("XASO_DB", str(tmp_path / "elsewhere.duckdb"))
    assert store.database_path() == tmp_path / "elsewhere.duckdb"
    monkeypatch.delenv("XASO_DB")
    assert store.database_path() == db.REPO_ROOT / "data" / "xaso.duckdb"


def test_a_new_file_records_each_migration_and_the_release_that_applied_it(fresh_db):
    with duckdb.connect(str(fresh_db)) as con:
        assert con.execute("SELECT version, app_version FROM schema_version ORDER BY version").fetchall() == [
            (version, store.XASO_VERSION) for version in range(1, SCHEMA_VERSION + 1)]


def test_opening_an_older_file_applies_the_missing_migrations(fresh_db, monkeypatch):
    newer = [*db.MIGRATIONS, "CREATE TABLE note (text VARCHAR)"]
    monkeypatch.setattr(db, "MIGRATIONS", newer)
    monkeypatch.setattr(db, "SCHEMA_VERSION", len(newer))

    with duckdb.connect(str(fresh_db)) as con:
        assert db.migrate(con) == len(newer)
        assert con.execute("SELECT max(version) FROM schema_version").fetchall() == [(len(newer),)]
        assert con.execute("SELECT count(*) FROM note").fetchall() == [(0,)]
        assert con.execute("SELECT count(*) FROM unit").fetchall() == [(3355,)]  # data kept


def test_opening_a_file_from_a_newer_release_refuses_and_names_the_release_needed(fresh_db):
    with duckdb.connect(str(fresh_db)) as con:
        con.execute("INSERT INTO schema_version (version, app_version) VALUES (?, '9.4.0')", [SCHEMA_VERSION + 1])

    with duckdb.connect(str(fresh_db)) as con, pytest.raises(SchemaTooNew) as refused:
        db.migrate(con)

    assert "9.4.0" in refused.value.message("vi") and "9.4.0" in refused.value.message("en")


def test_connections_from_many_threads_at_once_all_succeed(fresh_db):
    errors: list[BaseException] = []

    def read() -> None:
        try:
            for _ in range(5):
                with store.connect(fresh_db) as con:
                    assert con.execute("SELECT count(*) FROM unit").fetchall() == [(3355,)]
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
