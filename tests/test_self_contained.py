"""A clone of the repository alone runs every test: no test or benchmark reads a file outside it."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import REPO, SAMPLES, TEST_DATA

# Going above the repository root: REPO.parent, REPO_ROOT.parents[…], Path("../…"), "…/shared/…" paths.
ESCAPES = re.compile(r"""\b(REPO|REPO_ROOT|ROOT)\s*\.\s*parents?\b|["']\.\./|["'](/work/)?shared/""")
ATTACK = "# an attack, not a path"  # the hostile corpus's traversal names, which no test opens


def sources() -> list[Path]:
    return sorted(p for folder in ("tests", "benchmarks") for p in (REPO / folder).rglob("*.py"))


def test_no_test_or_benchmark_points_outside_the_repository():
    offenders = [f"{path.relative_to(REPO)}:{number}: {line.strip()}" for path in sources()
                 if path.name != "test_self_contained.py"
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                 if ESCAPES.search(line) and ATTACK not in line]
    assert offenders == []


def test_the_escape_check_catches_the_ways_a_path_leaves_the_repository():
    for line in ('SAMPLES = REPO.parent / "shared" / "samples"', 'REPO_ROOT.parents[1] / "x"',
                 'Path("../shared/spec/indicators.csv")', 'open("shared/samples/a.xlsx")'):
        assert ESCAPES.search(line), line
    assert not ESCAPES.search('SAMPLES = TEST_DATA / "samples"')


def test_no_path_constant_in_the_tests_resolves_outside_the_repository():
    """Every module-level Path the test modules build lies inside the repository."""
    import importlib

    outside = []
    for path in sources():
        if "e2e" in path.parts or path.name.startswith("__"):
            continue
        module = importlib.import_module(".".join(path.relative_to(REPO).with_suffix("").parts))
        for name, value in vars(module).items():
            if isinstance(value, Path) and value.is_absolute() and not value.resolve().is_relative_to(REPO):
                if not value.resolve().is_relative_to(Path("/tmp")):
                    outside.append(f"{path.relative_to(REPO)}: {name} = {value}")
    assert outside == []


def test_the_copied_test_data_is_there():
    assert {p.name for p in SAMPLES.glob("*.*")} >= {"laocai_2026-09_bao_cao_tthc.xlsx",
                                                    "sonla_2026-09_chuyen_doi_so.xlsx", "hanoi_2026-q3_long.csv"}
    assert len(list((SAMPLES / "bad").iterdir())) == 8
    assert (TEST_DATA / "spec" / "indicators.csv").is_file()
    assert (TEST_DATA / "portal" / "phutho_2026-08_766_half.csv").is_file()
