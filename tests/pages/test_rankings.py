"""The Rankings page, in both languages, on an empty database and on the national demo data."""

from __future__ import annotations

import io
import re
import shutil

import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

import store
from tests.pages.conftest import open_app, open_page, raw_keys

COMMUNES, HA_NOI = 3321, 126
NOT_REPORTED = {"vi": "Chưa báo cáo", "en": "Not reported"}


def open_rankings(db, lang: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return open_page(db, lang, monkeypatch, "rankings")


def ranked_tables(app: AppTest) -> list:
    """The tables of ranked units: a unit's neighbours (when shown) first, then the league table."""
    return [d for d in app.dataframe if d.value.columns[0] in ("Hạng", "Rank")]


def league_table(app: AppTest):
    return ranked_tables(app)[-1].value


def highlighted_rows(element) -> set[int]:
    """Rows the table paints in the highlight colour (read from the Styler's CSS in the proto)."""
    rules = re.findall(r"([^{}]+)\{([^}]*)\}", element.proto.arrow_data.styler.styles)
    return {int(row) for selectors, style in rules if "#fff3bf" in style
            for row in re.findall(r"_row(\d+)_col", selectors)}


def unranked(app: AppTest, lang: str):
    """The table inside the 'not reported' expander."""
    expander = next(e for e in app.expander if e.label.startswith(NOT_REPORTED[lang]))
    return expander.dataframe[0].value


def ranks(table) -> list[int]:
    return [int(r) for r in table.iloc[:, 0]]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_an_empty_database_shows_how_to_get_data(fresh_db, monkeypatch, lang):
    app = open_rankings(fresh_db, lang, monkeypatch)

    assert app.title[0].value == {"vi": "Xếp hạng xã, phường, đặc khu", "en": "Commune rankings"}[lang]
    assert "python -m etl demo" in app.code[0].value
    assert len(app.dataframe) == 0
    assert raw_keys(app) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_latest_month_ranks_every_commune_that_reported_and_lists_the_rest_apart(demo_db, monkeypatch, lang):
    app = open_rankings(demo_db, lang, monkeypatch)

    table, silent = league_table(app), unranked(app, lang)
    assert app.selectbox(key=f"rankings_indicator.{lang}").value == "service_index"
    assert app.selectbox(key=f"rankings_period.{lang}").value == "2026-10"
    assert len(table) > 3000
    assert len(table) + len(silent) == COMMUNES
    assert set(table.iloc[:, 1]).isdisjoint(silent.iloc[:, 0])
    assert ranks(table)[0] == 1 and ranks(table) == sorted(ranks(table))
    summary = {"vi": f"{len(table):,} đơn vị được xếp hạng".replace(",", "."), "en": f"{len(table):,} units ranked"}
    assert any(c.value.startswith(summary[lang]) for c in app.caption)
    assert raw_keys(app) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_choosing_a_province_ranks_only_its_communes(demo_db, monkeypatch, lang):
    app = open_rankings(demo_db, lang, monkeypatch)

    app.selectbox(key=f"rankings_province.{lang}").set_value("01").run()

    assert not app.exception
    table = league_table(app)
    assert len(table) <= HA_NOI
    assert len(table) + len(unranked(app, lang)) == HA_NOI
    assert int(table.iloc[-1, 0]) <= len(table)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_commune_outside_the_top_n_is_shown_with_three_neighbours_either_side(demo_db, monkeypatch, lang):
    app = open_rankings(demo_db, lang, monkeypatch)
    middle = league_table(app).iloc[1500]
    code, place = middle.iloc[1], int(middle.iloc[0])

    app.segmented_control(key=f"rankings_view.{lang}").set_value("top_bottom").run()
    app.selectbox(key=f"rankings_unit.{lang}").set_value(code).run()

    assert not app.exception
    around = ranked_tables(app)[0]
    assert list(around.value.iloc[:, 1]).index(code) == 3 and len(around.value) == 7
    assert highlighted_rows(around) == {3}
    assert app.metric[0].value.startswith({"vi": f"{place:,}/".replace(",", "."), "en": f"{place:,}/"}[lang])
    top_and_bottom = league_table(app)
    assert code not in set(top_and_bottom.iloc[:, 1])
    assert ranks(top_and_bottom)[:10] == sorted(ranks(top_and_bottom)[:10]) and ranks(top_and_bottom)[9] <= 10
    assert raw_keys(app) == []


def test_a_commune_inside_the_top_n_is_highlighted_in_place_without_a_neighbours_table(demo_db, monkeypatch):
    app = open_rankings(demo_db, "vi", monkeypatch)
    first = league_table(app).iloc[0, 1]
    app.segmented_control(key="rankings_view.vi").set_value("top_bottom").run()

    app.selectbox(key="rankings_unit.vi").set_value(first).run()

    assert len(app.metric) == 3
    assert len(ranked_tables(app)) == 1  # no neighbours table
    assert league_table(app).iloc[0, 1] == first
    assert highlighted_rows(ranked_tables(app)[0]) == {0}




@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_whole_country_can_be_chosen_again_after_a_province(demo_db, monkeypatch, lang):
    app = open_rankings(demo_db, lang, monkeypatch)
    app.selectbox(key=f"rankings_province.{lang}").set_value("25").run()
    assert len(league_table(app)) < 200  # Phú Thọ's communes

    app.selectbox(key=f"rankings_province.{lang}").set_value(None).run()  # "Cả nước" is the None option

    assert app.selectbox(key=f"rankings_province.{lang}").value is None
    assert len(league_table(app)) > 3000
    assert {"vi": "Cả nước", "en": "Whole country"}[lang] in app.subheader[0].value

@pytest.mark.parametrize(("lang", "label"), [("vi", "Mở hồ sơ Xã Vân Bán"), ("en", "Open the profile of Van Ban")])
def test_my_commune_links_to_its_profile_on_the_ranked_month(demo_db, monkeypatch, lang, label):
    app = open_rankings(demo_db, lang, monkeypatch)
    app.selectbox(key=f"rankings_period.{lang}").set_value("2026-09").run()

    app.selectbox(key=f"rankings_unit.{lang}").set_value("08377").run()

    links = [link.proto for link in app.get("page_link")]
    assert [(link.label, link.page, link.query_string) for link in links] == [
        (label, "profile", "unit=08377&period=2026-09")]
    assert raw_keys(app) == []

@pytest.mark.parametrize(("lang", "label"), [("vi", "Xã Vân Bán · Phú Thọ (08377 · Van Ban)"),
                                             ("en", "Van Ban · Phu Tho (08377 · Xã Vân Bán)")])
def test_the_commune_search_knows_both_spellings_so_typing_without_diacritics_finds_it(demo_db, monkeypatch,
                                                                                        lang, label):
    app = open_rankings(demo_db, lang, monkeypatch)

    assert label in app.selectbox(key=f"rankings_unit.{lang}").options


def test_a_commune_that_did_not_report_is_said_so_and_is_not_ranked_last(demo_db, monkeypatch):
    app = open_rankings(demo_db, "en", monkeypatch)
    silent = unranked(app, "en").iloc[0, 0]

    app.selectbox(key="rankings_unit.en").set_value(silent).run()

    assert not app.exception
    assert "has not reported" in app.warning[0].value
    assert silent not in set(league_table(app).iloc[:, 1])


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_thin_data_switch_leaves_flagged_units_out_and_lists_them_apart(demo_db, monkeypatch, lang):
    app = open_rankings(demo_db, lang, monkeypatch)
    app.selectbox(key=f"rankings_indicator.{lang}").set_value("satisfaction_rate").run()
    flagged = league_table(app).iloc[:, -1].str.startswith("⚠")
    assert flagged.sum() > 0
    before = len(league_table(app))

    app.toggle(key="rankings_thin").set_value(True).run()

    table = league_table(app)
    assert len(table) == before - flagged.sum()
    assert table.shape[1] == 9  # the caution column is gone: nothing left to flag
    left_out = {"vi": f"Để riêng vì ít dữ liệu ({flagged.sum()})", "en": f"Left out for thin data ({flagged.sum()})"}
    assert left_out[lang] in [e.label for e in app.expander]
    assert raw_keys(app) == []


def test_the_table_downloads_as_xlsx_and_csv_with_every_unit_in_scope(demo_db, monkeypatch, downloads):
    app = open_rankings(demo_db, "vi", monkeypatch)

    assert [b.label for b in app.get("download_button")] == ["Tải bảng (Excel .xlsx)", "Tải bảng (.csv)"]
    # the landing page (Overview) registered its own table downloads before the switch
    assert {"xep-hang_service_index_2026-10.xlsx", "xep-hang_service_index_2026-10.csv"} <= set(downloads)
    sheet = load_workbook(io.BytesIO(downloads["xep-hang_service_index_2026-10.xlsx"]())).active
    assert sheet["A1"].value == "Xếp hạng Chỉ số phục vụ người dân và doanh nghiệp — Cả nước — Tháng 10/2026"
    assert sheet["A2"].value == "Hạng" and sheet.freeze_panes == "A3"
    assert sheet.max_row == 2 + COMMUNES
    statuses = [row[0] for row in sheet.iter_rows(min_row=3, min_col=15, max_col=15, values_only=True)]
    assert statuses.count("Chưa báo cáo") == len(unranked(app, "vi"))
    assert downloads["xep-hang_service_index_2026-10.csv"]().startswith(b"\xef\xbb\xbf")


def test_a_saved_composite_joins_the_indicator_picker_and_is_ranked(demo_db, tmp_path, monkeypatch):
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)  # saving writes: never into the shared demo database
    app = open_rankings(db, "vi", monkeypatch)

    app.text_input(key="rankings_composite_name").set_value("Tiến độ và số hóa").run()
    app.multiselect(key="rankings_composite_parts").set_value(["on_time_rate", "digitization_rate"]).run()
    app.number_input(key="rankings_weight_on_time_rate").set_value(2).run()
    app.button(key="rankings_composite_save").click().run()

    assert not app.exception
    assert app.selectbox(key="rankings_indicator.vi").value == "composite:Tiến độ và số hóa"
    assert "Tổng hợp: Tiến độ và số hóa" in app.selectbox(key="rankings_indicator.vi").options
    assert len(league_table(app)) > 3000
    assert app.success[0].value.startswith("Đã lưu “Tiến độ và số hóa”")


