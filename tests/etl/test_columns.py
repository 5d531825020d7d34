"""Mapping column labels to catalog indicators and roles, with the real synonyms and catalog."""

from __future__ import annotations

import pytest

from etl import columns
from etl.columns import AUTO_ACCEPT, ColumnMapping, column_letter, label_key, map_columns, map_label, synonym_index
from store.reference import read_catalog

# -- labels ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("label", "key"), [
    ("Tỷ lệ đúng hạn (%)", "ty le dung han"),
    ("TỶ LỆ  ĐÚNG HẠN", "ty le dung han"),
    ("Tiến độ giải quyết / Đúng hạn", "tien do giai quyet / dung han"),
    ("Đơn vị", "don vi"),
    (None, ""),
])
def test_label_key_folds_case_diacritics_percent_and_brackets(label, key):
    assert label_key(label) == key


@pytest.mark.parametrize(("index", "letter"), [(0, "A"), (1, "B"), (25, "Z"), (26, "AA"), (27, "AB"), (51, "AZ"),
                                               (52, "BA"), (701, "ZZ"), (702, "AAA"), (16383, "XFD")])
def test_column_letter_is_the_spreadsheet_column_name(index, letter):
    assert column_letter(index) == letter


# -- the synonym index -----------------------------------------------------------------------------

def test_every_catalog_code_and_name_is_a_known_label(synonyms):
    catalog = read_catalog()
    for row in catalog.itertuples():
        assert synonyms[label_key(row.code)] == row.code
        assert label_key(row.name_en) in synonyms


def test_an_indicator_without_synonyms_is_still_found_by_its_catalog_name(synonyms):
    label = "Người tham gia Bình dân học vụ số trên 1.000 dân"
    assert map_label(label, synonyms) == ("trainees_per_1000", 1.0, "exact")


def test_a_line_added_to_the_synonyms_file_teaches_a_new_label_without_code(tmp_path, monkeypatch):
    synonyms_csv = tmp_path / "column_synonyms.csv"
    synonyms_csv.write_text("target,synonym\nx_test_indicator,Cột chưa từng thấy\n", encoding="utf-8")
    monkeypatch.setattr(columns, "SYNONYMS_CSV", synonyms_csv)
    index = synonym_index((("x_test_indicator", "Chỉ tiêu thử", "Test indicator"),))
    try:
        assert map_label("CỘT CHƯA TỪNG THẤY", index) == ("x_test_indicator", 1.0, "exact")
    finally:
        synonym_index.cache_clear()


# -- one label -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("label", "target"), [
    ("STT", "_seq"),
    ("Mã xã", "_unit_code"),
    ("Mã ĐVHC", "_unit_code"),
    ("Tên đơn vị", "_unit_name"),
    ("Tên xã/phường", "_unit_name"),
    ("Kỳ báo cáo", "_period"),
    ("Chỉ tiêu", "_indicator"),
    ("Giá trị", "_value"),
    ("Ghi chú", "_note"),
    ("Tỷ lệ đúng hạn (%)", "on_time_rate"),
    ("TỶ LỆ ĐÚNG HẠN (%)", "on_time_rate"),
    ("Ty le dung han", "on_time_rate"),
    ("Tiến độ giải quyết / Đúng hạn", "dossiers_on_time"),
    ("Tiến độ giải quyết / Tỷ lệ (%)", "on_time_rate"),
    ("Hồ sơ trực tuyến / Tỷ lệ (%)", "online_filing_rate"),
    ("Văn bản điện tử / Tỷ lệ (%)", "esign_rate"),
    ("Tổng tiếp nhận", "dossiers_received"),
    ("on_time_rate", "on_time_rate"),
    ("Dossiers received", "dossiers_received"),
])
def test_a_known_label_maps_exactly_with_full_confidence(synonyms, label, target):
    assert map_label(label, synonyms) == (target, 1.0, "exact")


def test_an_unknown_parent_with_a_known_child_maps_by_the_child(synonyms):
    assert map_label("Nhóm chỉ tiêu mới / Đúng hạn", synonyms) == ("dossiers_on_time", 0.9, "child")


def test_a_small_misspelling_maps_fuzzily_and_is_accepted(synonyms):
    target, confidence, how = map_label("Tỷ lệ đúng hạnn", synonyms)
    assert (target, how) == ("on_time_rate", "fuzzy")
    assert AUTO_ACCEPT <= confidence < 1.0


