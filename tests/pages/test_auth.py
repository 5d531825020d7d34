"""Sign-in, roles and the admin pages, as a browser session sees them (AppTest, both languages)."""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

import store
from store.audit import audit_log
from store.users import SYSTEM, add_user, list_users, session_user, set_disabled, sign_in, sign_out
from tests.conftest import REPO
from tests.pages.conftest import as_shown, open_app, raw_keys
from tests.app_session import PASSWORD

EXPECTED = {"vi": ("Đăng nhập", "Tên đăng nhập hoặc mật khẩu không đúng."),
            "en": ("Sign in", "The user name or password is wrong.")}


def stranger(db, lang: str, monkeypatch) -> AppTest:
    return open_app(db, lang, monkeypatch, role=None)


def sign_in_with(app: AppTest, username: str, password: str) -> AppTest:
    app.text_input(key="sign_in_username").input(username)
    app.text_input(key="sign_in_password").input(password)
    return app.button[0].click().run()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_stranger_sees_only_the_sign_in_form(fresh_db, monkeypatch, lang):
    app = stranger(fresh_db, lang, monkeypatch)

    assert app.title[0].value == EXPECTED[lang][0]
    assert len(app.dataframe) == 0 and len(app.metric) == 0
    with pytest.raises(Exception):
        app.switch_page("pages/overview.py")  # not in a stranger's navigation
    assert raw_keys(app) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_wrong_password_is_refused_with_the_same_words_as_an_unknown_name(fresh_db, monkeypatch, lang):
    with store.connect(fresh_db) as con:
        add_user(con, SYSTEM, "lan", PASSWORD, "viewer")
    app = stranger(fresh_db, lang, monkeypatch)

    wrong = sign_in_with(app, "lan", "không-phải-mật-khẩu").error[0].value
    unknown = sign_in_with(app, "ai-do", PASSWORD).error[0].value

    assert wrong == unknown and wrong.startswith(EXPECTED[lang][1])
    with store.connect(fresh_db) as con:
        assert list(audit_log(con, SYSTEM)["action"]) == ["sign_in_failed", "sign_in_failed", "user_add"]


def test_six_failures_on_a_real_name_and_on_an_unknown_one_get_the_same_words_on_the_form(fresh_db, tmp_path,
                                                                                          monkeypatch):
    with store.connect(fresh_db) as con:
        add_user(con, SYSTEM, "lan", PASSWORD, "admin")
    twin = tmp_path / "twin.duckdb"  # the same database before any try, so each guesser starts afresh
    shutil.copy(fresh_db, twin)

    def six_tries(db, name: str) -> list[str]:
        app = stranger(db, "vi", monkeypatch)
        return [sign_in_with(app, name, f"đoán-sai-số-{n}").error[0].value for n in range(6)]

    real, unknown = six_tries(fresh_db, "lan"), six_tries(twin, "khong-co-ai")

    assert real == unknown
    assert real[0].startswith(EXPECTED["vi"][1]) and real[4] == real[0]
    assert real[5].startswith("Tên đăng nhập này đang tạm khoá trên máy này")


def test_the_right_password_opens_the_app(fresh_db, monkeypatch):
    with store.connect(fresh_db) as con:
        add_user(con, SYSTEM, "lan", PASSWORD, "viewer", display_name="Nguyễn Thị Lan")
    app = stranger(fresh_db, "vi", monkeypatch)

    sign_in_with(app, "lan", PASSWORD)

    assert app.title[0].value == "Tổng quan chuyển đổi số cấp xã"
    with store.connect(fresh_db) as con:
        assert session_user(con, app.session_state["auth_token"]).username == "lan"
    # signing out is a sidebar button, which AppTest loses on reruns: tests/e2e covers it in a browser


