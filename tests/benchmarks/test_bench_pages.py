"""Smoke check of the page benchmark: every registered page runs on the demo data without raising.

Correctness only; the timings are not checked (run `python -m benchmarks.bench_pages` for those).
"""

from __future__ import annotations

from pathlib import Path

from benchmarks import bench_pages, run_all


def test_every_page_in_the_registry_runs_on_the_demo_data(demo_db: Path) -> None:
    report = bench_pages.main(["--db", str(demo_db), "--runs", "1"])

    assert [t.case.path for t in report.timings] == [c.path for c in bench_pages.PAGES]
    assert [t.note for t in report.timings] == ["ok"] * len(bench_pages.PAGES)
    assert all(t.cold is not None and len(t.warm) == 1 for t in report.timings)
    targets = run_all.targets_of("bench_pages", bench_pages, report)
    assert len(targets) == len(bench_pages.PAGES) and all(met in (True, False) for *_rest, met in targets)


def test_every_page_file_is_in_the_registry() -> None:
    pages = sorted(str(p.relative_to(bench_pages.REPO)) for p in (bench_pages.REPO / "pages").glob("*.py"))
    assert sorted(c.path for c in bench_pages.PAGES) == pages
