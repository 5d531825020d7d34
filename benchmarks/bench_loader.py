"""Loader benchmark: our full load against openpyxl reading the same file, plus a monthly file.

Run from the repository root (no arguments needed for the full-size run):

    PYTHONPATH=. .venv/bin/python -m benchmarks.bench_loader               # 200,000 rows x 12 columns
    PYTHONPATH=. .venv/bin/python -m benchmarks.bench_loader --rows 20000  # a quick run
    PYTHONPATH=. .venv/bin/python -m benchmarks.bench_loader --keep DIR    # leave the files in DIR

What it does:

* generates a big wide workbook (default 200,000 rows x 12 columns: `Mã xã`, `Kỳ báo cáo` and ten
  catalog indicator columns; every commune for consecutive months from 2021-01, cut to the row count)
  and a 3,321-row monthly workbook (every commune once, the period only in a title row
  "BÁO CÁO THÁNG 9/2026", code + name + ten indicators), both with openpyxl's write_only mode and
  with counts that satisfy the catalog's rules, so nothing is refused;
* creates a fresh database per load with `store.connect` (schema and reference data: 34 provinces,
  3,321 communes) before the clock starts, so creating it is not part of the load;
* then times, in this one process and in this order:
  1. `pandas.read_excel(big, engine="openpyxl")` alone;
  2. `etl.load.load_file(big, db=fresh)`: read -> find table -> map -> match -> parse -> validate ->
     commit (must end "loaded" with rows_loaded > 0, else the first errors are printed and it stops);
  3. `load_file(monthly, db=fresh)` end to end;
  4. the monthly file checked (dry run) three times with the word-only column mapping and three times with
     recognition from values and relations (etl.parse.VALUE_EVIDENCE), best of each: what recognition adds;
* prints wall-clock seconds (the targets use these), CPU seconds (a check on a busy machine), the
  ratio (openpyxl seconds / our seconds), peak memory and whether each target of the issue is met:
  our load at least 5x faster than the openpyxl read; the monthly file in under 1 s; peak memory
  under 1 GB.

Memory, two figures (no psutil, no tracemalloc: tracemalloc would slow the timed code and misses
memory held outside Python's allocator, such as DuckDB's and calamine's):

* per figure, the resident-set high-water mark of that step: the kernel's VmHWM in /proc/self/status,
  reset to the current RSS just before the step by writing "5" to /proc/self/clear_refs (Linux >= 4.0)
  and read right after it. It therefore includes what the process already held when the step began
  (shown as "RSS before"). Where the reset is not allowed, a thread samples VmRSS every 5 ms instead.
  The 1 GB target is judged on the higher of our two loads' peaks;
* the whole process's peak, `resource.getrusage(RUSAGE_SELF).ru_maxrss` (generation and the openpyxl
  read included). On Linux the VmHWM reset lowers ru_maxrss too (one kernel counter), so the mark
  each reset wipes is remembered and the larger figure is reported.

It is a benchmark, not a test: nothing here fails on timing. tests/benchmarks/ runs a small size as a
smoke check of correctness.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd

import store
from etl.load import LoadResult, load_file

DEFAULT_ROWS = 200_000
FIRST_YEAR = 2021
MONTHLY_YEAR, MONTHLY_MONTH = 2026, 9
SEED = 20260901
UNITS_CSV = Path(__file__).resolve().parent.parent / "data" / "admin_units_2025.csv"

TARGET_RATIO = 5.0  # our full load at least this many times faster than the openpyxl read alone
TARGET_MONTHLY_SECONDS = 1.0
TARGET_PEAK_BYTES = 1024**3
TARGET_RECOGNITION_SECONDS = 0.05

# Catalog names (data/indicators.csv name_vi), in the order the columns are written.
INDICATOR_COLUMNS = [
    "Tổng số hồ sơ tiếp nhận",
    "Hồ sơ giải quyết trước hạn và đúng hạn",
    "Hồ sơ quá hạn",
    "Hồ sơ nộp trực tuyến",
    "Hồ sơ trực tuyến toàn trình",
    "Văn bản đi",
    "Văn bản đi được ký số",
    "Lượt đánh giá",
    "Lượt đánh giá hài lòng",
    "Dân số",
]
BIG_HEADER = ["Mã xã", "Kỳ báo cáo", *INDICATOR_COLUMNS]
MONTHLY_HEADER = ["Mã xã", "Tên xã/phường", *INDICATOR_COLUMNS]
MONTHLY_TITLE = f"BÁO CÁO THÁNG {MONTHLY_MONTH}/{MONTHLY_YEAR}"


class BenchmarkError(RuntimeError):
    """A load did not end as expected (the figures would mean nothing)."""


# -- memory ---------------------------------------------------------------------------------------

def _status_kb(field_name: str) -> int | None:
    """A field of /proc/self/status in kB (VmRSS, VmHWM); None off Linux."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


