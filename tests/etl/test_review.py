"""A review a person steers on the upload page: mapping, unit picks, period, comparison, error report."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

import store
from etl.load import commit_review, review_file
from etl.review import (IGNORE, Steering, compare_with_stored, error_report_xlsx, mapping_table, problem_table,
                        review_upload, save_profile, unit_table)
from i18n import translate


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def review(db: Path, name: str, data: bytes, steering: Steering = Steering()):
    with store.connect(db) as con:
        return review_upload(con, name, data, steering)


def values(result) -> dict[tuple[str, str], float]:
    frame = result.observations.astype({"unit_code": str, "indicator_code": str})
    return {(u, i): v for u, i, v in zip(frame["unit_code"], frame["indicator_code"], frame["value"])}


UNNAMED = xlsx([["Mã xã", "Tổng tiếp nhận", "Hồ sơ nhận mới", "Đúng hạn"],
                ["02647", 100, 40, 90],
                ["02671", 200, 50, 150]])


def test_a_column_the_loader_does_not_know_loads_once_a_person_maps_it(fresh_db):
    before = review(fresh_db, "laocai_2026-09.xlsx", UNNAMED)
    # numbers under a header about dossiers that matches no free indicator: asked, never silently left out
    assert [(p.code, p.column) for p in before.errors] == [("column_needs_confirmation", "C · Hồ sơ nhận mới")]
    assert before.blocked and ("02647", "dossiers_online") not in values(before)

    steered = Steering().with_mapping("Hồ sơ nhận mới", "dossiers_online")
    after = review(fresh_db, "laocai_2026-09.xlsx", UNNAMED, steered)

    assert after.warnings == [] and not after.blocked
    assert values(after)[("02647", "dossiers_online")] == 40
    assert values(after)[("02671", "online_filing_rate")] == pytest.approx(100 * 50 / 200)  # derived as usual
    mapped = mapping_table(after).set_index("label")
    assert (mapped.loc["Hồ sơ nhận mới", "target"], mapped.loc["Hồ sơ nhận mới", "how"]) == ("dossiers_online",
                                                                                          "chosen")
    assert mapped.loc["Tổng tiếp nhận", "how"] == "exact" and mapped.loc["Tổng tiếp nhận", "confidence"] == 1.0


def test_ignoring_a_column_leaves_its_values_out(fresh_db):
    steered = Steering().with_mapping("Đúng hạn", IGNORE)

    result = review(fresh_db, "laocai_2026-09.xlsx", UNNAMED, steered)

    assert {indicator for _unit, indicator in values(result)} == {"dossiers_received"}
    assert Steering().with_mapping("Đúng hạn", IGNORE).with_mapping("Đúng hạn", None) == Steering()


def test_a_saved_profile_reads_the_same_layout_the_same_way_next_time(fresh_db):
    steered = review(fresh_db, "laocai_2026-09.xlsx", UNNAMED,
                     Steering().with_mapping("Hồ sơ nhận mới", "dossiers_online"))
    with store.connect(fresh_db) as con:
        save_profile(con, steered.sheets[0], "  Mẫu Lào Cai ", "analyst")

    again = review(fresh_db, "laocai_2026-10.xlsx", UNNAMED)

    assert values(again)[("02647", "dossiers_online")] == 40
    assert set(mapping_table(again)["how"]) == {"profile"}
    with store.connect(fresh_db) as con:
        assert con.execute("SELECT name, created_by FROM mapping_profile").fetchall() == [("Mẫu Lào Cai", "analyst")]


def test_an_unknown_unit_offers_the_closest_units_and_loads_once_one_is_picked(samples, fresh_db):
    data = (samples / "bad" / "unknown_unit.xlsx").read_bytes()
    blocked = review(fresh_db, "unknown_unit.xlsx", data, Steering(period="2026-09"))
    assert [(p.code, p.row) for p in blocked.errors] == [("unit_unknown", 2)]
    with store.connect(fresh_db) as con:
        rows = unit_table(con, blocked)
    unmatched = rows[rows["unit_code"].isna()].iloc[0]
    assert (unmatched["sheet"], unmatched["row"], unmatched["written_name"]) == ("Sheet", 2, "Xã Không Tồn Tại")
    assert len(unmatched["candidates"]) >= 1
    picked_code = unmatched["candidates"][0]

    picked = review(fresh_db, "unknown_unit.xlsx", data,
                    Steering(period="2026-09").with_unit("Sheet", 2, picked_code))

    assert not picked.blocked
    assert picked_code in set(picked.observations["unit_code"].astype(str))
    with store.connect(fresh_db) as con:
        rows = unit_table(con, picked)
    assert rows.set_index("row").loc[2, ["unit_code", "how"]].tolist() == [picked_code, "picked"]


def test_leaving_an_unmatched_row_out_records_it_as_skipped(fresh_db):
    data = xlsx([["Mã xã", "Tên xã", "Tổng tiếp nhận"], ["02647", "Phường Lào Cai", 100],
                 ["99999", "Xã Không Tồn Tại", 100]])

    result = review(fresh_db, "mixed_2026-09.xlsx", data, Steering().with_unit("Sheet", 3, IGNORE))

    assert result.errors == []
    assert [(s.row, s.reason, s.text) for s in result.skipped] == [(3, "unmatched", "Xã Không Tồn Tại")]
    assert set(result.observations["unit_code"].astype(str)) == {"02647"}


def test_a_period_chosen_on_the_page_settles_a_file_without_one(samples, fresh_db):
    data = (samples / "bad" / "rate_over_100.xlsx").read_bytes()

    without = review(fresh_db, "rate_over_100.xlsx", data)
    chosen = review(fresh_db, "rate_over_100.xlsx", data, Steering(period="2026-09"))

    assert {p.code for p in without.errors} == {"no_period", "above_max"}
    assert [p.code for p in chosen.errors] == ["above_max"]
    assert chosen.sheets[0].period == "2026-09" and chosen.sheets[0].period_source == "option"


def test_a_period_chosen_for_a_file_of_several_months_keeps_that_month(samples, fresh_db):
    data = (samples / "hanoi_2026-q3_long.csv").read_bytes()

    result = review(fresh_db, "hanoi_2026-q3_long.csv", data, Steering(period="2026-08"))

    assert result.periods == ["2026-08"] and {s.reason for s in result.skipped} == {"other_period"}


def test_a_fuzzy_unit_match_is_marked_for_confirmation(fresh_db):
    data = xlsx([["Tên đơn vị", "Tổng tiếp nhận", "Đúng hạn"], ["Xa Van Ban", 100, 90], ["Xã Tiên Lương", 10, 9]])

    result = review(fresh_db, "phutho_2026-09.xlsx", data)
    with store.connect(fresh_db) as con:
        rows = unit_table(con, result).set_index("row")

    assert rows.loc[2, "how"] == "ascii" and bool(rows.loc[2, "fuzzy"])
    assert rows.loc[3, "how"] == "name" and not rows.loc[3, "fuzzy"]
    assert rows.loc[2, "unit"].startswith("Xã Vân Bán")


def test_the_comparison_lists_values_that_would_change_and_jumps_far_from_the_last_month(fresh_db):
    august = xlsx([["BÁO CÁO THÁNG 8/2026"], ["Mã xã", "Tổng tiếp nhận", "Tỷ lệ trực tuyến (%)"],
                   ["02647", 100, 30.0], ["02671", 200, 50.0]])
    september = xlsx([["BÁO CÁO THÁNG 9/2026"], ["Mã xã", "Tổng tiếp nhận", "Tỷ lệ trực tuyến (%)"],
                      ["02647", 110, 75.0], ["02671", 200, 52.0]])
    september_fixed = xlsx([["BÁO CÁO THÁNG 9/2026"], ["Mã xã", "Tổng tiếp nhận", "Tỷ lệ trực tuyến (%)"],
                            ["02647", 120, 75.0], ["02671", 200, 52.0]])
    with store.connect(fresh_db) as con:
        for name, data in (("a.xlsx", august), ("b.xlsx", september)):
            assert commit_review(con, review_upload(con, name, data), user="t", lang="vi").status == "loaded"
        result = review_upload(con, "c.xlsx", september_fixed)
        comparison = compare_with_stored(con, result)

    # only 02647's received count differs from what September holds: 110 -> 120
    assert comparison.changed[["unit_code", "indicator_code", "stored", "incoming", "change"]].values.tolist() == [
        ["02647", "dossiers_received", 110.0, 120.0, 10.0]]
    assert (comparison.new, comparison.same) == (0, 3)
    # 30 % -> 75 % is more than 40 points of a 0-100 scale; 50 -> 52 is not
    assert result.jumps[["unit_code", "indicator_code", "previous_period", "previous", "value"]].values.tolist() == [
        ["02647", "online_filing_rate", "2026-08", 30.0, 75.0]]
    assert [p.code for p in result.warnings] == ["far_from_history"]


HOSTILE = '=HYPERLINK("http://evil.example","x")'


def test_the_error_report_opens_on_the_problems_with_the_failing_rows_as_written(samples, fresh_db):
    hostile = io.StringIO()
    csv.writer(hostile).writerows([["Mã xã", "Tên xã", "Tổng tiếp nhận", "Đúng hạn"],
                                   ["02647", "Phường Lào Cai", 100, 90],
                                   ["99999", HOSTILE, 100, 90],  # text a spreadsheet would run as a formula
                                   ["02746", "Xã Cốc San", 100, 120]])
    first = review(fresh_db, "hostile_2026-09.csv", hostile.getvalue().encode())
    second = review(fresh_db, "rate_over_100.xlsx", (samples / "bad" / "rate_over_100.xlsx").read_bytes(),
                    Steering(period="2026-09"))

    book = load_workbook(io.BytesIO(error_report_xlsx([first, second], "en")))

    problems = book.active
    assert problems.title == "Problems to fix" and book.sheetnames == ["Problems to fix", "Failing rows"]
    assert problems.freeze_panes == "A2"
    assert problems.sheet_view.selection[0].activeCell == "A2"
    rows = [[cell.value for cell in row] for row in problems.iter_rows()]
    assert rows[0] == ["Severity", "File", "Sheet", "Row", "Column", "Value", "Problem", "How to fix"]
    assert [(r[1], r[3], r[4][:1]) for r in rows[1:]] == [("hostile_2026-09.csv", 3, "B"),
                                                          ("hostile_2026-09.csv", 4, "D"),
                                                          ("rate_over_100.xlsx", 3, "E")]
    unknown = rows[1]
    assert unknown[0] == "Error" and unknown[5] == "'" + HOSTILE  # shown as text, never run
    assert unknown[6].startswith('Unit "' + HOSTILE + '" is not among')
    assert unknown[7] == translate("fix.unit_unknown", "en")
    assert rows[3][5] == 185.5 and "100" in rows[3][6]
    # the row number opens the failing row as written, under its header
    source = book["Failing rows"]
    target = problems.cell(2, 4).hyperlink.location
    assert target.startswith("'Failing rows'!A")
    line = int(target.rsplit("A", 1)[1])
    assert [c.value for c in source[line]][:7] == ["hostile_2026-09.csv", first.sheets[0].name, 3, "99999",
                                                   "'" + HOSTILE, "100", "90"]
    assert [c.value for c in source[line - 1]][3:7] == ["Mã xã", "Tên xã", "Tổng tiếp nhận", "Đúng hạn"]
    assert not any(str(c.value).startswith("=") for row in source.iter_rows() for c in row if c.value)


def test_problems_are_listed_errors_first_in_the_users_language(samples, fresh_db):
    result = review(fresh_db, "on_time_exceeds_received.xlsx",
                    (samples / "bad" / "on_time_exceeds_received.xlsx").read_bytes())

    table = problem_table(result, "vi")

    assert table["code"].tolist() == ["no_period", "exceeds"]
    exceeds = table.iloc[1]
    assert (exceeds["row"], exceeds["column"][:1]) == (2, "D")
    assert "không thể vượt quá" in exceeds["fix"] and "Tổng tiếp nhận" in exceeds["fix"]



def test_a_value_too_large_for_decimal_rounding_is_reported_in_both_languages(fresh_db, tmp_path):
    # found by tests/etl/test_fuzz.py: 1e28 in a rate column made the above_max message crash while
    # formatting the value (decimal's default 28 digits cannot round it to the unit)
    book = Workbook()
    for row in [["BÁO CÁO THÁNG 1/2025"],
                ["Mã xã", "Tên xã", "Tổng số hồ sơ tiếp nhận", "Hồ sơ giải quyết trước hạn và đúng hạn",
                 "Hồ sơ quá hạn", "Tỷ lệ hồ sơ giải quyết đúng hạn"],
                ["00004", "Ba Đình", None, None, None, 1e28]]:
        book.active.append(row)
    book.active.merge_cells("A1:F1")
    path = tmp_path / "bao_cao.xlsx"
    book.save(path)
    with store.connect(fresh_db) as con:
        found = review_file(con, path)
    assert [(p.code, p.row, p.value) for p in found.errors] == [("above_max", 3, 1e28)]
    assert "10.000.000.000.000.000.000.000.000.000" in found.errors[0].message("vi")
    assert "10,000,000,000,000,000,000,000,000,000" in found.errors[0].message("en")


# -- what a person teaches the loader: rows of the table, headers, unit spellings ----------------------

def communes_of(db: Path, seed: int, count: int = 4, province: str | None = None) -> list[tuple[str, str, str]]:
    """(code, full name, province code) of `count` communes of one province drawn at random, each name
    unique in the country (a short file names no province)."""
    import random
    with store.connect(db) as con:
        rows = con.execute("SELECT code, full_name_vi, parent_code FROM unit WHERE parent_code IS NOT NULL"
                           " QUALIFY count(*) OVER (PARTITION BY name_vi) = 1 ORDER BY code").fetchall()
    rng = random.Random(seed)
    province = province or rng.choice(sorted({row[2] for row in rows}))
    return rng.sample([row for row in rows if row[2] == province], count)


def commit_and_remember(db: Path, result, steering: Steering, user="lan") -> tuple[int, int]:
    from etl.review import remember_choices
    with store.connect(db) as con:
        assert commit_review(con, result, user=user, lang="vi").status == "loaded"
        return remember_choices(con, result, steering, user)


def test_header_and_data_rows_chosen_by_a_person_find_a_table_the_loader_could_not(fresh_db):
    code, name, _province = communes_of(fresh_db, 1, 1)[0]
    data = xlsx([["Biểu số liệu tháng 9/2026"], ["Cột một", "Cột hai", "Cột ba"], [code, 120, 80],
                 ["tổng hợp từ phần mềm", 1, 2]])
    assert [p.code for p in review(fresh_db, "bieu.xlsx", data).errors] == ["no_header"]

    steered = Steering().with_rows("Sheet", (2,), None, 3)
    shown = review(fresh_db, "bieu.xlsx", data, steered)
    assert [m.label for m in shown.sheets[0].mappings] == ["Cột một", "Cột hai", "Cột ba"]
    assert shown.sheets[0].header_rows == [2]

    steered = steered.with_mapping("Cột một", "_unit_code").with_mapping("Cột hai", "dossiers_received") \
        .with_mapping("Cột ba", "dossiers_on_time")
    done = review(fresh_db, "bieu.xlsx", data, steered)
    assert not done.blocked and done.periods == ["2026-09"]
    assert values(done)[(code, "dossiers_received")] == 120 and done.units == 1  # row 4 is past the last row
    assert Steering().with_rows("Sheet", (2,), None, 3).with_rows("Sheet") == Steering()


@pytest.mark.parametrize("seed", range(3))
def test_a_header_confirmed_and_committed_is_recognised_in_the_next_file_with_no_profile(fresh_db, seed):
    import random
    words = random.Random(seed).choice(["Đơn vị thực hiện báo cáo", "Cơ quan báo cáo", "Nơi báo cáo số liệu"])
    count_header = f"Số hồ sơ nhận kỳ này ({seed})"
    first, second = communes_of(fresh_db, seed, 4)[:2], communes_of(fresh_db, seed, 4)[2:]
    data = xlsx([["STT", words, count_header, "Đúng hạn"],
                 *[[i + 1, name, 100 + i, 90] for i, (_c, name, _p) in enumerate(first)]])
    before = review(fresh_db, "thang_9_2026.xlsx", data)
    # the unit column is found by what it holds; the count's words are known to nobody yet
    assert {m.label: m.how for m in before.sheets[0].mappings}[count_header] != "exact"

    steered = Steering().with_mapping(words, "_unit_name").with_mapping(count_header, "dossiers_received")
    assert commit_and_remember(fresh_db, review(fresh_db, "thang_9_2026.xlsx", data, steered), steered) == (2, 0)

    later = xlsx([["STT", words, count_header, "Đúng hạn"],
                  *[[i + 1, name, 300 + i, 200] for i, (_c, name, _p) in enumerate(second)]])
    again = review(fresh_db, "bao_cao_khac_thang_10_2026.xlsx", later)
    assert again.problems == [] and again.periods == ["2026-10"]
    assert values(again)[(second[1][0], "dossiers_received")] == 301
    assert {m.label: m.how for m in again.sheets[0].mappings}[count_header] == "exact"


@pytest.mark.parametrize("seed", range(3))
def test_a_unit_picked_once_is_remembered_for_that_provinces_next_file_and_no_other(fresh_db, seed):
    units = communes_of(fresh_db, seed, 4)
    (target, full_name, province) = units[0]
    # initials, as a province's own forms write them ("P.HB" for Phường Hòa Bình): nothing matches them
    kind, rest = full_name.split(" ", 1)
    written = kind[0] + "." + "".join(word[0] for word in rest.split())
    header = ["Tên đơn vị", "Tổng tiếp nhận", "Đúng hạn"]
    data = xlsx([header, [written, 50, 40], *[[name, 10, 9] for _c, name, _p in units[1:]]])
    before = review(fresh_db, "t9_2026.xlsx", data)
    assert [(p.code, p.row) for p in before.errors] == [("unit_unknown", 2)]

    steered = Steering().with_unit("Sheet", 2, target)
    assert commit_and_remember(fresh_db, review(fresh_db, "t9_2026.xlsx", data, steered), steered) == (0, 1)

    later = xlsx([header, *[[name, 20, 19] for _c, name, _p in units[1:]], [written.upper(), 60, 55]])
    again = review(fresh_db, "t10_2026.xlsx", later)
    assert again.errors == [] and values(again)[(target, "dossiers_received")] == 60
    assert [(u.row, u.code, u.how) for u in again.units_found if u.how == "remembered"] == [(5, target, "remembered")]

    elsewhere = [u for u in communes_of(fresh_db, seed + 100, 4) if u[2] != province][:3]
    if elsewhere:  # the same spelling in another province's file is not that unit
        other = xlsx([header, *[[name, 20, 19] for _c, name, _p in elsewhere], [written, 60, 55]])
        assert "unit_unknown" in [p.code for p in review(fresh_db, "khac_t10_2026.xlsx", other).errors]
