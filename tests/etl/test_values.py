"""parse_number: numbers as people write them in Vietnamese spreadsheets."""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta

import pytest

from etl.values import parse_number


# -- thousands and decimal marks -------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    ("19.630", 19630.0),
    ("1.000.000", 1_000_000.0),
    ("12.345.678", 12_345_678.0),
    ("12,345,678", 12_345_678.0),  # several comma groups cannot be a decimal
])
def test_dot_or_repeated_comma_between_groups_of_three_is_a_thousands_separator(raw, expected):
    parsed = parse_number(raw)
    assert parsed.value == expected
    assert parsed.decimals == 0
    assert not parsed.missing and not parsed.unreadable


@pytest.mark.parametrize(("raw", "expected", "decimals"), [
    ("96,55", 96.55, 2),
    ("2,5", 2.5, 1),
    ("0,965", 0.965, 3),
    ("100,0", 100.0, 1),
])
def test_comma_is_the_decimal_mark(raw, expected, decimals):
    parsed = parse_number(raw)
    assert parsed.value == pytest.approx(expected)
    assert parsed.decimals == decimals
    assert not parsed.percent_sign


def test_a_single_comma_group_of_three_is_a_decimal_by_default():
    assert parse_number("1,234").value == pytest.approx(1.234)


@pytest.mark.parametrize("raw", ["1,234", "1.234"])
def test_whole_counts_reads_a_single_group_of_three_as_thousands(raw):
    parsed = parse_number(raw, whole_counts=True)
    assert parsed.value == 1234.0
    assert parsed.decimals == 0


def test_whole_counts_still_reads_a_genuine_decimal():
    assert parse_number("1,5", whole_counts=True).value == pytest.approx(1.5)


@pytest.mark.parametrize(("raw", "expected"), [("0.965", 0.965), ("0,965", 0.965)])
def test_a_group_of_three_after_a_leading_zero_is_a_decimal_not_thousands(raw, expected):
    assert parse_number(raw).value == pytest.approx(expected)


@pytest.mark.parametrize(("raw", "expected", "decimals"), [
    ("1.234,5", 1234.5, 1),
    ("1.234,50", 1234.5, 2),
    ("1.234.567,89", 1234567.89, 2),
    ("1,234.5", 1234.5, 1),
])
def test_when_both_marks_appear_the_last_one_is_the_decimal_mark(raw, expected, decimals):
    parsed = parse_number(raw)
    assert parsed.value == pytest.approx(expected)
    assert parsed.decimals == decimals


@pytest.mark.parametrize(("raw", "expected"), [
    ("1 234", 1234.0),
    ("1\u00a0234", 1234.0),  # no-break space, as Excel's number formats write it
    ("  7\t", 7.0),
])
def test_spaces_inside_and_around_a_number_are_ignored(raw, expected):
    assert parse_number(raw).value == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("-5", -5.0),
    ("\u22125", -5.0),  # U+2212 MINUS SIGN
    ("-19.630", -19630.0),
    ("+7", 7.0),
])
def test_signs_areparse_number(raw, expected):
    assert parse_number(raw).value == expected


# -- percentages and fractions ---------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected", "decimals"), [
    ("96,55%", 96.55, 2),
    ("96,55 %", 96.55, 2),
    ("100%", 100.0, 0),
    ("0,5%", 0.5, 1),
    ("-5%", -5.0, 0),
])
def test_a_percent_sign_is_reported_and_the_number_kept_on_its_written_scale(raw, expected, decimals):
    parsed = parse_number(raw)
    assert parsed.value == pytest.approx(expected)
    assert parsed.percent_sign
    assert parsed.decimals == decimals


def test_a_number_without_percent_sign_is_not_flagged_as_percent():
    assert not parse_number("96,55").percent_sign


@pytest.mark.parametrize("raw", [0.9655, "0,9655", "0.9655"])
def test_a_fraction_stays_a_fraction_because_the_scale_is_decided_per_column(raw):
    parsed = parse_number(raw)
    assert parsed.value == pytest.approx(0.9655)
    assert not parsed.percent_sign


# -- missing values: never zero --------------------------------------------------------------------

@pytest.mark.parametrize("raw", [None, "", "   ", "-", "\u2013", "\u2014", "x", "X", "n/a", "N/A", "...", "\u2026",
                                 "k", "K"])
def test_blank_and_not_reported_marks_are_missing_never_zero(raw):
    parsed = parse_number(raw)
    assert parsed.missing
    assert parsed.value is None
    assert not parsed.unreadable


@pytest.mark.parametrize("raw", ["0", 0, 0.0, "0,0"])
def test_zero_is_a_value_not_missing(raw):
    parsed = parse_number(raw)
    assert parsed.value == 0.0
    assert not parsed.missing


def test_khong_co_meaning_none_is_missing():
    parsed = parse_number("không có")
    assert parsed.missing
    assert not parsed.unreadable


@pytest.mark.parametrize("raw", ["%", " % "])
def test_a_lone_percent_sign_is_read_without_crashing(raw):
    parsed = parse_number(raw)
    assert parsed.value is None
    assert parsed.missing or parsed.unreadable


# -- unreadable ------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["abc", "12.5.6", "1e3", "1.234,5.6", "5%%", "\u2212", "+", "mười"])
def test_text_that_is_not_a_number_is_unreadable_not_missing(raw):
    parsed = parse_number(raw)
    assert parsed.unreadable
    assert parsed.value is None
    assert not parsed.missing


@pytest.mark.parametrize("raw", [True, False])
def test_a_boolean_cell_is_unreadable(raw):
    parsed = parse_number(raw)
    assert parsed.unreadable and parsed.value is None and not parsed.missing


@pytest.mark.parametrize("raw", [math.nan, math.inf, -math.inf])
def test_nan_and_infinity_are_unreadable(raw):
    parsed = parse_number(raw)
    assert parsed.unreadable and parsed.value is None


@pytest.mark.parametrize("raw", [date(2026, 9, 1), datetime(2026, 9, 1, 8, 30), time(8, 30), timedelta(days=2)])
def test_a_date_or_time_in_a_number_column_is_unreadable(raw):
    parsed = parse_number(raw)
    assert parsed.unreadable and parsed.value is None


# -- numbers the spreadsheet already stored as numbers ---------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [(19630, 19630.0), (96.55, 96.55), (-3, -3.0)])
def test_native_numbers_are_taken_as_they_are(raw, expected):
    parsed = parse_number(raw)
    assert parsed.value == expected
    assert isinstance(parsed.value, float)
    assert not parsed.missing and not parsed.unreadable and not parsed.percent_sign