_peak_before_resets = 0  # bytes: the highest VmHWM seen before any reset wiped it


def _reset_hwm() -> bool:
    """Reset the kernel's VmHWM to the current RSS; False where that is not possible.

    The reset also lowers what ru_maxrss reports (both come from the same kernel counter), so the
    high-water mark it is about to wipe is kept for `process_peak_bytes`.
    """
    global _peak_before_resets
    _peak_before_resets = max(_peak_before_resets, (_status_kb("VmHWM") or 0) * 1024)
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


@dataclass
class PeakMemory:
    """Resident memory of one step: before it and at its highest (bytes), and how that was measured."""

    before: int = 0
    peak: int = 0
    method: str = ""


@contextmanager
def peak_rss() -> Iterator[PeakMemory]:
    """Measure a block's peak resident memory (VmHWM after a reset, else a 5 ms VmRSS sampler)."""
    gc.collect()
    result = PeakMemory(before=(_status_kb("VmRSS") or 0) * 1024)
    if _reset_hwm() and _status_kb("VmHWM") is not None:
        result.method = "VmHWM"
        try:
            yield result
        finally:
            result.peak = (_status_kb("VmHWM") or 0) * 1024
        return
    result.method = "VmRSS sampled every 5 ms"
    highest = [result.before]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.005):
            highest[0] = max(highest[0], (_status_kb("VmRSS") or 0) * 1024)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield result
    finally:
        stop.set()
        sampler.join()
        result.peak = max(highest[0], (_status_kb("VmRSS") or 0) * 1024)


def process_peak_bytes() -> int:
    """The process's peak resident set so far: ru_maxrss (kB on Linux, bytes on macOS), together with
    the high-water marks the per-step resets wiped."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return max(peak if sys.platform == "darwin" else peak * 1024, _peak_before_resets)


# -- data -----------------------------------------------------------------------------------------

def commune_codes() -> list[str]:
    """The 3,321 official commune codes, as 5-digit text."""
    units = pd.read_csv(UNITS_CSV, dtype=str, keep_default_na=False)
    return [str(code) for code in units["commune_code"]]


def commune_names() -> dict[str, str]:
    units = pd.read_csv(UNITS_CSV, dtype=str, keep_default_na=False)
    return dict(zip(units["commune_code"], units["commune_full_name"], strict=True))


def consistent_counts(rows: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Ten count columns in INDICATOR_COLUMNS order that pass every catalog rule.

    on_time + overdue = received, online <= received, full_online <= online, esigned <= outgoing,
    satisfied <= responses; all non-negative integers.
    """
    received = rng.integers(0, 2_000, rows)
    on_time = rng.binomial(received, 0.93)
    overdue = received - on_time
    online = rng.binomial(received, 0.75)
    full_online = rng.binomial(online, 0.6)
    outgoing = rng.integers(0, 800, rows)
    esigned = rng.binomial(outgoing, 0.9)
    responses = rng.integers(0, 300, rows)
    satisfied = rng.binomial(responses, 0.95)
    population = rng.integers(1_000, 150_000, rows)
    return [received, on_time, overdue, online, full_online, outgoing, esigned, responses, satisfied, population]


def big_columns(rows: int, codes: Sequence[str], rng: np.random.Generator) -> list[list[Any]]:
    """Every commune for consecutive months from FIRST_YEAR-01, month by month, cut to `rows`."""
    index = np.arange(rows)
    month_index = index // len(codes)
    code_list = [codes[i] for i in (index % len(codes)).tolist()]
    periods = [f"{FIRST_YEAR + m // 12}-{m % 12 + 1:02d}" for m in range(int(month_index.max()) + 1)]
    period_list = [periods[m] for m in month_index.tolist()]
    return [code_list, period_list, *(column.tolist() for column in consistent_counts(rows, rng))]


def monthly_columns(codes: Sequence[str], names: dict[str, str], rng: np.random.Generator) -> list[list[Any]]:
    """Every commune once: code, full name and the ten counts (the period is in the title)."""
    return [list(codes), [names[code] for code in codes],
            *(column.tolist() for column in consistent_counts(len(codes), rng))]


