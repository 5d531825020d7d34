"""Browser tests: a demo database, a real Streamlit server and headless Chromium (Playwright).

- `demo_db` (session): builds the demo database once with `python -m etl init --db <tmp>`, or copies
  the prebuilt file named by $XASO_E2E_DB (the original is never touched).
- `app_url` (session): `streamlit run app.py` on a free port with XASO_DB set to that database.
- `browser` (session): Chromium from $XASO_CHROMIUM (default /usr/bin/chromium). A missing browser
  fails the tests; it never skips them.
- `open_app` (function): opens the app in a fresh context with a given browser locale, waits until
  the first script run has finished and signs in through the form (as E2E_USER, an admin created in
  the database with `python -m store users add`), unless asked not to.

Waiting: a finished run is known from the server itself. Each websocket frame is one ForwardMsg;
`_RunWatcher` counts the `script_finished` messages of a page (decoded with Streamlit's own protobuf
classes), and `rerun(page, action)` waits for one more, then for the DOM to settle
(`[data-testid="stApp"]` CONNECTED and `data-test-script-state="notRunning"`, as in Streamlit's own
e2e helpers). Watching the DOM alone is not enough: a quick run can go from "notRunning" to
"notRunning" without the "running" state ever being painted, which made a DOM-only wait flaky.
Assertions use Playwright's `expect`, which retries until the page shows what it should.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# the server, the demo database and the account are made by code the load benchmark shares; re-exported here
from benchmarks.server import (REPO_ROOT, SERVER_START_SECONDS, ServerError, add_user, build_demo_db,  # noqa: F401
                               start_server)
from benchmarks.server import free_port as _free_port  # noqa: F401
from benchmarks.server import health as _health  # noqa: F401
from benchmarks.server import stop as _stop  # noqa: F401

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 1000}
RUN_TIMEOUT_MS = 30_000  # one script run, first page load included
E2E_USER, E2E_PASSWORD = "e2e-admin", "mật-khẩu-trình-duyệt"

_IDLE = ("() => { const app = document.querySelector('[data-testid=\"stApp\"]');"
         " return !!app && app.getAttribute('data-test-connection-state') === 'CONNECTED'"
         " && app.getAttribute('data-test-script-state') === 'notRunning'; }")
# What a page loaded from anywhere but the app itself (data: and blob: are made in the page): [] offline.
FOREIGN_RESOURCES = ("(origin) => performance.getEntriesByType('resource').map((entry) => entry.name)"
                     ".filter((url) => !url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:'))")
_TWO_FRAMES = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"

# --- Database and server ---------------------------------------------------------------------------

@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo database in a temporary directory, built once per session (or copied from $XASO_E2E_DB)."""
    target = tmp_path_factory.mktemp("e2e-db") / "xaso.duckdb"
    prebuilt = os.environ.get("XASO_E2E_DB")
    if prebuilt:
        source = Path(prebuilt)
        if not source.is_file():
            pytest.fail(f"XASO_E2E_DB={prebuilt} is not a file; unset it to build the demo database.")
        shutil.copy2(source, target)
        if source.with_name(source.name + ".wal").is_file():
            shutil.copy2(source.with_name(source.name + ".wal"), target.with_name(target.name + ".wal"))
        _add_e2e_user(target)
        return target
    try:
        seconds = build_demo_db(target)
    except ServerError as exc:
        pytest.fail(str(exc))
    print(f"\ne2e: demo database built in {seconds:.0f} s", file=sys.stderr)
    _add_e2e_user(target)
    return target


def _add_e2e_user(db: Path) -> None:
    """The browser tests' admin account, made the way an operator makes one."""
    try:
        add_user(db, E2E_USER, E2E_PASSWORD, "admin")
    except ServerError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def server_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e2e-server") / "streamlit.log"


@pytest.fixture(scope="session")
def app_url(demo_db: Path, server_log: Path) -> Iterator[str]:
    """Base URL of the dashboard serving the demo database; stopped at the end of the session."""
    with start_server(demo_db, server_log) as url:
        yield url


