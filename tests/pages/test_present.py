"""Presentation mode: the meeting pack one slide at a time, in both languages."""

from __future__ import annotations

import io

import pytest
from pptx import Presentation

import store
from analytics.meeting import meeting_content
from analytics.overview import communes
from i18n import translate
from tests.pages.conftest import open_page, raw_keys

UNIT, MONTH = "08377", "2026-10"


def open_present(db, lang, monkeypatch, **params):
    return open_page(db, lang, monkeypatch, "present", **params)


@pytest.fixture(scope="module")
def packs(demo_db):
    with store.connect(demo_db) as con:
        return {lang: meeting_content(con, UNIT, MONTH, lang) for lang in ("vi", "en")}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_next_and_previous_walk_through_the_same_slides_as_the_deck(demo_db, monkeypatch, packs, lang):
    app = open_present(demo_db, lang, monkeypatch, unit=UNIT)
    titles = [slide.title for slide in packs[lang].slides]

    assert app.title[0].value == titles[0]
    assert app.button(key="present_previous").disabled
    for expected in titles[1:]:
        app.button(key="present_next").click().run()
        assert not app.exception, [e.value for e in app.exception]
        assert app.title[0].value == expected
        assert raw_keys(app) == []
    assert app.button(key="present_next").disabled
    app.button(key="present_previous").click().run()
    assert app.title[0].value == titles[-2]


def test_a_chart_slide_shows_a_chart_and_a_table_slide_a_table_with_downloads(demo_db, monkeypatch):
    app = open_present(demo_db, "vi", monkeypatch, unit=UNIT)

    app.button(key="present_next").click().run()  # headline figures
    assert len(app.get("plotly_chart")) == 1
    labels = [b.label for b in app.get("download_button")]
    assert "Tải biểu đồ (PNG)" in labels and "Tải PowerPoint (.pptx)" in labels and "Tải bản in (PDF)" in labels
    app.button(key="present_next").click().run()  # the league around the unit
    assert len(app.table) == 1
    shown = app.table[0].value
    assert shown.shape[0] == 13 and "Xã Vân Bán" in shown.iloc[:, 1].tolist()
    assert shown.iloc[5].tolist() == ["…"] * 4  # between the first five and the unit's neighbours
    assert {"Tải Excel (.xlsx)", "Tải CSV"} <= {b.label for b in app.get("download_button")}


def test_changing_the_month_starts_again_at_the_cover(demo_db, monkeypatch):
    app = open_present(demo_db, "vi", monkeypatch, unit=UNIT)
    app.button(key="present_next").click().run()
    app.button(key="present_next").click().run()

    app.selectbox(key="present_month.vi").set_value("2026-09").run()

    assert app.title[0].value == "Chuyển đổi số phục vụ người dân"
    assert "Tháng 9/2026" in [h.value for h in app.subheader]


def test_a_province_is_presented_with_the_provinces_league(demo_db, monkeypatch):
    app = open_present(demo_db, "en", monkeypatch, unit="25")
    app.button(key="present_next").click().run()
    app.button(key="present_next").click().run()

    assert app.title[0].value == "Provinces ranked on the 766 index"
    assert app.table[0].value.shape[0] >= 8


def test_the_pptx_download_is_the_meeting_deck(demo_db, monkeypatch, downloads):
    open_present(demo_db, "en", monkeypatch, unit=UNIT)

    deck = Presentation(io.BytesIO(downloads[f"xaso_{UNIT}_{MONTH}_en.pptx"]()))
    assert len(deck.slides) == 8


def no_slide(app, lang: str) -> bool:
    """Only the page's own title is shown: no slide yet."""
    return [title.value for title in app.title] == [translate("nav.present", lang)]


def test_an_unknown_linked_unit_falls_back_to_the_pickers(demo_db, monkeypatch):
    app = open_present(demo_db, "vi", monkeypatch, unit="99999")

    assert not app.exception
    assert no_slide(app, "vi") and app.info[0].value == translate("deck.present.pick", "vi")
    assert len(app.get("popover")) == 0 and app.selectbox(key="present_province.vi").value is None


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_an_account_without_a_province_is_asked_for_a_unit_before_any_slide(demo_db, monkeypatch, lang):
    app = open_present(demo_db, lang, monkeypatch)

    province = app.selectbox(key=f"present_province.{lang}")
    assert province.value is None and province.placeholder == translate("deck.present.pick_province", lang)
    assert no_slide(app, lang) and app.info[0].value == translate("deck.present.pick", lang)
    assert len(app.get("popover")) == 0  # the choices are open on the page, not folded away

    with store.connect(demo_db) as con:
        last = communes(con, "01")["code"].iloc[-1]  # a commune of Hà Nội, none the other tests use
    province.set_value("01").run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.title[0].value == translate("deck.cover.title", lang)
    assert app.segmented_control(key=f"present_level.{lang}").value == "province"

    app.segmented_control(key=f"present_level.{lang}").set_value("commune").run()
    commune = app.selectbox(key=f"present_commune.{lang}")
    assert commune.value is None and no_slide(app, lang)  # no commune picked for the person either
    commune.set_value(last).run()
    assert app.title[0].value == translate("deck.cover.title", lang)
    assert last in app.selectbox(key=f"present_commune.{lang}").value


def test_an_account_of_one_province_opens_on_that_province(demo_db, monkeypatch):
    from tests.pages.conftest import open_app

    app = open_app(demo_db, "vi", monkeypatch, role="viewer", province="25")
    app.switch_page("pages/present.py").run()

    assert not app.exception, [e.value for e in app.exception]
    assert app.header[0].value == "Tỉnh Phú Thọ"  # the cover names the province


def test_a_communes_pack_links_to_its_full_profile(demo_db, monkeypatch):
    app = open_present(demo_db, "vi", monkeypatch, unit=UNIT)

    links = app.get("page_link")
    assert [link.proto.label for link in links] == ["Xem hồ sơ đầy đủ của Xã Vân Bán"]
    assert (links[0].proto.page, links[0].proto.query_string) == ("profile", f"unit={UNIT}&period={MONTH}")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_new_link_presents_its_unit_and_month_over_the_earlier_choice(demo_db, monkeypatch, packs, lang):
    app = open_present(demo_db, lang, monkeypatch, unit="08494")
    assert app.selectbox(key=f"present_commune.{lang}").value == "08494"

    app.query_params["unit"], app.query_params["period"] = UNIT, "2026-09"
    app.switch_page("pages/present.py").run()

    assert not app.exception
    assert app.selectbox(key=f"present_commune.{lang}").value == UNIT
    assert app.selectbox(key=f"present_month.{lang}").value == "2026-09"
    with store.connect(demo_db) as con:
        assert app.title[0].value == meeting_content(con, UNIT, "2026-09", lang).slides[0].title
    assert raw_keys(app) == []
