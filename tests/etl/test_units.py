"""Matching the units written in a spreadsheet to official codes, against the real 2025 unit list.

Real examples from data/admin_units_2025.csv: Vân Bán (08377) and Lâm Thao (08494) are in Phú Thọ (25);
another Xã Lâm Thao (09529) is in Bắc Ninh (24); Thái Nguyên (19) has both Xã Văn Lang (02143) and
Xã Văn Lăng (05665); "Phú Thọ" is a ward in Phú Thọ (07942) and in Hồ Chí Minh (27226) and a commune
in Đồng Tháp (30034); "Tân Tiến" is a ward only in Bắc Ninh (07699) and a commune in seven provinces.
"""

from __future__ import annotations

import unicodedata

import pandas as pd
import pytest

from etl.units import UnitMatch
from store.reference import UNITS_CSV

PHU_THO, BAC_NINH, THAI_NGUYEN = "25", "24", "19"
VAN_BAN, LAM_THAO_PHU_THO, LAM_THAO_BAC_NINH = "08377", "08494", "09529"


def nfd(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    assert decomposed != text  # the test really exercises decomposed input
    return decomposed


# -- by code ---------------------------------------------------------------------------------------

def test_an_official_code_matches_as_written(unit_matcher):
    match = unit_matcher.by_code("08377")
    assert (match.code, match.how) == (VAN_BAN, "code")
    assert match.matched


@pytest.mark.parametrize("raw", [8377, 8377.0, "8377", "8377.0", " 8377 "])
def test_a_code_that_lost_its_leading_zero_is_padded_back(unit_matcher, raw):
    match = unit_matcher.by_code(raw)
    assert (match.code, match.how) == (VAN_BAN, "code_no_zero")


def test_surrounding_spaces_around_a_full_code_are_ignored(unit_matcher):
    assert unit_matcher.by_code(" 08377 ").code == VAN_BAN


def test_the_reference_data_lists_the_cv1027_codes_that_differ_from_official_codes():
    raw = pd.read_csv(UNITS_CSV, dtype=str, keep_default_na=False)
    differing = raw[raw["code_in_cv1027"] != raw["commune_code"]]
    assert dict(zip(differing["code_in_cv1027"], differing["commune_code"])) == {"06970": "06978", "23737": "23938"}


@pytest.mark.parametrize(("raw", "official"), [("06970", "06978"), (6970, "06978"), (6970.0, "06978"),
                                               ("23737", "23938"), (23737, "23938")])
def test_a_code_printed_in_cv1027_is_mapped_to_the_official_code(unit_matcher, raw, official):
    match = unit_matcher.by_code(raw)
    assert (match.code, match.how) == (official, "alias")


@pytest.mark.parametrize("official", ["06978", "23938"])
def test_the_official_code_of_an_aliased_commune_matches_directly(unit_matcher, official):
    match = unit_matcher.by_code(official)
    assert (match.code, match.how) == (official, "code")


def test_an_unknown_code_is_reported_unknown(unit_matcher):
    match = unit_matcher.by_code("99999")
    assert not match.matched
    assert match.how == "unknown"


@pytest.mark.parametrize("raw", ["01", "96"])
def test_a_province_code_in_the_code_column_is_not_a_commune(unit_matcher, raw):
    match = unit_matcher.by_code(raw)
    assert not match.matched
    assert match.how == "not_commune"


@pytest.mark.parametrize("raw", [None, "", "   ", True])
def test_a_blank_code_cell_is_empty(unit_matcher, raw):
    match = unit_matcher.by_code(raw)
    assert not match.matched
    assert match.how == "empty"


@pytest.mark.parametrize("raw", ["abc", "08377a", 8377.5, "8377.5"])
def test_a_code_cell_that_is_not_a_whole_number_matches_nothing(unit_matcher, raw):
    assert not unit_matcher.by_code(raw).matched


# -- by name within the province -------------------------------------------------------------------

@pytest.mark.parametrize("raw", [
    "UBND xã Vân Bán",
    "Xã Vân Bán",
    "xã vân bán",
    "VÂN BÁN",
    "Vân Bán",
    "  Xã   Vân  Bán ",
    "Ủy ban nhân dân xã Vân Bán",
    "UỶ BAN NHÂN DÂN XÃ VÂN BÁN",
    "Thị trấn Vân Bán",
])
def test_a_commune_name_with_or_without_authority_and_type_prefix_matches(unit_matcher, raw):
    match = unit_matcher.by_name(raw, PHU_THO)
    assert (match.code, match.how) == (VAN_BAN, "name")


@pytest.mark.parametrize("raw", ["Van Ban", "van ban", "VAN BAN", "Vân Bàn"])
def test_a_name_without_or_with_wrong_diacritics_matches_through_the_ascii_fold(unit_matcher, raw):
    match = unit_matcher.by_name(raw, PHU_THO)
    assert (match.code, match.how) == (VAN_BAN, "ascii")


@pytest.mark.parametrize("raw", ["UBND xã Vân Bán", "VÂN BÁN", "UBND xã Lâm Thao - Tỉnh Phú Thọ"])
def test_a_name_in_decomposed_unicode_matches_like_its_composed_form(unit_matcher, raw):
    composed = unit_matcher.by_name(raw, PHU_THO)
    decomposed = unit_matcher.by_name(nfd(raw), PHU_THO)
    assert decomposed == composed
    assert decomposed.matched


@pytest.mark.parametrize("raw", [
    "UBND xã Lâm Thao - Tỉnh Phú Thọ",
    "UBND xã Lâm Thao \u2013 Tỉnh Phú Thọ",
    "Xã Lâm Thao, tỉnh Phú Thọ",
    "UBND Xã Lâm Thao (Tỉnh Phú Thọ)",
])
def test_a_province_suffix_decides_the_province_when_the_file_has_none(unit_matcher, raw):
    match = unit_matcher.by_name(raw, None)
    assert match.code == LAM_THAO_PHU_THO


def test_a_province_suffix_wins_over_the_files_province(unit_matcher):
    assert unit_matcher.by_name("UBND xã Lâm Thao - Tỉnh Bắc Ninh", PHU_THO).code == LAM_THAO_BAC_NINH


def test_a_name_in_two_provinces_is_ambiguous_nationally_and_lists_both(unit_matcher):
    match = unit_matcher.by_name("Lâm Thao", None)
    assert not match.matched
    assert match.how == "ambiguous"
    assert set(match.candidates) == {"Xã Lâm Thao (08494, Phú Thọ)", "Xã Lâm Thao (09529, Bắc Ninh)"}


@pytest.mark.parametrize(("province", "code"), [(PHU_THO, LAM_THAO_PHU_THO), (BAC_NINH, LAM_THAO_BAC_NINH)])
def test_a_name_in_two_provinces_resolves_within_the_files_province(unit_matcher, province, code):
    assert unit_matcher.by_name("Lâm Thao", province).code == code


def test_a_very_common_name_lists_at_most_eight_candidates(unit_matcher):
    match = unit_matcher.by_name("Tân An", None)  # a commune or ward in ten provinces
    assert match.how == "ambiguous"
    assert 2 <= len(match.candidates) <= 8
    assert all("Tân An (" in candidate for candidate in match.candidates)


def test_the_type_prefix_separates_a_ward_from_communes_of_the_same_name(unit_matcher):
    assert unit_matcher.by_name("Tân Tiến", None).how == "ambiguous"
    match = unit_matcher.by_name("Phường Tân Tiến", None)
    assert (match.code, match.how) == ("07699", "name")


def test_the_type_prefix_narrows_the_candidates_but_may_leave_an_ambiguity(unit_matcher):
    assert unit_matcher.by_name("Xã Phú Thọ", None).code == "30034"
    wards = unit_matcher.by_name("Phường Phú Thọ", None)
    assert wards.how == "ambiguous"
    assert {candidate.split("(")[1].split(",")[0] for candidate in wards.candidates} == {"07942", "27226"}


@pytest.mark.parametrize(("raw", "expected"), [("Văn Lang", "02143"), ("Văn Lăng", "05665"), ("VĂN LĂNG", "05665"),
                                               ("Xã Văn Lang", "02143")])
def test_exact_diacritics_keep_two_names_that_fold_alike_apart(unit_matcher, raw, expected):
    match = unit_matcher.by_name(raw, THAI_NGUYEN)
    assert (match.code, match.how) == (expected, "name")


def test_a_name_that_folds_to_two_units_without_diacritics_is_ambiguous(unit_matcher):
    match = unit_matcher.by_name("Van Lang", THAI_NGUYEN)
    assert match.how == "ambiguous"
    assert len(match.candidates) == 2


@pytest.mark.parametrize(("raw", "province", "code"), [
    ("Đặc khu Vân Đồn", "22", "06994"),
    ("ĐẶC KHU VÂN ĐỒN", "22", "06994"),
    ("UBND đặc khu Phú Quốc", "91", "31078"),
])
def test_a_special_zone_matches_with_its_dac_khu_prefix(unit_matcher, raw, province, code):
    assert unit_matcher.by_name(raw, province).code == code


@pytest.mark.parametrize(("raw", "province", "code"), [
    ("Tĩnh Túc", "04", "01729"),  # folds to 'tinh ...' like 'Tỉnh X'
    ("Tịnh Khê", "51", "21211"),
    ("Bản Máy", "08", "01024"),  # folds to 'ban ...' like 'Ban chỉ huy ...'
    ("Trường Hà", "04", "01392"),  # folds to 'truong ...' like 'Trường THCS ...'
    ("Xa Dung", "11", "03208"),  # starts with the ASCII spelling of 'xã'
    ("Tổng Cọt", "04", "01414"),
    ("Công Sơn", "20", "06220"),
])
def test_real_communes_whose_names_start_like_other_bodies_still_match(unit_matcher, raw, province, code):
    assert unit_matcher.by_name(raw, province).code == code


def test_an_unknown_name_lists_the_closest_communes_of_the_province(unit_matcher):
    match = unit_matcher.by_name("Van Bann", PHU_THO)
    assert not match.matched
    assert match.how == "unknown"
    assert match.candidates[0] == "Xã Vân Bán (08377, Phú Thọ)"
    assert all(candidate.endswith(", Phú Thọ)") for candidate in match.candidates)


@pytest.mark.parametrize(("raw", "province"), [
    ("Sở Công Thương - Tỉnh Phú Thọ", PHU_THO),
    ("Sở Công Thương - Tỉnh Phú Thọ", None),
    ("UBND tỉnh Phú Thọ", PHU_THO),
    ("Tỉnh Phú Thọ", PHU_THO),
    ("Công an tỉnh Phú Thọ", PHU_THO),
    ("Văn phòng UBND tỉnh", PHU_THO),
    ("Ban Chỉ huy quân sự xã Vân Bán", PHU_THO),
    ("Trung tâm Phục vụ hành chính công tỉnh", PHU_THO),
    ("Hà Nội", "01"),
    ("Thành phố Hà Nội", "01"),
    ("Tuyên Quang", "08"),
    ("UBND TỈNH LÀO CAI", "15"),
])
def test_rows_that_are_clearly_not_communes_are_marked_not_commune(unit_matcher, raw, province):
    match = unit_matcher.by_name(raw, province)
    assert not match.matched
    assert match.how == "not_commune"


def test_a_ward_named_like_its_province_is_the_ward(unit_matcher):
    # 'Phú Thọ' in a Phú Thọ file is Phường Phú Thọ, a real unit, not the province row
    assert unit_matcher.by_name("Phú Thọ", PHU_THO).code == "07942"


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_a_blank_name_cell_is_empty(unit_matcher, raw):
    assert unit_matcher.by_name(raw, PHU_THO).how == "empty"


@pytest.mark.parametrize(("raw", "province", "code"), [
    ("Xa Van Ban", PHU_THO, VAN_BAN),
    ("UBND xa Van Ban", PHU_THO, VAN_BAN),
    ("XA VAN BAN", PHU_THO, VAN_BAN),
    ("Phuong Tan Tien", None, "07699"),
])
def test_an_ascii_type_prefix_is_understood_like_the_accented_one(unit_matcher, raw, province, code):
    assert unit_matcher.by_name(raw, province).code == code


@pytest.mark.parametrize("raw", ["UBND xã Lâm Thao tỉnh Phú Thọ", "Xã Lâm Thao Tỉnh Phú Thọ"])
def test_a_province_suffix_without_punctuation_is_understood(unit_matcher, raw):
    assert unit_matcher.by_name(raw, None).code == LAM_THAO_PHU_THO


@pytest.mark.parametrize(("raw", "province"), [
    ("Bản Luốc", "08"),  # a commune merged away in 2025 (commune_merges_2025.csv), written by its old name
    ("Bản Díu", "08"),
    ("Tĩnh Túcc", "04"),  # a typo of Tĩnh Túc
])
def test_an_unmatched_commune_like_name_is_unknown_not_silently_skipped(unit_matcher, raw, province):
    match = unit_matcher.by_name(raw, province)
    assert match.how == "unknown"
    assert match.candidates


# -- province of a title, describing, guessing -----------------------------------------------------

@pytest.mark.parametrize(("text", "code"), [
    ("UBND TỈNH LÀO CAI", "15"),
    ("BÁO CÁO CỦA THÀNH PHỐ HÀ NỘI", "01"),
    ("TP. Hồ Chí Minh", "79"),
    ("TP Hồ Chí Minh", "79"),
    ("Sở Nội vụ tỉnh Phú Thọ - tháng 9/2026", "25"),
])
def test_province_of_text_reads_a_province_named_with_tinh_or_thanh_pho(unit_matcher, text, code):
    assert unit_matcher.province_of_text(text) == code
    assert unit_matcher.province_of_text(nfd(text)) == code


@pytest.mark.parametrize("text", ["Phú Thọ", "Xã Vân Bán", "BIỂU TỔNG HỢP THÁNG 9/2026", ""])
def test_province_of_text_needs_the_word_tinh_or_thanh_pho(unit_matcher, text):
    assert unit_matcher.province_of_text(text) is None


def test_describe_names_the_unit_its_code_and_its_province(unit_matcher):
    assert unit_matcher.describe(VAN_BAN) == "Xã Vân Bán (08377, Phú Thọ)"


def test_guess_province_takes_the_province_of_most_matched_units(unit_matcher):
    assert unit_matcher.guess_province([VAN_BAN, LAM_THAO_PHU_THO, LAM_THAO_BAC_NINH]) == PHU_THO
    assert unit_matcher.guess_province([]) is None


@pytest.mark.parametrize(("raw", "how"), [("08", "not_commune"), ("25", "not_commune"), ("7", "unknown")])
def test_a_two_digit_code_written_as_text_is_a_province_not_a_commune(unit_matcher, raw, how):
    assert unit_matcher.by_code(raw) == UnitMatch(None, how)
