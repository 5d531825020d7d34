"""Shared fixtures: real DuckDB files built through the real store and loader."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import store

REPO = Path(__file__).resolve().parents[1]
TEST_DATA = REPO / "tests" / "data"  # copies of what the tests need, so a clone alone passes
SAMPLES = TEST_DATA / "samples"


# Tiers that `./test.sh --fast` leaves out (`-m "not slow"`), by where the test lives: a new file in these
# folders joins its tier without remembering a marker.
SLOW_TIERS = {"e2e": "e2e", "benchmarks": "bench", "test_fuzz.py": "fuzz"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(str(item.fspath)).relative_to(REPO).parts
        tiers = {tier for part, tier in SLOW_TIERS.items() if part in parts}
        for tier in tiers:
            item.add_marker(getattr(pytest.mark, tier))
        if tiers:
            item.add_marker(pytest.mark.slow)


def pytest_configure(config: pytest.Config) -> None:
    # the loader waits for a busy database; tests want a fast answer
    os.environ.setdefault("XASO_LOCK_WAIT", "5")
    # bcrypt's cost is a deliberate slowness; the tests check the rules, not the cost
    os.environ.setdefault("XASO_BCRYPT_ROUNDS", "4")


@pytest.fixture(scope="session")
def samples() -> Path:
    """The sample spreadsheets, copied from the project's shared folder into tests/data/samples."""
    assert SAMPLES.is_dir(), f"sample files not found at {SAMPLES}"
    return SAMPLES


@pytest.fixture(scope="session")
def reference_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding only the reference data, built once; copy it, never write to it."""
    path = tmp_path_factory.mktemp("reference") / "reference.duckdb"
    with store.connect(path):
        pass
    return path


@pytest.fixture
def fresh_db(reference_db: Path, tmp_path: Path) -> Path:
    """A writable database with units and catalog but no observation."""
    path = tmp_path / "xaso.duckdb"
    shutil.copy(reference_db, path)
    return path


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The national demo data (3,321 communes × 16 months) loaded through the loader, built once.

    Set XASO_TEST_DEMO_DB to a prebuilt file to save the build locally; it is copied, never changed.
    """
    target = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    prebuilt = os.environ.get("XASO_TEST_DEMO_DB")
    if prebuilt:
        shutil.copy(prebuilt, target)
        return target
    from etl.demo_load import build_demo

    build_demo(target, out_dir=target.parent / "files", echo=lambda _text: None)
    return target
