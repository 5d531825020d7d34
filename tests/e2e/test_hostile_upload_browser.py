"""Hostile uploads against the real server: a sparse xlsx that would make the reader ask for 512 GB and a CSV
with a million columns each end as a located error within 30 s, while a second session keeps browsing,
/_stcore/health answers within a second throughout and the server's process is the same one afterwards."""

from __future__ import annotations

import shutil
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import VIEWPORT, _RunWatcher, sign_in_through_the_form
from tests.etl.test_worker import sparse_xlsx

pytestmark = pytest.mark.e2e
LIMIT_SECONDS = 30
NAV = ["Lịch sử tải lên", "Tổng quan"]
BLOCKED = "Chưa thể ghi: 1 lỗi cần sửa"
# when `text` first shows on the page, in ms from now, kept in window.__shownAfter
WATCH = """(text) => { const start = performance.now(); window.__shownAfter = null;
  const timer = setInterval(() => { if (document.body.innerText.includes(text)) {
    window.__shownAfter = performance.now() - start; clearInterval(timer); } }, 50); }"""


class HealthProbe(threading.Thread):
    """Asks /_stcore/health every 0.2 s and keeps each answer's time (None: no answer within 5 s)."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.times: list[float | None] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            started = time.monotonic()
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=5) as response:
                    ok = response.read().decode().strip() == "ok"
            except OSError:
                ok = False
            self.times.append(time.monotonic() - started if ok else None)
            self.done.wait(0.2)


def _open(browser, url: str, path: str):
    context = browser.new_context(locale="vi-VN", viewport=VIEWPORT)
    page = context.new_page()
    watcher = _RunWatcher(page)
    page.goto(url + path)
    watcher.wait_for_run(0, f"opening {path}")
    sign_in_through_the_form(page)
    return context, page, watcher


def _browse(page, watcher: _RunWatcher) -> list[tuple[str, float]]:
    times = []
    for name in NAV:
        before, started = watcher.finished, time.monotonic()
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=name, exact=True).click()
        watcher.wait_for_run(before, f"opening {name}")
        times.append((name, time.monotonic() - started))
    return times


def test_hostile_uploads_end_as_located_errors_while_another_session_browses(browser, demo_db, tmp_path):
    from benchmarks.server import run_server

    db = tmp_path / "hostile.duckdb"
    shutil.copy(demo_db, db)
    files = {"thua.xlsx": sparse_xlsx("XFD1048576"),
             "rong.csv": ("Mã xã," + ",".join(f"c{i}" for i in range(999_999)) + "\n08377,1\n").encode()}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    with run_server(db, tmp_path / "streamlit.log") as server:
        pid = server.pid
        probe = HealthProbe(server.url)
        probe.start()
        browser_context, browse_page, browse_watcher = _open(browser, server.url, "/")
        try:
            for name in files:
                uploader, upload_page, _ = _open(browser, server.url, "/upload")  # a fresh session a file
                upload_page.evaluate(WATCH, BLOCKED)  # the upload's page times itself while this thread browses
                upload_page.locator('input[type="file"]').set_input_files(str(tmp_path / name))
                page_times = _browse(browse_page, browse_watcher)  # the other session, meanwhile
                expect(upload_page.get_by_text(BLOCKED)).to_be_visible(timeout=LIMIT_SECONDS * 1000)
                expect(upload_page.get_by_role("tab", name=f"⛔ {name}")).to_be_visible()
                elapsed = upload_page.evaluate("() => window.__shownAfter") / 1000
                print(f"\n{name} ({len(files[name]):,} bytes): located error shown after {elapsed:.1f} s; "
                      "the other session's pages: " + ", ".join(f"{n} {s:.1f} s" for n, s in page_times))
                assert elapsed < LIMIT_SECONDS
                uploader.close()
        finally:
            probe.done.set()
            probe.join(timeout=10)
            browser_context.close()
        answered = [t for t in probe.times if t is not None]
        print(f"health: {len(probe.times)} probes, slowest {max(answered):.2f} s, unanswered "
              f"{len(probe.times) - len(answered)}")
        assert len(answered) == len(probe.times) and max(answered) < 1.0
        assert server.pid == pid and server.process.poll() is None  # the same server, alive
        with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as response:
            assert response.read().decode().strip() == "ok"
        log = Path(tmp_path / "streamlit.log").read_text()
        assert "memory allocation" not in log and "Traceback" not in log, log[-3000:]
