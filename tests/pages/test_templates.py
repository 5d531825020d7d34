"""The templates page, in both languages: pick a province, month and indicators, download, fill, load."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

import store
from etl.load import load_file
from etl.template import FIRST_DATA_ROW, HEADER_ROW, default_indicators
from tests.pages.conftest import open_page, raw_keys
from ui.history import template_months

HA_NOI, HA_NOI_COMMUNES = "01", 126
INSTRUCTIONS = {"vi": "Hướng dẫn", "en": "Instructions"}


def open_templates(db: Path, lang: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The page (its downloads land in the `downloads` fixture, built when asked, as on a click)."""
    return open_page(db, lang, monkeypatch, "templates")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_default_template_downloads_with_the_input_columns(demo_db, monkeypatch, downloads, lang):
    app = open_templates(demo_db, lang, monkeypatch)

    assert [b.label for b in app.get("download_button")] == [
        {"vi": "Tải mẫu (Excel .xlsx)", "en": "Download template (Excel .xlsx)"}[lang]]
    # the landing page (Overview) offers its own table downloads before the switch
    (name, build), = ((name, build) for name, build in downloads.items() if name.startswith("mau-bao-cao_"))
    book = load_workbook(io.BytesIO(build()))
    assert book.sheetnames[1] == INSTRUCTIONS[lang]
    with store.connect(demo_db) as con:
        inputs = default_indicators(con)
    # STT, code, name and the inputs picked by default (counts, means, the 766 metrics' counts)
    assert book.worksheets[0].max_column == 3 + len(inputs)
    assert name.endswith(f"_{template_months(date.today())[0]}.xlsx")
    assert raw_keys(app) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_chosen_template_filled_in_loads_without_mapping(fresh_db, tmp_path, monkeypatch, downloads, lang):
    month = template_months(date.today())[3]
    app = open_templates(fresh_db, lang, monkeypatch)

    app.selectbox(key=f"templates_province.{lang}").set_value(HA_NOI).run()
    app.selectbox(key=f"templates_month.{lang}").set_value(month).run()
    app.multiselect(key=f"templates_indicators.{lang}").set_value(["dossiers_received", "docs_outgoing"]).run()

    assert not app.exception
    build = downloads[f"mau-bao-cao_{HA_NOI}_{month}.xlsx"]
    book = load_workbook(io.BytesIO(build()))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[HEADER_ROW]]
    assert header[3:] == {"vi": ["Tổng số hồ sơ tiếp nhận", "Văn bản đi"],
                          "en": ["Dossiers received", "Outgoing official documents"]}[lang]
    assert sheet.max_row - FIRST_DATA_ROW + 1 == HA_NOI_COMMUNES
    assert any("126" in c.value for c in app.caption)
    for row in range(FIRST_DATA_ROW, FIRST_DATA_ROW + 10):
        sheet.cell(row, 4, row * 3)
    path = tmp_path / f"mau-bao-cao_{HA_NOI}_{month}.xlsx"
    book.save(path)

    result = load_file(path, db=fresh_db)

    assert result.status == "loaded" and result.review.periods == [month]
    assert [p.code for p in result.review.problems] == ["sheet_without_table"]  # the instructions, skipped
    assert result.rows_loaded == 10
    assert raw_keys(app) == []


def test_the_indicator_choice_survives_a_language_switch(demo_db, monkeypatch):
    app = open_templates(demo_db, "vi", monkeypatch)
    app.multiselect(key="templates_indicators.vi").set_value(["docs_outgoing"]).run()

    app.session_state["lang"] = "en"
    app.run()

    assert app.multiselect(key="templates_indicators.en").value == ["docs_outgoing"]


def test_without_an_indicator_there_is_nothing_to_download(demo_db, monkeypatch):
    app = open_templates(demo_db, "vi", monkeypatch)

    app.multiselect(key="templates_indicators.vi").set_value([]).run()

    assert not app.get("download_button") and app.info[0].value == "Chọn ít nhất một chỉ tiêu."


def test_the_month_choices_start_with_last_month():
    assert template_months(date(2026, 1, 15))[:2] == ["2025-12", "2025-11"]
    assert template_months(date(2026, 1, 15))[-1] == "2026-01" and len(template_months(date(2026, 1, 15))) == 13


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_766_metrics_counts_are_offered_and_picked_and_the_group_scores_offered_instead(demo_db, monkeypatch,
                                                                                           lang):
    app = open_templates(demo_db, lang, monkeypatch)

    picker = app.multiselect(key=f"templates_indicators.{lang}")
    with store.connect(demo_db) as con:
        names = dict(con.execute(f"SELECT code, name_{lang} FROM indicator").fetchall())
    offered, picked = set(picker.options), set(picker.value)
    # the counts behind a metric and the portal's ratio are inputs; the metric's points follow from them
    for code in ("dossier_sync_n", "dossier_sync_d", "petition_on_time_n", "online_service_ratio"):
        assert names[code] in offered and code in picked, code
    assert names["dossier_sync_points"] not in offered
    # a province with only the published scores picks the six groups instead
    assert names["transparency_score"] in offered and "transparency_score" not in picked
    assert any("766" in c.value for c in app.caption)  # the note says the counts give every commune its index