def test_an_expired_session_is_sent_back_to_the_form_with_a_notice(fresh_db, monkeypatch):
    app = open_app(fresh_db, "en", monkeypatch)
    with store.connect(fresh_db) as con:
        con.execute("UPDATE user_session SET expires_at = now() - INTERVAL 1 MINUTE")

    app.run()

    assert app.title[0].value == "Sign in"
    assert app.warning[0].value.startswith("Your session has expired")


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_only_admins_reach_the_admin_pages_even_by_address(fresh_db, monkeypatch, role):
    app = open_app(fresh_db, "vi", monkeypatch, role=role)
    for page in ("pages/users.py", "pages/audit.py"):
        with pytest.raises(Exception):
            app.switch_page(page)

    # a page file run directly (as if its address were forced) stops at its own check
    monkeypatch.setenv("XASO_DB", str(fresh_db))
    direct = AppTest.from_file(str(REPO / "pages" / "users.py"), default_timeout=60)
    direct.session_state["lang"] = "en"
    direct.session_state["auth_token"] = app.session_state["auth_token"]
    direct.run()
    assert direct.error[0].value == "Your account may not open this page."
    assert len(direct.dataframe) == 0


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_an_admin_creates_an_account_and_sees_its_password_once(fresh_db, monkeypatch, lang):
    app = open_app(fresh_db, lang, monkeypatch)
    app.switch_page("pages/users.py").run()

    app.text_input(key="new_username").input("hoa")
    app.text_input(key="new_display_name").input("Trần Thị Hoa")
    app.selectbox(key=f"new_role.{lang}").set_value("analyst")
    app.selectbox(key=f"new_province.{lang}").set_value("01")
    app.button(key="new_account").click().run()

    password = app.code[0].value
    with store.connect(fresh_db) as con:
        hoa = [u for u in list_users(con, SYSTEM) if u.username == "hoa"][0]
        assert (hoa.role, hoa.province_code, hoa.display_name) == ("analyst", "01", "Trần Thị Hoa")
        assert sign_in(con, "hoa", password).user.username == "hoa"
    assert raw_keys(app) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_audit_page_lists_sign_ins(fresh_db, monkeypatch, lang):
    app = open_app(fresh_db, lang, monkeypatch)
    app.switch_page("pages/audit.py").run()

    table = app.dataframe[0].value
    assert len(table) >= 2  # the tester's account and sign-in
    assert {"Đăng nhập", "Sign-in"} & set(table.iloc[:, 3])
    assert {b.key for b in app.get("download_button")} >= {"audit_xlsx", "audit_csv"}
    assert raw_keys(app) == []


def test_public_mode_shows_the_figures_without_sign_in_but_no_admin_page(fresh_db, monkeypatch):
    monkeypatch.setenv("XASO_PUBLIC", "1")
    app = stranger(fresh_db, "vi", monkeypatch)

    assert app.title[0].value == "Tổng quan chuyển đổi số cấp xã"
    app.switch_page("pages/rankings.py").run()
    assert not app.exception
    with pytest.raises(Exception):
        app.switch_page("pages/users.py")


def test_an_admin_disables_an_account_from_the_page(fresh_db, monkeypatch):
    with store.connect(fresh_db) as con:
        add_user(con, SYSTEM, "lan", PASSWORD, "analyst")
    app = open_app(fresh_db, "en", monkeypatch)
    app.switch_page("pages/users.py").run()

    app.selectbox(key="admin_account.en").set_value("lan").run()
    app.button(key="admin_toggle").click().run()

    assert app.success[0].value == "Account lan disabled."
    with store.connect(fresh_db) as con:
        assert [u.disabled for u in list_users(con, SYSTEM) if u.username == "lan"] == [True]


@pytest.mark.parametrize("page", sorted(p.stem for p in (REPO / "pages").glob("*.py")))
def test_every_page_run_without_app_py_still_asks_for_a_sign_in(fresh_db, monkeypatch, page):
    monkeypatch.setenv("XASO_DB", str(fresh_db))
    direct = AppTest.from_file(str(REPO / "pages" / f"{page}.py"), default_timeout=60)
    direct.session_state["lang"] = "vi"
    direct.run()

    assert direct.error[0].value == "Hãy đăng nhập trước: mở trang chủ của Xã Số để đăng nhập."
    assert len(direct.dataframe) == 0 and len(direct.metric) == 0


@pytest.mark.parametrize("page", ["upload", "history", "templates", "quality", "users", "audit"])
def test_a_viewer_reaches_no_page_that_writes_or_administers(fresh_db, monkeypatch, page):
    app = open_app(fresh_db, "vi", monkeypatch, role="viewer")
    with pytest.raises(ValueError):
        app.switch_page(f"pages/{page}.py")

    monkeypatch.setenv("XASO_DB", str(fresh_db))
    direct = AppTest.from_file(str(REPO / "pages" / f"{page}.py"), default_timeout=60)
    direct.session_state["lang"] = "vi"
    direct.session_state["auth_token"] = app.session_state["auth_token"]
    direct.run()
    assert direct.error[0].value == "Tài khoản của bạn không được mở trang này."
    assert len(direct.dataframe) == 0


SSO_SECRETS = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                        "client_id": "xaso", "client_secret": "s",
                        "server_metadata_url": "https://id.example.gov.vn/.well-known/openid-configuration"}}


def sso_app(db, monkeypatch, email: str) -> AppTest:
    monkeypatch.setenv("XASO_DB", str(db))
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    app.session_state["lang"] = "vi"
    app.secrets = SSO_SECRETS
    app.user = {"is_logged_in": True, "email": email, "name": "Trần Hoa"}
    return app.run()