def test_a_loose_resemblance_is_only_a_suggestion_below_auto_accept(synonyms):
    target, confidence, how = map_label("Số hồ sơ tiếp nhận trong kỳ", synonyms)
    assert (target, how) == ("dossiers_received", "fuzzy")
    assert confidence < AUTO_ACCEPT
    [mapping] = map_columns(["Số hồ sơ tiếp nhận trong kỳ"], synonyms)
    assert not mapping.accepted


@pytest.mark.parametrize("label", ["Tỷ lệ (%)", "Tỷ lệ", "xyz", "Đơn vị tính", "Số lượng"])
def test_a_label_that_names_no_indicator_maps_to_nothing(synonyms, label):
    assert map_label(label, synonyms) == (None, 0.0, "none")


@pytest.mark.parametrize("label", ["", "   ", "(%)"])
def test_an_empty_label_maps_to_nothing(synonyms, label):
    assert map_label(label, synonyms) == (None, 0.0, "none")


@pytest.mark.parametrize(("label", "wrong_target"), [
    ("Thanh toán trực tuyến / Tỷ lệ (%)", "payment_online"),  # a rate loaded as a count of payments
    ("Thanh toán trực tuyến / Số hồ sơ", "dossiers_online"),  # online payments loaded as online filings
    ("Trực tuyến toàn trình / Tỷ lệ (%)", "dossiers_full_online"),  # a rate loaded as a count
    ("Tiến độ giải quyết / Trước hạn", "dossiers_overdue"),  # 'before deadline' loaded as 'overdue'
])
def test_a_fuzzy_match_never_auto_loads_a_column_into_an_indicator_of_another_measure(synonyms, label, wrong_target):
    [mapping] = map_columns([label], synonyms)
    assert not (mapping.accepted and mapping.target == wrong_target)


# -- a whole header --------------------------------------------------------------------------------

def test_map_columns_gives_every_column_its_letter_from_the_offset(synonyms):
    mappings = map_columns(["STT", "Tên đơn vị", "Đúng hạn"], synonyms, offset=2)
    assert [(m.index, m.letter, m.target) for m in mappings] == [
        (0, "C", "_seq"), (1, "D", "_unit_name"), (2, "E", "dossiers_on_time")]
    assert mappings[2].describe() == "E · Đúng hạn"


def test_a_column_without_label_is_described_by_its_letter_alone(synonyms):
    [mapping] = map_columns([""], synonyms)
    assert mapping == ColumnMapping(0, "A", "", None, 0.0, "none")
    assert mapping.describe() == "A"
    assert not mapping.accepted


def test_when_two_columns_claim_one_indicator_the_more_confident_keeps_it(synonyms):
    mappings = map_columns(["Nhóm lạ / Đúng hạn", "Hồ sơ đúng hạn"], synonyms)  # child 0.9, exact 1.0
    child, exact = mappings
    assert exact.accepted and exact.target == "dossiers_on_time"
    assert child.how == "duplicate" and not child.accepted


def test_when_two_columns_claim_one_indicator_equally_the_first_keeps_it(synonyms):
    first, second = map_columns(["Đúng hạn", "Hồ sơ đúng hạn"], synonyms)
    assert first.accepted and first.how == "exact"
    assert second.how == "duplicate" and second.confidence == 0.0 and not second.accepted


def test_a_suggestion_below_auto_accept_does_not_take_an_indicator_from_an_accepted_column(synonyms):
    accepted, suggestion = map_columns(["Tổng tiếp nhận", "Số hồ sơ tiếp nhận trong kỳ"], synonyms)
    assert accepted.accepted and accepted.target == "dossiers_received"
    assert suggestion.how == "fuzzy" and not suggestion.accepted


def test_a_saved_profile_wins_over_guessing(synonyms):
    saved = {"Cột lạ": "on_time_rate", "Đúng hạn": "dossiers_overdue"}
    mappings = map_columns(["STT", "Cột lạ", "Đúng hạn"], synonyms, saved=saved)
    assert [(m.target, m.confidence, m.how) for m in mappings] == [
        ("_seq", 1.0, "exact"), ("on_time_rate", 1.0, "profile"), ("dossiers_overdue", 1.0, "profile")]
    assert all(m.accepted for m in mappings)


def test_a_saved_profile_can_leave_a_column_deliberately_unmapped(synonyms):
    [mapping] = map_columns(["Đúng hạn"], synonyms, saved={"Đúng hạn": ""})
    assert (mapping.target, mapping.confidence, mapping.how) == (None, 0.0, "profile")
    assert not mapping.accepted
