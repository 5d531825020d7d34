"""python -m store users|audit: accounts from the command line, passwords never on it."""

from __future__ import annotations

import io
import json

import pytest

import store
from store.__main__ import main
from store.users import sign_in


def run(capsys, monkeypatch, lang: str, *argv: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setenv("XASO_LANG", lang)
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_add_prints_a_random_password_once_that_signs_in(fresh_db, capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, "vi", "--db", str(fresh_db), "users", "add", "lan", "--role", "analyst",
                       "--province", "01", "--name", "Nguyễn Thị Lan")

    assert code == 0 and "Đã tạo tài khoản lan." in out
    password = out.strip().rsplit(" ", 1)[-1]
    with store.connect(fresh_db) as con:
        assert sign_in(con, "lan", password).user.province_code == "01"


def test_a_password_can_come_from_standard_input(fresh_db, capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, "en", "--db", str(fresh_db), "users", "add", "minh", "--role", "viewer",
                       "--password-stdin", stdin="một-mật-khẩu-dài\n")

    assert code == 0 and out.strip() == "Account minh created."
    with store.connect(fresh_db) as con:
        assert sign_in(con, "minh", "một-mật-khẩu-dài").user.role == "viewer"


def test_list_disable_enable_and_reset(fresh_db, capsys, monkeypatch):
    db = ["--db", str(fresh_db)]
    run(capsys, monkeypatch, "vi", *db, "users", "add", "lan", "--role", "analyst", "--province", "01")
    assert run(capsys, monkeypatch, "vi", *db, "users", "disable", "lan")[0] == 0
    _, out, _ = run(capsys, monkeypatch, "vi", *db, "users", "list")
    assert out.strip() == "lan · lan · vai trò: Cán bộ số liệu · tỉnh 01 · đã khoá"
    run(capsys, monkeypatch, "vi", *db, "users", "enable", "lan")
    _, out, _ = run(capsys, monkeypatch, "en", *db, "users", "list", "--json")
    assert json.loads(out) == [{"username": "lan", "display_name": "lan", "role": "analyst", "province_code": "01",
                                "disabled": False}]
    code, out, _ = run(capsys, monkeypatch, "en", *db, "users", "reset", "lan", "--password-stdin",
                       stdin="mật-khẩu-mới-dài\n")
    assert code == 0
    with store.connect(fresh_db) as con:
        assert sign_in(con, "lan", "mật-khẩu-mới-dài").user.username == "lan"


@pytest.mark.parametrize("lang, expected", [("vi", "Mật khẩu quá ngắn. Dùng ít nhất 10 ký tự."),
                                            ("en", "The password is too short. Use at least 10 characters.")])
def test_a_refusal_exits_1_with_the_reason_in_the_users_language(fresh_db, capsys, monkeypatch, lang, expected):
    code, out, err = run(capsys, monkeypatch, lang, "--db", str(fresh_db), "users", "add", "lan", "--role", "viewer",
                         "--password-stdin", stdin="ngắn\n")

    assert code == 1 and out == "" and err.strip() == expected


def test_the_audit_trail_prints_as_csv(fresh_db, capsys, monkeypatch):
    run(capsys, monkeypatch, "vi", "--db", str(fresh_db), "users", "add", "lan", "--role", "viewer")
    _, out, _ = run(capsys, monkeypatch, "vi", "--db", str(fresh_db), "audit", "--csv")

    header, row = out.strip().splitlines()
    assert header == "audit_id,happened_at,actor,action,target,outcome,detail"
    assert ",user_add,lan,ok," in row


def test_unlock_on_the_server_lets_a_locked_out_admin_in_and_is_audited_under_the_operator(fresh_db, capsys,
                                                                                            monkeypatch):
    from store.users import MAX_FAILED_SIGN_INS, SYSTEM, AccountLocked, SignInFailed, add_user

    with store.connect(fresh_db) as con:
        add_user(con, SYSTEM, "quan-tri", "mật-khẩu-quản-trị", "admin")
        for _ in range(MAX_FAILED_SIGN_INS):  # someone outside keeps guessing the administrator's password
            with pytest.raises(SignInFailed):
                sign_in(con, "quan-tri", "đoán-bừa-thôi", client="203.0.113.7")
        with pytest.raises(AccountLocked):
            sign_in(con, "quan-tri", "mật-khẩu-quản-trị", client="203.0.113.7")
    monkeypatch.setenv("LOGNAME", "nguoi-van-hanh")  # the operating-system account at the server

    code, out, _ = run(capsys, monkeypatch, "vi", "--db", str(fresh_db), "users", "unlock", "quan-tri")

    assert code == 0
    assert out.strip() == f"Đã mở khoá đăng nhập cho quan-tri (bỏ {MAX_FAILED_SIGN_INS} lần đăng nhập sai gần đây)."
    with store.connect(fresh_db) as con:
        assert sign_in(con, "quan-tri", "mật-khẩu-quản-trị", client="203.0.113.7").user.role == "admin"
    _, out, _ = run(capsys, monkeypatch, "en", "--db", str(fresh_db), "audit", "--action", "user_unlock", "--csv")
    assert ",nguoi-van-hanh,user_unlock,quan-tri,ok," in out


def test_unlocking_an_unknown_account_is_refused_with_the_reason(fresh_db, capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, "en", "--db", str(fresh_db), "users", "unlock", "khong-co-ai")

    assert code == 1 and out == "" and err.startswith("There is no account")


HOSTILE_NAME = "\x1b[31mđỏ\x1b[0m\r\x1b]0;pwned\x07"


@pytest.mark.parametrize("as_csv", [False, True])
def test_the_audit_listing_prints_an_escape_sequence_typed_at_sign_in_as_visible_text(fresh_db, capsys, monkeypatch,
                                                                                     as_csv):
    from store.users import SignInFailed

    with store.connect(fresh_db) as con, pytest.raises(SignInFailed):
        sign_in(con, HOSTILE_NAME, "một-mật-khẩu-bất-kỳ", client="203.0.113.7")

    code, out, _ = run(capsys, monkeypatch, "vi", "--db", str(fresh_db), "audit", *(["--csv"] if as_csv else []))

    assert code == 0
    assert "\\x1b[31mđỏ\\x1b[0m\\x0d\\x1b]0;pwned\\x07" in out
    assert not any(ch in out for ch in "\x1b\x07\r")


def test_the_account_list_in_json_escapes_every_control_and_still_reads_back(fresh_db, capsys, monkeypatch):
    shown = "Lan \x9b31m\u202e\x7f"
    run(capsys, monkeypatch, "vi", "--db", str(fresh_db), "users", "add", "lan", "--role", "viewer", "--name", shown)

    _, plain, _ = run(capsys, monkeypatch, "vi", "--db", str(fresh_db), "users", "list")
    _, as_json, _ = run(capsys, monkeypatch, "vi", "--db", str(fresh_db), "users", "list", "--json")

    assert "Lan \\u009b31m\\u202e\\u007f" in plain
    assert not any(ch in plain + as_json for ch in "\x9b\u202e\x7f")
    assert json.loads(as_json)[0]["display_name"] == shown
