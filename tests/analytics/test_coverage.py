"""Coverage: how many units of a scope reported each month, and the month pages open on."""

from __future__ import annotations

import random

import pytest

import store
from analytics.coverage import Coverage, coverage, default_month
from analytics.overview import Scope, headlines
from tests.analytics.monthly_files import load_month

HEADER = ["Tổng tiếp nhận", "Đúng hạn"]


@pytest.fixture(scope="module")
def early_upload(reference_db, tmp_path_factory):
    """Province 25: most communes report August, a few report September early (random, seeded)."""
    folder = tmp_path_factory.mktemp("coverage")
    db = folder / "xaso.duckdb"
    db.write_bytes(reference_db.read_bytes())
    with store.connect(db) as con:
        codes = [r[0] for r in con.execute("SELECT code FROM unit WHERE parent_code = '25' ORDER BY code").fetchall()]
    rng = random.Random(len(codes))
    august = rng.sample(codes, int(len(codes) * 0.9))
    september = rng.sample(august, 7)

    def rows(units):
        out = []
        for code in units:
            received = rng.randint(10, 500)
            out.append([code, received, rng.randint(0, received)])
        return out

    files = folder / "files"
    files.mkdir()
    load_month(db, files, "8/2026", HEADER, rows(august))
    load_month(db, files, "9/2026", HEADER, rows(september))
    return db, codes, august, september


def test_a_scope_counts_the_units_that_reported_of_those_it_holds(early_upload):
    db, codes, august, _september = early_upload
    with store.connect(db) as con:
        assert coverage(con, "2026-09", "25") == Coverage("2026-09", 7, len(codes))
        assert coverage(con, "2026-08", "25").reported == len(august)
        assert coverage(con, "2026-07", "25").reported == 0


def test_pages_open_on_the_latest_month_most_units_reported(early_upload):
    db, _codes, _august, september = early_upload
    with store.connect(db) as con:
        assert default_month(con, "25") == "2026-08"
        assert default_month(con, september[0]) == "2026-08"  # a commune is compared with its province
        assert default_month(con, "25", share=0.04) == "2026-09"  # the share is a setting
        # no month is complete for the country: the latest month with data rather than nothing
        assert default_month(con, None) == "2026-09"


def test_the_change_from_last_month_compares_the_same_units(early_upload):
    db, _codes, _august, september = early_upload
    with store.connect(db) as con:
        card = headlines(con, Scope("25"), "2026-09", ("on_time_rate",))[0]
        same = headlines(con, Scope("25"), "2026-08", ("on_time_rate",))[0]
        rows = con.execute("""SELECT sum(numerator), sum(denominator) FROM observation
                              WHERE is_current AND indicator_code = 'on_time_rate' AND period = '2026-08'
                                AND list_contains(?, unit_code)""", [september]).fetchone()
    assert card.units == 7 and card.partial
    assert card.previous == pytest.approx(100 * rows[0] / rows[1])
    assert card.previous != pytest.approx(same.value)  # not the whole province's August
    assert not same.partial
