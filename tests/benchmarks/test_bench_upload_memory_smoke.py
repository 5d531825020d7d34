"""Smoke check of the upload-memory benchmark: a session reviews a generated CSV on the Upload page, leaves
for the Overview, comes back, reviews it again and closes its browser; every figure is measured and
printed. Resident memory after the session varies by 100 MB and more between runs of the same code (the C
allocator's fragmentation), so its size is reported by the benchmark, not judged here."""

from __future__ import annotations

import shutil
from pathlib import Path

from benchmarks import bench_upload_memory


def test_the_memory_of_a_large_upload_is_measured_before_during_and_after_the_session(
        demo_db: Path, tmp_path: Path, capsys) -> None:
    db = tmp_path / "xaso.duckdb"
    shutil.copy(demo_db, db)

    report = bench_upload_memory.measure(db, rows=50_000, ttl=5, settle=60.0)
    bench_upload_memory.print_report(report)

    assert report.review_seconds > 0 and report.file_bytes > 1024**2  # the file was reviewed, not refused
    assert 30 * 1024**2 < report.start < report.with_review <= report.peak  # the review is in the server
    assert 0 < report.left_page <= report.peak and 0 < report.after <= report.peak
    assert "after the session closed" in capsys.readouterr().out
