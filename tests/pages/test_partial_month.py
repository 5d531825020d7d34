"""After an early upload of a few communes for a later month, every page still opens on the last
complete month; the partial month can be chosen and says how many units its figures stand on."""

from __future__ import annotations

import random
import shutil

import duckdb
import pytest

from tests.analytics.monthly_files import load_month
from tests.pages.conftest import open_app, open_page, raw_keys

REPORTED = 10


def _latest_month(db) -> str:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT max(period) FROM observation WHERE is_current").fetchone()[0]


def _month_after(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


@pytest.fixture(scope="module")
def partial(demo_db, tmp_path_factory):
    """(database, last complete month, the partial month, a commune that reported it): the demo with
    ten random communes' dossiers loaded for the month after its last, through the real loader."""
    folder = tmp_path_factory.mktemp("partial")
    db = folder / "xaso.duckdb"
    shutil.copy(demo_db, db)
    complete = _latest_month(db)
    later = _month_after(complete)
    with duckdb.connect(str(db), read_only=True) as con:
        codes = [row[0] for row in con.execute("SELECT code FROM unit WHERE parent_code IS NOT NULL").fetchall()]
    rng = random.Random(later)
    rows = []
    for code in rng.sample(codes, REPORTED):
        received = rng.randint(50, 900)
        on_time = rng.randint(0, received)
        rows.append([code, received, on_time, received - on_time])
    files = folder / "files"
    files.mkdir()
    load_month(db, files, f"{int(later[5:7])}/{later[:4]}", ["Tổng tiếp nhận", "Đúng hạn", "Quá hạn"], rows)
    return db, complete, later, rows[0][0]


COVERAGE = {"vi": "10/3.321 đơn vị đã báo cáo", "en": "10 of 3,321 units reported"}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_overview_opens_on_the_last_complete_month_and_the_partial_one_says_so(partial, monkeypatch, lang):
    db, complete, later, _code = partial
    app = open_app(db, lang, monkeypatch)

    assert app.selectbox(key=f"overview_month.{lang}").value == complete
    assert not any(COVERAGE[lang] in w.value for w in app.warning)
    app.selectbox(key=f"overview_month.{lang}").set_value(later).run()
    assert not app.exception
    assert any(COVERAGE[lang] in w.value for w in app.warning), [w.value for w in app.warning]
    assert raw_keys(app) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_rankings_open_on_the_last_complete_month(partial, monkeypatch, lang):
    db, complete, later, _code = partial
    app = open_page(db, lang, monkeypatch, "rankings")

    assert app.selectbox(key=f"rankings_period.{lang}").value == complete
    assert len(app.dataframe[0].value) > 3000 or len(app.dataframe) > 0
    app.selectbox(key=f"rankings_period.{lang}").set_value(later).run()
    assert any(COVERAGE[lang] in w.value for w in app.warning), [w.value for w in app.warning]
    assert raw_keys(app) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_profile_of_a_unit_that_reported_early_opens_on_the_complete_month(partial, monkeypatch, lang):
    db, complete, later, code = partial
    app = open_page(db, lang, monkeypatch, "profile", unit=code)

    assert app.selectbox(key=f"profile_month.{lang}").value == complete
    app.selectbox(key=f"profile_month.{lang}").set_value(later).run()
    assert not app.exception
    assert any("/" in w.value and later[:4] in w.value for w in app.warning)
    assert raw_keys(app) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_meeting_pack_opens_on_the_last_complete_month(partial, monkeypatch, lang):
    db, complete, later, code = partial
    app = open_page(db, lang, monkeypatch, "present", unit=code)

    assert app.selectbox(key=f"present_month.{lang}").value == complete
    app.selectbox(key=f"present_month.{lang}").set_value(later).run()
    assert not app.exception
    assert any(later[:4] in w.value for w in app.warning), [w.value for w in app.warning]