def write_xlsx(path: Path, header: list[str], columns: list[list[Any]], title: str | None = None) -> None:
    """Write one sheet with openpyxl's write_only mode: optional title row, header row, data rows."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Báo cáo")
    if title is not None:
        sheet.append([title])
        sheet.append([])
    sheet.append(header)
    for row in zip(*columns, strict=True):
        sheet.append(row)
    workbook.save(path)


def fresh_database(path: Path) -> Path:
    """A new database file with schema and reference data, opened once so loads find it ready."""
    path.unlink(missing_ok=True)
    with store.connect(path):
        pass
    return path


# -- measuring ------------------------------------------------------------------------------------

@dataclass
class Figure:
    """One timed step: wall-clock seconds (what the targets use), CPU seconds and memory."""

    label: str
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # all threads of the process; on a busy machine wall time grows, this less so
    memory: PeakMemory = field(default_factory=PeakMemory)
    note: str = ""


@contextmanager
def measure(label: str) -> Iterator[Figure]:
    """Time a block (perf_counter and process_time) and take its peak resident memory."""
    figure = Figure(label)
    with peak_rss() as memory:
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            yield figure
        finally:
            figure.seconds = time.perf_counter() - started
            figure.cpu_seconds = time.process_time() - cpu_started
    figure.memory = memory


@dataclass
class BenchReport:
    """What one run measured; `main` returns it so the smoke test can check the statuses."""

    rows: int
    big_file_bytes: int = 0
    monthly_file_bytes: int = 0
    generate_seconds: float = 0.0
    figures: list[Figure] = field(default_factory=list)
    big_result: LoadResult | None = None
    monthly_result: LoadResult | None = None
    process_peak: int = 0
    recognition: tuple[float, float] = (0.0, 0.0)  # monthly file checked, CPU s: word-only, with evidence

    def figure(self, label: str) -> Figure:
        return next(f for f in self.figures if f.label == label)

    @property
    def ratio(self) -> float:
        ours = self.figure(OURS).seconds
        return self.figure(OPENPYXL).seconds / ours if ours > 0 else float("inf")

    @property
    def load_peak(self) -> int:
        return max(self.figure(OURS).memory.peak, self.figure(MONTHLY).memory.peak)


OPENPYXL = "pandas.read_excel(engine='openpyxl')"
OURS = "our full load (read → validate → commit)"
MONTHLY = "3,321-row monthly file, end to end"


def _require_loaded(result: LoadResult, what: str) -> None:
    if result.status == "loaded" and result.rows_loaded > 0:
        return
    print(f"\n{what}: status {result.status!r}, rows_loaded {result.rows_loaded}", file=sys.stderr)
    errors = result.review.errors
    for problem in errors[:10]:
        print(f"  - {problem.message('en')}", file=sys.stderr)
    if len(errors) > 10:
        print(f"  ... and {len(errors) - 10} more errors", file=sys.stderr)
    raise BenchmarkError(f"{what} ended {result.status!r} with {result.rows_loaded} rows loaded")


def run(rows: int, workdir: Path) -> BenchReport:
    """Generate the files in `workdir`, then take the three measurements in order."""
    report = BenchReport(rows)
    rng = np.random.default_rng(SEED)
    codes = commune_codes()
    big = workdir / f"bench_{rows}x{len(BIG_HEADER)}.xlsx"
    monthly = workdir / f"bench_monthly_{len(codes)}.xlsx"

    started = time.perf_counter()
    write_xlsx(big, BIG_HEADER, big_columns(rows, codes, rng))
    write_xlsx(monthly, MONTHLY_HEADER, monthly_columns(codes, commune_names(), rng), MONTHLY_TITLE)
    report.generate_seconds = time.perf_counter() - started
    report.big_file_bytes, report.monthly_file_bytes = big.stat().st_size, monthly.stat().st_size
    print(f"generated {big.name} ({rows:,} rows x {len(BIG_HEADER)} columns, "
          f"{report.big_file_bytes / 1048576:.1f} MB) and {monthly.name} ({len(codes):,} rows, "
          f"{report.monthly_file_bytes / 1048576:.2f} MB) in {report.generate_seconds:.1f} s (not measured)")

    # 1. openpyxl alone, through pandas
    with measure(OPENPYXL) as figure:
        frame = pd.read_excel(big, engine="openpyxl")
    figure.note = f"{frame.shape[0]:,} x {frame.shape[1]} frame"
    del frame
    report.figures.append(figure)

    # 2. our full load of the same file into a fresh database
    big_db = fresh_database(workdir / "bench_big.duckdb")
    with measure(OURS) as figure:
        report.big_result = load_file(big, db=big_db, user="benchmark", lang="en")
    _require_loaded(report.big_result, "big file")
    figure.note = f"{report.big_result.rows_loaded:,} observations written"
    report.figures.append(figure)

    # 3. the monthly file, end to end, into another fresh database
    monthly_db = fresh_database(workdir / "bench_monthly.duckdb")
    with measure(MONTHLY) as figure:
        report.monthly_result = load_file(monthly, db=monthly_db, user="benchmark", lang="en")
    _require_loaded(report.monthly_result, "monthly file")
    figure.note = f"{report.monthly_result.rows_loaded:,} observations written"
    report.figures.append(figure)

    # 4. what recognising columns from values and relations adds to the monthly file, end to end (read,
    # recognise, match, check; nothing written), against the word-only mapping in the same run: best of 3
    import etl.parse

    timings: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(3):
        for evidence in (False, True):
            etl.parse.VALUE_EVIDENCE = evidence
            start = time.process_time()  # CPU: on a shared machine wall time swings by more than the effect
            checked = load_file(monthly, db=monthly_db, user="benchmark", lang="en", dry_run=True)
            timings[evidence].append(time.process_time() - start)
            assert checked.status in ("dry-run", "unchanged"), checked.status
    etl.parse.VALUE_EVIDENCE = True
    report.recognition = (min(timings[False]), min(timings[True]))

    report.process_peak = process_peak_bytes()
    return report


# -- printing -------------------------------------------------------------------------------------

def _mb(value: int) -> str:
    return f"{value / 1048576:,.0f} MB"


def print_report(report: BenchReport) -> None:
    width = max(len(f.label) for f in report.figures)
    print()
    print(f"{'figure':<{width}}  {'seconds':>8}  {'CPU s':>7}  {'RSS before':>10}  {'peak RSS':>10}  note")
    print(f"{'-' * width}  {'-' * 8}  {'-' * 7}  {'-' * 10}  {'-' * 10}  ----")
    for f in report.figures:
        print(f"{f.label:<{width}}  {f.seconds:>8.2f}  {f.cpu_seconds:>7.2f}  {_mb(f.memory.before):>10}"
              f"  {_mb(f.memory.peak):>10}  {f.note}")
    print(f"{'ratio openpyxl / ours (wall)':<{width}}  {report.ratio:>7.1f}x")
    print(f"{'process peak (ru_maxrss)':<{width}}  {'':>8}  {'':>7}  {'':>10}  {_mb(report.process_peak):>10}")
    print(f"(step peaks: {report.figures[0].memory.method}; each includes the RSS held before the step)")
    monthly = report.figure(MONTHLY).seconds
    targets = [
        (f"our load >= {TARGET_RATIO:g}x faster than the openpyxl read", f"{report.ratio:.1f}x",
         report.ratio >= TARGET_RATIO),
        (f"3,321-row monthly file < {TARGET_MONTHLY_SECONDS:g} s", f"{monthly:.2f} s",
         monthly < TARGET_MONTHLY_SECONDS),
        ("peak memory of our loads < 1 GB", _mb(report.load_peak), report.load_peak < TARGET_PEAK_BYTES),
        ("process peak, whole run < 1 GB", _mb(report.process_peak), report.process_peak < TARGET_PEAK_BYTES),
    ]
    baseline, evidence = report.recognition
    print(f"monthly file checked, CPU s, best of 3: word-only mapping {baseline:.3f} s, with value evidence and"
          f" relations {evidence:.3f} s, recognition adds {1000 * (evidence - baseline):+.0f} ms")
    targets.append(("recognition adds < 50 ms to the monthly file", f"{1000 * (evidence - baseline):+.0f} ms",
                    evidence - baseline < TARGET_RECOGNITION_SECONDS))
    print("\ntargets")
    for label, value, met in targets:
        print(f"  {'met    ' if met else 'NOT met'}  {label}: {value}")
    if report.rows != DEFAULT_ROWS:
        print(f"  (run with --rows {report.rows:,}; the targets are stated for {DEFAULT_ROWS:,} rows)")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_loader",
                                     description="Time our full load against openpyxl on generated workbooks.")
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS,
                        help=f"rows of the big file (default {DEFAULT_ROWS:,})")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="write the generated files and databases into DIR and leave them there")
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> BenchReport:
    args = parse_args(argv)
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        report = run(args.rows, args.keep)
        print(f"files kept in {args.keep}")
    else:
        with tempfile.TemporaryDirectory(prefix="xaso-bench-") as workdir:
            report = run(args.rows, Path(workdir))
    print_report(report)
    return report


if __name__ == "__main__":
    try:
        main()
    except BenchmarkError as exc:
        sys.exit(f"benchmark stopped: {exc}")
