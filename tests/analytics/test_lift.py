"""What would it take: the smallest rise in a unit's own counts that gains it a place in its province,
checked against rankings recomputed from the loaded figures."""

from __future__ import annotations

import random

import pytest

import store
from analytics.index766 import round_half_up
from analytics.lift import describe
from analytics.profile import profile
from analytics.values import catalog
from tests.analytics.monthly_files import load_month

GROUPS = ["Điểm công khai minh bạch", "Điểm dịch vụ công trực tuyến", "Điểm thanh toán trực tuyến",
          "Điểm số hóa hồ sơ", "Điểm mức độ hài lòng"]
MAXIMA = [18, 12, 10, 22, 18]
HEADER = ["Tổng tiếp nhận", "Đúng hạn", *GROUPS]


@pytest.fixture(scope="module", params=[1, 2])
def province(request, reference_db, tmp_path_factory):
    """(db, rows): one month of a province's communes with random counts and group scores (seeded)."""
    folder = tmp_path_factory.mktemp(f"lift{request.param}")
    db = folder / "xaso.duckdb"
    db.write_bytes(reference_db.read_bytes())
    with store.connect(db) as con:
        codes = [r[0] for r in con.execute("SELECT code FROM unit WHERE parent_code = '25' ORDER BY code").fetchall()]
    rng = random.Random(request.param)
    rows = []
    for code in rng.sample(codes, 30):
        received = rng.randint(20, 600)
        rows.append([code, received, rng.randint(received // 2, received),
                     *[round(rng.uniform(0.4, 1.0) * m, 2) for m in MAXIMA]])
    files = folder / "files"
    files.mkdir()
    load_month(db, files, "9/2026", HEADER, rows)
    return db, rows


def _index(row: list, on_time: int) -> float:
    return float(round_half_up(20 * on_time / row[1])) + sum(row[3:])


def _rank(rows: list, code: str, index: float) -> int:
    others = [round(_index(r, r[2]), 2) for r in rows if r[0] != code]
    return 1 + sum(other > round(index, 2) for other in others)


def test_the_smallest_rise_in_on_time_dossiers_that_gains_a_place(province):
    db, rows = province
    checked = 0
    with store.connect(db) as con:
        for row in rows[:5]:
            code, received, on_time = row[0], row[1], row[2]
            found = profile(con, code, "2026-09")
            lifts = {lift.code: lift for lift in found.lifts}
            if on_time == received:
                assert "progress_score" not in lifts  # nothing left to gain from the counts
                continue
            lift = lifts["progress_score"]
            now = _rank(rows, code, _index(row, on_time))
            assert (lift.numerator, lift.denominator, lift.rank) == (on_time, received, now)
            assert lift.rank == found.line("service_index").province_rank
            gained = _rank(rows, code, _index(row, on_time + lift.added))
            assert lift.new_rank == gained
            if lift.places > 0:
                assert gained < now
                assert _rank(rows, code, _index(row, on_time + lift.added - 1)) == now  # one fewer is not enough
            else:
                assert on_time + lift.added == received and now == 1 or gained == now
            # the portal's points, each rounded half-up to 2 decimals
            assert lift.gain == pytest.approx(float(round_half_up(20 * (on_time + lift.added) / received)
                                                    - round_half_up(20 * on_time / received)))
            checked += 1
    assert checked


@pytest.mark.parametrize(("lang", "words"), [("vi", ["thêm", "trên", "điểm", "bậc trong tỉnh"]),
                                             ("en", ["more", "out of", "points", "province"])])
def test_the_lift_reads_as_a_sentence_in_each_language(province, lang, words):
    db, rows = province
    with store.connect(db) as con:
        found = next(p for p in (profile(con, r[0], "2026-09") for r in rows) if p.lifts)
        sentence = describe(found.lifts[0], catalog(con), lang)
    assert all(word in sentence for word in words), sentence
    assert "{" not in sentence
