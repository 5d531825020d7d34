"""Untrusted files are read in a bounded worker: whatever a file does there, the caller gets a typed,
located problem for that file and carries on; a normal file reads exactly as it does in process."""

from __future__ import annotations

import io
import os
import random
import re
import signal
import time
import zipfile
from pathlib import Path

import pytest

import store
from errors import ProblemList, Problem, WorkerFailed
from etl.load import review_file
from etl.read import read_sheets
from etl.worker import Limits, run_bounded
from store.reference import read_units

pytestmark = pytest.mark.timeout(120) if hasattr(pytest.mark, "timeout") else []

CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/'
                 b'2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                 b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/'
                 b'xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main'
                 b'+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
                 b'officedocument.spreadsheetml.worksheet+xml"/></Types>')
ROOT_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
             b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
             b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            b'2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            b'<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                 b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                 b'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


def sparse_xlsx(far_cell: str) -> bytes:
    """A workbook of a few kilobytes, written by hand: A1 and one cell far away, and no <dimension>."""
    row = int("".join(ch for ch in far_cell if ch.isdigit()))
    sheet = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>STT</t></is></c></row>'
             b'<row r="%d"><c r="%s"><v>1</v></c></row></sheetData></worksheet>' % (row, far_cell.encode()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in (("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", ROOT_RELS),
                              ("xl/workbook.xml", WORKBOOK), ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
                              ("xl/worksheets/sheet1.xml", sheet)):
            archive.writestr(name, content)
    return buffer.getvalue()


def review(db: Path, name: str, data: bytes, **options):
    with store.connect(db) as con:
        return review_file(con, Path(name), data=data, name=name, **options)


def digits(text: str) -> str:
    """A message with number separators taken out (vi writes 10.000.000, en 10,000,000)."""
    return re.sub(r"(?<=\d)[.,\u202f\xa0](?=\d{3})", "", text)


def only_error(result) -> Problem:
    assert [p.code for p in result.errors] == [result.errors[0].code], result.errors
    return result.errors[0]


# -- tasks the worker runs in the tests (module level: the child imports them by name) -------------

def read_without_checks(name: str, data: bytes) -> int:
    """The reader library alone, without check_safe: what calamine does with the bytes."""
    return len(read_sheets(Path(name), data, "xlsx"))


def kill_myself(number: int) -> None:
    os.kill(os.getpid(), number)
    time.sleep(10)


def allocate(megabytes: int) -> int:
    return len(bytearray(megabytes * 1024 * 1024))


def sleep(seconds: float) -> None:
    time.sleep(seconds)


def spin() -> None:
    while True:
        pass


def fail() -> None:
    raise ValueError("a bug in the reading")


# -- hostile files through the loader --------------------------------------------------------------

def test_a_sparse_xlsx_without_dimension_is_a_located_error_quickly_and_the_caller_survives(fresh_db):
    far = random.choice(["XFD1048576", "XFC1048570", "ZZ999999", "AAA500000"])
    data = sparse_xlsx(far)
    assert len(data) < 5000
    started = time.monotonic()
    result = review(fresh_db, "thua.xlsx", data)
    elapsed = time.monotonic() - started
    problem = only_error(result)
    assert problem.code == "too_many_cells" and problem.file == "thua.xlsx"
    assert problem.params["area"] == f"A1:{far}"
    assert "10000000" in digits(problem.message("en")) and "A1:" + far in problem.message("vi")
    assert elapsed < 15, elapsed
    assert not result.observations.shape[0]


def test_calamine_reading_the_sparse_xlsx_unchecked_dies_in_the_worker_not_here():
    """Without the pre-check calamine asks for hundreds of gigabytes and aborts its process: in the worker
    that is a typed failure naming the memory limit, and this process carries on."""
    with pytest.raises(WorkerFailed) as failed:
        run_bounded(read_without_checks, "thua.xlsx", sparse_xlsx("XFD1048576"), limits=Limits(memory_mb=2048))
    assert failed.value.code == "worker_memory"
    assert failed.value.params["limit_mb"] == 2048
    assert run_bounded(len, "still here") == 10


def test_a_million_column_csv_is_a_located_error_naming_the_limit(fresh_db):
    columns = 1_000_000 + random.randint(0, 1000)
    data = ("Mã xã," + ",".join(f"c{i}" for i in range(columns - 1)) + "\n08377,1\n").encode()
    assert len(data) < 50 * 1024 * 1024
    started = time.monotonic()
    result = review(fresh_db, "rong.csv", data)
    elapsed = time.monotonic() - started
    problem = only_error(result)
    assert (problem.code, problem.row, problem.params["columns"]) == ("too_many_columns", 1, columns)
    assert "1000 " in digits(problem.message("vi")) and f"{columns}" in digits(problem.message("en"))
    assert elapsed < 30, elapsed


def test_a_two_million_row_csv_is_a_located_error_naming_the_limit(fresh_db):
    rows = 2_000_000 + random.randint(0, 100)
    data = ("Mã xã,Đúng hạn\n" + "08377,1\n" * rows).encode()
    started = time.monotonic()
    result = review(fresh_db, "dai.csv", data)
    elapsed = time.monotonic() - started
    problem = only_error(result)
    assert problem.code == "too_many_rows" and problem.params["limit"] == 1_000_000
    assert "1000000" in digits(problem.message("vi"))
    assert elapsed < 60, elapsed


# -- every way a worker can end --------------------------------------------------------------------

@pytest.mark.parametrize(("number", "code"), [(signal.SIGTERM, "worker_crashed"), (signal.SIGKILL, "worker_memory"),
                                              (signal.SIGSEGV, "worker_memory")])
def test_a_child_killed_by_a_signal_is_a_typed_failure(number, code):
    with pytest.raises(WorkerFailed) as failed:
        run_bounded(kill_myself, number)
    assert failed.value.code == code


def test_a_child_over_its_memory_is_a_typed_failure_naming_the_limit():
    with pytest.raises(WorkerFailed) as failed:
        run_bounded(allocate, 4096, limits=Limits(memory_mb=1024))
    assert (failed.value.code, failed.value.params["limit_mb"]) == ("worker_memory", 1024)
    assert run_bounded(allocate, 16, limits=Limits(memory_mb=1024)) == 16 * 1024 * 1024


def test_a_child_over_its_time_is_stopped_at_the_limit():
    started = time.monotonic()
    with pytest.raises(WorkerFailed) as failed:
        run_bounded(sleep, 60, limits=Limits(seconds=1.5))
    assert (failed.value.code, failed.value.params["seconds"]) == ("worker_timeout", 1.5)
    assert time.monotonic() - started < 10


def test_a_child_over_its_cpu_time_is_a_typed_failure():
    with pytest.raises(WorkerFailed) as failed:
        run_bounded(spin, limits=Limits(cpu_seconds=1, seconds=60))
    assert (failed.value.code, failed.value.params["seconds"]) == ("worker_cpu", 1)


def test_an_exception_in_the_child_comes_back_with_its_text():
    with pytest.raises(WorkerFailed) as failed:
        run_bounded(fail)
    assert failed.value.code == "worker_crashed" and "a bug in the reading" in failed.value.params["how"]


def test_a_failed_worker_is_one_located_error_for_that_file_in_both_languages(fresh_db, samples):
    path = samples / "laocai_2026-09_bao_cao_tthc.xlsx"
    result = review(fresh_db, path.name, path.read_bytes(), limits=Limits(seconds=0.05))
    problem = only_error(result)
    assert (problem.code, problem.file) == ("worker_timeout", path.name)
    assert "0.05" in problem.message("en") and "XASO_WORKER_SECONDS" in problem.message("en")
    assert problem.message("vi").startswith(path.name) and "quá lớn hoặc bất thường khi đọc" in problem.message("vi")
    again = review(fresh_db, path.name, path.read_bytes())  # the next file reads as usual
    assert len(again.observations) > 0


# -- a normal file ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["laocai_2026-09_bao_cao_tthc.xlsx", "sonla_2026-09_chuyen_doi_so.xlsx",
                                  "hanoi_2026-q3_long.csv"])
