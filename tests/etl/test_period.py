"""Finding the reporting period in titles, sheet names, file names and period cells."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime

import pandas as pd
import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from etl.period import USER_MONTH_EXAMPLES, Period, find_in_text, parse_month, parse_user_month, period_of_cell

# -- months named in words -------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "year", "month"), [
    ("THÁNG 8/2026", 2026, 8),
    ("tháng 08 năm 2026", 2026, 8),
    ("BIỂU TỔNG HỢP SỐ LIỆU CHUYỂN ĐỔI SỐ THÁNG 09 NĂM 2026", 2026, 9),
    ("Báo cáo tháng 10/2026", 2026, 10),
    ("Kết quả tháng 12.2026", 2026, 12),
    ("tháng 9 / 2026", 2026, 9),
    ("Thang9-2026", 2026, 9),
    ("T9/2026", 2026, 9),
    ("t08-2026", 2026, 8),
    ("T12 2026", 2026, 12),
])
def test_a_month_written_in_words_is_found_without_loose_matching(text, year, month):
    assert find_in_text(text) == Period(year, month)


@pytest.mark.parametrize("text", ["Hà Nội, ngày 05 tháng 9 năm 2026", "Ngày 15 tháng 10 năm 2026"])
def test_the_date_a_report_was_signed_is_not_its_period(text):
    assert find_in_text(text) is None


def test_a_title_after_the_date_words_still_names_the_period():
    assert find_in_text("ngày 05 tháng 9 năm 2026 — BÁO CÁO THÁNG 8/2026") == Period(2026, 8)


def test_a_title_in_decomposed_unicode_is_read_like_its_composed_form():
    text = unicodedata.normalize("NFD", "BÁO CÁO THÁNG 8 NĂM 2026")
    assert text != unicodedata.normalize("NFC", text)
    assert find_in_text(text) == Period(2026, 8)


def test_a_month_period_prints_as_year_dash_month():
    period = find_in_text("THÁNG 8/2026")
    assert period.is_month
    assert str(period) == "2026-08"


@pytest.mark.parametrize("text", ["tháng 13/2026", "tháng 0/2026", "tháng 8/1999", "tháng 8/2101"])
def test_an_impossible_month_or_year_is_not_a_period(text):
    assert find_in_text(text) is None
    assert find_in_text(text, loose=True) is None


@pytest.mark.parametrize("text", [None, "", "Sheet1", "Tháng 9", "6 tháng đầu năm 2026", "UBND PHƯỜNG THĂNG LONG",
                                  "Kèm theo Quyết định số 766/QĐ-TTg"])
def test_text_without_a_period_gives_none(text):
    assert find_in_text(text) is None
    assert find_in_text(text, loose=True) is None


@pytest.mark.parametrize("text", ["Công văn 1027/CTK-CSCL ngày 15/8/2025", "Hà Nội, ngày 05/10/2026",
                                  "giai đoạn 2021-2025"])
def test_full_dates_document_numbers_and_year_ranges_are_not_taken_for_a_month(text):
    assert find_in_text(text, loose=True) is None


# -- quarters --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "quarter"), [
    ("Quý III/2026", 3),
    ("BÁO CÁO QUÝ IV NĂM 2026", 4),
    ("QUÝ I/2026", 1),
    ("Quý 2/2026", 2),
    ("quý 4-2026", 4),
    ("Q3/2026", 3),
    ("hanoi_2026-q3_long.csv", 3),
])
def test_a_quarter_is_found_as_a_quarter_not_a_month(text, quarter):
    period = find_in_text(text)
    assert period == Period(2026, quarter=quarter)
    assert not period.is_month
    assert period.month is None


def test_a_quarter_period_prints_as_year_dash_q():
    assert str(find_in_text("Quý III/2026")) == "2026-Q3"


# -- loose: file names, sheet names ----------------------------------------------------------------

@pytest.mark.parametrize(("text", "year", "month"), [
    ("9/2026", 2026, 9),
    ("09/2026", 2026, 9),
    ("2026-09", 2026, 9),
    ("laocai_2026-09_x.xlsx", 2026, 9),
    ("bao_cao_2026_9.xlsx", 2026, 9),
    ("2026-09-15", 2026, 9),
])
def test_bare_numeric_months_are_accepted_only_when_loose(text, year, month):
    assert find_in_text(text) is None
    assert find_in_text(text, loose=True) == Period(year, month)


def test_a_month_in_words_in_a_file_name_is_found_even_without_loose():
    assert find_in_text("bao_cao_T9_2026.xlsx") == Period(2026, 9)


def test_a_sheet_named_after_the_month_gives_the_month():
    assert find_in_text("Tháng 9-2026", loose=True) == Period(2026, 9)


# -- period cells ----------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [date(2026, 7, 15), datetime(2026, 7, 1), pd.Timestamp("2026-07-31")])
def test_a_date_cell_gives_its_month(value):
    assert period_of_cell(value) == Period(2026, 7)


@pytest.mark.parametrize("value", ["2026-07", "07/2026", "7/2026", "Tháng 7/2026", "T7/2026"])
def test_a_text_period_cell_gives_its_month(value):
    assert period_of_cell(value) == Period(2026, 7)


@pytest.mark.parametrize("value", [None, "", "x", "Quý", "2026"])
def test_a_period_cell_without_a_month_gives_none(value):
    assert period_of_cell(value) is None


def test_a_quarter_in_a_period_cell_is_returned_as_a_quarter():
    period = period_of_cell("Quý III/2026")
    assert period == Period(2026, quarter=3)
    assert not period.is_month


# -- the --period option ---------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [("2026-09", Period(2026, 9)), (" 2026-01 ", Period(2026, 1))])
def test_parse_month_reads_an_explicit_year_month(text, expected):
    assert parse_month(text) == expected


@pytest.mark.parametrize("text", ["2026-9", "2026-13", "2026-00", "1999-01", "09/2026", "2026-Q3", "", "tháng 9"])
def test_parse_month_refuses_anything_but_a_valid_yyyy_mm(text):
    with pytest.raises(ValueError):
        parse_month(text)


# -- a month as a person types it (the upload page's box, the command line's --period) -------------

@pytest.mark.parametrize("text", ["12/2026", "T12.2026", "T12/2026", "tháng 12/2026", "tháng 12 năm 2026",
                                  "Tháng 12 - 2026", "2026-12", "12-2026", "12.2026"])
def test_parse_user_month_reads_every_form_offices_write(text):
    assert parse_user_month(text) == Period(2026, 12)


def _case(text: str, pattern: list[bool]) -> str:
    return "".join(ch.upper() if upper else ch for ch, upper in zip(text, pattern + [False] * len(text)))


@st.composite
def typed_months(draw: st.DrawFn) -> tuple[str, Period]:
    """A month spelled the ways people type it: word or letter before, zero or not, any separator,
    any case, diacritics kept, dropped or decomposed (NFD), spaces around."""
    year, month = draw(st.integers(2000, 2100)), draw(st.integers(1, 12))
    mm = draw(st.sampled_from([str(month), f"{month:02d}"]))
    if draw(st.booleans()):  # the year first
        text = f"{year}{draw(st.sampled_from(['-', '/', '.', ' - ', '_']))}{mm}"
    else:
        lead = draw(st.sampled_from(["", "T", "t", "T ", "Th.", "tháng ", "Tháng ", "THÁNG ", "thang ", "Month "]))
        sep = draw(st.sampled_from(["/", ".", "-", " - ", " / ", " năm ", " NĂM ", " nam ", " "]))
        text = f"{lead}{mm}{sep}{year}"
    text = _case(text, draw(st.lists(st.booleans(), max_size=len(text))))
    text = draw(st.sampled_from([text, unicodedata.normalize("NFD", text)]))
    spaces = draw(st.sampled_from(["", " ", "  "]))
    return f"{spaces}{text}{spaces}", Period(year, month)


@settings(max_examples=300, deadline=None)
@given(typed_months())
def test_parse_user_month_reads_generated_spellings(case):
    text, expected = case
    assert parse_user_month(text) == expected


@pytest.mark.parametrize("text", ["13/2026", "0/2026", "2026-13", "12/1999", "September", "tháng 12", "2026",
                                  "12/26", "122026", "2026-Q4", "Quý IV/2026", "", "12/2026/1", "T12.2026 x"])
def test_parse_user_month_refuses_what_is_not_one_month(text):
    with pytest.raises(ValueError):
        parse_user_month(text)


def test_the_accepted_forms_named_in_messages_are_all_accepted():
    for form in USER_MONTH_EXAMPLES.split(", "):
        assert parse_user_month(form) == Period(2026, 12)
