"""Every file in tests/data/samples (the shared samples) behaves as its README says, through the API and the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from etl.load import load_file
from etl.period import parse_month
from tests.conftest import REPO


def current(db: Path, unit: str, indicator: str, period: str) -> tuple:
    with duckdb.connect(str(db)) as con:
        rows = con.execute("SELECT value, numerator, denominator FROM observation WHERE is_current"
                           " AND unit_code = ? AND indicator_code = ? AND period = ?",
                           [unit, indicator, period]).fetchall()
    return rows[0] if rows else None


def table_counts(db: Path) -> tuple[int, int]:
    with duckdb.connect(str(db)) as con:
        return (con.execute("SELECT count(*) FROM observation").fetchall()[0][0],
                con.execute("SELECT count(*) FROM batch").fetchall()[0][0])


def test_lao_cai_portal_report_loads_with_title_rows_merged_header_and_text_numbers(samples, fresh_db):
    result = load_file(samples / "laocai_2026-09_bao_cao_tthc.xlsx", db=fresh_db)

    assert result.status == "loaded"
    assert result.review.periods == ["2026-09"]  # found only in the title "THÁNG 9/2026"
    assert result.review.units == 60
    # "UBND Phường Lào Cai": "1.494" received, "1.156" on time, "77,38" given beside its counts
    assert current(fresh_db, "02647", "dossiers_received", "2026-09") == (1494, None, None)
    assert current(fresh_db, "02647", "dossiers_on_time", "2026-09") == (1156, None, None)
    value, numerator, denominator = current(fresh_db, "02647", "on_time_rate", "2026-09")
    assert (numerator, denominator) == (1156, 1494) and round(value, 2) == 77.38
    online = current(fresh_db, "02647", "online_filing_rate", "2026-09")  # "47,72%" under "Hồ sơ trực tuyến"
    assert round(online[0], 2) == 47.72 and online[1:] == (713, 1494)
    assert current(fresh_db, "02647", "docs_esigned", "2026-09") == (150, None, None)
    # the 766 progress score is derived from the counts: 20 × on time ÷ received
    assert round(current(fresh_db, "02647", "progress_score", "2026-09")[0], 2) == round(20 * 1156 / 1494, 2)


def test_lao_cai_section_and_totals_rows_are_skipped_with_their_reason(samples, fresh_db):
    result = load_file(samples / "laocai_2026-09_bao_cao_tthc.xlsx", db=fresh_db, dry_run=True)

    skipped = {(s.row, s.reason) for s in result.review.skipped}
    assert skipped == {(7, "section"), (68, "total")}
    assert "Tổng cộng" in [s.text for s in result.review.skipped]
    labels = [m.label for m in result.review.sheets[0].mappings]
    assert "Tiến độ giải quyết / Đúng hạn" in labels  # parent and child header labels joined


def test_son_la_hand_made_form_codes_without_leading_zero_and_mixed_rate_scales(samples, fresh_db):
    result = load_file(samples / "sonla_2026-09_chuyen_doi_so.xlsx", db=fresh_db)

    assert result.status == "loaded"
    assert result.review.periods == ["2026-09"]  # "THÁNG 09 NĂM 2026"
    assert result.review.units == 45
    assert current(fresh_db, "03646", "population", "2026-09")[0] == 27922  # code 3646 -> 03646 (Tô Hiệu)
    assert current(fresh_db, "03646", "esign_rate", "2026-09")[0] == pytest.approx(90.3)  # "90,3%"
    assert current(fresh_db, "03664", "esign_rate", "2026-09")[0] == pytest.approx(99.17)  # 0.9917


def test_son_la_blank_and_dash_satisfaction_is_missing_never_zero(samples, fresh_db):
    load_file(samples / "sonla_2026-09_chuyen_doi_so.xlsx", db=fresh_db)

    with duckdb.connect(str(fresh_db)) as con:
        values = [v for (v,) in con.execute("SELECT value FROM observation WHERE indicator_code = 'satisfaction_rate'"
                                            " AND period = '2026-09'").fetchall()]
    assert 0 < len(values) < 45
    assert 0 not in values


def test_ha_noi_long_csv_with_bom_nfd_names_and_three_months(samples, fresh_db):
    result = load_file(samples / "hanoi_2026-q3_long.csv", db=fresh_db)

    assert result.status == "loaded"
    assert result.review.periods == ["2026-07", "2026-08", "2026-09"]
    assert result.review.units == 30
    assert current(fresh_db, "00004", "dossiers_received", "2026-07") == (3780, None, None)
    assert current(fresh_db, "00004", "satisfaction_rate", "2026-07")[0] == pytest.approx(90.03)
    value, numerator, denominator = current(fresh_db, "00004", "online_filing_rate", "2026-07")
    assert (numerator, denominator) == (3002, 3780) and value == pytest.approx(100 * 3002 / 3780)


BAD_FILES = {
    "rate_over_100.xlsx": ("above_max", 3, "E"),
    "on_time_exceeds_received.xlsx": ("exceeds", 2, "D"),
    "duplicate_unit.xlsx": ("duplicate_unit", 3, "B"),
    "unknown_unit.xlsx": ("unit_unknown", 2, "B"),
    "negative_count.xlsx": ("below_min", 2, "C"),
    "no_header.xlsx": ("no_header", None, None),
    "empty.xlsx": ("empty_file", None, None),
    "not_a_spreadsheet.xlsx": ("not_a_spreadsheet", None, None),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_sample_is_refused_naming_file_row_and_problem_and_writes_nothing(samples, fresh_db, name):
    code, row, column = BAD_FILES[name]

    result = load_file(samples / "bad" / name, db=fresh_db, period=parse_month("2026-09"), lang="en")

    assert result.status == "refused"
    assert [p.code for p in result.review.errors] == [code]
    problem = result.review.errors[0]
    assert problem.row == row
    assert (problem.column or "").startswith(column or "")
    message = problem.message("en")
    assert name in message and (row is None or f"row {row}" in message)
    assert table_counts(fresh_db) == (0, 0)


def test_bad_sample_without_a_period_still_reports_its_own_problem(samples, fresh_db):
    result = load_file(samples / "bad" / "rate_over_100.xlsx", db=fresh_db)

    assert result.status == "refused"
    assert {p.code for p in result.review.errors} == {"no_period", "above_max"}


def test_bad_sample_messages_are_in_vietnamese_by_default(samples, fresh_db):
    result = load_file(samples / "bad" / "on_time_exceeds_received.xlsx", db=fresh_db, period=parse_month("2026-09"))

    message = result.review.errors[0].message("vi")
    assert "dòng 2" in message and "Tổng tiếp nhận" in message and "không thể vượt quá" in message


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=REPO, capture_output=True, text=True,
                          env=env, timeout=300)


def test_cli_load_json_reports_loaded_file_and_exits_zero(samples, fresh_db):
    done = run_cli("load", str(samples / "laocai_2026-09_bao_cao_tthc.xlsx"), "--db", str(fresh_db), "--json")

    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["status"] == "loaded" and report["period"] == "2026-09" and report["units"] == 60
    assert report["batch_id"] == 1 and report["rows_loaded"] > 0
    assert {"dossiers_received", "on_time_rate", "progress_score"} <= set(report["indicators"])
    assert {"sheet": "Thang 9", "row": 68, "reason": "total", "text": "Tổng cộng"} in report["skipped"]
    assert report["errors"] == []


def test_cli_refused_file_exits_one_with_located_errors(samples, fresh_db):
    done = run_cli("load", str(samples / "bad" / "rate_over_100.xlsx"), "--db", str(fresh_db), "--json",
                   "--period", "2026-09")

    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["status"] == "refused"
    assert report["errors"][0] | {"message": None} == {"sheet": "Sheet", "row": 3, "column": "E · Tỷ lệ trực tuyến (%)",
                                                       "value": 185.5, "code": "above_max", "severity": "error",
                                                       "message": None}


def test_cli_human_summary_speaks_the_users_language(samples, fresh_db):
    import os

    english = run_cli("load", str(samples / "bad" / "unknown_unit.xlsx"), "--db", str(fresh_db), "--period", "2026-09",
                      env={**os.environ, "XASO_LANG": "en"})
    vietnamese = run_cli("load", str(samples / "bad" / "unknown_unit.xlsx"), "--db", str(fresh_db), "--period",
                         "2026-09")

    assert "refused, nothing written" in english.stdout and "Xã Không Tồn Tại" in english.stdout
    assert "bị từ chối, không ghi gì" in vietnamese.stdout


def test_cli_usage_error_exits_two(fresh_db, samples):
    done = run_cli("load", str(samples / "laocai_2026-09_bao_cao_tthc.xlsx"), "--db", str(fresh_db),
                   "--period", "September")

    assert done.returncode == 2
    assert table_counts(fresh_db) == (0, 0)


def test_cli_skip_unmatched_loads_matched_rows_and_records_the_rest(tmp_path, fresh_db):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Mã xã", "Tên xã", "Tổng tiếp nhận", "Đúng hạn"])
    sheet.append(["02647", "Phường Lào Cai", 100, 90])
    sheet.append(["99999", "Xã Không Tồn Tại", 100, 90])
    path = tmp_path / "mixed_2026-09.xlsx"
    workbook.save(path)

    refused = run_cli("load", str(path), "--db", str(fresh_db), "--json")
    loaded = run_cli("load", str(path), "--db", str(fresh_db), "--json", "--skip-unmatched")

    assert refused.returncode == 1
    report = json.loads(loaded.stdout)
    assert loaded.returncode == 0 and report["status"] == "loaded" and report["units"] == 1
    assert report["skipped"] == [{"sheet": "Sheet", "row": 3, "reason": "unmatched", "text": "Xã Không Tồn Tại"}]


def test_an_unknown_code_beside_a_known_name_loads_by_name_with_a_warning(tmp_path, fresh_db):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Mã xã", "Tên xã", "Tổng tiếp nhận", "Đúng hạn"])
    sheet.append(["07906", "Xã Lâm Thao - Tỉnh Phú Thọ", 100, 90])
    path = tmp_path / "phutho_2026-09.xlsx"
    workbook.save(path)

    result = load_file(path, db=fresh_db, lang="en")

    assert result.status == "loaded"
    assert current(fresh_db, "08494", "dossiers_received", "2026-09") == (100, None, None)
    assert [(p.code, p.row, p.value) for p in result.review.warnings] == [("unit_code_unknown", 2, "07906")]


GOOD_FILES = {"laocai_2026-09_bao_cao_tthc.xlsx": 60, "sonla_2026-09_chuyen_doi_so.xlsx": 45,
              "hanoi_2026-q3_long.csv": 30}


@pytest.mark.parametrize("name", sorted(GOOD_FILES) + [f"bad/{name}" for name in sorted(BAD_FILES)])
def test_every_sample_behaves_the_same_through_the_command_line(samples, fresh_db, name):
    done = run_cli("load", str(samples / name), "--db", str(fresh_db), "--period", "2026-09", "--json")

    report = json.loads(done.stdout)
    if name in GOOD_FILES:
        assert (done.returncode, report["status"], report["units"]) == (0, "loaded", GOOD_FILES[name])
        assert report["period"] == "2026-09"  # the option wins; the other months of a long file are set aside
        assert {s["reason"] for s in report["skipped"]} <= {"section", "total", "other_period"}
    else:
        code, row, _column = BAD_FILES[name.removeprefix("bad/")]
        assert (done.returncode, report["status"]) == (1, "refused")
        assert [(e["code"], e["row"]) for e in report["errors"]] == [(code, row)]
        assert table_counts(fresh_db) == (0, 0)


def test_the_period_option_takes_its_month_from_a_file_of_several(samples, fresh_db):
    result = load_file(samples / "hanoi_2026-q3_long.csv", db=fresh_db, period=parse_month("2026-08"))

    assert result.status == "loaded" and result.review.periods == ["2026-08"]
    assert {s.reason for s in result.review.skipped} == {"other_period"}
    assert len(result.review.skipped) == 180  # 30 units × 3 indicators × 2 other months


def test_a_rate_typed_as_a_number_may_differ_from_its_counts_by_its_own_rounding(tmp_path, fresh_db):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Mã xã", "Tổng tiếp nhận", "Đúng hạn", "Tỷ lệ đúng hạn (%)"])
    sheet.append(["02647", 300, 290, 96.7])  # 96.666… shown with one decimal
    sheet.append(["02671", 300, 290, 96.8])  # off by more than its rounding
    path = tmp_path / "laocai_2026-09.xlsx"
    book.save(path)

    result = load_file(path, db=fresh_db, dry_run=True)

    assert [(p.code, p.row) for p in result.review.errors] == [("rate_mismatch", 3)]


def test_the_period_option_does_not_cover_an_unreadable_period_cell(tmp_path, fresh_db):
    path = tmp_path / "long.csv"
    path.write_text("ma_xa,ky_bao_cao,chi_tieu,gia_tri\n02647,2026-08,dossiers_received,10\n"
                    "02671,abc,dossiers_received,12\n02647,,dossiers_online,5\n", encoding="utf-8")

    result = load_file(path, db=fresh_db, period=parse_month("2026-08"), dry_run=True)

    assert [(p.code, p.row) for p in result.review.errors] == [("bad_period_cell", 3)]


def test_a_name_outside_the_guessed_province_matches_when_it_is_unique_in_the_country(tmp_path, fresh_db):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Tên đơn vị", "Tổng tiếp nhận", "Đúng hạn"])
    for name in ("Xã Vân Bán", "Phường Phú Thọ", "Xã Tiên Lương", "Phường Ba Đình"):  # three of Phú Thọ, one of Hà Nội
        sheet.append([name, 100, 90])
    path = tmp_path / "mixed_2026-09.xlsx"
    book.save(path)

    result = load_file(path, db=fresh_db)

    assert result.status == "loaded" and result.review.units == 4
    assert current(fresh_db, "00004", "dossiers_received", "2026-09") == (100, None, None)


def test_cli_period_accepts_a_month_as_people_write_it(samples, fresh_db):
    done = run_cli("load", str(samples / "laocai_2026-09_bao_cao_tthc.xlsx"), "--db", str(fresh_db),
                   "--period", "T9.2026", "--json")

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["period"] == "2026-09"


def test_cli_wrong_period_names_the_accepted_forms(samples, fresh_db):
    done = run_cli("load", str(samples / "laocai_2026-09_bao_cao_tthc.xlsx"), "--db", str(fresh_db),
                   "--period", "13/2026", env={**os.environ, "XASO_LANG": "en"})

    assert done.returncode == 2
    assert "13/2026" in done.stderr and "T12.2026" in done.stderr and "tháng 12 năm 2026" in done.stderr


def test_cli_learn_reads_a_column_by_the_header_taught_and_keeps_it_for_the_next_file(tmp_path, fresh_db):
    from openpyxl import Workbook

    def write(name: str, rows: list[list]) -> Path:
        book = Workbook()
        for row in rows:
            book.active.append(row)
        book.save(tmp_path / name)
        return tmp_path / name

    # the unit column is found by what it holds; these words for a count are known to nobody yet
    header = ["STT", "Tên đơn vị", "Mục kê khai số 7", "Đúng hạn"]
    first = write("lao_cai_thang_9_2026.xlsx", [header, [1, "Phường Lào Cai", 100, 90]])
    refused = run_cli("load", str(first), "--db", str(fresh_db), "--json")
    assert refused.returncode == 1 and "unplaced_column" in refused.stdout

    bad = run_cli("load", str(first), "--db", str(fresh_db), "--learn", "Mục kê khai số 7=no_such_target")
    assert bad.returncode == 2 and "no_such_target" in bad.stderr

    taught = run_cli("load", str(first), "--db", str(fresh_db), "--json",
                     "--learn", "MỤC KÊ KHAI SỐ 7=dossiers_received")
    assert taught.returncode == 0, taught.stdout
    assert json.loads(taught.stdout)["units"] == 1 and "dossiers_received" in json.loads(taught.stdout)["indicators"]

    second = write("lao_cai_thang_10_2026.xlsx", [header, [1, "Phường Lào Cai", 120, 100]])
    again = run_cli("load", str(second), "--db", str(fresh_db), "--json")
    assert again.returncode == 0 and json.loads(again.stdout)["period"] == "2026-10"
    with duckdb.connect(str(fresh_db), read_only=True) as con:
        assert con.execute("SELECT label_key, target FROM learned_header").fetchall() == [
            ("muc ke khai so 7", "dossiers_received")]
        assert con.execute("SELECT count(*) FROM audit WHERE action = 'learn_header'").fetchall() == [(1,)]


@pytest.mark.parametrize("seed", range(3))
def test_a_number_column_that_matches_no_indicator_stops_the_load_until_it_is_placed_or_left_out(
        tmp_path, fresh_db, seed):
    import random

    from openpyxl import Workbook

    rng = random.Random(seed)
    words = " ".join(rng.sample(["Mục", "kê", "khai", "phụ", "lục", "biểu", "nội", "dung", "khác"], 3))
    header = ["STT", "Tên đơn vị", "Tổng số hồ sơ tiếp nhận", f"{words} {rng.randint(2, 99)}",
              "Điện thoại", "Năm"]  # phone numbers and years are not indicators: they never stop a load
    book = Workbook()
    book.active.append(header)
    book.active.append([1, "Phường Lào Cai", 100, rng.randint(1, 5000), "0912345678", 2026])
    book.save(path := tmp_path / "lao_cai_thang_9_2026.xlsx")

    refused = run_cli("load", str(path), "--db", str(fresh_db), "--json")
    report = json.loads(refused.stdout)
    assert refused.returncode == 1 and [e["code"] for e in report["errors"]] == ["unplaced_column"]
    assert report["errors"][0]["column"] == f"D · {header[3]}"
    with duckdb.connect(str(fresh_db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM observation").fetchall() == [(0,)]  # nothing written

    accepted = run_cli("load", str(path), "--db", str(fresh_db), "--json", "--accept-guesses")
    report = json.loads(accepted.stdout)
    assert accepted.returncode == 0 and report["indicators"] == ["dossiers_received"]
    # still said, as a warning (beside the phone numbers or years, which hold numbers too)
    assert {"code": "unmapped_column", "column": f"D · {header[3]}"}.items() <= next(
        w for w in report["warnings"] if w["column"].startswith("D ")).items()
