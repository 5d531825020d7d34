"""Smoke check of the app-memory benchmark at a small size: one province's sample file, two pages.

Correctness only: the server's peak memory is read and reported to run_all; its size is not judged here
(run `python -m benchmarks.bench_app_memory` for the national figure).
"""

from __future__ import annotations

from pathlib import Path

from benchmarks import bench_app_memory, run_all
from etl.load import load_file


def test_the_running_app_is_measured_with_its_pages_opened_and_the_figure_reaches_the_summary(
        fresh_db: Path, samples: Path, capsys) -> None:
    assert load_file(samples / "sonla_2026-09_chuyen_doi_so.xlsx", db=fresh_db, user="bench").status == "loaded"

    report = bench_app_memory.main(["--db", str(fresh_db), "--only", "overview", "--only", "rankings"])

    assert report.note == "ok" and report.errors == {}
    assert list(report.page_seconds) == ["overview", "rankings"]
    assert all(seconds > 0 for seconds in report.page_seconds.values())
    # a Streamlit server with pandas, plotly and DuckDB loaded is tens of MB at least; the peak is a peak
    assert 30 * 1024**2 < report.started_bytes <= report.peak_bytes
    assert report.final_bytes <= report.peak_bytes
    [(figure, value, target, met)] = run_all.targets_of("bench_app_memory", bench_app_memory, report)
    assert "peak RSS" in figure and value.endswith(" MB") and target == "< 2 GB" and met is True
    assert "peak (VmHWM)" in capsys.readouterr().out


def test_the_memory_of_a_process_is_read_from_proc() -> None:
    import os

    figures = bench_app_memory.memory_of(os.getpid())
    assert 0 < figures["VmRSS"] <= figures["VmHWM"]
