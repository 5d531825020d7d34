"""The Trends page, in both languages: a commune with every month, one with gaps, one that never reported."""

from __future__ import annotations

import base64
import io
import json
import math

import numpy as np

import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

import store
from tests.analytics.monthly_files import load_month
from tests.pages.conftest import open_page, raw_keys

MONTHS = 16  # the demo: 2025-07 .. 2026-10
VAN_BAN, LAM_THAO, SILENT = "08377", "08494", "08305"  # Phú Thọ (25)
NO_REPORT = {"vi": "không báo cáo", "en": "not reported"}
NEVER = {"vi": "Chưa từng báo cáo chỉ số này", "en": "Never reported this indicator"}
GAPS = {"vi": "Có tháng không báo cáo", "en": "Some months not reported"}


def open_trends(db, lang: str, monkeypatch: pytest.MonkeyPatch, unit: str | None = None) -> AppTest:
    return open_page(db, lang, monkeypatch, "trends", unit=unit)


def figures(app: AppTest) -> dict[str, dict]:
    """The plotly figures the page drew, by their element key."""
    return {key: json.loads(chart.proto.spec) for chart in app.get("plotly_chart")
            for key in ("trends_chart", "trends_heatmap", "trends_multiples") if key in chart.proto.id}


def numbers(data: object) -> list[float]:
    """A figure's number array as floats, NaN for a gap (plotly sends numpy arrays base64-encoded)."""
    if isinstance(data, dict):
        array = np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"])
        shape = data.get("shape")
        if shape:
            array = array.reshape([int(n) for n in str(shape).split(",")])
        return array.astype(float).tolist()
    return [float("nan") if v is None else v for v in data] if not data or not isinstance(data[0], list) \
        else [numbers(row) for row in data]


def gaps(values: list[float]) -> int:
    return sum(math.isnan(v) for v in values)


def change_table(app: AppTest):
    return app.dataframe[0].value


def demo_unit(demo_db, *, months: int) -> tuple[str, list[str]]:
    """A demo commune with a service index (all six 766 groups) in exactly `months` months, and the
    months it lacks one."""
    with store.connect(demo_db) as con:
        complete = """
            SELECT unit_code, period FROM observation
            WHERE is_current AND indicator_code IN (SELECT code FROM indicator WHERE group_766 IS NOT NULL)
            GROUP BY ALL HAVING count(*) = 6"""
        code = con.execute(f"SELECT unit_code FROM ({complete}) GROUP BY 1 HAVING count(*) = ? ORDER BY 1 LIMIT 1",
                           [months]).fetchall()[0][0]
        have = {row[0] for row in
                con.execute(f"SELECT period FROM ({complete}) WHERE unit_code = ?", [code]).fetchall()}
        every = [row[0] for row in con.execute(
            "SELECT DISTINCT period FROM observation WHERE is_current ORDER BY 1").fetchall()]
    return code, [m for m in every if m not in have]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_an_empty_database_shows_how_to_get_data(fresh_db, monkeypatch, lang):
    app = open_trends(fresh_db, lang, monkeypatch)

    assert app.title[0].value == {"vi": "Xu hướng theo tháng", "en": "Monthly trends"}[lang]
    assert "python -m etl demo" in app.code[0].value
    assert raw_keys(app) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_commune_with_every_month_is_drawn_whole_beside_its_province_and_the_country(demo_db, monkeypatch, lang):
    code, missing = demo_unit(demo_db, months=MONTHS)
    assert missing == []
    app = open_trends(demo_db, lang, monkeypatch, unit=code)

    assert app.multiselect(key=f"trends_units.{lang}").value == [code]
    chart = figures(app)["trends_chart"]
    names = [trace["name"] for trace in chart["data"]]
    assert len(names) == 3 and names[2] == {"vi": "Cả nước", "en": "Whole country"}[lang]  # no target: none set
    commune = numbers(chart["data"][0]["y"])
    assert len(commune) == MONTHS and gaps(commune) == 0
    assert all(trace["connectgaps"] is False for trace in chart["data"])
    assert not any(c.value.startswith((GAPS[lang], NEVER[lang])) for c in app.caption)
    table = change_table(app)
    assert len(table) == 3 and table.iloc[0, 1] == code  # the commune, its province, the country
    assert not math.isnan(table.iloc[0, 4]) and not math.isnan(table.iloc[0, 6])  # month and year change
    assert table.iloc[0, 7] == f"profile?unit={code}&lang={lang}"  # the link to the commune's profile
    assert raw_keys(app) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_commune_with_gaps_shows_them_as_gaps_never_as_zeros(demo_db, monkeypatch, lang):
    code, missing = demo_unit(demo_db, months=MONTHS - 3)
    app = open_trends(demo_db, lang, monkeypatch, unit=code)

    chart = figures(app)["trends_chart"]
    values = numbers(chart["data"][0]["y"])
    assert gaps(values) == len(missing) == 3
    assert 0 not in values
    assert chart["data"][0]["text"].count(NO_REPORT[lang]) == 3
    assert any(c.value.startswith(GAPS[lang]) for c in app.caption)
    heat = figures(app)["trends_heatmap"]
    row = next(i for i, label in enumerate(heat["data"][0]["y"]) if label.endswith(f"({code})"))
    assert gaps(numbers(heat["data"][0]["z"])[row]) == 3
    marks = heat["data"][1]  # an × in each empty cell, so it never reads as the palest colour
    assert sum(label.endswith(f"({code})") for label in marks["y"]) == 3
    assert raw_keys(app) == []


