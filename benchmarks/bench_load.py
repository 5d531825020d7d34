"""Load at the websocket level: N sessions speak Streamlit's own protocol to the real server while two
command-line loads commit; page times are the app's, not a browser's.

    PYTHONPATH=. .venv/bin/python -m benchmarks.bench_load                    # builds the demo data, 20 sessions
    PYTHONPATH=. .venv/bin/python -m benchmarks.bench_load --db FILE          # reuse a demo database (copied)
    PYTHONPATH=. .venv/bin/python -m benchmarks.bench_load --sessions 3       # a quick run

Why: tests/e2e/test_load.py drives 20 Chromium pages; on a 2-core machine Chromium takes most of the CPU,
so its page times measure the browser. Here each session is a websocket client of
ws://127.0.0.1:PORT/_stcore/stream that does what the frontend does: it sends `BackMsg.rerun_script`
(ClientState: query string, page script hash, widget states) and reads one `ForwardMsg` per frame.

What it does:

* copies the demo database (--db) or builds one with `python -m etl init --db`, adds an admin account
  with `python -m store users add --password-stdin` and starts `python -m ui.launch` on a free loopback
  port (benchmarks/server.py, as the browser tests do), XASO_LOCK_WAIT=30 as deployed;
* each session: opens the app (the first run shows the sign-in form); signs in through the form: the
  form's widget ids are read from the elements the server sent (keys sign_in_username, sign_in_password,
  sign_in_submit) and one rerun carries both values and the submit button's trigger, as the frontend
  sends a submitted st.form; then opens Overview, Rankings, picks Lào Cai in Rankings' province box
  (its widget id and option label again from the elements), Trends, the profile of 08377
  (`profile?unit=08377` as the query string, same session) and Map, by the pages' script hashes from
  the `navigation` message, as a click in the sidebar does;
* page time = from sending the BackMsg to that run's `script_finished` (a FINISHED_EARLY_FOR_RERUN, as
  after signing in, is not the end). An error is an `exception` element, an `alert` of format ERROR or
  a script compilation exception. Every step also checks it shows what was asked (the page the
  navigation ran, the form gone, Lào Cai in the titles, Vân Bán on the profile); a step that does not,
  or whose run does not finish within --run-timeout, ends that session's visit as failed;
* first one session alone: a warm-up visit (caches cold after the start; shown, not a target), then
  the baseline (--baseline-visits visits, one after the other); then --sessions at once, arriving
  --arrival seconds apart, while `python -m etl load FILE --db DB --json` commits the Lào Cai sample
  once half of them have signed in and the Sơn La sample once half have reached Rankings. Afterwards
  the rows are counted: every new batch holds what its load reported, the values it replaced stopped
  being current one for one, no other batch changed, no key is current twice;
* the server's CPU seconds (utime + stime of its process group from /proc/<pid>/stat, per phase) and
  peak RSS (VmHWM from /proc/<pid>/status; the largest of the group) are reported, and the CPU this
  process spent as the clients (so one can see the clients did not crowd the server out).

Targets: no error, no row lost or doubled, both loads committed, every session finished every step,
p95 page time under --sessions sessions < 10 s. It is a benchmark: a missed target is reported, not
raised. `main` returns a `LoadReport`; its `targets` are what `benchmarks.run_all` collects.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from benchmarks.server import (REPO_ROOT, RowCheck, add_user, build_demo_db, check_rows, observation_counts,
                               run_async, run_server)

SAMPLES = REPO_ROOT / "tests" / "data" / "samples"
UPLOADS = [SAMPLES / "laocai_2026-09_bao_cao_tthc.xlsx", SAMPLES / "sonla_2026-09_chuyen_doi_so.xlsx"]
USER, PASSWORD = "bench-load-admin", "tải-đồng-thời-766"
PROVINCE = "Lào Cai"
UNIT, UNIT_NAME = "08377", "Vân Bán"  # a Lào Cai commune, which the Lào Cai load changes
LOCALE = "vi-VN"
DEFAULT_SESSIONS = 20
DEFAULT_ARRIVAL = 0.5  # seconds between two sessions' first requests, as tests/e2e/test_load.py
DEFAULT_RUN_TIMEOUT = 180.0
DEFAULT_BASELINE_VISITS = 3  # the lone session's visits, one after the other: 24 page runs for its p95
LOCK_WAIT = "30"  # store.db's default, as deployed
TARGET_P95_SECONDS = 10.0

# every visit's steps, in the order a person clicks
SIGN_IN_FORM, SIGN_IN, PICK_PROVINCE = "sign-in form", "sign in (lands on Overview)", f"rankings, {PROVINCE}"
STEPS = [SIGN_IN_FORM, SIGN_IN, "overview", "rankings", PICK_PROVINCE, "trends", f"profile {UNIT}", "map"]
DEFAULT_PAGE = ""  # st.navigation serves the default page (Overview, once signed in) at the empty url path
LOADS_AFTER = {UPLOADS[0]: SIGN_IN, UPLOADS[1]: "rankings"}  # a load starts once half the sessions are past


class ProtocolError(RuntimeError):
    """The server did not answer as the frontend expects (no widget, no page, closed connection)."""


# -- one session: a websocket client speaking Streamlit's protocol ------------------------------------

@dataclass
class Run:
    """What one script run sent back."""

    seconds: float = 0.0
    status: str = ""
    page_hash: str = ""  # the page the navigation ran
    widgets: dict[str, object] = field(default_factory=dict)  # user key -> the widget's proto (id, options ...)
    texts: list[str] = field(default_factory=list)  # headings, markdown, captions: what a person reads
    errors: list[str] = field(default_factory=list)
    frames: int = 0
    received: int = 0  # bytes


@dataclass
class SessionLog:
    number: int
    times: dict[str, float] = field(default_factory=dict)  # step -> seconds
    errors: list[str] = field(default_factory=list)  # "step: what" for every error element seen
    failure: str | None = None  # the step that could not be done, and why
    frames: int = 0
    received: int = 0


def _key_of(widget_id: str) -> str | None:
    """The user key at the end of a widget id ('$$ID-<hash>-<key>'), as streamlit's user_key_from_element_id."""
    key = widget_id.split("-", maxsplit=2)[-1]
    return None if key == "None" or not widget_id.startswith("$$ID") else key


