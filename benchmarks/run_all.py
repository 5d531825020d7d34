"""Run every benchmark, one after the other in this process, and print one summary of the targets.

    PYTHONPATH=. .venv/bin/python -m benchmarks.run_all                  # every benchmarks/bench_*.py
    PYTHONPATH=. .venv/bin/python -m benchmarks.run_all bench_rankings   # only the ones named

A benchmark is a module `benchmarks/bench_*.py` with a `main(argv)` function; each is called with no
arguments (its full-size defaults) and prints its own table. What it returns is read for the summary,
by this convention:

* the report has `targets`: a list of (figure, value, target, met) tuples, all text but `met`, which is
  True, False or None (not measured) - bench_rankings' report does;
* otherwise the module may define `targets(report)` returning the same list;
* otherwise an adapter here knows the report (bench_loader, whose report predates the convention).

A benchmark that raises is reported as failed and the others still run; the exit status is 1 then,
else 0. Targets missed do not change the exit status: these are benchmarks, not tests.

Figures measured in one process are not fully independent: st.cache_data, DuckDB's and the
allocator's memory, and ru_maxrss (the process's peak so far) carry over from one benchmark to the next.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

Target = tuple[str, str, str, bool | None]  # figure, value, target, met (None: not measured)

BENCH_DIR = Path(__file__).resolve().parent


def discover() -> list[str]:
    """Names of the benchmark modules (bench_*.py with a main function is checked on import), sorted."""
    return sorted(m.name for m in pkgutil.iter_modules([str(BENCH_DIR)]) if m.name.startswith("bench_"))


def _loader_targets(module: ModuleType, report: Any) -> list[Target]:
    """bench_loader's targets, as its print_report states them (its report has no `targets`)."""
    monthly = report.figure(module.MONTHLY).seconds
    limit_gb = module.TARGET_PEAK_BYTES / 1024**3
    return [
        ("our load vs the openpyxl read (wall)", f"{report.ratio:.1f}x faster", f">= {module.TARGET_RATIO:g}x",
         report.ratio >= module.TARGET_RATIO),
        ("3,321-row monthly file, end to end", f"{monthly:.2f} s", f"< {module.TARGET_MONTHLY_SECONDS:g} s",
         monthly < module.TARGET_MONTHLY_SECONDS),
        ("peak memory of our loads", _mb(report.load_peak), f"< {limit_gb:g} GB",
         report.load_peak < module.TARGET_PEAK_BYTES),
        ("process peak, whole loader run", _mb(report.process_peak), f"< {limit_gb:g} GB",
         report.process_peak < module.TARGET_PEAK_BYTES),
    ]


ADAPTERS: dict[str, Callable[[ModuleType, Any], list[Target]]] = {"bench_loader": _loader_targets}


def _mb(value: int) -> str:
    return f"{value / 1048576:,.0f} MB"


def targets_of(name: str, module: ModuleType, report: Any) -> list[Target]:
    if hasattr(report, "targets"):
        return list(report.targets)
    if callable(getattr(module, "targets", None)):
        return list(module.targets(report))
    if name in ADAPTERS:
        return ADAPTERS[name](module, report)
    return []


def run_one(name: str) -> tuple[list[Target], float, str | None]:
    """Run one benchmark's main; (its targets, seconds, error or None)."""
    started = time.perf_counter()
    try:
        module = importlib.import_module(f"benchmarks.{name}")
        main = getattr(module, "main", None)
        if not callable(main):
            return [], 0.0, "no main(argv) function"
        report = main([])
        return targets_of(name, module, report), time.perf_counter() - started, None
    except (Exception, SystemExit) as exc:  # one broken benchmark must not hide the others' figures
        traceback.print_exc()
        return [], time.perf_counter() - started, f"{type(exc).__name__}: {exc}"


def print_summary(results: list[tuple[str, list[Target], float, str | None]]) -> None:
    rows = [(name, *target) for name, targets, _seconds, error in results if error is None for target in targets]
    rows += [(name, "(benchmark failed)", error[:60], "", False) for name, _t, _s, error in results if error]
    rows += [(name, "(no targets reported)", "", "", None) for name, targets, _s, error in results
             if error is None and not targets]
    headers = ("benchmark", "figure", "value", "target", "met?")
    shown = [(b, f, v, t, "n/a" if met is None else "yes" if met else "NO") for b, f, v, t, met in rows]
    widths = [max(len(str(r[i])) for r in [headers, *shown]) for i in range(len(headers))]
    print("\n" + "=" * (sum(widths) + 2 * (len(widths) - 1)))
    print("summary of every benchmark")
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths)))
    print("  ".join("-" * w for w in widths))
    for row in shown:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())
    print("\n" + ", ".join(f"{name} {seconds:.0f} s" for name, _t, seconds, _e in results))
    met = sum(1 for r in rows if r[4] is True)
    judged = sum(1 for r in rows if r[4] is not None)
    print(f"{met}/{judged} targets met")


def main(argv: Sequence[str] | None = None) -> int:
    names = list(argv if argv is not None else sys.argv[1:])
    available = discover()
    unknown = [n for n in names if n not in available]
    if unknown:
        print(f"unknown benchmark(s) {', '.join(unknown)}; available: {', '.join(available)}", file=sys.stderr)
        return 2
    results = []
    for name in names or available:
        print(f"\n{'#' * 20} {name} {'#' * 20}\n", flush=True)
        targets, seconds, error = run_one(name)
        results.append((name, targets, seconds, error))
    print_summary(results)
    return 1 if any(error for *_rest, error in results) else 0


if __name__ == "__main__":
    sys.exit(main())
