"""Loading again, corrections, rollback and crashes: nothing lost, nothing doubled, history kept."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from openpyxl import load_workbook

from etl.load import load_file
from etl.period import parse_month
from store.db import transaction
from store.observations import rollback_batch
from tests.conftest import REPO

LAO_CAI = "laocai_2026-09_bao_cao_tthc.xlsx"


def snapshot(db: Path, table: str, where: str = "") -> pd.DataFrame:
    with duckdb.connect(str(db)) as con:
        frame = con.execute(f"SELECT * FROM {table} {where}").df()
    return frame.sort_values(list(frame.columns[:4])).reset_index(drop=True)


def current_values(db: Path) -> pd.DataFrame:
    return snapshot(db, "observation", "WHERE is_current").drop(columns=["batch_id", "is_current"])


def corrected_copy(source: Path, target: Path, cell: str, value: str) -> Path:
    workbook = load_workbook(source)
    workbook.active[cell] = value
    workbook.save(target)
    return target


def test_loading_the_same_bytes_twice_changes_nothing_and_says_when_it_was_loaded(samples, fresh_db):
    first = load_file(samples / LAO_CAI, db=fresh_db, user="an")
    observations, batches = snapshot(fresh_db, "observation"), snapshot(fresh_db, "batch")

    second = load_file(samples / LAO_CAI, db=fresh_db, user="binh")

    assert first.status == "loaded" and second.status == "unchanged"
    assert second.review.already_loaded["batch_id"] == first.batch_id
    assert second.review.already_loaded["loaded_by"] == "an"
    pd.testing.assert_frame_equal(snapshot(fresh_db, "observation"), observations)
    pd.testing.assert_frame_equal(snapshot(fresh_db, "batch"), batches)


def test_a_different_file_with_the_same_values_writes_no_batch(samples, fresh_db, tmp_path):
    load_file(samples / LAO_CAI, db=fresh_db)
    resaved = corrected_copy(samples / LAO_CAI, tmp_path / LAO_CAI, "K8", "đã kiểm tra")  # only a note changes

    result = load_file(resaved, db=fresh_db)

    assert result.status == "unchanged" and result.batch_id is None
    assert len(snapshot(fresh_db, "batch")) == 1


def test_a_correction_supersedes_and_keeps_the_old_value_in_history(samples, fresh_db, tmp_path):
    load_file(samples / LAO_CAI, db=fresh_db)
    # row 8 is Phường Lào Cai: 1.494 received, 1.156 on time; correct on time to 1.200 and overdue to 294
    corrected = corrected_copy(samples / LAO_CAI, tmp_path / LAO_CAI, "D8", "1.200")
    corrected = corrected_copy(corrected, corrected, "E8", "294")
    corrected = corrected_copy(corrected, corrected, "F8", "80,32")

    result = load_file(corrected, db=fresh_db)

    assert result.status == "loaded" and result.batch_id == 2
    history = snapshot(fresh_db, "observation",
                       "WHERE unit_code = '02647' AND indicator_code = 'dossiers_on_time' ORDER BY batch_id")
    assert history[["value", "batch_id", "is_current"]].values.tolist() == [[1156, 1, False], [1200, 2, True]]
    # only what changed was written: on time, overdue, the rate and the derived progress score
    assert result.rows_loaded == 4


def test_rollback_restores_the_previous_state_exactly(samples, fresh_db, tmp_path):
    load_file(samples / LAO_CAI, db=fresh_db)
    before = current_values(fresh_db)
    corrected = corrected_copy(samples / LAO_CAI, tmp_path / LAO_CAI, "C9", "1.000")  # Cam Đường received
    corrected = corrected_copy(corrected, corrected, "F9", "64,70")  # its rates follow the new count
    corrected = corrected_copy(corrected, corrected, "H9", "62,30%")
    correction = load_file(corrected, db=fresh_db)
    assert correction.status == "loaded"
    assert not current_values(fresh_db).equals(before)

    with duckdb.connect(str(fresh_db)) as con, transaction(con):
        changed = rollback_batch(con, correction.batch_id, "an")

    assert changed == correction.rows_loaded
    pd.testing.assert_frame_equal(current_values(fresh_db), before)
    assert snapshot(fresh_db, "batch", "WHERE batch_id = 2")["status"].tolist() == ["rolled_back"]


def test_rolling_back_the_only_batch_leaves_no_current_value(samples, fresh_db):
    result = load_file(samples / LAO_CAI, db=fresh_db)

    with duckdb.connect(str(fresh_db)) as con, transaction(con):
        rollback_batch(con, result.batch_id, "an")

    assert current_values(fresh_db).empty


def test_rolled_back_file_can_be_loaded_again(samples, fresh_db):
    first = load_file(samples / LAO_CAI, db=fresh_db)
    with duckdb.connect(str(fresh_db)) as con, transaction(con):
        rollback_batch(con, first.batch_id, "an")

    again = load_file(samples / LAO_CAI, db=fresh_db)

    assert again.status == "loaded" and again.batch_id == 2


def test_cli_history_and_rollback(samples, fresh_db):
    load_file(samples / LAO_CAI, db=fresh_db, user="an")

    history = subprocess.run([sys.executable, "-m", "etl", "history", "--db", str(fresh_db)], cwd=REPO,
                             capture_output=True, text=True, env={**os.environ, "XASO_LANG": "en"})
    rollback = subprocess.run([sys.executable, "-m", "etl", "rollback", "1", "--db", str(fresh_db)], cwd=REPO,
                              capture_output=True, text=True, env={**os.environ, "XASO_LANG": "en"})
    again = subprocess.run([sys.executable, "-m", "etl", "rollback", "1", "--db", str(fresh_db)], cwd=REPO,
                           capture_output=True, text=True, env={**os.environ, "XASO_LANG": "en"})

    assert history.returncode == 0 and "Batch 1" in history.stdout and LAO_CAI in history.stdout
    assert rollback.returncode == 0 and "rolled back" in rollback.stdout
    assert again.returncode == 1 and "no live batch number 1" in again.stderr


# A loader process that stops, with its writes done but not committed, until it is killed.
_PAUSED_LOADER = """
import sys, time
from pathlib import Path
import store.observations as observations
import etl.load as load

