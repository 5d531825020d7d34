"""The Upload page: each shared sample through the page, steering a review, committing and rolling back.

Files reach the page through AppTest's own `file_uploader(...).set_value((name, bytes, mime))`
(Streamlit 1.67), the same widget a browser fills.
"""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from streamlit.testing.v1 import AppTest

import store
from store.observations import rollback_batch
from tests.pages.conftest import as_shown, open_page, raw_keys

GOOD = {"laocai_2026-09_bao_cao_tthc.xlsx": (60, ["2026-09"]), "sonla_2026-09_chuyen_doi_so.xlsx": (45, ["2026-09"]),
        "hanoi_2026-q3_long.csv": (30, ["2026-07", "2026-08", "2026-09"])}
# the sample README's problem, at its row and column; files without a month in them also say so
BAD = {"rate_over_100.xlsx": ({"no_period", "above_max"}, "above_max", 3, "E"),
       "on_time_exceeds_received.xlsx": ({"no_period", "exceeds"}, "exceeds", 2, "D"),
       "duplicate_unit.xlsx": ({"no_period", "duplicate_unit"}, "duplicate_unit", 3, "B"),
       "unknown_unit.xlsx": ({"no_period", "unit_unknown"}, "unit_unknown", 2, "B"),
       "negative_count.xlsx": ({"no_period", "below_min"}, "below_min", 2, "C"),
       "no_header.xlsx": ({"no_header"}, "no_header", None, None),
       "empty.xlsx": ({"empty_file"}, "empty_file", None, None),
       "not_a_spreadsheet.xlsx": ({"not_a_spreadsheet"}, "not_a_spreadsheet", None, None)}
CODE = {"vi": "Mã lỗi", "en": "Problem code"}
ROW = {"vi": "Dòng", "en": "Row"}
COLUMN = {"vi": "Cột", "en": "Column"}
SEVERITY, ERROR = {"vi": "Mức độ", "en": "Severity"}, {"vi": "Lỗi", "en": "Error"}


