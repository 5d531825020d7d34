"""Saving a composite index is a write like any other: an analyst's, checked in store/, in the audit trail."""

from __future__ import annotations

import json

import pytest

import store
from analytics.ranking import Composite, composite_names, load_composite, save_composite
from store.users import NotAllowed, SessionExpired, User

AN = User("an", "Nguyễn Văn An", "analyst", "25")  # Phú Thọ
BINH = User("binh", "Trần Thị Bình", "analyst", "15")  # Lào Cai: another province
VIEWER = User("xem", "Lê Văn Xem", "viewer", None)
ADMIN = User("quan-tri", "Quản trị viên", "admin", None)
DISABLED = User("cu", "Tài khoản cũ", "analyst", None, disabled=True)
MIX = Composite("Tiến độ và số hóa", (("on_time_rate", 2.0), ("digitization_rate", 1.0)))
OTHER_MIX = Composite("Tiến độ và số hóa", (("esign_rate", 1.0), ("online_filing_rate", 1.0)), "geometric")


def trail(con) -> list[tuple]:
    return con.execute("SELECT actor, action, target, outcome, detail FROM audit WHERE action = 'composite' "
                       "ORDER BY happened_at, rowid").fetchall()


def test_an_analyst_saves_a_composite_under_their_own_account_and_the_trail_says_so(fresh_db):
    with store.connect(fresh_db) as con:
        save_composite(con, MIX, AN)
        assert composite_names(con) == [MIX.name]
        assert con.execute("SELECT created_by FROM composite").fetchall() == [("an",)]
        [(actor, action, target, outcome, detail)] = trail(con)
    assert (actor, action, target, outcome) == ("an", "composite", MIX.name, "ok")
    assert json.loads(detail) == {"definition": json.loads(MIX.to_json()), "replaced": None}


@pytest.mark.parametrize("who", [VIEWER, DISABLED], ids=["viewer", "disabled analyst"])
def test_a_viewer_or_a_disabled_account_cannot_save_and_the_refusal_is_recorded(fresh_db, who):
    with store.connect(fresh_db) as con:
        with pytest.raises(NotAllowed):
            save_composite(con, MIX, who)
        assert composite_names(con) == []
        assert [(a, o) for a, _, _, o, _ in trail(con)] == [(who.username, "refused")]


def test_a_public_visitor_cannot_save(fresh_db):
    with store.connect(fresh_db) as con:
        with pytest.raises(SessionExpired):
            save_composite(con, MIX, None)
        assert composite_names(con) == []


def test_a_bare_name_is_not_an_account(fresh_db):
    """A string used to be taken on trust (and as an administrator): the store wants the signed-in User."""
    with store.connect(fresh_db) as con:
        with pytest.raises(TypeError):
            save_composite(con, MIX, "admin")
        assert composite_names(con) == []


def test_another_analyst_cannot_overwrite_a_composite_and_the_original_stays(fresh_db):
    with store.connect(fresh_db) as con:
        save_composite(con, MIX, AN)
        with pytest.raises(NotAllowed) as refused:
            save_composite(con, OTHER_MIX, BINH)
        assert load_composite(con, MIX.name) == MIX
        assert [(a, o) for a, _, _, o, _ in trail(con)] == [("an", "ok"), ("binh", "refused")]
    assert "tên khác" in refused.value.message("vi") and "another name" in refused.value.message("en")


def test_its_author_or_an_administrator_may_replace_it_and_the_trail_names_whom_it_replaced(fresh_db):
    with store.connect(fresh_db) as con:
        save_composite(con, MIX, AN)
        save_composite(con, OTHER_MIX, AN)
        assert load_composite(con, MIX.name) == OTHER_MIX
        save_composite(con, MIX, ADMIN)
        assert load_composite(con, MIX.name) == MIX
        assert con.execute("SELECT created_by FROM composite").fetchall() == [("quan-tri",)]
        rows = trail(con)
    assert [(a, json.loads(d)["replaced"]) for a, _, _, _, d in rows] == [("an", None), ("an", "an"),
                                                                        ("quan-tri", "an")]