class Session:
    """One visitor's websocket: `run` sends a rerun_script and reads frames until its script_finished."""

    def __init__(self, url: str, run_timeout: float) -> None:
        self.ws_url = url.replace("http://", "ws://", 1) + "/_stcore/stream"
        self.run_timeout = run_timeout
        self.pages: dict[str, str] = {}  # url path -> page script hash, from the last navigation message
        # (the default page's url path is "", whatever url_path it was declared with)
        self.current_page = ""  # the hash of the page shown; a rerun on the same page asks for it again
        self.websocket = None

    async def __aenter__(self) -> "Session":
        from websockets.asyncio.client import connect

        # "streamlit" first, as the frontend sends it (then an XSRF token and a session id to resume; both
        # are only read with auth cookies and reconnects, which these sessions do not use)
        self.websocket = await connect(self.ws_url, subprotocols=["streamlit"], max_size=None,
                                       ping_interval=None, open_timeout=self.run_timeout)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.websocket.close()

    async def run(self, page: str | None = None, query: str = "", widgets: Sequence[object] = ()) -> Run:
        """One rerun as the frontend asks for it: `page` by its url path (its hash from the navigation; None:
        the page shown, as after a widget changed), the query string, and the widget states to send."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        message = BackMsg()
        state = message.rerun_script
        state.query_string = query
        if page is not None:
            if page not in self.pages:
                raise ProtocolError(f"no page {page!r} in the navigation ({', '.join(self.pages) or 'none yet'})")
            state.page_script_hash = self.pages[page]
        else:
            state.page_script_hash = self.current_page
        state.widget_states.widgets.extend(widgets)
        state.context_info.locale = LOCALE
        state.context_info.timezone = "Asia/Ho_Chi_Minh"
        state.context_info.timezone_offset = -420  # minutes, as the browser's getTimezoneOffset()
        run = Run()
        started = time.perf_counter()
        await self.websocket.send(message.SerializeToString())
        deadline = started + self.run_timeout
        while True:
            try:
                frame = await asyncio.wait_for(self.websocket.recv(), max(0.1, deadline - time.perf_counter()))
            except TimeoutError:
                raise ProtocolError(f"no script_finished within {self.run_timeout:.0f} s") from None
            if isinstance(frame, str):
                continue  # Streamlit sends binary protobufs only
            run.frames += 1
            run.received += len(frame)
            if self._read(frame, run):
                run.seconds = time.perf_counter() - started
                return run

    def _read(self, frame: bytes, run: Run) -> bool:
        """Note what a ForwardMsg holds; True when it ends the run (a script_finished not for a rerun)."""
        from streamlit.proto.Alert_pb2 import Alert
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        message = ForwardMsg.FromString(frame)
        kind = message.WhichOneof("type")
        if kind == "script_finished":
            if message.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                # the run asked for another (st.rerun after signing in): what it drew is replaced
                run.widgets.clear()
                run.texts.clear()
                return False
            run.status = ForwardMsg.ScriptFinishedStatus.Name(message.script_finished)
            if message.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                run.errors.append("script finished with a compile error")
            return True
        if kind == "navigation":
            self.pages = {p.url_pathname: p.page_script_hash for p in message.navigation.app_pages}
            run.page_hash = self.current_page = message.navigation.page_script_hash
        elif kind == "page_not_found":  # the frontend tells the person so
            run.errors.append(f"page not found: {message.page_not_found.page_name!r}")
        elif kind == "session_event" and message.session_event.HasField("script_compilation_exception"):
            exc = message.session_event.script_compilation_exception
            run.errors.append(f"compilation: {exc.type}: {exc.message[:200]}")
        elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            element = message.delta.new_element
            element_kind = element.WhichOneof("type")
            inner = getattr(element, element_kind) if element_kind else None
            if element_kind == "exception":
                run.errors.append(f"exception {inner.type}: {inner.message[:200]}")
            elif element_kind == "alert" and inner.format == Alert.ERROR:
                run.errors.append(f"error: {inner.body[:200]}")
            elif element_kind in ("heading", "markdown", "alert"):
                run.texts.append(inner.body)
            key = _key_of(getattr(inner, "id", "") or "") if inner is not None else None
            if key:
                run.widgets[key] = inner
        return False


def _widget(run: Run, key_prefix: str) -> object:
    """The widget whose user key starts with `key_prefix` (choice() keys a widget per language: 'x.vi')."""
    found = [w for key, w in run.widgets.items() if key == key_prefix or key.startswith(key_prefix + ".")]
    if not found:
        raise ProtocolError(f"no widget keyed {key_prefix!r} in the run (widgets: {', '.join(run.widgets)})")
    return found[0]


def _keys(run: Run) -> set[str]:
    """The run's widget keys without choice()'s language suffix ('overview_level.vi' -> 'overview_level')."""
    return {key.split(".", 1)[0] for key in run.widgets}


def _state(widget: object, **value: object) -> object:
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    return WidgetState(id=widget.id, **value)


async def browse(url: str, log: SessionLog, run_timeout: float, delay: float = 0.0) -> None:
    """One person's visit, every step timed into `log`; a step that cannot be done ends the visit."""
    await asyncio.sleep(delay)
    step = "connect"
    try:
        async with Session(url, run_timeout) as session:
            async def do(name: str, page: str | None = None, query: str = "", widgets: Sequence[object] = ()) -> Run:
                nonlocal step
                step = name
                run = await session.run(page, query, widgets)
                log.times[name] = run.seconds
                log.errors += [f"{name}: {error}" for error in run.errors]
                log.frames += run.frames
                log.received += run.received
                if page is not None and run.page_hash != session.pages.get(page):
                    raise ProtocolError(f"the server ran another page than {page!r}")
                return run

            form = await do(SIGN_IN_FORM)
            signed_in = await do(SIGN_IN, widgets=[
                _state(_widget(form, "sign_in_username"), string_value=USER),
                _state(_widget(form, "sign_in_password"), string_value=PASSWORD),
                _state(_widget(form, "sign_in_submit"), trigger_value=True)])  # one rerun, as a submitted st.form
            if "sign_in_submit" in signed_in.widgets or "sign_out" not in signed_in.widgets:
                raise ProtocolError(f"still not signed in: {' | '.join(signed_in.errors or signed_in.texts[:3])}")
            if signed_in.page_hash != session.pages.get(DEFAULT_PAGE) or "overview_level" not in _keys(signed_in):
                raise ProtocolError("signing in did not land on Overview")
            overview = await do("overview", DEFAULT_PAGE)
            if "overview_level" not in _keys(overview):
                raise ProtocolError("the default page is not Overview")
            rankings = await do("rankings", "rankings")
            box = _widget(rankings, "rankings_province")
            # Options read 'Lào Cai (15 · Lao Cai)' (ui/labels.py).
            option = next((label for label in box.options if label.startswith(f"{PROVINCE} (")), None)
            if option is None:
                raise ProtocolError(f"{PROVINCE} is not an option of the province box")
            picked = await do(PICK_PROVINCE, "rankings", widgets=[_state(box, string_value=option)])
            if any(PROVINCE in text for text in rankings.texts) or not any(PROVINCE in text for text in picked.texts):
                raise ProtocolError(f"the rankings' titles do not change to {PROVINCE} when it is picked")
            await do("trends", "trends")
            profile = await do(f"profile {UNIT}", "profile", query=f"unit={UNIT}")
            if not any(UNIT_NAME in text for text in profile.texts):
                raise ProtocolError(f"the profile of {UNIT} does not name {UNIT_NAME}")
            await do("map", "map")
    except Exception as exc:  # reported per session; one stuck session must not hide the others
        log.failure = f"{step}: {type(exc).__name__}: {str(exc)[:300]}"