def open_upload(db: Path, lang: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return open_page(db, lang, monkeypatch, "upload")


def upload(app: AppTest, *files: tuple[str, bytes]) -> AppTest:
    app.file_uploader(key="upload_files").set_value([(name, data, "application/octet-stream") for name, data in files])
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def sample(samples: Path, name: str) -> tuple[str, bytes]:
    path = samples / name if (samples / name).exists() else samples / "bad" / name
    return path.name, path.read_bytes()


def spreadsheet(name: str, *rows: list) -> tuple[str, bytes]:
    """A one-sheet xlsx made on the spot, as a dropped file: (name, bytes)."""
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return name, out.getvalue()


def key_of(data: bytes) -> str:
    return f"upload_{hashlib.sha256(data).hexdigest()[:12]}"


def commit_button(app: AppTest, data: bytes):
    return app.button(key=f"{key_of(data)}_commit")


def problems(app: AppTest, lang: str):
    return next(d.value for d in app.dataframe if CODE[lang] in d.value.columns)


def current_rows(db: Path) -> list[tuple]:
    with store.connect(db) as con:
        return con.execute("SELECT unit_code, indicator_code, period, value, numerator, denominator, derived, batch_id"
                           " FROM observation WHERE is_current ORDER BY ALL").fetchall()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_empty_page_shows_the_drop_zone_with_its_size_limit(fresh_db, monkeypatch, lang):
    app = open_upload(fresh_db, lang, monkeypatch)

    assert app.title[0].value == {"vi": "Tải lên số liệu", "en": "Upload data"}[lang]
    assert app.file_uploader(key="upload_files").accept_multiple_files
    limit = {"vi": "Tối đa 50 MB mỗi tệp", "en": "Up to 50 MB per file"}[lang]
    assert any(c.value.startswith(limit) for c in app.caption)
    assert raw_keys(app) == []


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(fresh_db, monkeypatch):
    monkeypatch.setenv("XASO_MAX_UPLOAD_MB", "1")
    big = ("Mã xã,Tổng tiếp nhận\n" + "02647,100\n" * 120_000).encode()  # 1.2 MB
    app = upload(open_upload(fresh_db, "en", monkeypatch), ("big_2026-09.csv", big))

    assert any(c.value.startswith("Up to 1 MB per file") for c in app.caption)
    assert set(problems(app, "en")[CODE["en"]]) == {"file_too_large"}
    assert commit_button(app, big).disabled


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("name", sorted(GOOD))
def test_a_good_sample_is_reviewed_and_can_be_committed(samples, fresh_db, monkeypatch, name, lang):
    file = sample(samples, name)
    app = upload(open_upload(fresh_db, lang, monkeypatch), file)

    units, periods = GOOD[name]
    assert not commit_button(app, file[1]).disabled
    ready = {"vi": ("Có thể ghi:", f"của {units} đơn vị", "Tháng {m}/{y}"),
             "en": ("Ready to write:", f"of {units} units", "{m}/{y}")}[lang]
    assert app.success[0].value.startswith(ready[0]) and ready[1] in app.success[0].value
    shown_periods = ", ".join(ready[2].format(m=int(p[5:]), y=p[:4]) for p in periods)
    assert f"{shown_periods}." in app.success[0].value
    assert app.error == [] and len(app.tabs) == 1
    assert raw_keys(app) == []


def test_the_review_shows_the_table_found_and_the_rows_skipped_with_their_reason(samples, fresh_db, monkeypatch):
    app = upload(open_upload(fresh_db, "vi", monkeypatch), sample(samples, "laocai_2026-09_bao_cao_tthc.xlsx"))

    found = next(e for e in app.expander if e.label == "Bảng tìm thấy trong tệp")
    assert found.markdown[0].value == ("**Thang 9**: tiêu đề ở dòng 5, 6; 60 dòng số liệu; dạng bảng ngang (mỗi dòng"
                                       " một đơn vị); kỳ Tháng 9/2026 (theo tiêu đề).")
    skipped = found.dataframe[0].value
    assert skipped.values.tolist() == [["Thang 9", 7, "dòng tiêu đề nhóm", "I Cấp xã"],
                                       ["Thang 9", 68, "dòng tổng cộng", "Tổng cộng"]]
    mapping = next(e for e in app.expander if e.label == "Ghép cột với chỉ tiêu").dataframe[0].value
    on_time = mapping[mapping["Tiêu đề cột"] == "Tiến độ giải quyết / Đúng hạn"].iloc[0]
    assert (on_time["Ghép với"], on_time["Độ tin cậy"]) == ("Hồ sơ giải quyết trước hạn và đúng hạn", 1.0)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_review_tables_show_empty_cells_empty_and_indicators_by_name_never_none_or_a_code(samples, fresh_db,
                                                                                         monkeypatch, lang):
    # a sample whose values carry no counts (empty numerator and denominator), and a file made here with a
    # blank cell, an unknown unit and a rate written as a fraction: problems with and without a value
    made = spreadsheet("gaps.xlsx", ["Mã ĐVHC", "Tên đơn vị", "Tổng số hồ sơ tiếp nhận", "Tỷ lệ hài lòng (%)"],
                       ["08377", "Xã Vân Bán", 120, 0.87], ["99999", "Xã Không Có", None, 91],
                       ["08494", "Xã Lâm Thao", None, None])
    app = upload(open_upload(fresh_db, lang, monkeypatch), sample(samples, "sonla_2026-09_chuyen_doi_so.xlsx"), made)
    with store.connect(fresh_db) as con:
        codes = [row[0] for row in con.execute("SELECT code FROM indicator").fetchall()]
    tables = [frame.value for frame in app.dataframe]
    assert len(tables) >= 6  # mapping, units, values, problems and changes of both files
    for table in tables:
        for column in table.columns:
            if pd.api.types.is_bool_dtype(table[column]):
                continue
            texts = table[column].map(lambda v: "None" if v is None or (isinstance(v, float) and v != v) else str(v))
            assert not texts.isin(["None", "nan", "NaN", "<NA>", "NaT"]).any(), (column, table[column].tolist())
            assert not [text for text in texts for code in codes if f"({code})" in text], column
    named = [text for table in tables for column in table.columns for text in table[column].astype(str)]
    name = {"vi": "Tỷ lệ hài lòng", "en": "Satisfaction rate"}[lang]
    assert name in named  # the indicator is there, by its name in the reader's language


def test_a_unit_matched_without_diacritics_waits_for_confirmation(fresh_db, monkeypatch):
    file = spreadsheet("phutho_2026-09.xlsx",
                       ["Tên đơn vị", "Tổng tiếp nhận", "Đúng hạn"], ["Xa Van Ban", 100, 90], ["Xã Tiên Lương", 10, 9])
    app = upload(open_upload(fresh_db, "en", monkeypatch), file)

    assert any(w.value.startswith("Rows matched approximately (in yellow): 1.") for w in app.warning)
    assert commit_button(app, file[1]).disabled
    app.checkbox(key=f"{key_of(file[1])}_confirm").check().run()
    assert not commit_button(app, file[1]).disabled


def test_several_files_show_their_reading_progress(samples, fresh_db, monkeypatch):
    app = upload(open_upload(fresh_db, "en", monkeypatch), *[sample(samples, name) for name in sorted(GOOD)])

    bar = app.get("progress")[0].proto
    assert (bar.value, bar.text) == (100, "Files read: 3.")


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("name", sorted(BAD))
def test_a_bad_sample_is_blocked_with_its_problems_located(samples, fresh_db, monkeypatch, name, lang):
    file = sample(samples, name)
    app = upload(open_upload(fresh_db, lang, monkeypatch), file)

    codes, main, row, column = BAD[name]
    table = problems(app, lang)
    assert commit_button(app, file[1]).disabled
    errors = table[table[SEVERITY[lang]] == ERROR[lang]]
    assert set(errors[CODE[lang]]) == codes
    located = table[table[CODE[lang]] == main].iloc[0]
    # a column with gaps is shown as text, a gap empty (never "None"): the row as the reader reads it
    assert located[ROW[lang]] == ("" if row is None else str(row))
    assert (located[COLUMN[lang]] or "").startswith(column or "")
    assert app.error[0].value.startswith({"vi": "Chưa thể ghi", "en": "Cannot be written yet"}[lang])
    assert raw_keys(app) == []


def test_several_files_dropped_at_once_get_one_tab_each(samples, fresh_db, monkeypatch):
    files = [sample(samples, name) for name in (*sorted(GOOD), "rate_over_100.xlsx", "empty.xlsx")]
    app = upload(open_upload(fresh_db, "en", monkeypatch), *files)

    assert [as_shown(tab.label) for tab in app.tabs] == [f"🟢 {name}" for name in sorted(GOOD)] + [
        "⛔ rate_over_100.xlsx", "⛔ empty.xlsx"]
    assert [commit_button(app, data).disabled for _name, data in files] == [False, False, False, True, True]

    upload(app, files[3])  # the others taken out of the drop zone: their reviews are let go
    assert [as_shown(tab.label) for tab in app.tabs] == ["⛔ rate_over_100.xlsx"]
    assert len(app.session_state["upload_state"]) == 1


def test_typing_the_period_leaves_only_the_files_own_problem(samples, fresh_db, monkeypatch):
    file = sample(samples, "rate_over_100.xlsx")
    app = upload(open_upload(fresh_db, "en", monkeypatch), file)
    asks_for_month = "The file does not say which month it reports"
    assert any(w.value.startswith(asks_for_month) for w in app.warning)

    app.text_input(key=f"{key_of(file[1])}_period").input("2026-09").run()

    assert set(problems(app, "en")[CODE["en"]]) == {"above_max"}
    assert not any(w.value.startswith(asks_for_month) for w in app.warning)
    assert commit_button(app, file[1]).disabled


def test_a_period_typed_wrong_is_said_and_the_file_stays_blocked(samples, fresh_db, monkeypatch):
    file = sample(samples, "negative_count.xlsx")
    app = upload(open_upload(fresh_db, "en", monkeypatch), file)

    app.text_input(key=f"{key_of(file[1])}_period").input("September").run()

    assert not app.exception
    assert ('"September" is not a month; type it in one of these forms: 12/2026, T12.2026, tháng 12/2026,'
            ' tháng 12 năm 2026, 2026-12.') in [as_shown(e.value) for e in app.error]
    assert set(problems(app, "en")[CODE["en"]]) == {"no_period", "below_min"}
    assert commit_button(app, file[1]).disabled


def test_picking_the_unit_of_an_unknown_row_unblocks_the_file(samples, fresh_db, monkeypatch):
    file = sample(samples, "unknown_unit.xlsx")
    app = upload(open_upload(fresh_db, "en", monkeypatch), file)
    app.text_input(key=f"{key_of(file[1])}_period").input("2026-09").run()

    pick = app.selectbox(key=f"{key_of(file[1])}_unit_Sheet_2.en")
    assert pick.label == 'Sheet · row 2: which unit is "Xã Không Tồn Tại"?'
    closest = pick.options[2]  # after "choose a unit" and "leave this row out": 'Xã … · Tỉnh … (02260 · …)'
    code = re.search(r"\((\d{5}) · ", closest).group(1)
    assert len(pick.options) > 20  # then every unit of the province, for a row with no close candidate
    pick.set_value(code).run()

    assert app.error == []
    assert not commit_button(app, file[1]).disabled


def test_mapping_an_unknown_column_on_the_page_loads_it_and_saves_a_profile(fresh_db, monkeypatch):
    file = spreadsheet("laocai_2026-09.xlsx", ["Mã xã", "Tổng tiếp nhận", "Hồ sơ nhận mới"], ["02647", 100, 40],
                       ["02671", 200, 50])
    app = upload(open_upload(fresh_db, "en", monkeypatch), file)
    assert set(problems(app, "en")[CODE["en"]]) == {"column_needs_confirmation"}

    app.selectbox(key=f"{key_of(file[1])}_map_0_2.en").set_value("dossiers_online").run()

    assert not any(CODE["en"] in d.value.columns for d in app.dataframe)  # no problem left
    assert "Values read: 6" in [e.label for e in app.expander]  # 2 × received, online, and the derived rate
    app.text_input(key=f"{key_of(file[1])}_profile_0").input("Lào Cai form").run()
    app.button(key=f"{key_of(file[1])}_profile_save_0").click().run()
    with store.connect(fresh_db) as con:
        assert con.execute("SELECT name, mapping FROM mapping_profile").fetchall() == [
            ("Lào Cai form", '{"Mã xã": "_unit_code", "Tổng tiếp nhận": "dossiers_received", '
                             '"Hồ sơ nhận mới": "dossiers_online"}')]


def test_the_error_report_downloads_as_xlsx_opening_on_the_problems(samples, fresh_db, monkeypatch, downloads):
    upload(open_upload(fresh_db, "vi", monkeypatch), sample(samples, "on_time_exceeds_received.xlsx"))

    sheet = load_workbook(io.BytesIO(downloads["bao-cao-loi_on_time_exceeds_received.xlsx"]())).active
    assert sheet.title == "Lỗi cần sửa" and sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]][:4] == ["Mức độ", "Tệp", "Sheet", "Dòng"]
    assert [(row[0], row[3]) for row in sheet.iter_rows(min_row=2, values_only=True)] == [("Lỗi", None), ("Lỗi", 2)]