@pytest.fixture
def one_silent_commune(fresh_db, tmp_path):
    header = ["Tổng tiếp nhận", "Hồ sơ nộp trực tuyến"]
    load_month(fresh_db, tmp_path, "9/2026", header, [[VAN_BAN, 1000, 800], [LAM_THAO, 100, 20]])
    load_month(fresh_db, tmp_path, "10/2026", header, [[VAN_BAN, 1000, 900], [LAM_THAO, 100, 30]])
    return fresh_db


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_commune_that_never_reported_has_an_empty_line_and_says_so(one_silent_commune, monkeypatch, lang):
    app = open_trends(one_silent_commune, lang, monkeypatch, unit=SILENT)
    app.selectbox(key=f"trends_indicator.{lang}").set_value("online_filing_rate").run()

    assert app.selectbox(key=f"trends_province.{lang}").value == "25"
    chart = figures(app)["trends_chart"]
    assert gaps(numbers(chart["data"][0]["y"])) == 2
    province = numbers(chart["data"][1]["y"])
    assert province == [pytest.approx(100 * 820 / 1100), pytest.approx(100 * 930 / 1100)]  # from summed counts
    assert any(c.value.startswith(NEVER[lang]) for c in app.caption)
    table = change_table(app)
    assert math.isnan(table.iloc[0, 2]) and math.isnan(table.iloc[0, 4])
    assert table.iloc[1, 4] == pytest.approx(100 * 930 / 1100 - 100 * 820 / 1100)
    target = [trace for trace in chart["data"] if trace["name"] == {"vi": "Mục tiêu 80%", "en": "Target 80%"}[lang]]
    assert target and target[0]["line"]["dash"] == "dash" and numbers(target[0]["y"]) == [80, 80]
    heat = figures(app)["trends_heatmap"]
    assert [label[-6:-1] for label in heat["data"][0]["y"][:2]] == [VAN_BAN, LAM_THAO]  # best first
    assert raw_keys(app) == []


def test_several_indicators_get_one_small_chart_each(demo_db, monkeypatch):
    code, _missing = demo_unit(demo_db, months=MONTHS)
    app = open_trends(demo_db, "vi", monkeypatch, unit=code)
    app.multiselect(key="trends_multiples.vi").set_value(["on_time_rate", "dossiers_overdue"]).run()

    multiples = figures(app)["trends_multiples"]
    titles = [a["text"] for a in multiples["layout"]["annotations"]]
    assert titles == ["Tỷ lệ hồ sơ giải quyết đúng hạn (%)", "Hồ sơ quá hạn (số lượng)"]
    assert {trace["xaxis"] for trace in multiples["data"]} == {"x", "x2"}
    assert not any(trace["name"].startswith("Mục tiêu") for trace in multiples["data"])  # neither has a target
    assert raw_keys(app) == []


def test_each_small_chart_draws_its_own_target_under_one_legend_entry(demo_db, monkeypatch):
    code, _missing = demo_unit(demo_db, months=MONTHS)
    app = open_trends(demo_db, "en", monkeypatch, unit=code)
    app.multiselect(key="trends_multiples.en").set_value(["on_time_rate", "online_filing_rate",
                                                         "satisfaction_rate"]).run()

    targets = [trace for trace in figures(app)["trends_multiples"]["data"] if trace["name"].startswith("Target")]
    assert [(trace["xaxis"], numbers(trace["y"])[0]) for trace in targets] == [("x2", 80), ("x3", 90)]
    assert [trace["showlegend"] for trace in targets] == [True, False]
    assert targets[1]["text"][0] == "Target 90%"


def test_the_change_table_downloads_as_xlsx_and_csv(demo_db, monkeypatch, downloads):
    code, _missing = demo_unit(demo_db, months=MONTHS)
    app = open_trends(demo_db, "vi", monkeypatch, unit=code)

    # the landing page (Overview) registered its own table downloads before the switch
    assert {"xu-huong_service_index_2026-10.xlsx", "xu-huong_service_index_2026-10.csv"} <= set(downloads)
    sheet = load_workbook(io.BytesIO(downloads["xu-huong_service_index_2026-10.xlsx"]())).active
    assert sheet["A1"].value == "Thay đổi Chỉ số phục vụ người dân và doanh nghiệp — Tháng 10/2026"
    assert [c.value for c in sheet[2]][:3] == ["Đơn vị", "Mã", "Tháng 10/2026"]
    assert sheet.max_row == 2 + 3  # the commune, its province, the country
    assert sheet["C3"].value == pytest.approx(change_table(app).iloc[0, 2])
    assert downloads["xu-huong_service_index_2026-10.csv"]().startswith(b"\xef\xbb\xbf")


def test_the_chosen_communes_survive_a_change_of_language(demo_db, monkeypatch):
    full, _missing = demo_unit(demo_db, months=MONTHS)
    gappy, _missing = demo_unit(demo_db, months=MONTHS - 3)
    app = open_trends(demo_db, "vi", monkeypatch, unit=full)
    app.multiselect(key="trends_units.vi").select(gappy).run()
    app.selectbox(key="trends_indicator.vi").set_value("dossiers_overdue").run()

    app.session_state["lang"] = "en"
    app.run()

    assert not app.exception
    assert app.multiselect(key="trends_units.en").value == [full, gappy]
    assert app.selectbox(key="trends_indicator.en").value == "dossiers_overdue"
    assert app.subheader[0].value == "Overdue dossiers by month"
    # the search matches letters exactly: each option carries both spellings of the name
    with store.connect(demo_db) as con:
        vietnamese, english = con.execute("SELECT full_name_vi, name_en FROM unit WHERE code = ?", [full]).fetchall()[0]
    label = next(o for o in app.multiselect(key="trends_units.en").options if f"({full} · " in o)
    assert label.startswith(english) and vietnamese in label and english != vietnamese
    assert raw_keys(app) == []
