"""Memory the dashboard gives back after a large upload: resident memory of the server before, with a
large CSV reviewed on the Upload page, and after that browser session has closed.

    PYTHONPATH=. .venv/bin/python -m benchmarks.bench_upload_memory --db FILE         # a demo database (copied)
    PYTHONPATH=. .venv/bin/python -m benchmarks.bench_upload_memory --db FILE --rows 50000

Starts the dashboard as ./run.sh does, with Streamlit's `server.disconnectedSessionTTL` shortened to
`--ttl` seconds (default 120 in Streamlit) so a closed session is dropped soon. A first session opens the
Upload page and the Overview (imports and shared caches warmed: the "start" figure), a second uploads a generated CSV of `--rows`
rows (codes, periods and ten indicators, as bench_loader's big file) and waits for its review; that
session moves to the Overview (the "on another page" figure), comes back, uploads the file again and its
browser is closed; after the TTL a next visitor opens a page (Streamlit drops a disconnected session when
its session store is next touched) and the server's VmRSS is sampled until it settles. The reading itself runs
in the bounded worker, so the server's own peak (VmHWM) stays far below the reading's. Target: after
the session ends, resident memory within 100 MB of the start.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.bench_app_memory import CHROMIUM_FLAGS, PASSWORD, USER, _IDLE, in_own_thread, memory_of
from benchmarks.bench_loader import BIG_HEADER, SEED, big_columns, commune_codes
from benchmarks.server import add_user, run_server

TARGET_BYTES = 100 * 1024 * 1024
RUN_SECONDS = 300


@dataclass
class UploadMemory:
    rows: int
    file_bytes: int = 0
    start: int = 0
    with_review: int = 0
    left_page: int = 0  # the same session on another page
    peak: int = 0
    after: int = 0
    review_seconds: float = 0.0
    settle_seconds: float = 0.0

    @property
    def held_after(self) -> int:
        return self.after - self.start


def write_csv(path: Path, rows: int) -> None:
    columns = big_columns(rows, commune_codes(), np.random.default_rng(SEED))
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(BIG_HEADER)
        writer.writerows(zip(*columns))


def _sign_in(page, url: str, path: str) -> None:
    page.goto(url + path)
    page.locator(".st-key-sign_in_submit button").wait_for(timeout=RUN_SECONDS * 1000)
    page.locator(".st-key-sign_in_username input").fill(USER)
    page.locator(".st-key-sign_in_password input").fill(PASSWORD)
    page.locator(".st-key-sign_in_submit button").click()
    page.locator(".st-key-sign_in_submit").wait_for(state="detached", timeout=RUN_SECONDS * 1000)
    page.wait_for_function(_IDLE, timeout=RUN_SECONDS * 1000)


def measure(db: Path, rows: int, ttl: int, settle: float = 90.0) -> UploadMemory:
    from playwright.sync_api import sync_playwright

    report = UploadMemory(rows)
    executable = os.environ.get("XASO_CHROMIUM") or "/usr/bin/chromium"
    add_user(db, USER, PASSWORD)
    with tempfile.TemporaryDirectory() as folder:
        upload = Path(folder) / "bao_cao_lon.csv"
        write_csv(upload, rows)
        report.file_bytes = upload.stat().st_size
        env = {"STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": str(ttl)}
        with run_server(db, Path(folder) / "streamlit.log", env=env) as server:

            def browse() -> None:
                with sync_playwright() as playwright:
                    browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
                    # The start figure: a first session has opened every page the measured one opens, so
                    # the figures shared by all sessions (kept per data version) are already in memory.
                    warm = browser.new_context(locale="vi-VN")
                    warm_page = warm.new_page()
                    _sign_in(warm_page, server.url, "/upload")
                    warm_page.get_by_test_id("stSidebarNav").get_by_role("link", name="Tổng quan", exact=True).click()
                    warm_page.wait_for_timeout(1000)
                    warm_page.wait_for_function(_IDLE, timeout=RUN_SECONDS * 1000)
                    warm.close()
                    time.sleep(ttl + 5)
                    report.start = memory_of(server.pid)["VmRSS"]
                    context = browser.new_context(locale="vi-VN", viewport={"width": 1400, "height": 1000})
                    page = context.new_page()
                    _sign_in(page, server.url, "/upload")
                    started = time.perf_counter()
                    page.locator('input[type="file"]').set_input_files(str(upload))
                    page.get_by_text("Có thể ghi").or_(page.get_by_text("Chưa thể ghi")).first.wait_for(
                        timeout=RUN_SECONDS * 1000)
                    page.wait_for_function(_IDLE, timeout=RUN_SECONDS * 1000)
                    report.review_seconds = time.perf_counter() - started
                    report.with_review = memory_of(server.pid)["VmRSS"]
                    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Tổng quan", exact=True).click()
                    page.wait_for_timeout(1000)
                    page.wait_for_function(_IDLE, timeout=RUN_SECONDS * 1000)
                    time.sleep(5)
                    report.left_page = memory_of(server.pid)["VmRSS"]
                    # back on the page, the same file again: the review is made again...
                    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Tải lên số liệu", exact=True).click()
                    page.locator('input[type="file"]').set_input_files(str(upload))
                    page.get_by_text("Có thể ghi").or_(page.get_by_text("Chưa thể ghi")).first.wait_for(
                        timeout=RUN_SECONDS * 1000)
                    page.wait_for_function(_IDLE, timeout=RUN_SECONDS * 1000)
                    context.close()  # ... and the session ends with the review held
                    # Streamlit drops a disconnected session once its TTL has passed, when its session
                    # store is next touched: by the next visitor, here a page opened without signing in
                    time.sleep(ttl + 2)
                    visitor = browser.new_context(locale="vi-VN")
                    visitor_page = visitor.new_page()
                    visitor_page.goto(server.url + "/")
                    visitor_page.wait_for_function(_IDLE, timeout=RUN_SECONDS * 1000)
                    time.sleep(5)
                    visitor.close()
                    browser.close()

            in_own_thread(browse)
            closed = time.perf_counter()
            report.after = memory_of(server.pid)["VmRSS"]
            while time.perf_counter() - closed < ttl + settle and report.after - report.start > TARGET_BYTES:
                time.sleep(2)
                report.after = memory_of(server.pid)["VmRSS"]
            report.settle_seconds = time.perf_counter() - closed
            report.peak = memory_of(server.pid)["VmHWM"]
    return report


def _mb(value: int) -> str:
    return f"{value / 1048576:,.0f} MB"


def print_report(report: UploadMemory) -> None:
    print(f"upload of {report.rows:,} rows ({report.file_bytes / 1048576:.1f} MB CSV), reviewed in "
          f"{report.review_seconds:.1f} s")
    print(f"server VmRSS at start {_mb(report.start)}, with the review shown {_mb(report.with_review)}, "
          f"on another page {_mb(report.left_page)}, peak (VmHWM) {_mb(report.peak)}, {report.settle_seconds:.0f} s after the session closed "
          f"{_mb(report.after)}")
    for label, held in (("after leaving the Upload page", report.left_page - report.start),
                        ("after the session closed", report.held_after)):
        met = held < TARGET_BYTES
        print(f"  {'met    ' if met else 'NOT met'}  memory held {label}: {_mb(held)} (< 100 MB)")


def main(argv: Sequence[str] | None = None) -> UploadMemory:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_upload_memory", description=__doc__)
    parser.add_argument("--db", type=Path, required=True, help="a demo database (copied, never changed)")
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--ttl", type=int, default=10, help="server.disconnectedSessionTTL for the run (s)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="xaso-bench-") as folder:
        db = Path(folder) / "xaso.duckdb"
        shutil.copy(args.db, db)
        report = measure(db, args.rows, args.ttl)
    print_report(report)
    return report


if __name__ == "__main__":
    main()