def test_committing_shows_the_batch_and_rankings_then_a_rollback_restores_the_database(samples, demo_db,
                                                                                       monkeypatch):
    before = current_rows(demo_db)
    file = sample(samples, "laocai_2026-09_bao_cao_tthc.xlsx")
    app = upload(open_upload(demo_db, "vi", monkeypatch), file)

    # the demo data already holds September: the file would change values, some far from August's
    assert "giá trị sẽ thay đổi" in " ".join(c.value for c in app.caption)
    jumps = [m.value for m in app.markdown if "so với tháng trước" in m.value]
    assert jumps and all(j.endswith("— xác nhận?") for j in jumps)
    assert commit_button(app, file[1]).disabled  # until the jumps are confirmed
    app.checkbox(key=f"{key_of(file[1])}_confirm").check().run()
    commit_button(app, file[1]).click().run()

    assert not app.exception
    with store.connect(demo_db) as con:
        batch_id, status, periods = con.execute(
            "SELECT batch_id, status, periods FROM batch ORDER BY batch_id DESC LIMIT 1").fetchall()[0]
    assert (status, periods) == ("loaded", ["2026-09"])
    assert any(s.value.startswith(f"Đã ghi lô số {batch_id}:") for s in app.success)
    link = app.get("page_link")[0].proto
    assert (link.label, link.page, link.query_string) == ("Xem xếp hạng kỳ Tháng 9/2026", "rankings",
                                                          "period=2026-09")
    assert current_rows(demo_db) != before

    app.switch_page("pages/rankings.py")
    app.query_params["period"] = "2026-09"
    app.run()
    assert app.selectbox(key="rankings_period.vi").value == "2026-09"

    with store.connect(demo_db) as con, store.transaction(con):
        rollback_batch(con, batch_id, "test")
    assert current_rows(demo_db) == before