real_write = observations.write_batch

def write_then_wait(*args, **kwargs):
    batch_id = real_write(*args, **kwargs)
    Path(sys.argv[3]).write_text("written")
    time.sleep(600)
    return batch_id

load.write_batch = write_then_wait
load.load_file(Path(sys.argv[1]), db=sys.argv[2])
"""


@pytest.mark.timeout(120)
def test_a_loader_killed_mid_commit_leaves_the_database_as_before(samples, fresh_db, tmp_path):
    load_file(samples / "sonla_2026-09_chuyen_doi_so.xlsx", db=fresh_db)
    observations, batches = snapshot(fresh_db, "observation"), snapshot(fresh_db, "batch")
    signal_file = tmp_path / "written"

    loader = subprocess.Popen([sys.executable, "-c", _PAUSED_LOADER, str(samples / LAO_CAI), str(fresh_db),
                               str(signal_file)], cwd=REPO)
    deadline = time.monotonic() + 90
    while not signal_file.exists():
        assert loader.poll() is None, "the loader ended before writing"
        assert time.monotonic() < deadline, "the loader never reached the write"
        time.sleep(0.05)
    loader.send_signal(signal.SIGKILL)
    loader.wait()

    pd.testing.assert_frame_equal(snapshot(fresh_db, "observation"), observations)
    pd.testing.assert_frame_equal(snapshot(fresh_db, "batch"), batches)


def test_the_same_file_with_another_period_option_still_loads_that_month(samples, fresh_db):
    july = load_file(samples / "hanoi_2026-q3_long.csv", db=fresh_db, period=parse_month("2026-07"))
    august = load_file(samples / "hanoi_2026-q3_long.csv", db=fresh_db, period=parse_month("2026-08"))
    again = load_file(samples / "hanoi_2026-q3_long.csv", db=fresh_db, period=parse_month("2026-08"))

    assert (july.status, august.status, again.status) == ("loaded", "loaded", "unchanged")
    assert again.batch_id == august.batch_id  # "already loaded" points at the batch that holds the values
