"""Smoke check of the rankings benchmark at a small size: 2 demo months, 2 runs per ranking.

Correctness only; the timings it prints are not checked (run `python -m benchmarks.bench_rankings` for those).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import bench_rankings, run_all
from benchmarks.bench_rankings import DB_NAME, PAGE_LABEL, QUERY_LABELS, main
from etl.demo import NOT_PUBLISHED


def test_benchmark_builds_the_demo_months_and_times_four_rankings(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = main(["--months", "2", "--runs", "2", "--page-runs", "1", "--keep", str(tmp_path)])

    data = report.dataset
    assert data.months == ["2026-09", "2026-10"]
    # every stored catalog indicator, rates included, but the counts the portal does not publish
    assert sorted(data.missing) == sorted(NOT_PUBLISHED) and data.catalog_stored > 30
    assert data.build_seconds is not None and (tmp_path / DB_NAME).is_file()
    assert report.period == "2026-10"
    assert [t.label for t in report.rankings] == QUERY_LABELS
    for timing in report.rankings:
        assert len(timing.wall) == len(timing.cpu) == 2
        assert all(seconds > 0 for seconds in timing.wall)
        assert " ranked" in timing.note
    province, country = report.rankings[0].note, report.rankings[1].note
    assert int(province.split()[0].replace(",", "")) < int(country.split()[0].replace(",", ""))
    assert report.process_peak > 0

    targets = report.targets
    assert len(targets) == 5 and all(len(t) == 4 for t in targets)
    assert all(met in (True, False) for *_rest, met in targets[:4])  # the page's may be None (not there yet)
    out = capsys.readouterr().out
    for label in [*QUERY_LABELS, PAGE_LABEL, "process peak (ru_maxrss)"]:
        assert label in out


def test_a_built_database_is_reused_and_the_summary_collects_the_targets(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["--months", "1", "--runs", "1", "--page-runs", "0", "--keep", str(tmp_path / "built")])
    built = tmp_path / "built" / DB_NAME
    before = built.stat().st_mtime_ns
    capsys.readouterr()

    report = main(["--db", str(built), "--runs", "1", "--page-runs", "0"])

    assert report.dataset.build_seconds is None and report.dataset.months == ["2026-10"]
    assert built.stat().st_mtime_ns == before  # a copy was used
    assert report.page.available is False
    targets = run_all.targets_of("bench_rankings", bench_rankings, report)
    run_all.print_summary([("bench_rankings", targets, 1.0, None), ("bench_broken", [], 0.0, "RuntimeError: x")])
    out = capsys.readouterr().out
    assert "reused" in out and "summary of every benchmark" in out
    assert "rank service_index, country: p50" in out and "(benchmark failed)" in out
    assert "bench_loader" in run_all.discover() and "bench_rankings" in run_all.discover()