# -- every choice fixable in the browser ---------------------------------------------------------------

MAPPING_TITLE = {"vi": "Ghép cột với chỉ tiêu", "en": "Columns matched to indicators"}
UNIT_NAME = {"vi": "Tên đơn vị", "en": "Unit name"}


def communes(db: Path, seed: int, count: int) -> list[tuple[str, str, str]]:
    """(code, full name, province code) of `count` communes of one province drawn at random, each name
    unique in the country (a short file names no province)."""
    import random
    with store.connect(db) as con:
        rows = con.execute("SELECT code, full_name_vi, parent_code FROM unit WHERE parent_code IS NOT NULL"
                           " QUALIFY count(*) OVER (PARTITION BY name_vi) = 1 ORDER BY code").fetchall()
    rng = random.Random(seed)
    province = rng.choice(sorted({row[2] for row in rows}))
    return rng.sample([row for row in rows if row[2] == province], count)


def stored(db: Path, indicator: str) -> dict[str, float]:
    with store.connect(db) as con:
        return dict(con.execute("SELECT unit_code, value FROM observation WHERE is_current AND indicator_code = ?",
                                [indicator]).fetchall())


def commit(app: AppTest, data: bytes) -> AppTest:
    button = commit_button(app, data)
    assert not button.disabled
    button.click().run()
    assert not app.exception, [e.value for e in app.exception]
    return app


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_unit_column_with_an_unknown_header_is_found_by_what_it_holds_and_can_be_chosen_on_the_page(
        fresh_db, monkeypatch, lang):
    units = communes(fresh_db, 5, 3)
    file = spreadsheet("bao_cao_thang_9_2026.xlsx", ["STT", "Đơn vị thực hiện báo cáo", "Tổng tiếp nhận", "Đúng hạn"],
                       *[[i + 1, name, 100 + i, 90] for i, (_code, name, _p) in enumerate(units)])
    app = upload(open_upload(fresh_db, lang, monkeypatch), file)
    picker = app.selectbox(key=f"{key_of(file[1])}_map_0_1.{lang}")
    assert picker.label == "B · Đơn vị thực hiện báo cáo" and picker.value == "_unit_name"  # by its names
    assert app.error == []

    picker.set_value("").run()  # the analyst says it is not the unit column: nothing can be written
    assert set(problems(app, lang)[CODE[lang]]) == {"no_unit_column"}
    fix = problems(app, lang).iloc[0][{"vi": "Cách sửa", "en": "How to fix"}[lang]]
    assert MAPPING_TITLE[lang] in fix  # the fix points at the section where the column is chosen
    mapping = next(e for e in app.expander if e.label == MAPPING_TITLE[lang])
    assert any(w.value.startswith({"vi": "Chưa có cột đơn vị", "en": "No unit column yet"}[lang])
               for w in mapping.warning)
    assert commit_button(app, file[1]).disabled

    picker = app.selectbox(key=f"{key_of(file[1])}_map_0_1.{lang}")
    assert {UNIT_NAME[lang], {"vi": "Mã đơn vị", "en": "Unit code"}[lang]} <= set(picker.options)  # roles, named
    picker.set_value("_unit_name").run()

    assert app.error == [] and raw_keys(app) == []
    commit(app, file[1])
    assert stored(fresh_db, "dossiers_received") == {code: 100 + i for i, (code, _n, _p) in enumerate(units)}