# -- the loads -------------------------------------------------------------------------------------

@dataclass
class LoadRun:
    sample: str
    exit: int | None = None
    seconds: float = 0.0
    status: str | None = None
    batch_id: int | None = None
    rows_loaded: int | None = None
    stderr: str = ""


async def load(db: Path, sample: Path, logs: list[SessionLog], after_step: str) -> LoadRun:
    """`python -m etl load SAMPLE --db DB --json` once half the sessions are past `after_step`, so it
    commits while the others browse, however fast the machine is."""
    while sum(after_step in log.times or log.failure is not None for log in logs) < max(1, len(logs) // 2):
        await asyncio.sleep(0.05)
    result = LoadRun(sample.name)
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "etl", "load", str(sample), "--db", str(db), "--json", cwd=REPO_ROOT,
        env={**os.environ, "XASO_LANG": "en", "XASO_LOCK_WAIT": LOCK_WAIT},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = await process.communicate()
    result.exit, result.seconds, result.stderr = process.returncode, time.perf_counter() - started, err.decode()[-2000:]
    if process.returncode == 0:
        report = json.loads(out)
        result.status, result.batch_id, result.rows_loaded = report["status"], report["batch_id"], report["rows_loaded"]
    return result


# -- the server process group: CPU and memory from /proc ---------------------------------------------

def group_members(pgid: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # gone meanwhile
                continue
            if int(fields[2]) == pgid:  # field 5 of stat, the process group
                members.append(int(entry.name))
    return members


def group_cpu_seconds(pgid: int) -> float:
    """utime + stime of every process of the group, and of its leader's reaped children."""
    ticks = 0
    for pid in group_members(pgid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
        if pid == pgid:
            ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def group_peak_rss(pgid: int) -> int:
    """The largest VmHWM (peak resident set) of the group's processes, in bytes."""
    peak = 0
    for pid in group_members(pgid):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) * 1024)
        except OSError:
            continue
    return peak


# -- measuring -------------------------------------------------------------------------------------

def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


@dataclass
class Phase:
    """Sessions browsing together: their logs, the wall time and the server's CPU seconds meanwhile."""

    name: str
    logs: list[SessionLog] = field(default_factory=list)
    wall: float = 0.0
    server_cpu: float = 0.0
    client_cpu: float = 0.0  # this process (the websocket clients)
    peak_rss: int = 0  # the server group's VmHWM at the end of the phase (a peak since the server started)

    def times(self, step: str | None = None) -> list[float]:
        return [s for log in self.logs for name, s in log.times.items() if step is None or name == step]

    @property
    def errors(self) -> list[str]:
        return [f"session {log.number}: {error}" for log in self.logs for error in log.errors]

    @property
    def failures(self) -> list[str]:
        return [f"session {log.number}: {log.failure}" for log in self.logs if log.failure]

    @property
    def p95(self) -> float:
        return percentile(self.times(), 95)


async def run_phase(name: str, url: str, sessions: int, arrival: float, run_timeout: float, pgid: int,
                    db: Path | None = None, rounds: int = 1) -> tuple[Phase, list[LoadRun]]:
    """`sessions` visits at once (arriving `arrival` s apart), `rounds` times one after the other; with
    `db`, the two loads commit meanwhile (during the first round)."""
    phase = Phase(name)
    results: list[LoadRun] = []
    cpu_before, client_before, started = group_cpu_seconds(pgid), time.process_time(), time.perf_counter()
    for _round in range(rounds):
        logs = [SessionLog(len(phase.logs) + n) for n in range(sessions)]
        phase.logs += logs
        visits = [asyncio.create_task(browse(url, log, run_timeout, arrival * n)) for n, log in enumerate(logs)]
        loads = [asyncio.create_task(load(db, sample, logs, LOADS_AFTER[sample])) for sample in UPLOADS] \
            if db is not None and not results else []
        await asyncio.gather(*visits)
        results += await asyncio.gather(*loads)
    phase.wall = time.perf_counter() - started
    phase.server_cpu = group_cpu_seconds(pgid) - cpu_before
    phase.client_cpu = time.process_time() - client_before
    phase.peak_rss = group_peak_rss(pgid)
    return phase, results


@dataclass
class LoadReport:
    """What one run measured; `main` returns it (the smoke test and run_all read it)."""

    sessions: int
    warmup: Phase
    alone: Phase
    crowd: Phase
    loads: list[LoadRun]
    rows: RowCheck
    peak_rss: int  # bytes, the server group's largest VmHWM at the end
    server_log_tracebacks: int = 0
    database: str = ""

    @property
    def ratio(self) -> float:
        return self.crowd.p95 / self.alone.p95 if self.alone.p95 else float("nan")

    @property
    def errors(self) -> list[str]:
        return [*self.warmup.errors, *self.alone.errors, *self.crowd.errors]

    @property
    def failures(self) -> list[str]:
        return [*self.warmup.failures, *self.alone.failures, *self.crowd.failures]

    @property
    def loads_ok(self) -> bool:
        return len(self.loads) == len(UPLOADS) and all(r.exit == 0 and r.status == "loaded" for r in self.loads)

    @property
    def targets(self) -> list[tuple[str, str, str, bool | None]]:
        """(figure, measured value, target, met?); met is None for figures shown without a target."""
        crowd, alone, n = self.crowd, self.alone, self.sessions
        finished = sum(1 for log in crowd.logs if log.failure is None)
        lone = "all" if not [*self.warmup.failures, *self.alone.failures] else "NOT all"
        return [
            (f"page time p95, {n} sessions (websocket)",
             f"{crowd.p95:.2f} s (p50 {percentile(crowd.times(), 50):.2f} s)",
             f"< {TARGET_P95_SECONDS:g} s", crowd.p95 < TARGET_P95_SECONDS),
            ("page time p95, 1 session alone", f"{alone.p95:.2f} s (p50 {percentile(alone.times(), 50):.2f} s)", "-",
             None),
            (f"p95 ratio, {n} sessions / 1 session", f"{self.ratio:.1f}x", "-", None),
            ("errors shown (exception, error alert)", f"{len(self.errors)}", "0", not self.errors),
            ("sessions that finished every step", f"{finished}/{n}, alone: {lone}", "all", not self.failures),
            ("command-line loads committed meanwhile",
             ", ".join(f"exit {r.exit} {r.seconds:.1f} s" for r in self.loads), "2 loaded", self.loads_ok),
            ("rows lost / doubled", f"{self.rows.lost} / {self.rows.doubled}", "0 / 0",
             self.rows.lost == 0 and self.rows.doubled == 0 and not self.rows.problems),
            (f"server CPU, {n} sessions", f"{crowd.server_cpu:.0f} s in {crowd.wall:.0f} s wall", "-", None),
            ("server peak RSS (VmHWM)", _mb(self.peak_rss), "-", None),
        ]


def _mb(value: int) -> str:
    return f"{value / 1048576:,.0f} MB"


def measure(db: Path, workdir: Path, sessions: int, arrival: float, run_timeout: float,
            baseline_visits: int = 1) -> LoadReport:
    add_user(db, USER, PASSWORD, "admin")
    before = observation_counts(db)
    log_file = workdir / "streamlit.log"
    with run_server(db, log_file, env={"XASO_LOCK_WAIT": LOCK_WAIT}) as server:
        async def phases() -> tuple[Phase, Phase, Phase, list[LoadRun]]:
            warmup, _ = await run_phase("first visit, cold caches", server.url, 1, 0, run_timeout,
                                        server.pid)
            alone, _ = await run_phase("1 session alone", server.url, 1, 0, run_timeout, server.pid,
                                       rounds=baseline_visits)
            crowd, loads = await run_phase(f"{sessions} sessions + 2 loads", server.url,
                                           sessions, arrival, run_timeout, server.pid, db)
            return warmup, alone, crowd, loads

        warmup, alone, crowd, loads = run_async(phases)
        peak = group_peak_rss(server.pid)
    after = observation_counts(db)
    new_batches = {r.batch_id: r.rows_loaded for r in loads if r.batch_id is not None and r.rows_loaded is not None}
    report = LoadReport(sessions, warmup, alone, crowd, loads, check_rows(before, after, new_batches), peak)
    report.server_log_tracebacks = log_file.read_text().count("Traceback")
    return report


# -- the report ------------------------------------------------------------------------------------

def print_report(report: LoadReport) -> None:
    phases = [report.warmup, report.alone, report.crowd]
    print(f"\n{report.database}")
    print("page time from the BackMsg to the run's script_finished, seconds (p50 / p95 / max); the cold first"
          " visit is one session alone just after the start, shown but not a target")
    header = f"{'step':28}" + "".join(f"  {p.name:>30}" for p in phases)
    print(header)
    print("-" * len(header))

    def cell(values: list[float]) -> str:
        if not values:
            return f"{'-':>30}"
        return f"{percentile(values, 50):.2f} / {percentile(values, 95):.2f} / {max(values):.2f}".rjust(30)

    for step in STEPS:
        print(f"{step:28}" + "".join(f"  {cell(p.times(step))}" for p in phases))
    print(f"{'all steps':28}" + "".join(f"  {cell(p.times())}" for p in phases))
    print(f"{'page runs timed':28}" + "".join(f"  {len(p.times()):>30}" for p in phases))
    print(f"{'wall seconds':28}" + "".join(f"  {p.wall:>30.1f}" for p in phases))
    print(f"{'server CPU seconds':28}" + "".join(f"  {p.server_cpu:>30.1f}" for p in phases))
    print(f"{'client CPU seconds (this)':28}" + "".join(f"  {p.client_cpu:>30.1f}" for p in phases))
    print(f"{'server peak RSS so far':28}" + "".join(f"  {_mb(p.peak_rss):>30}" for p in phases))
    received = sum(log.received for log in report.crowd.logs)
    print(f"\n{report.sessions} sessions received {received / 1048576:,.1f} MB in "
          f"{sum(log.frames for log in report.crowd.logs):,} frames; server peak RSS {_mb(report.peak_rss)}; "
          f"p95 ratio {report.sessions} sessions / 1 session {report.ratio:.1f}x; "
          f"tracebacks in the server log: {report.server_log_tracebacks}")
    for run in report.loads:
        print(f"load {run.sample}: exit {run.exit}, {run.seconds:.1f} s, {run.status}, batch {run.batch_id}, "
              f"{run.rows_loaded} values" + (f"\n  {run.stderr.strip()[-500:]}" if run.exit else ""))
    print(f"rows lost {report.rows.lost}, doubled {report.rows.doubled}"
          + "".join(f"\n  {problem}" for problem in report.rows.problems))
    for line in [*report.errors, *report.failures][:20]:
        print(f"  ! {line}")
    print("\ntargets")
    for label, value, target, met in report.targets:
        status = "       " if met is None else "met    " if met else "NOT met"
        print(f"  {status}  {label}: {value}" + (f" (target {target})" if target != "-" else ""))


# -- running ---------------------------------------------------------------------------------------

def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_load", description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, metavar="FILE",
                        help="a demo database to reuse (copied, never changed); default: build one with etl init")
    parser.add_argument("--sessions", type=int, default=DEFAULT_SESSIONS,
                        help=f"sessions browsing at once (default {DEFAULT_SESSIONS})")
    parser.add_argument("--arrival", type=float, default=DEFAULT_ARRIVAL,
                        help=f"seconds between two sessions' arrivals (default {DEFAULT_ARRIVAL:g})")
    parser.add_argument("--baseline-visits", type=int, default=DEFAULT_BASELINE_VISITS,
                        help="visits of the lone session, one after the other "
                             f"(default {DEFAULT_BASELINE_VISITS})")
    parser.add_argument("--run-timeout", type=float, default=DEFAULT_RUN_TIMEOUT,
                        help="seconds one script run may take before the visit counts as failed "
                             f"(default {DEFAULT_RUN_TIMEOUT:g})")
    args = parser.parse_args(argv)
    if args.sessions < 1 or args.baseline_visits < 1 or args.arrival < 0 or args.run_timeout <= 0:
        parser.error("--sessions and --baseline-visits must be at least 1, --arrival at least 0, "
                     "--run-timeout positive")
    if args.db is not None and not args.db.is_file():
        parser.error(f"--db {args.db}: no such file")
    return args


def main(argv: Sequence[str] | None = None) -> LoadReport:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="xaso-bench-load-") as workdir:
        db = Path(workdir) / "load.duckdb"  # a copy: the loads write to it
        if args.db is not None:
            shutil.copy(args.db, db)
            wal = args.db.with_name(args.db.name + ".wal")
            if wal.is_file():
                shutil.copy(wal, db.with_name(db.name + ".wal"))
            source = f"copy of {args.db}"
        else:
            print("building the national demo data with python -m etl init ...", flush=True)
            source = f"demo data built in {build_demo_db(db):.0f} s"
        report = measure(db, Path(workdir), args.sessions, args.arrival, args.run_timeout, args.baseline_visits)
        report.database = (f"database: {source}; {args.sessions} sessions arriving {args.arrival:g} s apart; "
                           f"load average {Path('/proc/loadavg').read_text().split(' ', 3)[:3]}; "
                           f"this process's peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")
    print_report(report)
    return report


if __name__ == "__main__":
    main()
