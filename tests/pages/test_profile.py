"""The unit profile page, in both languages: a unit with full data, one with gaps, one that never reported,
an unknown code, the search box, the month picker, the file and the link from the rankings."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

import store
from analytics.lift import describe
from analytics.values import catalog
from analytics.profile import profile, summary
from store.reference import read_catalog
from tests.analytics.monthly_files import load_month
from tests.pages.conftest import as_shown, open_app, open_page, raw_keys

VAN_BAN, DAO_XA, LAM_THAO = "08377", "08662", "08494"
LINES = len(read_catalog())  # every catalog indicator, the service index included
TITLE = {"vi": "Hồ sơ đơn vị", "en": "Unit profile"}


def open_profile(db, lang: str, monkeypatch: pytest.MonkeyPatch, unit: str | None = None) -> AppTest:
    return open_page(db, lang, monkeypatch, "profile", unit=unit)


def summary_shown(app: AppTest) -> list[str]:
    return [as_shown(line[2:]) for line in app.info[0].value.split("\n")]  # as the reader sees them


@pytest.fixture(scope="module")
def silent_unit(demo_db) -> str:
    """A demo unit that reported before but not in the latest month (the demo leaves ~3% out)."""
    with store.connect(demo_db) as con:
        return con.execute("""
            SELECT code FROM unit WHERE parent_code IS NOT NULL AND code NOT IN
                (SELECT unit_code FROM observation WHERE is_current AND period = '2026-10') ORDER BY code LIMIT 1
        """).fetchall()[0][0]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_linked_unit_with_full_data_shows_summary_table_peers_and_waterfalls(demo_db, monkeypatch, lang):
    app = open_profile(demo_db, lang, monkeypatch, VAN_BAN)

    with store.connect(demo_db) as con:
        expected = profile(con, VAN_BAN, "2026-10")
    assert app.title[0].value == TITLE[lang]
    assert app.header[0].value == {"vi": "Xã Vân Bán", "en": "Van Ban commune"}[lang]
    assert app.selectbox(key=f"profile_month.{lang}").value == "2026-10"
    assert summary_shown(app) == summary(expected, lang)
    assert len(app.warning) == 0  # full data: no gaps notice
    table = app.dataframe[0].value
    assert len(table) == LINES
    assert table.iloc[0, 0] == expected.lines[0].name(lang)
    index = expected.lines[0]
    assert app.metric[1].value == f"{index.province_rank}/{index.province_rank_of}"
    assert len(app.get("plotly_chart")) == 2
    assert raw_keys(app) == []


@pytest.mark.parametrize(("lang", "title", "words"), [
    ("vi", "Cần gì để lên hạng?", ["thêm", "hồ sơ giải quyết trước hạn và đúng hạn trên", "điểm", "trong tỉnh"]),
    ("en", "What would it take?", ["more dossiers handled on time out of", "points", "province"])])
def test_the_profile_says_what_would_lift_the_weakest_count_based_groups(demo_db, monkeypatch, lang, title, words):
    app = open_profile(demo_db, lang, monkeypatch, VAN_BAN)

    with store.connect(demo_db) as con:
        expected = profile(con, VAN_BAN, "2026-10")
        sentences = [describe(lift, catalog(con), lang) for lift in expected.lifts]
    assert title in [h.value for h in app.subheader]
    assert sentences, "a demo commune below the full progress score has something to gain"
    shown = "\n".join(as_shown(m.value) for m in app.markdown)  # as the reader sees it, Markdown escapes read
    assert all(sentence in shown for sentence in sentences)
    assert all(word in shown for word in words), sentences
    assert raw_keys(app) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_unit_with_gaps_says_it_has_not_reported_this_month(demo_db, silent_unit, monkeypatch, lang):
    app = open_profile(demo_db, lang, monkeypatch, silent_unit)

    notice = {"vi": "thiếu số liệu", "en": "lacks figures"}[lang]
    assert any(notice in w.value for w in app.warning)
    said = {"vi": "chưa báo cáo tháng này (Tháng 10/2026)", "en": "has not reported this month (10/2026)"}[lang]
    assert said in summary_shown(app)[0]
    table = app.dataframe[0].value
    assert set(table.iloc[:, 1]) == {"–"}  # no value this month, shown as a blank, never as 0
    assert raw_keys(app) == []


@pytest.fixture
def few_reports(fresh_db, tmp_path):
    """One month in which two communes of Phú Thọ report; Đào Xá never does."""
    load_month(fresh_db, tmp_path, "9/2026", ["Tổng tiếp nhận", "Đúng hạn", "Quá hạn"],
               [[VAN_BAN, 100, 90, 10], [LAM_THAO, 50, 50, 0]])
    return fresh_db


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_unit_that_never_reported(few_reports, monkeypatch, lang):
    app = open_profile(few_reports, lang, monkeypatch, DAO_XA)

    assert app.header[0].value == {"vi": "Xã Đào Xá", "en": "Dao Xa commune"}[lang]
    assert summary_shown(app) == [{"vi": "Xã Đào Xá chưa từng báo cáo số liệu.",
                                   "en": "Dao Xa commune has never reported any figures."}[lang]]
    assert any({"vi": "chưa từng báo cáo", "en": "never reported"}[lang] in w.value for w in app.warning)
    assert len(app.get("plotly_chart")) == 0  # nothing to explain
    assert raw_keys(app) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_unit_on_small_data_ranks_among_those_that_reported(few_reports, monkeypatch, lang):
    app = open_profile(few_reports, lang, monkeypatch, VAN_BAN)

    on_time = app.dataframe[0].value.set_index(app.dataframe[0].value.columns[0])
    row = on_time.loc[{"vi": "Tỷ lệ hồ sơ giải quyết đúng hạn", "en": "On-time rate"}[lang]]
    assert row.iloc[0] == {"vi": "90,00%", "en": "90.00%"}[lang]
    assert row.iloc[2] == "2/2"  # Lâm Thao's 100% is first of the two that reported
    assert raw_keys(app) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_an_unknown_code_says_so_and_offers_the_search(demo_db, monkeypatch, lang):
    app = open_profile(demo_db, lang, monkeypatch, "99999")

    assert "99999" in app.error[0].value
    assert app.selectbox(key=f"profile_unit.{lang}").value is None
    assert len(app.dataframe) == 0
    assert raw_keys(app) == []


@pytest.mark.parametrize(("lang", "label"), [("vi", "Xã Vân Bán · Phú Thọ (08377 · Van Ban)"),
                                             ("en", "Van Ban · Phu Tho (08377 · Xã Vân Bán)")])
def test_the_search_finds_a_unit_with_or_without_diacritics_and_the_address_follows(demo_db, monkeypatch, lang, label):
    app = open_profile(demo_db, lang, monkeypatch)
    assert len(app.info) == 1 and len(app.dataframe) == 0  # asks to pick a unit
    picker = app.selectbox(key=f"profile_unit.{lang}")
    assert label in picker.options

    picker.set_value(VAN_BAN).run()

    assert not app.exception
    assert app.header[0].value == {"vi": "Xã Vân Bán", "en": "Van Ban commune"}[lang]
    assert app.query_params["unit"] == [VAN_BAN] or app.query_params["unit"] == VAN_BAN


def test_an_earlier_month_and_a_language_switch_keep_the_unit(demo_db, monkeypatch):
    app = open_profile(demo_db, "vi", monkeypatch, VAN_BAN)

    app.selectbox(key="profile_month.vi").set_value("2026-09").run()
    assert "Tháng 9/2026" in app.caption[0].value
    app.session_state["lang"] = "en"
    app.run()

    assert not app.exception
    assert app.header[0].value == "Van Ban commune"
    assert app.selectbox(key="profile_month.en").value == "2026-09"
    with store.connect(demo_db) as con:
        assert summary_shown(app) == summary(profile(con, VAN_BAN, "2026-09"), "en")
    assert raw_keys(app) == []


def test_the_indicator_table_downloads_as_xlsx_and_csv(demo_db, monkeypatch, downloads):
    app = open_profile(demo_db, "vi", monkeypatch, VAN_BAN)

    # the landing page (Overview) registered its own table downloads before the switch
    assert {"ho-so_08377_2026-10.xlsx", "ho-so_08377_2026-10.csv"} <= set(downloads)
    sheet = load_workbook(io.BytesIO(downloads["ho-so_08377_2026-10.xlsx"]())).active
    assert sheet["A1"].value == "Hồ sơ Xã Vân Bán — Tháng 10/2026"
    assert sheet["A2"].value == "Chỉ tiêu" and sheet.max_row == 2 + LINES
    assert isinstance(sheet["C3"].value, float)  # the service index as a number, not text
    assert downloads["ho-so_08377_2026-10.csv"]().startswith(b"\xef\xbb\xbf")
    assert len(app.get("download_button")) == 2


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_rankings_table_links_every_unit_to_its_profile(demo_db, monkeypatch, lang):
    app = open_app(demo_db, lang, monkeypatch)
    app.switch_page("pages/rankings.py").run()

    table = [d.value for d in app.dataframe if d.value.columns[0] in ("Hạng", "Rank")][-1]
    links = table[{"vi": "Hồ sơ", "en": "Profile"}[lang]]
    codes = table.iloc[:, 1]
    # the table ranks the latest month: its links open the profiles on that month
    assert list(links[:3]) == [f"profile?unit={code}&period=2026-10&lang={lang}" for code in codes[:3]]


@pytest.mark.parametrize(("lang", "month", "present"), [
    ("vi", "Tháng 9/2026", "Trình chiếu và tải bộ slide họp của Xã Vân Bán"),
    ("en", "9/2026", "Present or download the meeting slides of Van Ban commune")])
def test_a_link_with_a_month_opens_on_it_and_links_on_to_that_months_meeting_pack(demo_db, monkeypatch, lang,
                                                                                    month, present):
    app = open_page(demo_db, lang, monkeypatch, "profile", unit=VAN_BAN, period="2026-09")

    assert app.selectbox(key=f"profile_month.{lang}").value == "2026-09"
    assert month in app.caption[0].value
    with store.connect(demo_db) as con:
        assert summary_shown(app) == summary(profile(con, VAN_BAN, "2026-09"), lang)
    link = app.get("page_link")[0].proto
    assert (link.label, link.page, link.query_string) == (present, "present", "unit=08377&period=2026-09")

    app.selectbox(key=f"profile_month.{lang}").set_value("2026-08").run()  # the reader's own choice stays
    assert app.selectbox(key=f"profile_month.{lang}").value == "2026-08"
    assert raw_keys(app) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_lights_name_what_they_compare_with_and_the_lists_quote_one_standing_among_named_peers(demo_db, monkeypatch,
                                                                                              lang):
    from i18n import format_number, translate

    app = open_profile(demo_db, lang, monkeypatch, VAN_BAN)

    with store.connect(demo_db) as con:
        expected = profile(con, VAN_BAN, "2026-10")
    table = app.dataframe[0].value
    light, reference = {"vi": ("Đánh giá", "Mốc so sánh"), "en": ("Assessment", "Compared with")}[lang]
    for line, shown_light, shown_reference in zip(expected.lines, table[light], table[reference]):
        if line.light_basis is None:
            assert (shown_light, shown_reference) == ("", "–"), line.code
        else:  # 'Đạt mục tiêu' only beside 'Mục tiêu 80%'; 'Kém hơn trung vị tỉnh' beside 'Trung vị tỉnh 93,50'
            assert shown_light.endswith(translate(f"profile.light.{line.light_basis}.{line.light}", lang)), line.code
            assert shown_reference.startswith(translate(f"profile.basis.{line.light_basis}", lang)), line.code
    shown = "\n".join(as_shown(m.value) for m in app.markdown)
    peers = translate(f"profile.peer_set.{expected.unit_type}", lang, count=format_number(2548, lang))
    for code in expected.weaknesses:
        line = expected.line(code)
        standing = translate(f"profile.standing.below.{line.direction}", lang,
                             share=format_number(line.peer_below, lang, 0),
                             peer_set=translate(f"profile.peer_set.{expected.unit_type}", lang,
                                                count=format_number(line.peer_rank_of, lang)))
        assert standing in shown, standing
    assert peers.split(" ", 1)[1] in shown  # the peer set is named on screen
    labels = [as_shown(m.label) for m in app.metric]
    assert labels[0] == {"vi": "Chỉ số phục vụ", "en": "Service index"}[lang]  # a card title that fits at 1366 px
    assert all(len(label) <= 24 for label in labels), labels
