"""store.connect under the dashboard's load: many threads of one process opening and closing the same file,
and another process (a command-line load) waiting for the file meanwhile."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import store
from tests.conftest import REPO

# The dashboard under load, in a process of its own: four threads each open a connection, read and hold it
# for 30 ms, close it and open the next at once. Their connections overlap, so the file is hardly ever free.
BUSY_DASHBOARD = """
import sys, threading, time
import store
until = time.monotonic() + float(sys.argv[2])
def read():
    while time.monotonic() < until:
        with store.connect(sys.argv[1]) as con:
            con.execute("SELECT count(*) FROM unit").fetchall()
            time.sleep(0.03)
threads = [threading.Thread(target=read) for _ in range(4)]
for thread in threads:
    thread.start()
print("reading", flush=True)
for thread in threads:
    thread.join()
"""


def test_threads_opening_and_closing_one_file_at_once_all_get_a_connection(fresh_db: Path) -> None:
    # DuckDB shares one instance per file in a process: opening it while another thread closes the last
    # connection raised "Unique file handle conflict" to a page (seen with 20 browser sessions at once)
    failures: list[str] = []
    answers: list[int] = []

    def work() -> None:
        for _ in range(150):
            try:
                with store.connect(fresh_db) as con:
                    answers.append(con.execute("SELECT count(*) FROM unit").fetchall()[0][0])
            except Exception as exc:  # collected: the assertion below names them
                failures.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(answers) == 8 * 150 and len(set(answers)) == 1 and answers[0] > 3000


def test_a_process_waiting_for_the_file_gets_a_gap_from_a_busy_dashboard(fresh_db: Path) -> None:
    with store.connect(fresh_db):
        pass  # migrated and seeded before the readers start
    dashboard = subprocess.Popen([sys.executable, "-c", BUSY_DASHBOARD, str(fresh_db), "25"], cwd=REPO,
                                 env={**os.environ, "XASO_LOCK_WAIT": "30"}, stdout=subprocess.PIPE, text=True)
    try:
        assert dashboard.stdout.readline().strip() == "reading"
        time.sleep(1.0)
        waits = []
        for _ in range(3):  # as a load does: a connection to review, one to commit, one to report
            started = time.monotonic()
            with store.connect(fresh_db) as con:  # this process waits at most 5 s (tests/conftest.py)
                waits.append(time.monotonic() - started)
                assert con.execute("SELECT count(*) FROM unit").fetchall()[0][0] > 3000
        assert max(waits) < 3, waits
        assert not list(fresh_db.parent.glob(f"{fresh_db.name}.waiting-*"))  # the marker goes once it is in
    finally:
        dashboard.wait(timeout=60)
    assert dashboard.returncode == 0
