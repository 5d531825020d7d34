"""python -m etl: what a load prints about a file's own text shows control characters, never obeys them."""

from __future__ import annotations

import json
import re

import pytest
from openpyxl import Workbook

from etl.__main__ import main

RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")  # anything but the line breaks between our lines


def hostile_workbook(path) -> None:
    """A header cell "\x1b[31mĐỏ\x1b[0m" and a unit named "Xã \x07Chuông". XML cannot hold these characters
    raw, so Excel (and this file) write them as _x001B_ and _x0007_, which the reader turns back into them."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Mã xã", "Tên xã", "Tổng tiếp nhận", "Đúng hạn", "_x001B_[31mĐỏ_x001B_[0m"])
    sheet.append(["02647", "Phường Lào Cai", 100, 90, 1])
    sheet.append(["", "Xã _x0007_Chuông", 100, 90, 2])
    workbook.save(path)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_load_prints_an_escape_sequence_from_a_header_and_a_bell_from_a_name_as_visible_text(
        tmp_path, fresh_db, capsys, monkeypatch, lang):
    monkeypatch.setenv("XASO_LANG", lang)
    path = tmp_path / "laocai_2026-09.xlsx"
    hostile_workbook(path)

    code = main(["load", str(path), "--db", str(fresh_db)])
    out, err = capsys.readouterr()

    assert code == 1  # the unknown unit refuses the file
    assert "\\x1b[31mĐỏ\\x1b[0m" in out and "Xã \\x07Chuông" in out
    assert not RAW_CONTROL.search(out + err)


def test_a_load_in_json_reads_back_the_files_own_text(tmp_path, fresh_db, capsys):
    path = tmp_path / "laocai_2026-09.xlsx"
    hostile_workbook(path)

    main(["load", str(path), "--db", str(fresh_db), "--json"])
    out, _ = capsys.readouterr()

    assert not RAW_CONTROL.search(out)
    report = json.loads(out)
    values = {e["code"]: e["value"] for e in report["errors"]}
    assert values.pop("unplaced_column") == "\x1b[31mĐỏ\x1b[0m"  # a number column no indicator matches
    assert list(values.values()) == ["Xã \x07Chuông"]


def test_the_history_prints_a_hostile_file_name_as_visible_text(tmp_path, fresh_db, capsys):
    workbook = Workbook()
    workbook.active.append(["Mã xã", "Tên xã", "Tổng tiếp nhận", "Đúng hạn"])
    workbook.active.append(["02647", "Phường Lào Cai", 100, 90])
    path = tmp_path / "bao_cao_\x1b[2J_2026-09.xlsx"  # a file name may carry an escape too
    workbook.save(path)
    assert main(["load", str(path), "--db", str(fresh_db)]) == 0

    main(["history", "--db", str(fresh_db)])
    out, _ = capsys.readouterr()

    assert "bao_cao_\\x1b[2J_2026-09.xlsx" in out and not RAW_CONTROL.search(out)
