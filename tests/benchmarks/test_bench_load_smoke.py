"""Smoke check of the websocket load benchmark at a small size: 3 sessions, one visit each, on the demo data.

Correctness only (every session signed in through the form and did every step, the server answered
without an error, the loads committed and no row was lost or doubled); the times it prints are not judged
(run `python -m benchmarks.bench_load` for the 20-session figures).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from benchmarks import bench_load, run_all
from benchmarks.bench_load import STEPS, SessionLog, browse, group_cpu_seconds, group_peak_rss, main
from benchmarks.server import add_user, check_rows, run_async, run_server


def test_three_sessions_sign_in_and_browse_every_page_while_two_loads_commit(
        demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = demo_db.stat().st_mtime_ns

    report = main(["--db", str(demo_db), "--sessions", "3", "--arrival", "0.2", "--baseline-visits", "2"])

    assert demo_db.stat().st_mtime_ns == before  # a copy was used
    assert report.failures == [] and report.errors == [] and report.server_log_tracebacks == 0
    for phase, sessions in [(report.warmup, 1), (report.alone, 2), (report.crowd, 3)]:
        assert len(phase.logs) == sessions
        assert all(list(log.times) == STEPS for log in phase.logs)  # every step, in a person's order
        assert all(seconds > 0 for seconds in phase.times()) and phase.wall >= max(phase.times())
        assert phase.server_cpu > 0
    assert [r.sample for r in report.loads] == [p.name for p in bench_load.UPLOADS]
    assert all(r.exit == 0 and r.status == "loaded" and r.rows_loaded > 0 for r in report.loads)
    assert len({r.batch_id for r in report.loads}) == 2
    assert (report.rows.lost, report.rows.doubled, report.rows.problems) == (0, 0, ())
    assert report.peak_rss > 30 * 1024**2  # a Streamlit server with pandas and DuckDB loaded

    targets = run_all.targets_of("bench_load", bench_load, report)
    assert targets == report.targets and all(len(t) == 4 for t in targets)
    met = {figure: ok for figure, _value, _target, ok in targets}
    assert met["errors shown (exception, error alert)"] is True
    assert met["rows lost / doubled"] is True
    assert met["command-line loads committed meanwhile"] is True
    assert met["sessions that finished every step"] is True
    out = capsys.readouterr().out
    assert all(step in out for step in STEPS) and "page time p95, 3 sessions" in out
    assert "bench_load" in run_all.discover()


def test_a_wrong_password_is_seen_as_an_error_and_the_visit_stops_at_the_form(demo_db: Path, tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # the error count must be able to see what a person sees: the form's own error alert
    db = tmp_path / "wrong.duckdb"
    shutil.copy(demo_db, db)
    add_user(db, bench_load.USER, "another password entirely")
    log = SessionLog(0)
    with run_server(db, tmp_path / "streamlit.log") as server:
        run_async(lambda: browse(server.url, log, run_timeout=60))  # the e2e tests may run a loop here

    assert list(log.times) == STEPS[:2]
    assert log.failure is not None and log.failure.startswith(bench_load.SIGN_IN)
    assert "still not signed in" in log.failure
    assert len(log.errors) == 1 and log.errors[0].startswith(f"{bench_load.SIGN_IN}: error: ")


def test_row_check_counts_a_short_batch_as_lost_and_a_key_current_twice_as_doubled() -> None:
    before = {"per_batch": {1: (10, 10)}, "keys": {("a", "x", "2026-09", 1)}, "doubled": 0, "batches": 1}
    good = {"per_batch": {1: (10, 9), 2: (5, 5)}, "keys": {("a", "x", "2026-09", 2)}, "doubled": 0, "batches": 2}
    assert check_rows(before, good, {2: 5}).problems == ()

    short = {**good, "per_batch": {1: (10, 9), 2: (4, 4)}}
    assert (check_rows(before, short, {2: 5}).lost, check_rows(before, short, {2: 5}).doubled) == (2, 0)
    twice = {**good, "per_batch": {1: (10, 10), 2: (5, 5)}, "doubled": 1}  # the replaced value stayed current
    result = check_rows(before, twice, {2: 5})
    assert result.lost == 0 and result.doubled == 2 and len(result.problems) == 2


def test_cpu_and_peak_memory_are_read_for_a_whole_process_group() -> None:
    group = os.getpgid(0)
    assert os.getpid() in bench_load.group_members(group)
    assert group_cpu_seconds(group) > 0
    assert group_peak_rss(group) > 10 * 1024**2
