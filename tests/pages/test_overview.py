"""The Overview page, in both languages, on an empty database and on the national demo data."""

from __future__ import annotations

import re

import pytest

import store
from tests.pages.conftest import as_shown, open_app, raw_keys


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_an_empty_database_shows_how_to_get_data(fresh_db, monkeypatch, lang):
    app = open_app(fresh_db, lang, monkeypatch)

    assert app.title[0].value == {"vi": "Tổng quan chuyển đổi số cấp xã",
                                  "en": "Commune digital transformation at a glance"}[lang]
    assert {"vi": "3.321 xã", "en": "3,321 communes"}[lang] in app.caption[0].value
    assert "python -m etl demo" in app.code[0].value
    assert len(app.metric) == 0
    assert raw_keys(app) == []


@pytest.mark.parametrize(("lang", "number"), [("vi", r"^\d{1,3},\d%$"), ("en", r"^\d{1,3}\.\d%$")])
def test_the_country_cards_show_locale_formatted_figures_for_the_latest_month(demo_db, monkeypatch, lang, number):
    app = open_app(demo_db, lang, monkeypatch)

    labels = [m.label for m in app.metric]
    assert labels[0] == {"vi": "Nộp trực tuyến", "en": "Filed online"}[lang]  # a short title that fits the card
    assert len(labels) == 5
    assert all(re.match(number, m.value) for m in app.metric[:4]), [m.value for m in app.metric]
    assert app.selectbox(key=f"overview_month.{lang}").value == "2026-10"
    assert app.dataframe[0].value.shape[0] == 3321
    assert raw_keys(app) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_choosing_a_province_shows_its_communes(demo_db, monkeypatch, lang):
    app = open_app(demo_db, lang, monkeypatch)

    app.segmented_control(key=f"overview_level.{lang}").set_value("province").run()
    app.selectbox(key=f"overview_province.{lang}").set_value("01").run()

    assert not app.exception
    assert app.dataframe[0].value.shape[0] == 126  # Hà Nội
    assert len(app.metric) == 5


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_choosing_a_commune_and_an_earlier_month(demo_db, monkeypatch, lang):
    app = open_app(demo_db, lang, monkeypatch)

    app.segmented_control(key=f"overview_level.{lang}").set_value("commune").run()
    app.selectbox(key=f"overview_province.{lang}").set_value("25").run()
    app.selectbox(key=f"overview_commune.{lang}").set_value("08377").run()
    app.selectbox(key=f"overview_month.{lang}").set_value("2026-03").run()

    assert not app.exception
    assert app.dataframe[0].value.shape[0] == 1
    assert app.dataframe[0].value.iloc[0, 1] == "08377"
    assert raw_keys(app) == []


def test_the_sidebar_switch_changes_the_language(demo_db, monkeypatch):
    app = open_app(demo_db, "vi", monkeypatch)

    app.sidebar.segmented_control[0].set_value("en").run()

    assert app.title[0].value == "Commune digital transformation at a glance"
    assert app.metric[0].label == "Filed online"


def test_choices_survive_a_change_of_language(demo_db, monkeypatch):
    app = open_app(demo_db, "vi", monkeypatch)
    app.segmented_control(key="overview_level.vi").set_value("province").run()
    app.selectbox(key="overview_province.vi").set_value("01").run()
    app.selectbox(key="overview_month.vi").set_value("2026-03").run()

    app.session_state["lang"] = "en"
    app.run()

    assert app.segmented_control(key="overview_level.en").value == "province"
    assert app.selectbox(key="overview_province.en").value == "01"
    assert app.selectbox(key="overview_month.en").value == "2026-03"
    assert app.dataframe[0].value.shape[0] == 126


@pytest.mark.parametrize("linked, title", [("en", "Sign in"), ("xx", "Đăng nhập")])
def test_a_link_with_lang_opens_the_session_in_that_language(fresh_db, monkeypatch, linked, title):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import REPO

    monkeypatch.setenv("XASO_DB", str(fresh_db))
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    app.query_params["lang"] = linked
    app.run()

    assert app.session_state["lang"] == ("en" if linked == "en" else "vi")  # an unknown code is ignored
    assert app.title[0].value == title  # the sign-in form comes first, in the link's language


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_card_titles_are_short_with_the_full_name_in_their_help(demo_db, monkeypatch, lang):
    from analytics.overview import HEADLINE_INDICATORS
    from i18n import translate

    app = open_app(demo_db, lang, monkeypatch)

    with store.connect(demo_db) as con:
        names = con.execute("SELECT code, name_vi, name_en FROM indicator").df().set_index("code")
    for metric, code in zip(app.metric, HEADLINE_INDICATORS):
        full = names.at[code, f"name_{lang}"]
        assert as_shown(metric.label) == translate(f"indicator.short.{code}", lang)
        assert len(as_shown(metric.label)) <= 16  # fits a card at 1366 px (checked in Chromium)
        assert full in as_shown(metric.proto.help)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_national_table_is_ordered_by_the_index_best_first_with_its_rank(demo_db, monkeypatch, lang):
    from analytics.ranking import rank

    app = open_app(demo_db, lang, monkeypatch)

    table = app.dataframe[0].value
    rank_column, index_column = {"vi": ("Hạng", "Chỉ số phục vụ"), "en": ("Rank", "Service index")}[lang]
    assert list(table.columns[:5]) == [rank_column, *table.columns[1:4], index_column]  # the index beside the names
    with store.connect(demo_db) as con:
        ranked = rank(con, "service_index", "2026-10").table
    head = table.head(len(ranked))
    assert head[rank_column].tolist() == sorted(head[rank_column].tolist())  # best first
    # each unit at the Rankings' rank (the rounded index, ties sharing a rank)
    assert dict(zip(head.iloc[:, 1], head[rank_column])) == dict(zip(ranked["unit_code"], ranked["rank"]))
    assert table[index_column].iloc[len(ranked):].isna().all()  # the unranked follow


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_commune_shows_its_rank_and_its_province_figure_beside_each_card(demo_db, monkeypatch, lang):
    from analytics.overview import HEADLINE_INDICATORS, Scope, commune_standing, headlines
    from i18n import format_number

    app = open_app(demo_db, lang, monkeypatch)
    app.segmented_control(key=f"overview_level.{lang}").set_value("commune").run()
    app.selectbox(key=f"overview_province.{lang}").set_value("25").run()
    app.selectbox(key=f"overview_commune.{lang}").set_value("08377").run()

    with store.connect(demo_db) as con:
        standing = commune_standing(con, "08377", "2026-10")
        province = {card.indicator_code: card for card in headlines(con, Scope("25"), "2026-10")}
    n = lambda value, decimals=0: format_number(value, lang, decimals)  # noqa: E731
    shown = [as_shown(m.value) for m in app.markdown]
    assert any(f"{n(standing.province_rank)}/{n(standing.province_ranked)}" in text and "Phú Thọ" in text
               and f"{n(standing.national_rank)}/{n(standing.national_ranked)}" in text for text in shown) \
        if lang == "vi" else any(f"{n(standing.province_rank)} of {n(standing.province_ranked)}" in text
                                 and "Phu Tho" in text for text in shown), shown
    captions = [as_shown(c.value) for c in app.caption]
    for code in HEADLINE_INDICATORS:
        decimals = 2 if code == "service_index" else 1
        figure = n(province[code].value, decimals) + ("" if code == "service_index" else "%")
        assert any(figure in text and ("Phú Thọ" in text or "Phu Tho" in text) for text in captions), (code, figure)
    assert raw_keys(app) == []
