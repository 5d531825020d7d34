"""The Data quality page, in both languages, on an empty database and on the national demo data; and
the badge it puts on the rankings."""

from __future__ import annotations

import io

import duckdb
import pandas as pd
import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

import store
from analytics.quality import FLAG_THRESHOLD, flags, scores
from tests.analytics.monthly_files import load_month
from tests.pages.conftest import open_app, open_page, raw_keys

COMMUNES, LATEST = 3321, "2026-10"
TITLE = {"vi": "Chất lượng số liệu", "en": "Data quality"}
STATUS_MISSING = {"vi": "Chưa báo cáo", "en": "Missing"}


def open_quality(db, lang: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return open_page(db, lang, monkeypatch, "quality")


def table_with(app: AppTest, column: str) -> pd.DataFrame:
    return next(d.value for d in app.dataframe if column in d.value.columns)


def reporting_units(db, month: str) -> int:
    with duckdb.connect(str(db), read_only=True) as con:  # an independent count, not through analytics
        return con.execute("SELECT count(DISTINCT unit_code) FROM observation WHERE is_current AND period = ?",
                           [month]).fetchall()[0][0]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_an_empty_database_shows_how_to_get_data(fresh_db, monkeypatch, lang):
    app = open_quality(fresh_db, lang, monkeypatch)

    assert app.title[0].value == TITLE[lang]
    assert "python -m etl demo" in app.code[0].value
    assert raw_keys(app) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_latest_month_lists_the_units_that_did_not_report_first(demo_db, monkeypatch, lang):
    app = open_quality(demo_db, lang, monkeypatch)

    assert app.title[0].value == TITLE[lang]
    assert app.selectbox(key=f"quality_month.{lang}").value == LATEST
    status = {"vi": "Tình trạng", "en": "Status"}[lang]
    units = table_with(app, status)
    missing = COMMUNES - reporting_units(demo_db, LATEST)
    assert missing > 0
    assert (units[status].iloc[:missing] == STATUS_MISSING[lang]).all()
    assert (units[status].iloc[missing:] != STATUS_MISSING[lang]).all()
    assert units.iloc[0, 0].startswith("profile?unit=") and units.iloc[0, 0].endswith(f"lang={lang}")
    per_province = table_with(app, {"vi": "Số đơn vị", "en": "Units"}[lang])
    assert len(per_province) == 34 and per_province.iloc[:, 1].sum() == COMMUNES
    assert per_province.iloc[:, 3].sum() == missing
    assert len(app.get("plotly_chart")) == 2  # the completeness matrix and the days histogram
    assert raw_keys(app) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_outliers_are_ranked_by_the_size_of_their_z_and_link_to_profiles(demo_db, monkeypatch, lang):
    app = open_quality(demo_db, lang, monkeypatch)

    z = {"vi": "Điểm z", "en": "z-score"}[lang]
    found = table_with(app, z)
    assert len(found) > 0
    assert list(found[z].abs()) == sorted(found[z].abs(), reverse=True)
    assert found.iloc[:, 0].str.match(r"profile\?unit=\d{5}&lang=").all()
    assert raw_keys(app) == []


def test_a_province_shows_only_its_units_and_days_per_unit(demo_db, monkeypatch):
    app = open_quality(demo_db, "en", monkeypatch)
    app.selectbox(key="quality_province.en").set_value("01").run()

    units = table_with(app, "Status")
    assert len(units) == 126 and set(units["Province"]) == {"Ha Noi"}
    days = table_with(app, "Days after month end")
    assert set(days["Province"]) == {"Ha Noi"} and len(days) == (units["Status"] != "Missing").sum()
    assert raw_keys(app) == []


def test_the_outliers_download_holds_every_suspect_value(demo_db, monkeypatch, downloads):
    app = open_quality(demo_db, "vi", monkeypatch)

    name = f"chat-luong_outliers_{LATEST}.xlsx"
    assert name in downloads and f"chat-luong_completeness_{LATEST}.csv" in downloads
    sheet = load_workbook(io.BytesIO(downloads[name]())).active
    assert sheet["A1"].value == "Giá trị bất thường · Cả nước · Tháng 10/2026"
    with store.connect(demo_db) as con:
        tested = scores(con, LATEST)
    assert sheet.max_row - 2 == (tested["z"].abs() > 3.5).sum()


# -- the badge on the rankings ---------------------------------------------------------------------

def rankings_table(db, lang: str, monkeypatch: pytest.MonkeyPatch, period: str | None = None) -> pd.DataFrame:
    app = open_app(db, lang, monkeypatch)
    app.switch_page("pages/rankings.py").run()
    if period:
        app.selectbox(key=f"rankings_period.{lang}").set_value(period).run()
    assert not app.exception, [e.value for e in app.exception]
    assert raw_keys(app) == []
    return [d for d in app.dataframe if d.value.columns[0] in ("Hạng", "Rank")][-1].value


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_rankings_mark_a_unit_whose_month_is_flagged_and_no_other(demo_db, monkeypatch, lang):
    table = rankings_table(demo_db, lang, monkeypatch)
    with store.connect(demo_db) as con:
        marked = flags(con, LATEST)
        tested = scores(con, LATEST)
    far_out = set(tested.loc[tested["z"].abs() > FLAG_THRESHOLD, "unit_code"])

    code, name = table.columns[1], table.columns[2]
    badged = set(table.loc[table[name].str.endswith("⚠"), code])
    assert badged and badged == far_out & set(table[code])
    assert set(marked) >= badged
    assert not table.loc[~table[code].isin(marked), name].str.contains("⚠|◐").any()


def test_a_quarter_carries_no_badge_the_flags_being_monthly(demo_db, monkeypatch):
    table = rankings_table(demo_db, "vi", monkeypatch, "2026-Q3")

    assert len(table) > 3000
    assert not table.iloc[:, 2].str.contains("⚠|◐").any()


def test_the_rankings_mark_a_unit_whose_report_left_out_indicators(fresh_db, tmp_path, monkeypatch):
    header = ["Tổng tiếp nhận", "Quá hạn", "Điểm công khai minh bạch"]
    complete, partial = ["08377", "08494", "07942"], "08344"  # communes of Phú Thọ
    load_month(fresh_db, tmp_path, "7/2026", header,
               [*([code, 100, 5, 15] for code in complete), [partial, 80, 4, None]])  # no transparency score
    app = open_app(fresh_db, "en", monkeypatch)
    app.switch_page("pages/rankings.py").run()
    app.selectbox(key="rankings_indicator.en").set_value("dossiers_overdue").run()
    assert not app.exception, [e.value for e in app.exception]

    table = [d for d in app.dataframe if d.value.columns[0] == "Rank"][-1].value
    marks = dict(zip(table["Code"], table["Unit"].str.endswith(" ◐")))
    assert marks == {partial: True, **{code: False for code in complete}}
    assert raw_keys(app) == []


def test_the_month_and_province_survive_a_change_of_language(demo_db, monkeypatch):
    app = open_quality(demo_db, "vi", monkeypatch)
    app.selectbox(key="quality_month.vi").set_value("2026-09").run()
    app.selectbox(key="quality_province.vi").set_value("01").run()

    app.session_state["lang"] = "en"
    app.run()

    assert app.selectbox(key="quality_month.en").value == "2026-09"
    assert app.selectbox(key="quality_province.en").value == "01"
    units = table_with(app, "Status")
    assert set(units["Province"]) == {"Ha Noi"}
    with duckdb.connect(str(demo_db), read_only=True) as con:
        silent = con.execute("""
            SELECT count(*) FROM unit u WHERE u.parent_code = '01' AND NOT EXISTS (
                SELECT 1 FROM observation o WHERE o.unit_code = u.code AND o.period = '2026-09' AND o.is_current)
        """).fetchall()[0][0]
    assert (units["Status"] == "Missing").sum() == silent
    assert raw_keys(app) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_completeness_colours_span_the_shares_shown_and_the_scale_is_named(demo_db, monkeypatch, lang):
    """Demo shares run about 90-100%: a 0-100% scale painted every cell near-white."""
    import json

    import numpy as np

    from tests.pages.test_trends import numbers

    app = open_quality(demo_db, lang, monkeypatch)
    heatmap = json.loads(app.get("plotly_chart")[0].proto.spec)["data"][0]
    lowest = float(np.nanmin(np.array(numbers(heatmap["z"]), dtype=float)))
    assert heatmap["zmax"] == 1 and 0 < heatmap["zmin"] <= lowest < heatmap["zmin"] + 0.05
    low = round(100 * heatmap["zmin"])
    assert any({"vi": f"Thang màu từ {low}% đến 100%", "en": f"Colour scale from {low}% to 100%"}[lang] in c.value
               for c in app.caption)


def test_a_completeness_scale_reaches_down_to_the_lowest_share_and_is_never_narrower_than_ten_points():
    import numpy as np

    from ui.quality import share_range

    assert share_range(np.array([[0.93, 1.0], [np.nan, 0.97]])) == (0.9, 1.0)
    assert share_range(np.array([[0.42, 1.0]])) == (0.4, 1.0)
    assert share_range(np.array([[1.0, 1.0]])) == (0.9, 1.0)
    assert share_range(np.array([[np.nan]])) == (0.0, 1.0)