def test_single_sign_on_maps_the_providers_email_to_an_account_and_its_role(fresh_db, monkeypatch):
    with store.connect(fresh_db) as con:
        add_user(con, SYSTEM, "hoa@laocai.gov.vn", PASSWORD, "analyst", province_code="15")

    app = sso_app(fresh_db, monkeypatch, "Hoa@LaoCai.gov.vn")

    assert app.title[0].value == "Tổng quan chuyển đổi số cấp xã"
    with store.connect(fresh_db) as con:
        user = session_user(con, app.session_state["auth_token"])
        trail = audit_log(con, SYSTEM, action="sign_in")
    assert (user.username, user.role, user.province_code) == ("hoa@laocai.gov.vn", "analyst", "15")
    assert '"via": "sso"' in trail["detail"][0]


def test_single_sign_on_without_an_account_here_stays_at_the_form_and_says_why(fresh_db, monkeypatch):
    app = sso_app(fresh_db, monkeypatch, "la@example.com")
    app.run()  # a rerun does not record a second failure

    assert app.title[0].value == "Đăng nhập"
    assert "la@example.com" in as_shown(app.warning[0].value)
    assert [b.key for b in app.button if b.key == "sign_in_sso"] == ["sign_in_sso"]
    with store.connect(fresh_db) as con:
        assert len(audit_log(con, SYSTEM, action="sign_in_failed")) == 1


@pytest.mark.parametrize("change", ["sign_out", "disable", "expire"])
def test_a_page_open_in_a_session_closes_on_the_next_run_after_a_sign_out_disable_or_expiry(fresh_db, monkeypatch,
                                                                                            change):
    """app.py checks the session once a run and the page takes that check: never a check from a run before."""
    with store.connect(fresh_db) as con:
        add_user(con, SYSTEM, "lan", PASSWORD, "viewer")
        token = sign_in(con, "lan", PASSWORD).token
    monkeypatch.setenv("XASO_DB", str(fresh_db))
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    app.session_state["lang"] = "en"
    app.session_state["auth_token"] = token
    app.run()
    app.switch_page("pages/trends.py").run()
    assert not app.exception and app.title[0].value != "Sign in"

    with store.connect(fresh_db) as con:
        if change == "sign_out":
            sign_out(con, token)
        elif change == "disable":
            set_disabled(con, SYSTEM, "lan", True)
        else:
            con.execute("UPDATE user_session SET expires_at = now() - INTERVAL 1 MINUTE")
    app.run()

    assert app.title[0].value == "Sign in"
    assert len(app.dataframe) == 0 and len(app.metric) == 0 and len(app.get("plotly_chart")) == 0


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_province_user_finds_the_pages_on_their_province_and_keeps_their_own_choices(demo_db, monkeypatch, lang):
    app = open_app(demo_db, lang, monkeypatch, role="viewer", province="25")

    assert app.segmented_control(key=f"overview_level.{lang}").value == "province"
    assert app.selectbox(key=f"overview_province.{lang}").value == "25"
    for page in ("rankings", "map", "trends", "present"):
        app.switch_page(f"pages/{page}.py").run()
        assert not app.exception, [e.value for e in app.exception]
        assert app.selectbox(key=f"{page}_province.{lang}").value == "25", page
    assert app.segmented_control(key=f"present_level.{lang}").value == "province"  # the pack of Phú Thọ itself

    app.switch_page("pages/rankings.py").run()
    app.selectbox(key=f"rankings_province.{lang}").set_value("01").run()  # Hà Nội, by the reader's choice
    app.switch_page("pages/overview.py").run()
    app.switch_page("pages/rankings.py").run()
    assert app.selectbox(key=f"rankings_province.{lang}").value == "01"
    assert raw_keys(app) == []


def test_a_user_of_every_province_starts_on_the_whole_country(demo_db, monkeypatch):
    app = open_app(demo_db, "vi", monkeypatch, role="viewer")

    assert app.segmented_control(key="overview_level.vi").value == "country"
    app.switch_page("pages/rankings.py").run()
    assert app.selectbox(key="rankings_province.vi").value is None


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_audit_details_read_as_words_not_json(fresh_db, monkeypatch, lang):
    from analytics.ranking import Composite, save_composite
    from store.users import User

    with store.connect(fresh_db) as con:
        save_composite(con, Composite("Cân bằng", (("on_time_rate", 2.0), ("esign_rate", 1.0))),
                       User("an", "An", "analyst", None))
    app = open_app(fresh_db, lang, monkeypatch)
    app.switch_page("pages/audit.py").run()

    details = app.dataframe[0].value.iloc[:, -1].tolist()
    assert not [d for d in details if "{" in str(d) or '"' in str(d)]
    assert {"vi": "Thành phần: Tỷ lệ hồ sơ giải quyết đúng hạn × 2, Tỷ lệ văn bản ký số × 1, cách tính trung bình cộng",
            "en": "Parts: On-time rate × 2, E-signature coverage × 1, method arithmetic mean"}[lang] in " ".join(details)