def test_choices_survive_a_change_of_language(demo_db, monkeypatch):
    app = open_rankings(demo_db, "vi", monkeypatch)
    app.selectbox(key="rankings_indicator.vi").set_value("satisfaction_rate").run()
    app.selectbox(key="rankings_province.vi").set_value("01").run()
    app.selectbox(key="rankings_period.vi").set_value("2026-Q3").run()
    app.toggle(key="rankings_thin").set_value(True).run()

    app.session_state["lang"] = "en"
    app.run()

    assert app.selectbox(key="rankings_indicator.en").value == "satisfaction_rate"
    assert app.selectbox(key="rankings_province.en").value == "01"
    assert app.selectbox(key="rankings_period.en").value == "2026-Q3"
    assert app.toggle(key="rankings_thin").value is True
    assert app.title[0].value == "Commune rankings"


def open_rankings_as(db, lang: str, monkeypatch: pytest.MonkeyPatch, role: str, province: str | None = None) -> AppTest:
    app = open_app(db, lang, monkeypatch, role=role, province=province)
    app.switch_page("pages/rankings.py").run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def save_from_page(app: AppTest, name: str, parts: list[str]) -> None:
    app.text_input(key="rankings_composite_name").set_value(name).run()
    app.multiselect(key="rankings_composite_parts").set_value(parts).run()
    app.button(key="rankings_composite_save").click().run()
    assert not app.exception, [e.value for e in app.exception]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_viewer_is_not_offered_the_composite_builder(demo_db, monkeypatch, lang):
    app = open_rankings_as(demo_db, lang, monkeypatch, "viewer")
    assert not [w for w in app.text_input if w.key == "rankings_composite_name"]
    assert league_table(app) is not None  # the page itself still reads


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_composite_saved_on_the_page_is_under_the_signed_in_account_and_another_analyst_cannot_replace_it(
        demo_db, tmp_path, monkeypatch, lang):
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)
    author = open_rankings_as(db, lang, monkeypatch, "analyst", "25")
    save_from_page(author, "Chỉ số riêng", ["on_time_rate", "digitization_rate"])
    assert author.success and not author.error

    other = open_rankings_as(db, lang, monkeypatch, "analyst", "15")
    save_from_page(other, "Chỉ số riêng", ["esign_rate", "online_filing_rate"])
    assert not other.success
    assert ("tên khác" if lang == "vi" else "another name") in other.error[0].value

    with store.connect(db) as con:
        definition = con.execute("SELECT created_by, definition FROM composite WHERE name = 'Chỉ số riêng'").fetchall()
        audit = con.execute("SELECT actor, outcome FROM audit WHERE action = 'composite' ORDER BY happened_at, rowid"
                            ).fetchall()
    assert definition[0][0] == "tester-analyst-25" and "esign_rate" not in definition[0][1]
    assert audit == [("tester-analyst-25", "ok"), ("tester-analyst-15", "refused")]


def test_a_public_visitor_reads_the_rankings_but_is_not_offered_the_composite_builder(demo_db, monkeypatch):
    monkeypatch.setenv("XASO_PUBLIC", "1")
    app = open_app(demo_db, "vi", monkeypatch, role=None)
    app.switch_page("pages/rankings.py").run()
    assert not app.exception
    assert len(league_table(app)) > 3000
    assert not [w for w in app.text_input if w.key == "rankings_composite_name"]
