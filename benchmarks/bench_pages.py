"""Every page's script time under AppTest on the national demo data, against its target.

    PYTHONPATH=. .venv/bin/python -m benchmarks.bench_pages                 # builds the demo data first
    PYTHONPATH=. .venv/bin/python -m benchmarks.bench_pages --db FILE       # reuse a demo database (copied)
    PYTHONPATH=. .venv/bin/python -m benchmarks.bench_pages --runs 1 --only pages/map.py

For each page in PAGES: the app once (st.navigation registers the pages), `switch_page` to the page with
its query parameters, one timed cold run (the page's first run in this process), then --runs warm runs.
Targets are judged on the median warm run; the cold run is printed beside it. A page not yet registered
in app.py is "not available", not a failure. A benchmark, not a test: nothing fails on timing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_RUNS = 5


@dataclass(frozen=True)
class PageCase:
    path: str
    target_seconds: float
    query_params: dict[str, str] = field(default_factory=dict)


# The target per page; a page's own entry says which case it times (the national view by default).
PAGES: list[PageCase] = [
    PageCase("pages/overview.py", 1.5),
    PageCase("pages/rankings.py", 1.5),
    PageCase("pages/profile.py", 1.0, {"unit": "08377"}),
    PageCase("pages/users.py", 1.5),
    PageCase("pages/audit.py", 1.5),
    PageCase("pages/quality.py", 1.5),
    PageCase("pages/trends.py", 1.0),
    PageCase("pages/history.py", 1.5),  # the newest batch's changes: a national month of 112,000 values
    PageCase("pages/templates.py", 1.5),
    PageCase("pages/upload.py", 1.5),
    PageCase("pages/present.py", 1.5, {"unit": "08377"}),  # a commune's pack, first slide
    PageCase("pages/map.py", 2.0),  # all 3,321 communes, the latest month
]


@dataclass
class PageTiming:
    case: PageCase
    cold: float | None = None
    warm: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(self.warm) if self.warm else self.cold


@dataclass
class PagesReport:
    timings: list[PageTiming]

    @property
    def targets(self) -> list[tuple[str, str, str, bool | None]]:
        rows = []
        for timing in self.timings:
            figure = f"{timing.case.path} script (AppTest)"
            if timing.median is None:
                rows.append((figure, timing.note, f"< {timing.case.target_seconds:g} s", None))
            else:
                rows.append((figure, f"{timing.median:.2f} s (cold {timing.cold:.2f} s)",
                             f"< {timing.case.target_seconds:g} s", timing.median < timing.case.target_seconds))
        return rows


def time_page(case: PageCase, db: Path, runs: int, timeout: float = 120.0) -> PageTiming:
    from streamlit.testing.v1 import AppTest

    timing = PageTiming(case)
    os.environ["XASO_DB"] = str(db)
    from tests.app_session import serve_like_the_launcher, sign_in_app

    serve_like_the_launcher()

    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=timeout)
    sign_in_app(app, db)
    app.run()
    try:
        app.switch_page(case.path)
    except ValueError:
        timing.note = "not available (not in app.py's navigation)"
        return timing
    for name, value in case.query_params.items():
        app.query_params[name] = value
    started = time.perf_counter()
    app.run()
    timing.cold = time.perf_counter() - started
    for _ in range(runs):
        started = time.perf_counter()
        app.run()
        timing.warm.append(time.perf_counter() - started)
    timing.note = f"raised: {app.exception[0].value[:100]}" if app.exception else "ok"
    return timing


def demo_database(given: str | None, workdir: Path) -> Path:
    target = workdir / "pages.duckdb"
    if given:
        shutil.copy(given, target)
    else:
        from etl.demo_load import build_demo

        print("building the national demo data through the loader ...", flush=True)
        build_demo(target, out_dir=workdir / "files", echo=lambda _text: None)
    return target


def print_report(report: PagesReport) -> None:
    print(f"{'page':32} {'cold s':>8} {'warm p50 s':>11} {'target':>8}  met?  note")
    for timing, (_figure, _value, target, met) in zip(report.timings, report.targets):
        cold = f"{timing.cold:.2f}" if timing.cold is not None else "–"
        warm = f"{statistics.median(timing.warm):.2f}" if timing.warm else "–"
        shown = "n/a" if met is None else "yes" if met else "NO"
        print(f"{timing.case.path:32} {cold:>8} {warm:>11} {target:>8}  {shown:4}  {timing.note}")


def main(argv: Sequence[str] | None = None) -> PagesReport:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", help="a demo database to reuse (copied, never changed)")
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS, help="warm runs per page")
    parser.add_argument("--only", action="append", help="time only this page (repeatable)")
    args = parser.parse_args(argv)
    previous = os.environ.get("XASO_DB")
    with tempfile.TemporaryDirectory(prefix="bench_pages_") as tmp:
        db = demo_database(args.db, Path(tmp))
        try:
            cases = [c for c in PAGES if not args.only or c.path in args.only]
            report = PagesReport([time_page(case, db, args.runs) for case in cases])
        finally:
            if previous is None:
                os.environ.pop("XASO_DB", None)
            else:
                os.environ["XASO_DB"] = previous
    print_report(report)
    return report


if __name__ == "__main__":
    main()