@pytest.mark.parametrize("typed", ["12/2026", "T12.2026", "tháng 12 năm 2026"])
def test_a_period_typed_as_offices_write_it_is_accepted(samples, fresh_db, monkeypatch, typed):
    file = sample(samples, "negative_count.xlsx")
    app = upload(open_upload(fresh_db, "vi", monkeypatch), file)

    app.text_input(key=f"{key_of(file[1])}_period").input(typed).run()

    assert not any("không phải một tháng" in e.value for e in app.error)
    assert set(problems(app, "vi")[CODE["vi"]]) == {"below_min"}  # the month is settled, the file's own error stays
    found = next(e for e in app.expander if e.label == "Bảng tìm thấy trong tệp")
    assert "kỳ Tháng 12/2026" in found.markdown[0].value


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_header_rows_typed_on_the_page_find_a_table_the_loader_could_not(fresh_db, monkeypatch, lang):
    (code, _name, _p), = communes(fresh_db, 9, 1)
    file = spreadsheet("bieu_t9_2026.xlsx", ["Biểu tổng hợp"], ["Cột một", "Cột hai"], [code, 120])
    app = upload(open_upload(fresh_db, lang, monkeypatch), file)
    assert "no_header" in set(problems(app, lang)[CODE[lang]])
    assert {"vi": "Dòng tiêu đề và dòng số liệu", "en": "Header and data rows"}[lang] in [e.label for e in app.expander]

    app.text_input(key=f"{key_of(file[1])}_rows_0_header").input("2").run()
    app.selectbox(key=f"{key_of(file[1])}_map_0_0.{lang}").set_value("_unit_code").run()
    app.selectbox(key=f"{key_of(file[1])}_map_0_1.{lang}").set_value("dossiers_received").run()

    assert raw_keys(app) == []
    commit(app, file[1])
    assert stored(fresh_db, "dossiers_received") == {code: 120}


