"""Every file of the hostile corpus (tests/etl/hostile_files.py) ends, through the loader API and the
command line, in a typed error located in the file (nothing written) or a safe load that keeps its text
literally; the error report neutralises the formulas it quotes."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

import store
from etl.load import load_file, review_file
from etl.review import error_report_xlsx
from i18n import LANGUAGES, catalog
from tests.conftest import REPO
from tests.etl.hostile_files import Hostile, corpus, formula_like

CORPUS = corpus()
IDS = [h.attack for h in CORPUS]
EXCEL_CELL_LIMIT = 32_767


def counts(db: Path) -> tuple[int, int, int]:
    with duckdb.connect(str(db)) as con:
        return con.execute("SELECT (SELECT count(*) FROM unit), (SELECT count(*) FROM observation),"
                           " (SELECT count(*) FROM batch)").fetchone()


def on_disk(tmp_path: Path, hostile: Hostile) -> Path:
    """The file saved under its own name in a folder of its own (a traversal name stays inside tmp_path)."""
    folder = tmp_path / "a" / "b" / "c"
    path = folder / hostile.name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(hostile.data)
    assert tmp_path in path.resolve().parents
    return path


def assert_typed_and_located(problems, file: str) -> None:
    for problem in problems:
        for lang in LANGUAGES:
            assert f"problem.{problem.code}" in catalog(lang) and f"fix.{problem.code}" in catalog(lang)
        assert problem.file == file
        assert problem.message("en").startswith(file)


@pytest.mark.parametrize("hostile", CORPUS, ids=IDS)
def test_the_loader_api_ends_each_hostile_file_in_a_typed_error_or_a_safe_load(fresh_db, hostile):
    before = counts(fresh_db)
    with store.connect(fresh_db) as con:
        review = review_file(con, Path(hostile.name), data=hostile.data, name=hostile.name, user="tester")

    assert_typed_and_located(review.problems, hostile.name)
    assert review.blocked is not hostile.loads, [p.message("en") for p in review.errors]
    assert counts(fresh_db) == before  # a review writes nothing, blocked or not
    text = repr(review.problems) + repr(review.source_rows) + repr(review.observations.to_dict("records"))
    assert "root:" not in text and "lol" * 10 not in text  # no entity was ever expanded


@pytest.mark.parametrize("hostile", CORPUS, ids=IDS)
def test_loading_a_hostile_file_writes_nothing_on_an_error_and_keeps_its_text_verbatim_on_a_load(
        fresh_db, tmp_path, hostile):
    path = on_disk(tmp_path, hostile)
    before = counts(fresh_db)

    result = load_file(path, db=fresh_db, user="tester")

    if not hostile.loads:
        assert result.status == "refused" and counts(fresh_db) == before
        assert_typed_and_located(result.review.errors, path.name)
        return
    assert result.status == "loaded" and counts(fresh_db)[1] > before[1]
    with duckdb.connect(str(fresh_db)) as con:
        file, report = con.execute("SELECT file_name, report FROM batch").fetchone()
    assert file == path.name and "/" not in file  # a traversal name is kept as a name, never as a path
    for text in hostile.strings:
        if text != hostile.name:
            assert text in report


@pytest.mark.parametrize("hostile", CORPUS, ids=IDS)
def test_the_command_line_ends_each_hostile_file_in_json_with_a_typed_error_or_a_load(fresh_db, tmp_path, hostile):
    path = on_disk(tmp_path, hostile)
    relative = os.path.relpath(path, tmp_path / "a" / "b" / "c")  # the traversal name as typed: an attack, not a path
    before = counts(fresh_db)

    done = subprocess.run([sys.executable, "-m", "etl", "load", relative, "--db", str(fresh_db), "--json"],
                          cwd=tmp_path / "a" / "b" / "c", capture_output=True, text=True, timeout=300,
                          env={**os.environ, "XASO_LANG": "en", "PYTHONPATH": str(REPO)})

    assert "Traceback" not in done.stderr, done.stderr
    answer = json.loads(done.stdout)
    if hostile.loads:
        assert done.returncode == 0 and answer["status"] == "loaded" and answer["rows_loaded"] > 0
    else:
        assert done.returncode == 1 and answer["status"] == "refused" and counts(fresh_db) == before
        assert answer["errors"] and all(e["message"].startswith(path.name) for e in answer["errors"])
        assert all(f"problem.{e['code']}" in catalog("en") for e in answer["errors"])


def test_the_error_report_quotes_hostile_text_without_running_a_formula_or_breaking_excel(fresh_db):
    reviews = []
    with store.connect(fresh_db) as con:
        for hostile in CORPUS:
            review = review_file(con, Path(hostile.name), data=hostile.data, name=hostile.name)
            if review.problems:
                reviews.append(review)

    book = load_workbook(io.BytesIO(error_report_xlsx(reviews, "en")))

    quoted = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                text = str(cell.value)
                assert not formula_like(text), (sheet.title, cell.coordinate, text)
                assert len(text) <= EXCEL_CELL_LIMIT  # Excel refuses to open a longer cell as "damaged"
                quoted.add(text)
    # the formulas the files held are in the report, behind an apostrophe
    assert {"'" + f for f in ("=cmd|' /C calc'!A0", "@SUM(1,1)", "-1+1")} <= quoted
