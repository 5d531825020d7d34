"""Accounts: hashed passwords, lock-out, expiring sessions, roles and provinces, each change audited."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

import store
from i18n import catalog
from store.audit import audit_log
from store.users import (CLIENT_FREE_FAILURES, LOCK_MINUTES, MAX_FAILED_SIGN_INS, AccountLocked, BadAccount,
                         NotAllowed, SessionExpired, SignInFailed, TooManyAttempts, User, add_user, check_write,
                         ensure_first_admin, get_user, list_users, require_role, reset_password, session_user,
                         set_disabled, sign_in, sign_in_state, sign_out, unlock)

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


def answers(con, name: str, client: str, attempts: int, start: datetime) -> list[tuple[str, str, str]]:
    """What a guesser sees for each try: the kind of refusal and its words in both languages."""
    seen = []
    for attempt in range(attempts):
        with pytest.raises((SignInFailed, AccountLocked, TooManyAttempts)) as refused:
            sign_in(con, name, f"đoán-sai-số-{attempt}", client=client, at=start + timedelta(seconds=attempt))
        seen.append((type(refused.value).__name__, refused.value.message("vi"), refused.value.message("en")))
    return seen


def test_six_failures_on_an_unknown_name_and_on_a_real_one_look_and_lock_the_same(con):
    add_user(con, ADMIN, "lan", PASSWORD, "admin")
    later = T0 + timedelta(seconds=MAX_FAILED_SIGN_INS + 2)

    real = answers(con, "lan", "203.0.113.7", MAX_FAILED_SIGN_INS + 1, T0)
    unknown = answers(con, "khong-co-ai", "198.51.100.9", MAX_FAILED_SIGN_INS + 1, T0)

    assert real == unknown
    assert [kind for kind, _, _ in real] == ["SignInFailed"] * MAX_FAILED_SIGN_INS + ["AccountLocked"]
    assert sign_in_state(con, "lan", "203.0.113.7", at=later) == \
        sign_in_state(con, "khong-co-ai", "198.51.100.9", at=later)
    assert sign_in_state(con, "lan", "203.0.113.7", at=later).locked_minutes == LOCK_MINUTES
    # the audit trail, which only admins read, still tells them apart
    known = {row.target: row.detail for row in audit_log(con, ADMIN, action="sign_in_failed").itertuples()}
    assert '"known": true' in known["lan"] and '"known": false' in known["khong-co-ai"]


def test_a_lock_caused_from_one_address_does_not_keep_the_account_out_from_another(con):
    add_user(con, ADMIN, "admin2", PASSWORD, "admin")
    answers(con, "admin2", "203.0.113.7", MAX_FAILED_SIGN_INS, T0)

    with pytest.raises(AccountLocked):
        sign_in(con, "admin2", PASSWORD, client="203.0.113.7", at=T0 + timedelta(minutes=1))
    session = sign_in(con, "admin2", PASSWORD, client="192.0.2.44", at=T0 + timedelta(minutes=1))

    assert session.user.username == "admin2"
    with pytest.raises(AccountLocked):  # the guesser's own lock stands
        sign_in(con, "admin2", PASSWORD, client="203.0.113.7", at=T0 + timedelta(minutes=2))


def test_an_address_that_fails_five_times_waits_longer_after_each_further_failure(con):
    add_user(con, ADMIN, "lan", PASSWORD, "viewer")
    names = [f"ten-{n}" for n in range(CLIENT_FREE_FAILURES)]  # a different name each time: no name locks
    for n, name in enumerate(names):
        with pytest.raises(SignInFailed):
            sign_in(con, name, "sai-sai-sai-sai", client="203.0.113.7", at=T0 + timedelta(seconds=n))
    last = T0 + timedelta(seconds=CLIENT_FREE_FAILURES - 1)

    with pytest.raises(TooManyAttempts) as sixth:  # even with the right password: nothing is checked
        sign_in(con, "lan", PASSWORD, client="203.0.113.7", at=last + timedelta(seconds=20))
    assert sixth.value.message("vi").startswith("Máy này đã đăng nhập sai quá nhiều lần. Thử lại sau 1 phút")
    assert sixth.value.message("en").startswith("Too many failed sign-ins from this computer. Try again in 1 minute;")
    assert sign_in(con, "lan", PASSWORD, client="192.0.2.44", at=last).user.username == "lan"  # others unaffected

    with pytest.raises(SignInFailed):  # after the wait one more try; it fails, and the wait doubles
        sign_in(con, "ten-moi", "sai-sai-sai-sai", client="203.0.113.7", at=last + timedelta(minutes=1))
    state = sign_in_state(con, "lan", "203.0.113.7", at=last + timedelta(minutes=1))
    assert (state.client_failures, state.client_wait_minutes) == (CLIENT_FREE_FAILURES + 1, 2)
    with pytest.raises(TooManyAttempts):
        sign_in(con, "lan", PASSWORD, client="203.0.113.7", at=last + timedelta(minutes=2))
    assert sign_in(con, "lan", PASSWORD, client="203.0.113.7", at=last + timedelta(minutes=3)).user.username == "lan"

    refusals = audit_log(con, ADMIN, action="sign_in_failed")
    assert list(refusals["detail"].str.contains('"reason": "too_many_attempts"')).count(True) == 2


def test_failures_older_than_the_window_no_longer_count(con):
    answers(con, "lan", "203.0.113.7", MAX_FAILED_SIGN_INS - 1, T0)

    state = sign_in_state(con, "lan", "203.0.113.7", at=T0 + timedelta(minutes=LOCK_MINUTES, seconds=10))

    assert (state.failures, state.client_failures, state.locked_minutes) == (0, 0, 0)


def test_an_admin_unlocks_an_account_at_every_address_and_it_is_audited(con):
    add_user(con, ADMIN, "lan", PASSWORD, "viewer")
    for client in ("203.0.113.7", "198.51.100.9"):
        answers(con, "lan", client, MAX_FAILED_SIGN_INS, T0)

    assert unlock(con, ADMIN, "lan") == 2 * MAX_FAILED_SIGN_INS

    for client in ("203.0.113.7", "198.51.100.9"):
        assert sign_in(con, "lan", PASSWORD, client=client, at=T0 + timedelta(minutes=1)).user.username == "lan"
    trail = audit_log(con, ADMIN, action="user_unlock")
    assert list(zip(trail["actor"], trail["target"], trail["outcome"])) == [("admin", "lan", "ok")]


def test_only_an_admin_unlocks_and_only_an_account_that_exists(con):
    with pytest.raises(NotAllowed):
        unlock(con, User("lan", "Lan", "analyst", None), "admin")
    with pytest.raises(BadAccount, match="account_unknown"):
        unlock(con, ADMIN, "khong-co-ai")
    assert list(audit_log(con, ADMIN)["outcome"]) == ["refused"]
