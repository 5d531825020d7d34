"""Accounts: hashed passwords, lock-out, expiring sessions, roles and provinces, each change audited."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

import store
from i18n import catalog
from store.audit import audit_log
from store.users import (LOCK_MINUTES, MAX_FAILED_SIGN_INS, AccountLocked, BadAccount, NotAllowed, SessionExpired,
                         SignInFailed, User, add_user, check_write, ensure_first_admin, get_user, list_users,
                         require_role, reset_password, session_user, set_disabled, sign_in, sign_out)

PASSWORD = "mật-khẩu-đủ-dài"
ADMIN = User("admin", "Quản trị", "admin", None)
T0 = datetime(2026, 11, 23, 8, 0, 0)


@pytest.fixture
def con(fresh_db):
    with store.connect(fresh_db) as connection:
        yield connection


def test_a_password_is_stored_as_a_bcrypt_hash_never_as_text(con):
    add_user(con, ADMIN, "Lan", PASSWORD, "analyst", province_code="01", display_name="Nguyễn Thị Lan")

    stored = con.execute("SELECT username, password_hash FROM app_user").fetchall()
    assert stored[0][0] == "lan"  # names are kept in lower case
    assert stored[0][1].startswith("$2b$") and PASSWORD not in stored[0][1]
    assert get_user(con, "lan") == User("lan", "Nguyễn Thị Lan", "analyst", "01", False)


@pytest.mark.parametrize("username, password, role, province, reason", [
    ("a b", PASSWORD, "viewer", None, "username"),
    ("x'; DROP TABLE unit; --", PASSWORD, "viewer", None, "username"),
    ("lan", "ngắn", "viewer", None, "password_short"),
    ("lan", "x" * 73, "viewer", None, "password_long"),
    ("lan", PASSWORD, "boss", None, "role"),
    ("lan", PASSWORD, "analyst", "99", "province"),
])
def test_a_bad_account_request_is_refused_with_its_reason(con, username, password, role, province, reason):
    with pytest.raises(BadAccount) as refused:
        add_user(con, ADMIN, username, password, role, province_code=province)

    assert refused.value.code == f"account_{reason}"
    assert list_users(con, ADMIN) == []
    assert con.execute("SELECT count(*) FROM unit").fetchone()[0] == 3355


def test_every_account_reason_has_a_message_and_a_fix_in_both_languages():
    for lang in ("vi", "en"):
        for reason in BadAccount.REASONS:
            assert f"problem.account_{reason}" in catalog(lang) and f"fix.account_{reason}" in catalog(lang)


def test_a_taken_name_is_refused(con):
    add_user(con, ADMIN, "lan", PASSWORD, "viewer")
    with pytest.raises(BadAccount, match="account_taken"):
        add_user(con, ADMIN, "LAN", PASSWORD, "admin")
    assert get_user(con, "lan").role == "viewer"


def test_signing_in_opens_a_session_that_expires(con):
    add_user(con, ADMIN, "lan", PASSWORD, "analyst", province_code="01")

    session = sign_in(con, "lan", PASSWORD, at=T0)

    assert session_user(con, session.token, at=T0 + timedelta(hours=1)).username == "lan"
    with pytest.raises(SessionExpired):
        session_user(con, session.token, at=session.expires_at)
    with pytest.raises(SessionExpired):
        session_user(con, "not-a-token", at=T0)
    stored = con.execute("SELECT token_sha256 FROM user_session").fetchone()[0]
    assert session.token not in stored  # the database keeps only a digest


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(con):
    add_user(con, ADMIN, "lan", PASSWORD, "viewer")

    with pytest.raises(SignInFailed) as wrong_password:
        sign_in(con, "lan", "mật-khẩu-sai-rồi", at=T0)
    with pytest.raises(SignInFailed) as unknown_name:
        sign_in(con, "khong-co", PASSWORD, at=T0)

    assert wrong_password.value.message("vi") == unknown_name.value.message("vi")


def test_repeated_failures_lock_the_account_even_for_the_right_password(con):
    add_user(con, ADMIN, "lan", PASSWORD, "viewer")
    for attempt in range(MAX_FAILED_SIGN_INS):
        with pytest.raises(SignInFailed):
            sign_in(con, "lan", f"đoán-sai-lần-{attempt}", at=T0)

    with pytest.raises(AccountLocked) as locked:
        sign_in(con, "lan", PASSWORD, at=T0 + timedelta(minutes=1))
    assert str(LOCK_MINUTES - 1) in locked.value.message("vi")

    later = sign_in(con, "lan", PASSWORD, at=T0 + timedelta(minutes=LOCK_MINUTES + 1))
    assert later.user.username == "lan"


def test_a_good_sign_in_clears_the_failure_count(con):
    add_user(con, ADMIN, "lan", PASSWORD, "viewer")
    for _ in range(MAX_FAILED_SIGN_INS - 1):
        with pytest.raises(SignInFailed):
            sign_in(con, "lan", "sai-sai-sai-sai", at=T0)
    sign_in(con, "lan", PASSWORD, at=T0)

    with pytest.raises(SignInFailed):  # counting starts again: not locked after one more failure
        sign_in(con, "lan", "sai-sai-sai-sai", at=T0)
    assert sign_in(con, "lan", PASSWORD, at=T0).user.username == "lan"


def test_disabling_an_account_ends_its_sessions_and_refuses_sign_in(con):
    add_user(con, ADMIN, "lan", PASSWORD, "analyst")
    session = sign_in(con, "lan", PASSWORD)

    set_disabled(con, ADMIN, "lan", True)

    with pytest.raises(SessionExpired):
        session_user(con, session.token)
    with pytest.raises(SignInFailed):
        sign_in(con, "lan", PASSWORD)
    set_disabled(con, ADMIN, "lan", False)
    assert sign_in(con, "lan", PASSWORD).user.username == "lan"


def test_a_reset_sets_a_new_password_lifts_the_lock_and_ends_sessions(con):
    add_user(con, ADMIN, "lan", PASSWORD, "viewer")
    session = sign_in(con, "lan", PASSWORD)
    for _ in range(MAX_FAILED_SIGN_INS):
        with pytest.raises(SignInFailed):
            sign_in(con, "lan", "sai-sai-sai-sai")

    reset_password(con, ADMIN, "lan", "mật-khẩu-mới-dài")

    with pytest.raises(SessionExpired):
        session_user(con, session.token)
    with pytest.raises(SignInFailed):
        sign_in(con, "lan", PASSWORD)
    assert sign_in(con, "lan", "mật-khẩu-mới-dài").user.username == "lan"


def test_signing_out_ends_the_session(con):
    add_user(con, ADMIN, "lan", PASSWORD, "viewer")
    session = sign_in(con, "lan", PASSWORD)
    sign_out(con, session.token)
    with pytest.raises(SessionExpired):
        session_user(con, session.token)


@pytest.mark.parametrize("user, provinces, allowed", [
    (User("v", "v", "viewer", None), {"01"}, False),
    (User("a", "a", "analyst", "01"), {"01"}, True),
    (User("a", "a", "analyst", "01"), {"01", "79"}, False),
    (User("a", "a", "analyst", None), {"01", "79"}, True),
    (User("a", "a", "analyst", "01", disabled=True), {"01"}, False),
    (User("x", "x", "admin", "01"), {"79"}, True),
])
def test_who_may_change_which_province(user, provinces, allowed):
    if allowed:
        check_write(user, provinces, "upload")
    else:
        with pytest.raises(NotAllowed):
            check_write(user, provinces, "upload")


def test_roles_are_ordered_viewer_analyst_admin():
    require_role(User("x", "x", "admin", None), "analyst", "rollback")
    require_role(User("a", "a", "analyst", "01"), "analyst", "rollback")
    with pytest.raises(NotAllowed) as refused:
        require_role(User("v", "v", "viewer", None), "analyst", "rollback")
    assert "viewer" in refused.value.message("en")


def test_the_first_admin_gets_a_random_password_once(con):
    password = ensure_first_admin(con)

    assert password and len(password) >= 12
    assert sign_in(con, "admin", password).user.role == "admin"
    assert ensure_first_admin(con) is None  # never a second time, never a fixed default


def test_every_sign_in_failure_and_account_change_is_in_the_audit_trail(con):
    add_user(con, ADMIN, "lan", PASSWORD, "analyst", province_code="01")
    sign_in(con, "lan", PASSWORD)
    with pytest.raises(SignInFailed):
        sign_in(con, "lan", "sai-sai-sai-sai")
    set_disabled(con, ADMIN, "lan", True)
    reset_password(con, ADMIN, "lan", "mật-khẩu-mới-dài")

    trail = audit_log(con, ADMIN)
    assert list(trail["action"])[::-1] == ["user_add", "sign_in", "sign_in_failed", "user_disable", "user_reset"]
    assert list(trail["actor"])[::-1] == ["admin", "lan", "lan", "admin", "admin"]  # who acted, each time
    assert list(trail["outcome"])[::-1] == ["ok", "ok", "refused", "ok", "ok"]
    assert list(audit_log(con, ADMIN, action="sign_in_failed")["target"]) == ["lan"]
    assert audit_log(con, ADMIN, actor="nobody").empty


def test_a_hostile_name_typed_at_sign_in_is_recorded_as_plain_text(con):
    hostile = "x'); DROP TABLE unit; --<script>=1+1"
    with pytest.raises(SignInFailed):
        sign_in(con, hostile, PASSWORD)

    assert list(audit_log(con, ADMIN)["target"]) == [hostile.lower()]
    assert con.execute("SELECT count(*) FROM unit").fetchone()[0] == 3355


@pytest.mark.parametrize("actor", [User("lan", "Lan", "analyst", None), User("v", "V", "viewer", None),
                                   User("old", "Old", "admin", None, disabled=True)])
def test_only_an_active_admin_manages_accounts(con, actor):
    add_user(con, ADMIN, "minh", PASSWORD, "viewer")
    for change in (lambda: add_user(con, actor, "lan", PASSWORD, "admin"),
                   lambda: set_disabled(con, actor, "minh", True),
                   lambda: reset_password(con, actor, "minh", "mật-khẩu-của-kẻ-lạ")):
        with pytest.raises(NotAllowed):
            change()
    assert [u.username for u in list_users(con, ADMIN)] == ["minh"] and not get_user(con, "minh").disabled
    assert sign_in(con, "minh", PASSWORD).user.username == "minh"
    refused = audit_log(con, ADMIN, actor=actor.username)
    assert sorted(refused["action"]) == ["user_add", "user_disable", "user_reset"]
    assert set(refused["outcome"]) == {"refused"}


def test_the_last_active_admin_cannot_be_disabled(con):
    add_user(con, ADMIN, "boss", PASSWORD, "admin")
    with pytest.raises(BadAccount, match="account_last_admin"):
        set_disabled(con, ADMIN, "boss", True)
    add_user(con, ADMIN, "boss2", PASSWORD, "admin")
    assert set_disabled(con, ADMIN, "boss", True).disabled
