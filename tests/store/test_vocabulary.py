"""What people teach the loader: learned headers and remembered unit picks, permission-checked and audited."""

from __future__ import annotations

import random

import pytest

import store
from store.audit import audit_log
from store.users import NotAllowed, User
from store.vocabulary import learn_headers, learned_headers, remember_units, remembered_units

ADMIN = User("admin", "Quản trị", "admin", None)


@pytest.fixture
def con(fresh_db):
    with store.connect(fresh_db) as connection:
        yield connection


def two_communes_of_other_provinces(con, seed: int) -> tuple[tuple[str, str], tuple[str, str]]:
    """(commune code, province code) twice, in two different provinces drawn at random."""
    rows = con.execute("SELECT code, parent_code FROM unit WHERE parent_code IS NOT NULL ORDER BY code").fetchall()
    rng = random.Random(seed)
    first = rng.choice(rows)
    second = rng.choice([row for row in rows if row[1] != first[1]])
    return first, second


def trail(con, action: str) -> list[tuple[str, str, str]]:
    log = audit_log(con, ADMIN, action=action)
    return list(zip(log["actor"], log["outcome"], log["detail"]))


def test_a_header_an_analyst_confirms_is_learned_for_everyone_with_an_audit_record(con):
    analyst = User("lan", "Lan", "analyst", "08")

    written = learn_headers(con, analyst, [("don vi thuc hien bao cao", "Đơn vị thực hiện báo cáo", "_unit_name"),
                                           ("so hs tiep nhan", "Số HS tiếp nhận", "dossiers_received")])

    assert written == 2
    assert learned_headers(con) == {"don vi thuc hien bao cao": "_unit_name", "so hs tiep nhan": "dossiers_received"}
    [(actor, outcome, detail)] = trail(con, "learn_header")
    assert (actor, outcome) == ("lan", "ok") and "Số HS tiếp nhận" in detail and "dossiers_received" in detail


def test_learning_the_same_header_again_writes_nothing_and_a_new_target_replaces_the_old(con):
    learn_headers(con, ADMIN, [("hs tre han", "HS trễ hạn", "dossiers_overdue")])

    assert learn_headers(con, ADMIN, [("hs tre han", "HS trễ hạn", "dossiers_overdue")]) == 0
    assert learn_headers(con, ADMIN, [("hs tre han", "HS trễ hạn", "dossiers_on_time")]) == 1
    assert learned_headers(con) == {"hs tre han": "dossiers_on_time"}
    assert len(trail(con, "learn_header")) == 2


def test_a_viewer_cannot_teach_headers_and_the_refusal_is_recorded(con):
    with pytest.raises(NotAllowed):
        learn_headers(con, User("xem", "Xem", "viewer", None), [("tong hs", "Tổng HS", "dossiers_received")])

    assert learned_headers(con) == {}
    assert [(actor, outcome) for actor, outcome, _ in trail(con, "learn_header")] == [("xem", "refused")]


def test_a_header_cannot_be_taught_a_target_that_does_not_exist(con):
    with pytest.raises(ValueError):
        learn_headers(con, ADMIN, [("tong hs", "Tổng HS", "no_such_indicator")])
    assert learned_headers(con) == {}


@pytest.mark.parametrize("seed", range(3))
def test_an_analyst_of_the_province_remembers_a_unit_pick_with_an_audit_record(con, seed):
    (commune, province), _other = two_communes_of_other_provinces(con, seed)
    analyst = User("lan", "Lan", "analyst", province)

    written = remember_units(con, analyst, [("p hoa binh", "P. Hòa Bình", commune)], target="bao_cao.xlsx")

    assert written == 1
    assert remembered_units(con) == {(province, "p hoa binh"): commune}
    [(actor, outcome, detail)] = trail(con, "remember_unit")
    assert (actor, outcome) == ("lan", "ok") and "P. Hòa Bình" in detail and commune in detail


@pytest.mark.parametrize("seed", range(3))
def test_an_analyst_of_another_province_cannot_remember_a_pick_and_the_refusal_is_recorded(con, seed):
    (commune, _province), (_commune, other_province) = two_communes_of_other_provinces(con, seed)

    with pytest.raises(NotAllowed):
        remember_units(con, User("lan", "Lan", "analyst", other_province), [("p hoa binh", "P. Hòa Bình", commune)])

    assert remembered_units(con) == {}
    assert [(actor, outcome) for actor, outcome, _ in trail(con, "remember_unit")] == [("lan", "refused")]


def test_a_viewer_cannot_remember_a_pick_even_in_their_province(con):
    (commune, province), _other = two_communes_of_other_provinces(con, 7)

    with pytest.raises(NotAllowed):
        remember_units(con, User("xem", "Xem", "viewer", province), [("x", "X", commune)])
    assert remembered_units(con) == {}


def test_an_admin_remembers_picks_of_any_province_each_kept_under_its_own_province(con):
    (first, first_province), (second, second_province) = two_communes_of_other_provinces(con, 11)

    remember_units(con, ADMIN, [("trung tam", "Trung tâm", first)])
    remember_units(con, ADMIN, [("trung tam", "Trung tâm", second)])

    assert remembered_units(con) == {(first_province, "trung tam"): first, (second_province, "trung tam"): second}


def test_a_province_code_is_not_a_unit_to_remember(con):
    (_commune, province), _other = two_communes_of_other_provinces(con, 3)

    with pytest.raises(ValueError):
        remember_units(con, ADMIN, [("ca tinh", "Cả tỉnh", province)])
    assert remembered_units(con) == {}