# --- Browser -------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser() -> Iterator["object"]:
    executable = os.environ.get("XASO_CHROMIUM") or "/usr/bin/chromium"
    if not (os.path.isfile(executable) and os.access(executable, os.X_OK)):
        pytest.fail(f"Chromium not found at {executable}. The browser tests need it: install Debian's "
                    "`chromium` package (./test.sh does so when run as root) or set XASO_CHROMIUM to a "
                    "Chromium/Chrome executable.", pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: pip install -r requirements-dev.txt", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Remember each phase's outcome on the item, so fixtures can react to a failed test."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


class _RunWatcher:
    """Counts the finished script runs of one page from the app's websocket (one ForwardMsg a frame)."""

    def __init__(self, page) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self._forward_msg = ForwardMsg
        self.page = page
        self.finished = 0
        page.on("websocket", self._on_websocket)

    def _on_websocket(self, websocket) -> None:
        if websocket.url.endswith("/_stcore/stream"):
            websocket.on("framereceived", self._on_frame)

    def _on_frame(self, payload: str | bytes) -> None:
        if isinstance(payload, str):
            return
        try:
            message = self._forward_msg.FromString(payload)
        except Exception:  # not a ForwardMsg: not ours to count
            return
        if (message.WhichOneof("type") == "script_finished"
                and message.script_finished != self._forward_msg.FINISHED_EARLY_FOR_RERUN):
            self.finished += 1

    def wait_for_run(self, after: int, what: str) -> None:
        """Until more than `after` runs have finished and the page has painted the idle state."""
        deadline = time.monotonic() + RUN_TIMEOUT_MS / 1000
        while self.finished <= after:
            if time.monotonic() > deadline:
                pytest.fail(f"no script run finished within {RUN_TIMEOUT_MS / 1000:.0f} s after {what}")
            self.page.wait_for_timeout(20)  # Playwright delivers websocket events while it waits
        self.page.wait_for_function(_IDLE, timeout=RUN_TIMEOUT_MS)
        self.page.evaluate(_TWO_FRAMES)


@pytest.fixture
def _watchers() -> dict[int, _RunWatcher]:
    return {}


@pytest.fixture
def open_app(browser, app_url: str, server_log: Path, _watchers: dict[int, _RunWatcher],
             request: pytest.FixtureRequest) -> Iterator[Callable[..., "object"]]:
    """open_app(locale="vi-VN", path="/") -> a Page on the app once its first run has finished.

    On a failed test the page is saved as screenshots/FAILED-<test>-<n>.png and the server log printed.
    """
    contexts = []
    pages = []

    def _open(locale: str = "vi-VN", path: str = "/", sign_in: bool = True):
        context = browser.new_context(locale=locale, viewport=VIEWPORT)
        context.set_default_timeout(RUN_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        pages.append(page)
        watcher = _watchers[id(page)] = _RunWatcher(page)
        page.goto(app_url + path)
        watcher.wait_for_run(0, f"opening {path} with locale {locale}")
        if sign_in:
            sign_in_through_the_form(page)
        return page

    yield _open
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for number, page in enumerate(pages):
            try:
                _full_page_screenshot(page, SCREENSHOTS / f"FAILED-{request.node.name}-{number}.png")
            except Exception:  # the page may be gone; the report matters more than the picture
                pass
        print(f"\n--- streamlit log ({server_log}) ---\n{server_log.read_text()[-6000:]}", file=sys.stderr)
    for context in contexts:
        context.close()


def sign_in_through_the_form(page, username: str = E2E_USER, password: str = E2E_PASSWORD) -> None:
    """Type the name and password into the sign-in form and wait for the app to run again."""
    page.locator(".st-key-sign_in_username input").fill(username)
    page.locator(".st-key-sign_in_password input").fill(password)
    page.locator(".st-key-sign_in_submit button").click()
    # the form submits, then the app runs again for the signed-in session: wait for the form to go
    page.locator(".st-key-sign_in_submit").wait_for(state="detached", timeout=RUN_TIMEOUT_MS)
    page.wait_for_function(_IDLE, timeout=RUN_TIMEOUT_MS)
    page.evaluate(_TWO_FRAMES)


@pytest.fixture
def rerun(_watchers: dict[int, _RunWatcher]) -> Callable[..., None]:
    """rerun(page, action): do `action` (a click, a choice) and wait until the run it triggers is over."""

    def _rerun(page, action: Callable[[], object]) -> None:
        watcher = _watchers[id(page)]
        before = watcher.finished
        action()
        watcher.wait_for_run(before, getattr(action, "__qualname__", repr(action)))

    return _rerun


@pytest.fixture
def screenshot() -> Callable[..., Path]:
    """screenshot(page, "name.png"): a full-page picture in tests/e2e/screenshots/ (git-ignored)."""

    def _screenshot(page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / name
        _full_page_screenshot(page, path)
        return path

    return _screenshot


def _full_page_screenshot(page, path: Path) -> None:
    """Streamlit scrolls inside stMain, not the document, so full_page=True alone stops at the viewport:
    grow the viewport to the content's height for the picture, then restore it."""
    size = page.viewport_size or VIEWPORT
    page.mouse.move(0, 0)  # no hover effects (heading links, tooltips) in the picture
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight ?? 0")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(int(height), 8000))})
    try:
        page.screenshot(path=path, full_page=True, animations="disabled")
    finally:
        page.set_viewport_size(size)
