"""Saved mapping profiles, derived 766 scores, and the demo database built through the loader."""

from __future__ import annotations

import duckdb
import pytest
from openpyxl import Workbook

import store
from etl.load import load_file
from etl.parse import layout_fingerprint
from store.reference import save_mapping_profile


def workbook(path, header, *rows):
    book = Workbook()
    sheet = book.active
    sheet.append(["BÁO CÁO THÁNG 9/2026"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_a_saved_profile_lets_an_unknown_layout_load_without_questions(tmp_path, fresh_db):
    header = ["Mã xã", "Tên xã", "Cột số 1", "Cột số 2"]  # words that say nothing about an indicator
    path = workbook(tmp_path / "odd.xlsx", header, ["02647", "Phường Lào Cai", 100, 90])
    first = load_file(path, db=fresh_db, dry_run=True)
    assert first.status == "refused"  # nothing recognised

    with store.connect(fresh_db) as con:
        save_mapping_profile(con, "Lào Cai mẫu riêng", layout_fingerprint(header), {
            "Cột số 1": "dossiers_received", "Cột số 2": "dossiers_on_time"}, "an")
    again = load_file(path, db=fresh_db)

    assert again.status == "loaded"
    assert {m.target: m.how for m in again.review.sheets[0].mappings if m.how == "profile"} == {
        "dossiers_received": "profile", "dossiers_on_time": "profile"}
    assert "on_time_rate" in again.review.indicators


def test_a_given_progress_score_is_checked_against_the_counts_and_kept_as_published(tmp_path, fresh_db):
    header = ["Mã xã", "Tổng tiếp nhận", "Đúng hạn", "Điểm tiến độ giải quyết"]
    good = workbook(tmp_path / "good.xlsx", header, ["02647", 1494, 1156, 15.48])
    bad = workbook(tmp_path / "bad.xlsx", header, ["02647", 1494, 1156, 18.0])

    agreeing = load_file(good, db=fresh_db, dry_run=True)
    assert agreeing.status == "dry-run"
    assert [p for p in agreeing.review.warnings if p.code == "published_score_differs"] == []
    differing = load_file(bad, db=fresh_db, lang="en")
    assert differing.status == "loaded"
    assert [(p.code, p.row, p.value, p.params["computed"]) for p in differing.review.warnings] == [
        ("published_score_differs", 3, 18.0, 15.48)]
    with duckdb.connect(str(fresh_db)) as con:
        assert con.execute("SELECT value FROM observation WHERE indicator_code = 'progress_score'").fetchall() == [
            (18.0,)]


def test_the_demo_covers_every_commune_for_sixteen_months_through_the_loader(demo_db):
    with duckdb.connect(str(demo_db)) as con:
        units, months = con.execute(
            "SELECT count(DISTINCT unit_code), count(DISTINCT period) FROM observation WHERE is_current").fetchall()[0]
        batches = con.execute("SELECT count(*), count(DISTINCT file_name), min(loaded_by), max(loaded_by)"
                              " FROM batch WHERE status = 'loaded'").fetchall()[0]
        reported = con.execute("SELECT count(DISTINCT (unit_code, period)) FROM observation").fetchall()[0][0]

    assert (units, months) == (3321, 16)
    assert batches == (16, 16, "demo", "demo")
    assert reported / (3321 * 16) == pytest.approx(0.97, abs=0.01)  # about 3% of unit-months not reported


def test_starting_again_on_a_full_database_duplicates_nothing(demo_db, tmp_path):
    import shutil

    from etl.demo_load import ensure_database

    copy = tmp_path / "again.duckdb"
    shutil.copy(demo_db, copy)
    def contents() -> list[tuple]:
        with duckdb.connect(str(copy)) as con:
            return con.execute("SELECT * FROM observation ORDER BY ALL").fetchall()

    before = contents()
    said: list[str] = []

    ensure_database(copy, lang="en", echo=said.append)

    assert contents() == before
    assert said[-1] == "The database is ready."