def test_a_header_confirmed_in_one_file_is_recognised_in_the_next_with_no_profile(fresh_db, monkeypatch):
    units = communes(fresh_db, 13, 4)
    header = ["STT", "Cơ quan báo cáo", "Mục kê khai số 7", "Đúng hạn"]  # words nobody has placed yet
    first = spreadsheet("xa_thang_9_2026.xlsx", header, *[[i + 1, n, 100 + i, 90] for i, (_c, n, _p) in
                                                          enumerate(units[:2])])
    app = upload(open_upload(fresh_db, "vi", monkeypatch), first)
    assert set(problems(app, "vi")[CODE["vi"]]) == {"unplaced_column"}  # numbers are never left out unasked
    app.selectbox(key=f"{key_of(first[1])}_map_0_2.vi").set_value("dossiers_received").run()
    commit(app, first[1])
    assert "Đã ghi nhớ cho lần sau: 1 tiêu đề cột, 0 đơn vị." in [c.value for c in app.caption]

    second = spreadsheet("tong_hop_khac_thang_10_2026.xlsx", header,
                         *[[i + 1, n, 300 + i, 200] for i, (_c, n, _p) in enumerate(units[2:])])
    again = upload(open_upload(fresh_db, "en", monkeypatch), second)
    assert not any(CODE["en"] in d.value.columns for d in again.dataframe), problems(again, "en")[[CODE["en"], "Value", "Problem"]].to_dict("records")
    mapping = next(e for e in again.expander if e.label == MAPPING_TITLE["en"]).dataframe[0].value
    assert mapping.set_index("Column heading").loc["Mục kê khai số 7", "Matched"] == "exact name"
    commit(again, second[1])
    assert stored(fresh_db, "dossiers_received")[units[3][0]] == 301
    with store.connect(fresh_db) as con:
        assert con.execute("SELECT actor, action FROM audit WHERE action = 'learn_header'").fetchall() == [
            ("tester-admin", "learn_header")]  # the signed-in account


