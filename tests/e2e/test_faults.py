"""Faults: a command-line load while the dashboard is serving someone.

DuckDB lets one process at a time open the file for writing. The dashboard opens a short connection per
query (store.connect), the loader one per load; each waits for the other (store.db, up to XASO_LOCK_WAIT
seconds, 30 by default). These tests check what a person and an operator see: the load exits 0, the
file opens clean afterwards, the server is alive and healthy, the open browser session never shows an
error, and it shows the new month after a click, without a restart (pages cache by data version, which
ui.data reads at most once a second). A loader killed mid-commit is tests/etl/test_history.py's.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

import store
from tests.conftest import SAMPLES
from tests.e2e.conftest import (REPO_ROOT, VIEWPORT, _health, _RunWatcher, sign_in_through_the_form,
                                start_server)

pytestmark = pytest.mark.e2e
expect.set_options(timeout=30_000)

SAMPLE = SAMPLES / "laocai_2026-09_bao_cao_tthc.xlsx"
NEW_MONTH, NEW_MONTH_LABEL = "2026-11", "Tháng 11/2026"  # the demo data ends in October 2026
ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'
NAV = {"overview": "Tổng quan", "history": "Lịch sử tải lên"}
LOCK_WAIT = "30"  # store.db's default, as deployed (tests/conftest.py shortens it to 5 s for other tests)
HOLD_SECONDS = 4.0


def _load(db: Path) -> subprocess.Popen:
    """`python -m etl load SAMPLE --period 2026-11 --db DB`, started now."""
    return subprocess.Popen([sys.executable, "-m", "etl", "load", str(SAMPLE), "--period", NEW_MONTH, "--db", str(db)],
                            cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _month_offered(page) -> int:
    """How many options of the Overview's month picker read 'Tháng 11/2026' (the list is virtualised:
    typing filters it). One province's load is a partial month, so the label goes on: 'Tháng 11/2026 ·
    128/3.321 đơn vị đã báo cáo'. The picker is closed again without choosing."""
    box = page.get_by_role("combobox", name="Tháng", exact=True)
    box.click()
    box.fill("11/2026")
    page.get_by_role("listbox").wait_for()
    label = re.compile("^" + re.escape(NEW_MONTH_LABEL).replace("/", r"\/") + "( ·|$)")  # '/' ends a selector's regex
    count = page.get_by_role("option", name=label).count()
    page.keyboard.press("Escape")
    return count


def _nav(page, watcher: _RunWatcher, name: str) -> None:
    before = watcher.finished
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=NAV[name], exact=True).click()
    watcher.wait_for_run(before, f"opening {name}")


def _assert_file_is_clean(db: Path, observations_before: int, added: int) -> None:
    """The file opens, a full scan reads every row, and it holds exactly the rows the load added."""
    with store.connect(db) as con:
        assert con.execute("PRAGMA database_size").fetchall()[0][0]  # the file's own header reads back
        rows, values = con.execute("SELECT count(*), count(value) FROM observation").fetchall()[0]
        assert rows == observations_before + added and values <= rows
        assert con.execute("SELECT count(*) FROM observation WHERE is_current AND period = ?",
                           [NEW_MONTH]).fetchall()[0][0] == added
        con.execute("CHECKPOINT")


def _observations(db: Path) -> int:
    with store.connect(db) as con:
        return con.execute("SELECT count(*) FROM observation").fetchall()[0][0]


@pytest.fixture
def served(browser, demo_db, tmp_path, monkeypatch):
    """(db, url, server log, page signed in on the Overview, its run watcher) on a copy of the demo data."""
    monkeypatch.setenv("XASO_LOCK_WAIT", LOCK_WAIT)
    db = tmp_path / "faults.duckdb"
    shutil.copy(demo_db, db)
    log = tmp_path / "streamlit.log"
    with start_server(db, log) as url:
        context = browser.new_context(locale="vi-VN", viewport=VIEWPORT)
        page = context.new_page()
        watcher = _RunWatcher(page)
        page.goto(url + "/")
        watcher.wait_for_run(0, "opening the app")
        sign_in_through_the_form(page)
        expect(page.get_by_role("heading", level=1, name="Tổng quan chuyển đổi số cấp xã")).to_be_visible()
        try:
            yield db, url, log, page, watcher
        finally:
            context.close()


def test_a_load_while_the_dashboard_serves_a_session_commits_and_the_session_sees_it_without_a_restart(served):
    db, url, log, page, watcher = served
    with store.connect(db) as con:  # the server holds the file only while a query runs: this waits its turn
        before = con.execute("SELECT count(*) FROM observation").fetchall()[0][0]
    assert _month_offered(page) == 0

    # the load starts as the session opens the history page, whose newest batch (a national month) is the
    # heaviest read the dashboard makes: one of the two waits for the other's lock
    started = time.monotonic()
    load = _load(db)
    _nav(page, watcher, "history")
    output, _ = load.communicate(timeout=120)
    print(f"\nfaults: load during a history-page run exited {load.returncode} after {time.monotonic() - started:.1f} s")
    assert load.returncode == 0, output
    expect(page.get_by_role("heading", level=1, name="Lịch sử tải lên")).to_be_visible()
    expect(page.locator(ERRORS)).to_have_count(0)
    assert _health(url) == "ok"

    time.sleep(1.2)  # ui.data reads the data version at most once a second
    _nav(page, watcher, "overview")
    assert _month_offered(page) == 1  # the new month, in the same session, without a restart
    expect(page.locator(ERRORS)).to_have_count(0)
    assert _health(url) == "ok"
    assert "Traceback" not in log.read_text(), log.read_text()[-4000:]
    added = int(_count_loaded(db))
    assert added == 600
    _assert_file_is_clean(db, before, added)


def _count_loaded(db: Path) -> int:
    with store.connect(db) as con:
        return con.execute("SELECT rows_loaded FROM batch WHERE ? = ANY(periods) AND status = 'loaded'",
                           [NEW_MONTH]).fetchall()[0][0]


HOLDER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])  # the write lock of the whole file, as a long read or another load holds it
con.execute("SELECT count(*), sum(value) FROM observation").fetchall()
print("held", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def test_a_load_and_a_page_that_start_while_the_file_is_held_wait_for_the_lock_then_succeed(served):
    db, url, log, page, watcher = served
    before = _observations(db)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db), str(HOLD_SECONDS)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        load = _load(db)
        _nav(page, watcher, "history")  # the dashboard's own queries wait too
        output, _ = load.communicate(timeout=120)
        waited = time.monotonic() - started
    finally:
        holder.wait(timeout=60)
    print(f"\nfaults: load started while the file was held for {HOLD_SECONDS:g} s exited {load.returncode} "
          f"after {waited:.1f} s")
    assert load.returncode == 0, output
    assert waited >= HOLD_SECONDS - 1.5  # it waited for the lock rather than failing or writing around it
    expect(page.get_by_role("heading", level=1, name="Lịch sử tải lên")).to_be_visible()
    expect(page.locator(ERRORS)).to_have_count(0)
    assert _health(url) == "ok"

    time.sleep(1.2)
    _nav(page, watcher, "overview")
    assert _month_offered(page) == 1
    expect(page.locator(ERRORS)).to_have_count(0)
    assert "Traceback" not in log.read_text(), log.read_text()[-4000:]
    _assert_file_is_clean(db, before, _count_loaded(db))
