"""python -m analytics: names from the database are printed with their control characters visible."""

from __future__ import annotations

import json
import re
import shutil

import pytest

import store
from analytics.__main__ import main

RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e]")
MARK = " \x1b[5m\x9b2J\u202e"  # blinking, a C1 "clear screen", a right-to-left override


@pytest.fixture
def hostile_names(demo_db, tmp_path):
    """The demo database with every commune of Hà Nội renamed to carry terminal controls."""
    path = tmp_path / "hostile.duckdb"
    shutil.copy(demo_db, path)
    with store.connect(path) as con:
        con.execute("UPDATE unit SET name_vi = name_vi || ?, full_name_vi = full_name_vi || ? "
                    "WHERE parent_code = '01'", [MARK, MARK])
    return path


@pytest.mark.parametrize("output", ["table", "csv", "json"])
def test_a_ranking_prints_control_characters_in_unit_names_as_visible_text(hostile_names, capsys, monkeypatch,
                                                                          output):
    monkeypatch.setenv("XASO_LANG", "vi")

    code = main(["rank", "--indicator", "service_index", "--period", "2026-10", "--province", "01",
                 "--db", str(hostile_names), "--format", output])
    out, err = capsys.readouterr()

    assert code == 0, err
    assert not RAW_CONTROL.search(out)
    if output == "json":  # JSON text that reads back to the names as stored
        assert all(row["unit_name"].endswith(MARK) for row in json.loads(out))
    else:
        assert out.count("\\x1b[5m\\u009b2J\\u202e") == 126