def test_a_unit_picked_once_is_remembered_for_the_next_file_of_that_province(fresh_db, monkeypatch):
    units = communes(fresh_db, 17, 4)
    target, full_name, _province = units[0]
    # initials, as a province's own forms write them ("P.HB" for Phường Hòa Bình): nothing matches them
    kind, rest = full_name.split(" ", 1)
    written = kind[0] + "." + "".join(word[0] for word in rest.split())
    header = ["Tên đơn vị", "Tổng tiếp nhận", "Đúng hạn"]
    first = spreadsheet("t9_2026.xlsx", header, [written, 50, 40], *[[n, 10, 9] for _c, n, _p in units[1:]])
    app = upload(open_upload(fresh_db, "vi", monkeypatch), first)
    app.selectbox(key=f"{key_of(first[1])}_unit_Sheet_2.vi").set_value(target).run()
    commit(app, first[1])
    assert "Đã ghi nhớ cho lần sau: 0 tiêu đề cột, 1 đơn vị." in [c.value for c in app.caption]

    second = spreadsheet("t10_2026.xlsx", header, *[[n, 20, 19] for _c, n, _p in units[1:]], [written, 60, 55])
    again = upload(open_upload(fresh_db, "en", monkeypatch), second)
    assert not any(CODE["en"] in d.value.columns for d in again.dataframe)
    assert any(i.value.startswith("1 rows matched as picked for an earlier file") for i in again.info)
    shown = next(e for e in again.expander if e.label.startswith("Units:")).dataframe[0].value
    assert shown.iloc[-1].tolist()[-1] == "as picked before for this province"
    assert again.selectbox(key=f"{key_of(second[1])}_unit_Sheet_5.en").value == target  # still changeable
    commit(again, second[1])
    assert stored(fresh_db, "dossiers_received")[target] == 60


def test_a_long_review_gives_each_table_a_bounded_number_of_rows_and_says_how_many(fresh_db, monkeypatch):
    """A file of many bad rows: the problems and units tables get TABLE_ROWS_SHOWN rows each, a caption
    says how many there are and that the full list is in the error report."""
    import random

    import config
    from store.reference import read_units
    monkeypatch.setattr(config, "TABLE_ROWS_SHOWN", shown := random.randint(3, 8))
    codes = random.sample(sorted(read_units().query("parent_code.notna()")["code"]), random.randint(20, 40))
    lines = ["Mã xã,Tổng số hồ sơ tiếp nhận,Số hồ sơ đúng hạn"] + \
        [f"{code},{100 + i},{200 + i}" for i, code in enumerate(codes)]  # on time over received: an error a row
    app = upload(open_upload(fresh_db, "en", monkeypatch), ("bao_cao_thang_09_2026.csv", "\n".join(lines).encode()))
    table = problems(app, "en")
    assert len(table) == shown
    captions = [c.value for c in app.caption]
    assert any(f"first {shown} of {len(codes)} problems" in c and "error report" in c for c in captions), captions
    assert any(f"first {shown} of {len(codes)} unit rows" in c for c in captions), captions


def test_leaving_the_upload_page_lets_go_of_its_reviews(samples, fresh_db, monkeypatch):
    from ui.upload import STATE_KEY
    app = upload(open_upload(fresh_db, "vi", monkeypatch), sample(samples, "laocai_2026-09_bao_cao_tthc.xlsx"))
    assert app.session_state[STATE_KEY]
    app.switch_page("pages/overview.py").run()
    assert not app.exception
    assert STATE_KEY not in app.session_state
