"""What a batch changed: each value it wrote beside the value that was current just before it."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from openpyxl import Workbook

import store
from etl.load import load_file
from store.batches import batch_changes, batch_list
from store.observations import rollback_batch, rollback_effect
from store.users import operator

RECEIVED, OUTGOING = "Tổng số hồ sơ tiếp nhận", "Văn bản đi"


def load(db: Path, folder: Path, rows: list[list], name: str) -> int:
    """A small October file (unit code, dossiers received, outgoing documents); returns its batch."""
    book = Workbook()
    book.active.append(["BÁO CÁO THÁNG 10/2026"])
    book.active.append(["Mã xã", RECEIVED, OUTGOING])
    for row in rows:
        book.active.append(row)
    path = folder / name
    book.save(path)
    result = load_file(path, db=db, user="an")
    assert result.status == "loaded", [p.message("en") for p in result.review.errors]
    return result.batch_id


def rollback(db: Path, batch_id: int) -> None:
    with store.connect(db) as con, store.transaction(con):
        rollback_batch(con, batch_id, "binh")


def changes(db: Path, batch_id: int) -> list[tuple]:
    """(unit, indicator, before, after, still current) with None for 'no value before'."""
    with store.connect(db) as con:
        frame = batch_changes(con, batch_id)
    return [(r.unit_code, r.indicator_code, None if math.isnan(r.before) else r.before, r.after, r.is_current)
            for r in frame.itertuples()]


@pytest.fixture
def first_batch(fresh_db: Path, tmp_path: Path) -> int:
    return load(fresh_db, tmp_path, [["00004", 100, 40], ["00008", 200, 50]], "first.xlsx")


def test_a_first_load_has_nothing_before(fresh_db, first_batch):
    assert changes(fresh_db, first_batch) == [
        ("00004", "docs_outgoing", None, 40, True), ("00004", "dossiers_received", None, 100, True),
        ("00008", "docs_outgoing", None, 50, True), ("00008", "dossiers_received", None, 200, True)]


def test_a_correction_shows_the_value_it_replaced_and_the_new_units(fresh_db, tmp_path, first_batch):
    correction = load(fresh_db, tmp_path, [["00004", 120, 40], ["00008", 200, 50], ["00025", 30, 10]], "fix.xlsx")

    # only what changed was written: one corrected value and a new unit's two values
    assert changes(fresh_db, correction) == [
        ("00004", "dossiers_received", 100, 120, True),
        ("00025", "docs_outgoing", None, 10, True), ("00025", "dossiers_received", None, 30, True)]
    with store.connect(fresh_db) as con:
        frame = batch_changes(con, correction)
    assert frame.loc[0, ["name_vi", "name_en", "province_code", "period"]].tolist() == [
        "Ba Đình", "Ba Dinh", "01", "2026-10"]


def test_after_a_rollback_the_batch_still_shows_what_it_had_changed_but_nothing_is_current(
        fresh_db, tmp_path, first_batch):
    correction = load(fresh_db, tmp_path, [["00004", 120, 40]], "fix.xlsx")

    rollback(fresh_db, correction)

    assert changes(fresh_db, correction) == [("00004", "dossiers_received", 100, 120, False)]
    assert changes(fresh_db, first_batch)[1] == ("00004", "dossiers_received", None, 100, True)


def test_a_batch_rolled_back_before_a_load_was_not_the_value_that_load_replaced(fresh_db, tmp_path, first_batch):
    mistaken = load(fresh_db, tmp_path, [["00004", 999, 40]], "mistake.xlsx")
    rollback(fresh_db, mistaken)

    corrected = load(fresh_db, tmp_path, [["00004", 130, 40]], "fix.xlsx")

    assert changes(fresh_db, corrected) == [("00004", "dossiers_received", 100, 130, True)]


def test_a_batch_rolled_back_after_a_load_was_the_value_that_load_replaced(fresh_db, tmp_path, first_batch):
    second = load(fresh_db, tmp_path, [["00004", 130, 40]], "second.xlsx")
    third = load(fresh_db, tmp_path, [["00004", 140, 40]], "third.xlsx")

    rollback(fresh_db, second)

    assert changes(fresh_db, third) == [("00004", "dossiers_received", 130, 140, True)]


def test_the_same_bytes_loaded_again_after_a_rollback_point_at_the_first_batch(fresh_db, tmp_path, first_batch):
    rollback(fresh_db, first_batch)
    again = load_file(tmp_path / "first.xlsx", db=fresh_db, user="chi")
    unchanged = load_file(tmp_path / "first.xlsx", db=fresh_db, user="chi")

    with store.connect(fresh_db) as con:
        batches = batch_list(con)

    assert again.status == "loaded" and unchanged.status == "unchanged"  # a live repeat writes no batch
    assert batches["batch_id"].tolist() == [again.batch_id, first_batch]
    assert batches["status"].tolist() == ["loaded", "rolled_back"]
    assert batches["same_bytes_as"].tolist()[0] == first_batch and batches["same_bytes_as"].isna().tolist()[1]
    assert unchanged.review.already_loaded["batch_id"] == again.batch_id


def test_an_unknown_batch_changed_nothing(fresh_db, first_batch):
    assert changes(fresh_db, 42) == []


def effect(db: Path, batch_id: int) -> tuple[int, int]:
    with store.connect(db) as con:
        return rollback_effect(con, batch_id)


def test_before_a_rollback_it_is_known_how_many_values_it_removes_and_how_many_come_back(fresh_db, tmp_path,
                                                                                           first_batch):
    correction = load(fresh_db, tmp_path, [["00004", 120, 40], ["00008", 200, 50], ["00025", 30, 10]], "fix.xlsx")

    # the correction wrote 00004's received (which had 100 before) and 00025's two new values
    assert effect(fresh_db, correction) == (3, 1)
    # the first batch still holds three current values; nothing was loaded before it
    assert effect(fresh_db, first_batch) == (3, 0)

    with store.connect(fresh_db) as con, store.transaction(con):
        assert rollback_batch(con, correction, operator("binh")) == effect(fresh_db, correction)[0] == 3
