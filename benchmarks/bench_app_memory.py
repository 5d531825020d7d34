"""Peak memory of the running dashboard serving the national demo data, every page opened once in Chromium.

    PYTHONPATH=. .venv/bin/python -m benchmarks.bench_app_memory                  # builds the demo data first
    PYTHONPATH=. .venv/bin/python -m benchmarks.bench_app_memory --db FILE        # reuse a demo database (copied)
    PYTHONPATH=. .venv/bin/python -m benchmarks.bench_app_memory --only profile --only rankings

Starts the dashboard as ./run.sh does (`python -m ui.launch`, which runs Streamlit inside that process)
on a free loopback port, then in headless Chromium (Debian's /usr/bin/chromium, or $XASO_CHROMIUM) opens
each page of ui/navigation.PAGES by its address (the unit pages with ?unit=08377), signs in through the
form as an admin made for the run, and waits for the page's script run to finish. The figure is the
server process's peak resident set size, VmHWM in /proc/<pid>/status (Linux); its resident size after
start and at the end are printed beside it, with each page's time in the browser (from the sign-in click
to the finished run, first visit, caches cold). Target: peak < 2 GB.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.server import add_user, run_server

TARGET_PEAK_BYTES = 2 * 1024**3
UNIT = "08377"  # a commune for the pages that show one
UNIT_PAGES = {"profile", "present"}
USER, PASSWORD = "bench-admin", "đo-bộ-nhớ-766"
RUN_SECONDS = 120
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
_IDLE = ("() => { const app = document.querySelector('[data-testid=\"stApp\"]');"
         " return !!app && app.getAttribute('data-test-connection-state') === 'CONNECTED'"
         " && app.getAttribute('data-test-script-state') === 'notRunning'; }")


@dataclass
class MemoryReport:
    peak_bytes: int | None = None
    started_bytes: int | None = None
    final_bytes: int | None = None
    page_seconds: dict[str, float] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # page -> error shown on it
    note: str = "ok"

    @property
    def targets(self) -> list[tuple[str, str, str, bool | None]]:
        figure = f"app peak RSS, {len(self.page_seconds)} pages opened (national demo)"
        if self.peak_bytes is None:
            return [(figure, self.note, "< 2 GB", None)]
        return [(figure, _mb(self.peak_bytes), "< 2 GB", self.peak_bytes < TARGET_PEAK_BYTES and not self.errors)]


def _mb(value: int) -> str:
    return f"{value / 1048576:,.0f} MB"


def memory_of(pid: int) -> dict[str, int]:
    """VmHWM (peak) and VmRSS (now) of a process, in bytes, from /proc/<pid>/status."""
    figures = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmHWM", "VmRSS"):
            figures[name] = int(value.split()[0]) * 1024  # kB
    return figures


def _open_page(page, url: str, path: str) -> float:
    """Open `path`, sign in on the form it shows, wait for the page's run; the seconds from the click."""
    page.goto(url + path)
    page.locator(".st-key-sign_in_submit button").wait_for(timeout=RUN_SECONDS * 1000)
    page.locator(".st-key-sign_in_username input").fill(USER)
    page.locator(".st-key-sign_in_password input").fill(PASSWORD)
    started = time.perf_counter()
    page.locator(".st-key-sign_in_submit button").click()
    page.locator(".st-key-sign_in_submit").wait_for(state="detached", timeout=RUN_SECONDS * 1000)
    page.wait_for_function(_IDLE, timeout=RUN_SECONDS * 1000)
    page.wait_for_timeout(300)  # a rerun the page itself asks for starts within this
    page.wait_for_function(_IDLE, timeout=RUN_SECONDS * 1000)
    page.locator('[data-testid="stMain"] h1').first.wait_for(timeout=RUN_SECONDS * 1000)  # every page has a title
    return time.perf_counter() - started


def measure(db: Path, only: Sequence[str] | None = None) -> MemoryReport:
    from playwright.sync_api import sync_playwright

    from ui.navigation import PAGES

    report = MemoryReport()
    executable = os.environ.get("XASO_CHROMIUM") or "/usr/bin/chromium"
    if not os.access(executable, os.X_OK):
        report.note = f"not measured: no Chromium at {executable}"
        return report
    add_user(db, USER, PASSWORD)
    with tempfile.TemporaryDirectory() as folder, run_server(db, Path(folder) / "streamlit.log") as server:
        report.started_bytes = memory_of(server.pid)["VmRSS"]

        def browse() -> None:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
                context = browser.new_context(locale="vi-VN", viewport={"width": 1400, "height": 1000})
                page = context.new_page()
                for spec in PAGES:
                    if only and spec.url_path not in only:
                        continue
                    path = f"/{spec.url_path}" + (f"?unit={UNIT}" if spec.url_path in UNIT_PAGES else "")
                    report.page_seconds[spec.url_path] = _open_page(page, server.url, path)
                    shown = page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]')
                    if shown.count():
                        report.errors[spec.url_path] = shown.first.inner_text()[:200]
                browser.close()

        in_own_thread(browse)
        figures = memory_of(server.pid)
        report.peak_bytes, report.final_bytes = figures["VmHWM"], figures["VmRSS"]
    if report.errors:
        report.note = f"errors on {', '.join(report.errors)}"
    return report


def in_own_thread(call: Callable[[], None]) -> None:
    """Run `call` in a thread of its own and wait, re-raising what it raised: Playwright's sync API refuses
    a thread whose asyncio loop is already running (as the browser tests' session fixture leaves it when
    both run in one pytest session)."""
    failures: list[BaseException] = []

    def collect() -> None:
        try:
            call()
        except BaseException as exc:  # re-raised in the calling thread
            failures.append(exc)

    thread = threading.Thread(target=collect, name="bench-browser")
    thread.start()
    thread.join()
    if failures:
        raise failures[0]


def print_report(report: MemoryReport) -> None:
    print(f"{'page (browser, first visit)':30} {'seconds':>8}  error")
    for name, seconds in report.page_seconds.items():
        print(f"{name:30} {seconds:8.2f}  {report.errors.get(name, '')}")
    if report.peak_bytes is None:
        print(f"app memory: {report.note}")
        return
    print(f"app resident after start {_mb(report.started_bytes)}, at the end {_mb(report.final_bytes)}, "
          f"peak (VmHWM) {_mb(report.peak_bytes)}; target < 2 GB")


def main(argv: Sequence[str] | None = None) -> MemoryReport:
    from benchmarks.bench_pages import demo_database

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", help="a demo database to reuse (copied, never changed)")
    parser.add_argument("--only", action="append", help="open only this page (its address, e.g. rankings)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench_app_memory_") as tmp:
        db = demo_database(args.db, Path(tmp))
        if args.db and Path(args.db + ".wal").is_file():
            shutil.copy(args.db + ".wal", str(db) + ".wal")
        report = measure(db, args.only)
    print_report(report)
    return report


if __name__ == "__main__":
    main()
