"""Who may load and roll back what, checked by the loader and the store themselves (not by the pages)."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

import store
from etl.load import commit_review, load_file, review_file
from store.audit import audit_log
from store.observations import rollback_batch
from store.users import SYSTEM, NotAllowed, SessionExpired, User

SON_LA = "sonla_2026-09_chuyen_doi_so.xlsx"  # every row a commune of Sơn La (province 14)
SON_LA_ANALYST = User("hoa", "Hoa", "analyst", "14")
HA_NOI_ANALYST = User("lan", "Lan", "analyst", "01")
NATIONAL_ANALYST = User("minh", "Minh", "analyst", None)
VIEWER = User("an", "An", "viewer", None)


def observations(db) -> pd.DataFrame:
    with duckdb.connect(str(db)) as con:
        return con.execute("SELECT * FROM observation ORDER BY ALL").df()


def test_an_analyst_of_another_province_gets_every_row_refused_naming_it(samples, fresh_db):
    with store.connect(fresh_db) as con:
        review = review_file(con, samples / SON_LA, user=HA_NOI_ANALYST)

    refused = [p for p in review.errors if p.code == "unit_outside_scope"]
    assert review.blocked and len(refused) == review.units
    first = refused[0]
    assert first.sheet and first.row and first.value
    message = first.message("vi")
    assert "Sơn La" in message and "lan" in message and "Hà Nội" in message
    assert "Remove the other province's rows" in first.message("en")


@pytest.mark.parametrize("user", [SON_LA_ANALYST, NATIONAL_ANALYST, "operator"])
def test_the_provinces_analyst_a_national_analyst_and_the_operator_may_load(samples, fresh_db, user):
    result = load_file(samples / SON_LA, db=fresh_db, user=user)

    assert result.status == "loaded"
    with store.connect(fresh_db) as con:
        trail = audit_log(con, SYSTEM, action="upload")
    name = user if isinstance(user, str) else user.username
    assert list(trail["actor"]) == [name] and list(trail["target"]) == [SON_LA]
    assert f'"batch": {result.batch_id}' in trail["detail"][0]


@pytest.mark.parametrize("user", [HA_NOI_ANALYST, VIEWER, User("x", "X", "admin", None, disabled=True)])
def test_the_store_refuses_a_commit_by_someone_who_may_not_and_writes_nothing(samples, fresh_db, user):
    with store.connect(fresh_db) as con:
        review = review_file(con, samples / SON_LA)  # reviewed without a user, as a page bypassing checks would
        assert not review.blocked
        with pytest.raises(NotAllowed):
            commit_review(con, review, user=user, lang="vi")
        assert con.execute("SELECT count(*) FROM batch").fetchone()[0] == 0
        trail = audit_log(con, SYSTEM)
    assert list(trail["action"]) == ["upload"] and list(trail["outcome"]) == ["refused"]
    assert observations(fresh_db).empty


def test_a_session_that_ended_cannot_write(samples, fresh_db):
    with store.connect(fresh_db) as con:
        review = review_file(con, samples / SON_LA)
        with pytest.raises(SessionExpired):
            commit_review(con, review, user=None, lang="en")  # what a page has once the session is gone
    assert observations(fresh_db).empty


def test_a_rollback_is_refused_outside_the_province_and_allowed_inside(samples, fresh_db):
    loaded = load_file(samples / SON_LA, db=fresh_db, user=SON_LA_ANALYST)
    before = observations(fresh_db)

    with store.connect(fresh_db) as con:
        for outsider in (HA_NOI_ANALYST, VIEWER):
            with pytest.raises(NotAllowed), store.transaction(con):
                rollback_batch(con, loaded.batch_id, outsider)
    pd.testing.assert_frame_equal(observations(fresh_db), before)

    with store.connect(fresh_db) as con:
        with store.transaction(con):
            assert rollback_batch(con, loaded.batch_id, SON_LA_ANALYST) > 0
        trail = audit_log(con, SYSTEM, action="rollback")
        assert con.execute("SELECT rolled_back_by FROM batch").fetchone()[0] == "hoa"
    assert list(zip(trail["actor"], trail["outcome"])) == [("hoa", "ok"), ("an", "refused"), ("lan", "refused")]
