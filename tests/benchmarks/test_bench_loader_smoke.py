"""Smoke check of the loader benchmark at a small size: it runs end to end and both loads succeed.

Correctness only; the timings it prints are not checked (run `python -m benchmarks.bench_loader` for those).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.bench_loader import MONTHLY, MONTHLY_IN_PROCESS, OPENPYXL, OURS, OURS_IN_PROCESS, main


def test_benchmark_runs_and_both_files_load(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = main(["--rows", "2000", "--keep", str(tmp_path)])

    assert report.big_result is not None and report.big_result.status == "loaded"
    assert report.big_result.review.errors == []
    assert report.big_result.rows_loaded >= 2000 * 10  # ten given indicators a row, plus derived rates
    assert report.monthly_result is not None and report.monthly_result.status == "loaded"
    assert report.monthly_result.review.periods == ["2026-09"]  # from the title row
    assert report.monthly_result.review.units == 3321
    assert [f.label for f in report.figures] == [OPENPYXL, OURS, OURS_IN_PROCESS, MONTHLY, MONTHLY_IN_PROCESS]
    assert report.process_peak > 0
    out = capsys.readouterr().out
    assert "ratio openpyxl / ours" in out and "worker overhead, monthly file" in out
    assert "read in the worker, its peak virtual memory" in out