def test_a_normal_file_reads_the_same_in_the_worker_as_in_process(fresh_db, samples, name):
    data = (samples / name).read_bytes()
    inside = review(fresh_db, name, data, in_process=True, user="an")
    bounded = review(fresh_db, name, data, in_process=False, user="an")
    assert len(bounded.observations) > 0
    assert bounded.observations.equals(inside.observations)
    assert list(bounded.problems) == list(inside.problems)
    assert (bounded.sheets, bounded.skipped, bounded.unit_rows, bounded.source_rows, bounded.sheet_names) == \
        (inside.sheets, inside.skipped, inside.unit_rows, inside.source_rows, inside.sheet_names)


# -- bounded problems ------------------------------------------------------------------------------

def test_a_review_keeps_the_first_problems_of_a_kind_and_says_how_many_more(fresh_db):
    codes = random.sample(sorted(read_units().query("parent_code.notna()")["code"]), random.randint(700, 1500))
    rows = len(codes)
    # every row handles more dossiers on time than it received: one error per row, of one kind
    lines = ["Mã xã,Tổng số hồ sơ tiếp nhận,Số hồ sơ đúng hạn"] + \
        [f"{code},{100 + i},{200 + i}" for i, code in enumerate(codes)]
    result = review(fresh_db, "bao_cao_thang_09_2026.csv", "\n".join(lines).encode())
    by_code: dict[str, int] = {}
    for p in result.problems:
        by_code[p.code] = by_code.get(p.code, 0) + 1
    summaries = [p for p in result.problems if p.code == "more_problems"]
    assert summaries, by_code
    limit = summaries[0].params["limit"]
    assert all(count <= limit for code, count in by_code.items() if code != "more_problems")
    for summary in summaries:
        assert by_code[summary.params["kind"]] == limit
        assert summary.params["count"] > 0 and str(summary.params["count"]) in digits(summary.message("vi"))
    assert sum(s.params["count"] for s in summaries) + sum(
        n for code, n in by_code.items() if code in {s.params["kind"] for s in summaries}) >= rows


def test_a_problem_list_counts_past_its_limit_and_survives_pickling():
    import pickle
    problems = ProblemList(limit=3)
    problems.extend(Problem("bad_value", "f.csv", "S", row) for row in range(10))
    problems += [Problem("other", "f.csv")]
    copy = pickle.loads(pickle.dumps(problems))
    copy.append(Problem("bad_value", "f.csv", "S", 99))
    copy.summarise()
    assert [p.code for p in copy] == ["bad_value"] * 3 + ["other", "more_problems"]
    assert copy[-1].params == {"count": 8, "kind": "bad_value", "limit": 3}
