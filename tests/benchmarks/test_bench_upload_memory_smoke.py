"""The memory a large upload takes is given back: a session reviews a generated CSV on the Upload page,
leaves for the Overview, comes back, reviews it again and closes its browser; once Streamlit has dropped
the session, the server's resident memory is within 100 MB of where it was before the upload
(benchmarks/bench_upload_memory.py prints the figures at the national size)."""

from __future__ import annotations

import shutil
from pathlib import Path

from benchmarks import bench_upload_memory


def test_a_closed_session_s_review_is_released(demo_db: Path, tmp_path: Path, capsys) -> None:
    db = tmp_path / "xaso.duckdb"
    shutil.copy(demo_db, db)

    report = bench_upload_memory.measure(db, rows=50_000, ttl=5, settle=60.0)
    bench_upload_memory.print_report(report)

    assert report.review_seconds > 0 and report.file_bytes > 1024**2  # the file was reviewed, not refused
    assert report.with_review > 0 and report.start > 30 * 1024**2
    assert report.held_after < bench_upload_memory.TARGET_BYTES, capsys.readouterr().out
