"""The Overview page, in both languages, on an empty database and on the national demo data."""

from __future__ import annotations

import re

import pytest

from tests.pages.conftest import open_app, raw_keys


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
    assert labels[0] == {"vi": "Tỷ lệ hồ sơ nộp trực tuyến", "en": "Online filing rate"}[lang]
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
    assert app.dataframe[0].value.iloc[0, 0] == "08377"
    assert raw_keys(app) == []


def test_the_sidebar_switch_changes_the_language(demo_db, monkeypatch):
    app = open_app(demo_db, "vi", monkeypatch)

    app.sidebar.segmented_control[0].set_value("en").run()

    assert app.title[0].value == "Commune digital transformation at a glance"
    assert app.metric[0].label == "Online filing rate"


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
