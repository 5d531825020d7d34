"""Columns, units and rows recognised from evidence: header words (abbreviations, group label, sheet name),
what the column holds and how columns relate. Every file is a real xlsx written with openpyxl, with real
unit names of a province drawn at random and figures drawn at random; values are compared with the truth."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from openpyxl import Workbook

import store
from etl.load import load_file, review_file
from etl.period import parse_month
from etl.review import mapping_table
from etl.text import expand
from store.reference import read_units, save_mapping_profile

ROOT = Path(__file__).resolve().parents[2]
PERIOD = parse_month("2026-09")


def communes(seed: int, n: int = 12) -> list[tuple[str, str]]:
    """(code, full name) of n communes of one province picked by the seed."""
    units = read_units()
    rng = random.Random(seed)
    province = rng.choice(sorted(units.loc[units.parent_code.isna(), "code"]))
    pool = units[units.parent_code == province]
    picked = pool.sample(n=min(n, len(pool)), random_state=seed)
    return list(zip(picked.code, picked.full_name_vi))


def counts(seed: int, n: int) -> list[tuple[int, int, int]]:
    """(received, on time, overdue) with on time + overdue = received, in the hundreds to thousands."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        received = rng.randint(150, 3000)
        overdue = rng.randint(0, received // 5)
        out.append((received, received - overdue, overdue))
    return out


def write(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def stored(db: Path) -> dict[tuple[str, str], float]:
    with duckdb.connect(str(db)) as con:
        rows = con.execute("SELECT unit_code, indicator_code, value FROM observation").fetchall()
    return {(u, i): v for u, i, v in rows}


def review(db: Path, path: Path, **options):
    with store.connect(db) as con:
        return review_file(con, path, period=PERIOD, **options)


@pytest.mark.parametrize("header", ["Tên xã, phường", "Đơn vị hành chính cấp xã", "Địa phương", "Xã/Phường",
                                    "Tên ĐVHC", "Tên cơ quan, đơn vị", "Đơn vị (xã, phường, đặc khu)",
                                    "Cột thứ hai"])
def test_the_unit_column_is_found_by_what_it_holds_whatever_its_header(fresh_db, tmp_path, header):
    seed = sum(map(ord, header))
    units = communes(seed)
    figures = counts(seed, len(units))
    rows = [["STT", header, "Tổng số hồ sơ tiếp nhận", "Đúng hạn", "Quá hạn"]]
    rows += [[i + 1, name, *f] for i, ((_code, name), f) in enumerate(zip(units, figures))]
    path = write(tmp_path / "bao_cao_2026-09.xlsx", {"Sheet1": rows})

    result = load_file(path, db=fresh_db, period=PERIOD)

    assert result.status == "loaded", [p.code for p in result.review.errors]
    values = stored(fresh_db)
    for (code, _name), (received, on_time, overdue) in zip(units, figures):
        assert (values[(code, "dossiers_received")], values[(code, "dossiers_on_time")],
                values[(code, "dossiers_overdue")]) == (received, on_time, overdue)
    unit = next(m for m in result.review.sheets[0].mappings if m.label == header)
    assert unit.target == "_unit_name" and unit.accepted


def test_office_abbreviations_and_other_words_for_counts_load_with_the_sum_as_reason(fresh_db, tmp_path):
    units = communes(14)
    figures = counts(14, len(units))
    rows = [["Mã ĐVHC", "Tên ĐVHC", "Số HS tiếp nhận", "Trước và đúng hạn", "HS trễ hạn"]]
    rows += [[code, name, *f] for (code, name), f in zip(units, figures)]
    path = write(tmp_path / "tthc_2026-09.xlsx", {"Tiến độ": rows})

    with store.connect(fresh_db) as con:
        found = review_file(con, path, period=PERIOD)
    targets = {m.label: m.target for m in found.sheets[0].mappings}

    assert targets == {"Mã ĐVHC": "_unit_code", "Tên ĐVHC": "_unit_name", "Số HS tiếp nhận": "dossiers_received",
                       "Trước và đúng hạn": "dossiers_on_time", "HS trễ hạn": "dossiers_overdue"}
    assert not found.blocked
    low = min(f[0] for f in figures)
    vi = mapping_table(found, "vi").set_index("label").loc["Số HS tiếp nhận", "reasons"]
    en = mapping_table(found, "en").set_index("label").loc["Số HS tiếp nhận", "reasons"]
    assert f"số nguyên {low:,}".replace(",", ".") in vi and "bằng Trước và đúng hạn + HS trễ hạn" in vi
    assert f"whole numbers {low:,}" in en and "equals Trước và đúng hạn + HS trễ hạn" in en


def test_a_count_in_the_thousands_named_like_a_rate_is_the_count(fresh_db, tmp_path):
    units = communes(3)
    figures = counts(3, len(units))
    rows = [["Mã xã", "Tên đơn vị", "Tổng số hồ sơ", "Hồ sơ giải quyết đúng hạn", "Số hồ sơ giải quyết đúng hạn (%)"]]
    rows += [[code, name, r, t, round(100 * t / r, 2)] for (code, name), (r, t, _o) in zip(units, figures)]
    path = write(tmp_path / "x_2026-09.xlsx", {"Sheet1": rows})

    result = load_file(path, db=fresh_db, period=PERIOD)

    assert result.status == "loaded", [p.message("en") for p in result.review.errors]
    values = stored(fresh_db)
    code = units[0][0]
    assert values[(code, "dossiers_on_time")] == figures[0][1]
    assert values[(code, "on_time_rate")] == pytest.approx(100 * figures[0][1] / figures[0][0], abs=0.006)


def test_a_766_group_named_over_two_decimal_points_is_its_score_not_a_count(fresh_db, tmp_path):
    units = communes(7)
    rng = random.Random(7)
    payment = [round(rng.uniform(2, 10), 2) for _ in units]
    digitised = [round(rng.uniform(5, 22), 2) for _ in units]
    rows = [["Mã xã", "Tên xã", "Thanh toán trực tuyến", "Số hóa hồ sơ"]]
    rows += [[code, name, p, d] for (code, name), p, d in zip(units, payment, digitised)]
    path = write(tmp_path / "diem_766_2026-09.xlsx", {"Điểm": rows})

    result = load_file(path, db=fresh_db, period=PERIOD)

    assert result.status == "loaded", [p.message("en") for p in result.review.errors]
    values = stored(fresh_db)
    assert [values[(code, "online_payment_score")] for code, _ in units] == payment
    assert [values[(code, "digitization_score")] for code, _ in units] == digitised


def test_a_numbering_row_with_formulas_is_not_part_of_the_header(fresh_db, tmp_path):
    units = communes(21)
    figures = counts(21, len(units))
    rows = [["BÁO CÁO KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH THÁNG 9/2026"], [],
            ["STT", "Tên đơn vị", "Tổng tiếp nhận", "Đúng hạn", "Quá hạn", "Tỷ lệ đúng hạn (%)"],
            ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)=(4)/(3)"]]
    rows += [[i + 1, name, r, t, o, round(100 * t / r, 2)] for i, ((_c, name), (r, t, o)) in
             enumerate(zip(units, figures))]
    path = write(tmp_path / "tien_do.xlsx", {"Sheet1": rows})

    found = review(fresh_db, path)

    assert not found.blocked, [p.message("en") for p in found.errors]
    assert [m.label for m in found.sheets[0].mappings][-1] == "Tỷ lệ đúng hạn (%)"
    assert found.units == len(units)


def test_subtotal_and_group_rows_are_skipped_and_reported(fresh_db, tmp_path):
    units = communes(5, 8)
    figures = counts(5, len(units))
    head, tail = list(zip(units, figures))[:4], list(zip(units, figures))[4:]
    total = lambda part: ["", *[sum(f[k] for _u, f in part) for k in range(3)]]  # noqa: E731
    rows = [["Tên đơn vị", "Tổng tiếp nhận", "Đúng hạn", "Quá hạn"],
            ["A. PHƯỜNG (4 đơn vị)", *total(head)[1:]]]
    rows += [[name, *f] for (_c, name), f in head]
    rows += [["Cộng phường", *total(head)[1:]], ["B. XÃ (4 đơn vị)", *total(tail)[1:]]]
    rows += [[name, *f] for (_c, name), f in tail]
    rows += [["Cộng xã", *total(tail)[1:]]]
    path = write(tmp_path / "bc_2026-09.xlsx", {"Sheet1": rows})

    result = load_file(path, db=fresh_db, period=PERIOD)

    assert result.status == "loaded", [p.message("en") for p in result.review.errors]
    assert [(s.row, s.reason) for s in result.review.skipped] == [(2, "section"), (7, "total"), (8, "section"),
                                                                   (13, "total")]
    assert result.review.units == len(units)


def test_sheets_with_different_indicators_for_the_same_units_are_combined(fresh_db, tmp_path):
    units = communes(9)
    figures = counts(9, len(units))
    rng = random.Random(9)
    service = [round(rng.uniform(3, 12), 2) for _ in units]
    sheets = {
        "Tiến độ": [["Mã xã", "Tên xã", "Tổng tiếp nhận", "Đúng hạn", "Quá hạn"]]
        + [[c, n, *f] for (c, n), f in zip(units, figures)],
        "DVC trực tuyến": [["Mã xã", "Tên xã", "Điểm"]] + [[c, n, s] for (c, n), s in zip(units, service)],
    }
    path = write(tmp_path / "theo_nhom_2026-09.xlsx", sheets)

    result = load_file(path, db=fresh_db, period=PERIOD)

    assert result.status == "loaded", [p.message("en") for p in result.review.errors]
    values = stored(fresh_db)
    assert [values[(c, "online_service_score")] for c, _ in units] == service
    assert [values[(c, "dossiers_received")] for c, _ in units] == [f[0] for f in figures]


def test_the_same_indicator_with_two_values_on_two_sheets_is_a_conflict(fresh_db, tmp_path):
    units = communes(10, 4)
    rows = lambda shift: [["Mã xã", "Tổng tiếp nhận", "Đúng hạn"]] + [  # noqa: E731
        [c, 100 + i + shift, 90] for i, (c, _n) in enumerate(units)]
    path = write(tmp_path / "hai_sheet_2026-09.xlsx", {"A": rows(0), "B": rows(0)[:2] + rows(5)[2:]})

    result = load_file(path, db=fresh_db, period=PERIOD)

    assert result.status == "refused"
    assert {(p.code, p.sheet) for p in result.review.errors} == {("duplicate_unit", "B")}
    assert len(result.review.errors) == len(units) - 1


def test_long_format_accepts_indicator_names_in_words_and_abbreviations(fresh_db, tmp_path):
    units = communes(11, 5)
    figures = counts(11, len(units))
    rows = [["Mã xã", "Kỳ", "Chỉ tiêu", "Giá trị"]]
    for (code, _n), (r, t, o) in zip(units, figures):
        rows += [[code, "2026-09", "Tổng số HS tiếp nhận", r], [code, "2026-09", "Số hồ sơ giải quyết đúng hạn", t],
                 [code, "2026-09", "HS trễ hạn", o]]
    path = write(tmp_path / "dai.xlsx", {"Sheet1": rows})

    result = load_file(path, db=fresh_db)

    assert result.status == "loaded", [p.message("en") for p in result.review.errors]
    values = stored(fresh_db)
    assert [values[(c, "dossiers_on_time")] for c, _ in units] == [f[1] for f in figures]


DOUBTFUL_HEADER = "HS thanh toán"  # as like payment_online as dossiers_full_online


def doubtful_file(tmp_path: Path, seed: int) -> tuple[Path, list[tuple[str, str]], list[int]]:
    units = communes(seed, 5)
    rng = random.Random(seed)
    numbers = [rng.randint(10, 500) for _ in units]
    rows = [["Mã xã", "Tổng tiếp nhận", DOUBTFUL_HEADER]] + [[c, v + 600, v] for (c, _), v in zip(units, numbers)]
    return write(tmp_path / "nghi_van_2026-09.xlsx", {"Sheet1": rows}), units, numbers


def test_an_unsure_column_stops_the_file_before_writing_and_names_its_best_guesses(fresh_db, tmp_path):
    path, _units, _numbers = doubtful_file(tmp_path, 31)

    result = load_file(path, db=fresh_db, period=PERIOD, lang="en")

    assert result.status == "refused" and stored(fresh_db) == {}
    [problem] = result.review.errors
    assert (problem.code, problem.column) == ("column_needs_confirmation", f"C · {DOUBTFUL_HEADER}")
    assert "--accept-guesses" in problem.message("en") and "--profile" in problem.message("vi")


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_the_command_line_exits_one_on_an_unsure_column_and_loads_with_accept_guesses(fresh_db, tmp_path):
    path, units, _numbers = doubtful_file(tmp_path, 32)

    refused = run_cli("load", str(path), "--db", str(fresh_db), "--json")
    accepted = run_cli("load", str(path), "--db", str(fresh_db), "--json", "--accept-guesses")

    assert refused.returncode == 1
    assert "--accept-guesses" in json.loads(refused.stdout)["errors"][0]["message"]
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert json.loads(accepted.stdout)["status"] == "loaded"
    assert {u for u, _i in stored(fresh_db)} == {c for c, _ in units}


def test_the_command_line_loads_with_a_saved_profile_named_on_it(fresh_db, tmp_path):
    path, units, numbers = doubtful_file(tmp_path, 33)
    with store.connect(fresh_db) as con:
        save_mapping_profile(con, "Mẫu huyện cũ", "another layout", {
            "Mã xã": "_unit_code", "Tổng tiếp nhận": "dossiers_received", DOUBTFUL_HEADER: "dossiers_online"}, "t")

    done = run_cli("load", str(path), "--db", str(fresh_db), "--profile", "Mẫu huyện cũ")
    unknown = run_cli("load", str(path), "--db", str(fresh_db), "--profile", "Không có")

    assert done.returncode == 0, done.stdout + done.stderr
    assert [stored(fresh_db)[(c, "dossiers_online")] for c, _ in units] == numbers
    assert unknown.returncode == 2 and "Mẫu huyện cũ" in unknown.stderr


@pytest.mark.parametrize(("written", "expanded"), [
    ("so hs tiep nhan", "so ho so tiep nhan"), ("ten dvhc", "ten don vi hanh chinh"),
    ("ty le gq dung han", "ty le giai quyet dung han"), ("diem dvctt", "diem dich vu cong truc tuyen"),
    ("tl tttt", "ty le thanh toan truc tuyen"), ("so pakn", "so phan anh kien nghi")])
def test_office_abbreviations_are_written_out_word_by_word(written, expanded):
    assert expand(written) == expanded


def test_an_empty_code_cell_falls_back_to_the_name_and_a_department_is_skipped(fresh_db, tmp_path):
    units = communes(41, 6)
    figures = counts(41, len(units))
    rows = [["Mã xã", "Tên đơn vị", "Tổng tiếp nhận", "Đúng hạn", "Quá hạn"]]
    rows += [[code if i % 2 else None, name, *f] for i, ((code, name), f) in enumerate(zip(units, figures))]
    rows.insert(3, [None, "Sở Nội vụ", 40, 40, 0])
    path = write(tmp_path / "co_so_2026-09.xlsx", {"Sheet1": rows})

    result = load_file(path, db=fresh_db, period=PERIOD)

    assert result.status == "loaded", [p.message("en") for p in result.review.errors]
    assert [(s.row, s.reason) for s in result.review.skipped] == [(4, "not_commune")]
    assert [stored(fresh_db)[(c, "dossiers_received")] for c, _ in units] == [f[0] for f in figures]
