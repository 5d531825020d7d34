"""The real dashboard for benchmarks and browser tests: a demo database, an account, a running server, row counts.

Shared by tests/e2e/conftest.py (which re-exports these) and benchmarks/bench_load.py, so the server a
benchmark measures is started exactly as the browser tests and ./run.sh start it. Failures raise
`ServerError` (a RuntimeError) with the command's output; pytest shows it like any other error.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar
from dataclasses import dataclass
from pathlib import Path

import store

REPO_ROOT = Path(__file__).resolve().parent.parent
SERVER_START_SECONDS = 60
DEMO_BUILD_SECONDS = 540


T = TypeVar("T")


class ServerError(RuntimeError):
    """The demo database, an account or the server could not be made; the message holds the output."""


def build_demo_db(target: Path) -> float:
    """`python -m etl init --db TARGET` (the national demo data through the loader); the seconds it took."""
    started = time.monotonic()
    try:
        result = subprocess.run([sys.executable, "-m", "etl", "init", "--db", str(target)], cwd=REPO_ROOT,
                                env={**os.environ, "XASO_DB": str(target)}, capture_output=True, text=True,
                                timeout=DEMO_BUILD_SECONDS)
    except subprocess.TimeoutExpired as exc:
        raise ServerError(f"python -m etl init --db {target} took more than {exc.timeout:.0f} s:\n"
                          f"{exc.stdout!s:.4000}") from None
    if result.returncode != 0 or not target.is_file():
        raise ServerError(f"python -m etl init --db {target} failed (exit {result.returncode}):\n"
                          f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    return time.monotonic() - started


def add_user(db: Path, username: str, password: str, role: str = "admin") -> None:
    """An account made the way an operator makes one (`python -m store users add --password-stdin`)."""
    result = subprocess.run([sys.executable, "-m", "store", "--db", str(db), "users", "add", username, "--role",
                             role, "--password-stdin"], cwd=REPO_ROOT, input=password + "\n",
                            capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise ServerError(f"python -m store users add {username} failed: {result.stdout}{result.stderr}")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def health(url: str) -> str | None:
    """What /_stcore/health answers ("ok" when the server is ready), or None when it does not answer."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().decode().strip()
    except (urllib.error.URLError, OSError):
        return None


@dataclass
class Server:
    """A running dashboard: its base URL and process (the leader of its own process group)."""

    url: str
    process: subprocess.Popen

    @property
    def pid(self) -> int:
        return self.process.pid


@contextlib.contextmanager
def run_server(db: Path, server_log: Path, env: dict[str, str] | None = None) -> Iterator[Server]:
    """The dashboard as ./run.sh starts it (`python -m ui.launch`), on a free loopback port, in its own
    process group; stopped (the whole group) on leaving. `env` adds to or overrides os.environ."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "ui.launch", "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1",
               "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    environment = {**os.environ, **(env or {}), "XASO_DB": str(db), "PYTHONUNBUFFERED": "1"}
    with server_log.open("w") as log:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while health(url) != "ok":
            if process.poll() is not None:
                raise ServerError(f"streamlit exited with code {process.returncode} before answering:\n"
                                  f"{server_log.read_text()}")
            if time.monotonic() > deadline:
                raise ServerError(f"streamlit did not answer {url}/_stcore/health with 'ok' within "
                                  f"{SERVER_START_SECONDS} s:\n{server_log.read_text()}")
            time.sleep(0.25)
        yield Server(url, process)
    finally:
        stop(process)


@contextlib.contextmanager
def start_server(db: Path, server_log: Path) -> Iterator[str]:
    """run_server's base URL only (what the browser tests need)."""
    with run_server(db, server_log) as server:
        yield server.url


def stop(process: subprocess.Popen) -> None:
    """Terminate the server's process group, killing it if it does not stop within 10 s."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


# --- rows: nothing lost or doubled by concurrent loads ---------------------------------------------

def observation_counts(db: Path, period: str = "2026-09") -> dict:
    """Observation counts per batch (all rows and current ones), current keys of `period` (the samples'
    month) with their batch, keys current more than once, and the number of batches."""
    with store.connect(db) as con:
        per_batch = {b: (rows, current) for b, rows, current in con.execute(
            "SELECT batch_id, count(*), count(*) FILTER (WHERE is_current) FROM observation GROUP BY batch_id"
        ).fetchall()}
        keys = {(u, i, p, b) for u, i, p, b in con.execute(
            "SELECT unit_code, indicator_code, period, batch_id FROM observation WHERE is_current AND period = ?",
            [period]).fetchall()}
        doubled = con.execute(
            "SELECT count(*) FROM (SELECT 1 FROM observation WHERE is_current"
            " GROUP BY unit_code, indicator_code, period HAVING count(*) > 1)").fetchall()[0][0]
        batches = con.execute("SELECT count(*) FROM batch").fetchall()[0][0]
    return {"per_batch": per_batch, "keys": keys, "doubled": doubled, "batches": batches}


@dataclass(frozen=True)
class RowCheck:
    """Rows lost or doubled by loads that reported `new_batches` (batch id -> rows loaded)."""

    lost: int  # rows expected but missing (a load's batch short, a value not current that should be ...)
    doubled: int  # rows more than expected, plus keys current more than once
    problems: tuple[str, ...]  # what differs, one line each


def check_rows(before: dict, after: dict, new_batches: dict[int, int]) -> RowCheck:
    """Each new batch holds what its load reported, all of it current; the values they replaced stopped
    being current one for one; no other batch changed; no key is current twice (counts from
    `observation_counts` before and after the loads)."""
    lost = doubled = 0
    problems: list[str] = []

    def differ(what: str, expected: int, found: int) -> None:
        nonlocal lost, doubled
        if found < expected:
            lost += expected - found
        elif found > expected:
            doubled += found - expected
        if found != expected:
            problems.append(f"{what}: expected {expected:,}, found {found:,}")

    if after["batches"] != before["batches"] + len(new_batches):
        problems.append(f"batches: expected {before['batches'] + len(new_batches)}, found {after['batches']}")
    if after["doubled"]:
        doubled += after["doubled"]
        problems.append(f"{after['doubled']:,} keys are current more than once")
    for batch, rows in new_batches.items():
        found_rows, found_current = after["per_batch"].get(batch, (0, 0))
        differ(f"batch {batch} rows", rows, found_rows)
        differ(f"batch {batch} current rows", rows, found_current)
    new_keys = {(u, i, p) for u, i, p, b in after["keys"] if b in new_batches}
    replaced: dict[int, int] = {}
    for u, i, p, b in before["keys"]:
        if (u, i, p) in new_keys:
            replaced[b] = replaced.get(b, 0) + 1
    for batch, (rows, current) in before["per_batch"].items():
        found_rows, found_current = after["per_batch"].get(batch, (0, 0))
        differ(f"batch {batch} rows", rows, found_rows)
        differ(f"batch {batch} current rows", current - replaced.get(batch, 0), found_current)
    return RowCheck(lost, doubled, tuple(problems))


def run_async(coroutine_function: Callable[[], Awaitable[T]], timeout: float | None = None) -> T:
    """`asyncio.run` in a thread of its own: the caller's thread may already run a loop (sync Playwright
    does, in the browser tests; so may pytest plugins). Raises TimeoutError when not done in `timeout` s."""
    box: dict = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coroutine_function())
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target, name="xaso-async", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise TimeoutError(f"the sessions did not finish within {timeout:.0f} s")
    if "error" in box:
        raise box["error"]
    return box["value"]
