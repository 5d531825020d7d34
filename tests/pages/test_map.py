"""The Map page, in both languages: the national map, provinces, a zoomed province, units with gaps
and units that never reported; drawn offline from the shipped boundaries."""

from __future__ import annotations

import json
import tomllib

import pytest
from streamlit.testing.v1 import AppTest

import store
from analytics.ranking import rank
from tests.analytics.monthly_files import load_month
from tests.conftest import REPO
from tests.pages.conftest import as_shown, open_app, raw_keys
from ui.map import GOOD_LAST, NO_DATA, chosen_unit

COMMUNES, PROVINCES, HA_NOI = 3321, 34, 126
NO_DATA_TEXT = {"vi": "Chưa có số liệu (chưa báo cáo trong kỳ)", "en": "No data (not reported for the period)"}


def open_map(db, lang: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    app = open_app(db, lang, monkeypatch)
    app.switch_page("pages/map.py").run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def spec(app: AppTest) -> dict:
    charts = app.get("plotly_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.spec)


def layers(app: AppTest) -> dict[str, dict]:
    """The figure's traces by role: 'no_data' (the grey one, if any) and 'values'."""
    traces = spec(app)["data"]
    return {("values" if trace.get("showscale", True) else "no_data"): trace for trace in traces}


def locations(app: AppTest) -> list[str]:
    return [code for trace in spec(app)["data"] for code in trace["locations"]]


def hover(app: AppTest, code: str) -> str:
    for trace in spec(app)["data"]:
        if code in trace["locations"]:
            return trace["hovertext"][trace["locations"].index(code)]
    raise AssertionError(f"{code} is not on the map")


def grouped(n: int, lang: str) -> str:
    return f"{n:,}".replace(",", "." if lang == "vi" else ",")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_an_empty_database_shows_how_to_get_data(fresh_db, monkeypatch, lang):
    app = open_map(fresh_db, lang, monkeypatch)

    assert app.title[0].value == {"vi": "Bản đồ xã, phường, đặc khu", "en": "Commune map"}[lang]
    assert "python -m etl demo" in app.code[0].value
    assert len(app.get("plotly_chart")) == 0
    assert raw_keys(app) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_national_map_colours_every_commune_with_its_value_and_rank(demo_db, monkeypatch, lang):
    app = open_map(demo_db, lang, monkeypatch)
    with store.connect(demo_db) as con:
        ranking = rank(con, "service_index", "2026-10")

    assert app.selectbox(key=f"map_indicator.{lang}").value == "service_index"
    assert app.selectbox(key=f"map_month.{lang}").value == "2026-10"
    zoom = app.selectbox(key=f"map_province.{lang}")
    assert zoom.index == 0 and zoom.format_func(zoom.value) == {"vi": "Cả nước", "en": "Whole country"}[lang]
    assert len(locations(app)) == COMMUNES == len(set(locations(app)))
    traces = layers(app)
    assert len(traces["values"]["locations"]) == len(ranking.table)
    assert set(traces["no_data"]["locations"]) == set(ranking.not_reported["unit_code"])
    best = ranking.table.iloc[0]
    value = f"{best['shown_value']:.2f}".replace(".", "," if lang == "vi" else ".")
    name = best["name_vi"] if lang == "vi" else best["name_en"]
    rank_word, points = {"vi": ("Hạng", "điểm"), "en": ("Rank", "points")}[lang]
    assert hover(app, best["unit_code"]).startswith(f"<b>{name}</b><br>")
    assert f": {value} {points}<br>{rank_word}: 1/{grouped(len(ranking.table), lang)}" in hover(app, best["unit_code"])
    assert {"vi": "Điểm", "en": "Points"}[lang] in traces["values"]["colorbar"]["title"]["text"]
    assert {"vi": "cao hơn là tốt hơn", "en": "higher is better"}[lang] in traces["values"]["colorbar"]["title"]["text"]
    assert traces["no_data"]["name"] == {"vi": "Chưa có số liệu", "en": "No data"}[lang]
    assert spec(app)["layout"]["separators"] == {"vi": ",.", "en": ".,"}[lang]
    assert raw_keys(app) == []


def test_the_map_needs_nothing_from_the_internet(demo_db, monkeypatch):
    app = open_map(demo_db, "vi", monkeypatch)

    chart = app.get("plotly_chart")[0].proto
    figure = json.loads(chart.spec)
    assert {trace["type"] for trace in figure["data"]} == {"choropleth"}  # geo, not tile-based maps
    assert figure["layout"]["geo"]["visible"] is False  # no basemap: the shipped boundaries only
    assert all(isinstance(trace["geojson"], dict) for trace in figure["data"])  # inline, never a URL
    for text in (chart.spec, chart.config):
        assert "http" not in text and "mapbox" not in text and "maplibre" not in text and "@import" not in text


def test_the_base_topology_plotly_asks_for_is_served_from_the_repository(demo_db, monkeypatch):
    app = open_map(demo_db, "vi", monkeypatch)

    chart = app.get("plotly_chart")[0].proto
    geo = json.loads(chart.spec)["layout"]["geo"]
    base = json.loads(chart.config)["topojsonURL"]
    assert base == "app/static/topojson/"  # relative: Streamlit serves static/ at app/static/
    # plotly.js fetches <topojsonURL><scope>_<resolution>m.json for every choropleth
    served = REPO / "static" / "topojson" / f"{geo['scope']}_{geo['resolution']}m.json"
    assert json.loads(served.read_text())["type"] == "Topology"
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableStaticServing"] is True


def test_the_colour_scale_keeps_good_light_whichever_way_is_better(demo_db, monkeypatch):
    app = open_map(demo_db, "en", monkeypatch)
    higher = layers(app)["values"]

    app.selectbox(key="map_indicator.en").set_value("avg_processing_days").run()

    lower = layers(app)["values"]
    assert [colour for _, colour in higher["colorscale"]] == GOOD_LAST
    assert higher.get("reversescale", False) is False and lower["reversescale"] is True
    assert "lower is better" in lower["colorbar"]["title"]["text"]
    assert NO_DATA not in GOOD_LAST


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_province_map_shows_every_province_with_its_rank_and_how_many_communes_reported(demo_db, monkeypatch,
                                                                                              lang):
    app = open_map(demo_db, lang, monkeypatch)

    app.segmented_control(key=f"map_level.{lang}").set_value("provinces").run()

    assert not app.exception
    assert sorted(locations(app)) == sorted(set(locations(app))) and len(locations(app)) == PROVINCES
    ha_noi = hover(app, "01")
    reported = {"vi": "Đơn vị đã báo cáo", "en": "Units reported"}[lang]
    assert f"{reported}: " in ha_noi and f"/{HA_NOI}" in ha_noi
    assert {"vi": "Hạng", "en": "Rank"}[lang] + ": " in ha_noi and f"/{PROVINCES}" in ha_noi
    assert len(app.selectbox) == 2  # indicator and month: no province to zoom to at this level
    assert raw_keys(app) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_zooming_to_a_province_draws_only_its_communes_ranked_within_it(demo_db, monkeypatch, lang):
    app = open_map(demo_db, lang, monkeypatch)
    with store.connect(demo_db) as con:
        ranking = rank(con, "service_index", "2026-10", province="01")

    app.selectbox(key=f"map_province.{lang}").set_value("01").run()

    assert not app.exception
    assert len(locations(app)) == HA_NOI
    assert as_shown(app.subheader[0].value) == {"vi": "Chỉ số phục vụ người dân và doanh nghiệp · Hà Nội · Tháng 10/2026",
                                      "en": "Citizen and business service index (766) — Ha Noi, 10/2026"}[lang]
    first = ranking.table.iloc[0]
    assert f"1/{len(ranking.table)}" in hover(app, first["unit_code"])
    assert len(app.selectbox(key=f"map_pick.{lang}").options) == HA_NOI + 1
    assert raw_keys(app) == []


def unit_with_a_gap(db) -> tuple[str, str, str]:
    """(a unit that missed a month but reported others, that month, a unit that reported every month)."""
    with store.connect(db) as con:
        months = [row[0] for row in con.execute(
            "SELECT DISTINCT period FROM observation WHERE is_current ORDER BY period").fetchall()]
        gaps = con.execute("""
            SELECT u.code, m.period FROM unit u CROSS JOIN (SELECT DISTINCT period FROM observation) m
            WHERE u.parent_code IS NOT NULL
              AND EXISTS (SELECT 1 FROM observation o WHERE o.unit_code = u.code)
              AND NOT EXISTS (SELECT 1 FROM observation o WHERE o.unit_code = u.code AND o.period = m.period)
            ORDER BY u.code, m.period LIMIT 1""").fetchall()
        full = con.execute("""
            SELECT unit_code FROM observation WHERE is_current GROUP BY unit_code
            HAVING count(DISTINCT period) = ? ORDER BY unit_code LIMIT 1""", [len(months)]).fetchall()
    return gaps[0][0], gaps[0][1], full[0][0]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_unit_shows_no_data_in_a_month_it_missed_and_a_unit_with_full_data_its_rank(demo_db, monkeypatch, lang):
    gappy, missed, complete = unit_with_a_gap(demo_db)
    app = open_map(demo_db, lang, monkeypatch)
    with store.connect(demo_db) as con:
        ranked = rank(con, "on_time_rate", missed).table.set_index("unit_code")

    app.selectbox(key=f"map_indicator.{lang}").set_value("on_time_rate").run()
    app.selectbox(key=f"map_month.{lang}").set_value(missed).run()

    assert not app.exception
    assert gappy in layers(app)["no_data"]["locations"]
    assert NO_DATA_TEXT[lang] in hover(app, gappy)
    assert complete in layers(app)["values"]["locations"]
    label = f"{grouped(int(ranked.at[complete, 'rank']), lang)}/{grouped(len(ranked), lang)}"
    assert hover(app, complete).endswith(label)
    value = f"{ranked.at[complete, 'shown_value']:.2f}".replace(".", "," if lang == "vi" else ".")
    assert f": {value}%<br>" in hover(app, complete)
    assert raw_keys(app) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_units_that_never_reported_are_grey_on_the_map_not_zero(fresh_db, tmp_path, monkeypatch, lang):
    load_month(fresh_db, tmp_path, "8/2026", ["Tổng tiếp nhận", "Đúng hạn"], [["00004", 1000, 900]])

    app = open_map(fresh_db, lang, monkeypatch)
    app.selectbox(key=f"map_indicator.{lang}").set_value("on_time_rate").run()

    traces = layers(app)
    assert traces["values"]["locations"] == ["00004"]
    assert len(traces["no_data"]["locations"]) == COMMUNES - 1
    assert NO_DATA_TEXT[lang] in hover(app, "08377")
    assert {"vi": "90,00%", "en": "90.00%"}[lang] in hover(app, "00004")
    summary = {"vi": f"Đơn vị có số liệu: 1 · chưa báo cáo: {grouped(COMMUNES - 1, 'vi')}",
               "en": f"Units with figures: 1 · not reported: {grouped(COMMUNES - 1, 'en')}"}[lang]
    assert any(c.value.startswith(summary) for c in app.caption)
    assert raw_keys(app) == []


def test_the_profile_picker_links_to_the_chosen_communes_profile_in_the_sessions_language(demo_db, monkeypatch):
    app = open_map(demo_db, "en", monkeypatch)

    app.selectbox(key="map_pick.en").set_value("08377").run()

    assert not app.exception
    links = [m.value for m in app.markdown if "profile?" in m.value]
    assert links == ["[Profile of Van Ban · Phu Tho](profile?unit=08377&period=2026-10&lang=en)"]


def test_the_choices_survive_a_change_of_language(demo_db, monkeypatch):
    app = open_map(demo_db, "vi", monkeypatch)
    app.selectbox(key="map_indicator.vi").set_value("esign_rate").run()
    app.selectbox(key="map_province.vi").set_value("25").run()

    app.session_state["lang"] = "en"
    app.run()

    assert app.selectbox(key="map_indicator.en").value == "esign_rate"
    assert app.selectbox(key="map_province.en").value == "25"


def test_a_province_click_zooms_to_its_communes_without_a_widget_warning(demo_db, monkeypatch):
    app = open_map(demo_db, "vi", monkeypatch)
    app.segmented_control(key="map_level.vi").set_value("provinces").run()

    # what the click callback (ui.map.set_choice) leaves for the next run after a click on Phú Thọ
    for key, value in (("map_level", "communes"), ("map_province", "25")):
        app.session_state[key] = value
        app.session_state[f"{key}.vi"] = value
    app.run()

    assert not app.exception and len(app.warning) == 0
    assert app.segmented_control(key="map_level.vi").value == "communes"
    assert app.selectbox(key="map_province.vi").value == "25"
    assert len(locations(app)) == 148  # Phú Thọ's communes


# -- a click on the map --------------------------------------------------------------------------

def test_a_click_chooses_the_unit_at_the_clicked_location():
    layers_ = [["00008"], ["00004", "08377"]]

    assert chosen_unit({"points": [{"location": "08377", "curve_number": 1, "point_index": 1}]}, layers_) == "08377"
    # without a location (a click read from its trace and index)
    assert chosen_unit({"points": [{"curve_number": 0, "point_index": 0}]}, layers_) == "00008"
    assert chosen_unit({"points": [{"curve_number": 1, "point_number": 0}]}, layers_) == "00004"


def test_no_click_or_a_point_outside_the_map_chooses_nothing():
    assert chosen_unit(None, [["00004"]]) is None
    assert chosen_unit({"points": [], "point_indices": []}, [["00004"]]) is None
    assert chosen_unit({"points": [{"curve_number": 3, "point_index": 0}]}, [["00004"]]) is None


def test_a_commune_chosen_on_the_map_opens_its_profile_on_the_maps_month(demo_db, monkeypatch):
    app = open_map(demo_db, "vi", monkeypatch)

    # what a click on Vân Bán on the September map leaves for the next run
    app.session_state["map_open_profile"] = ("08377", "2026-09")
    app.run()

    assert not app.exception
    assert app.title[0].value == "Hồ sơ đơn vị"  # the profile page ran instead
    assert app.header[0].value == "Xã Vân Bán"
    assert app.selectbox(key="profile_month.vi").value == "2026-09"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_commune_missing_a_766_group_is_grey_and_says_why(fresh_db, tmp_path, monkeypatch, lang):
    groups = ["Tổng tiếp nhận", "Đúng hạn", "Điểm công khai minh bạch", "Điểm dịch vụ công trực tuyến",
              "Điểm thanh toán trực tuyến", "Điểm số hóa hồ sơ", "Điểm mức độ hài lòng"]
    load_month(fresh_db, tmp_path, "8/2026", groups, [["00004", 1000, 900, 15, 10, 8, 20, 15],
                                                      ["00008", 100, 50, 15, 10, 8, 20, None]])

    app = open_map(fresh_db, lang, monkeypatch)

    assert app.selectbox(key=f"map_indicator.{lang}").value == "service_index"
    assert layers(app)["values"]["locations"] == ["00004"]
    # Ba Đình: progress 20 × 900/1000 = 18, plus 15 + 10 + 8 + 20 + 15 = 86, first of one
    assert {"vi": "86,00 điểm<br>Hạng: 1/1", "en": "86.00 points<br>Rank: 1/1"}[lang] in hover(app, "00004")
    assert {"vi": "còn thiếu một phần", "en": "part of the index is missing"}[lang] in hover(app, "00008")
    assert raw_keys(app) == []
