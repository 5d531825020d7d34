"""Who is using this browser session: the sign-in form, the session token, and which pages they may open.

The token lives only in this Streamlit session; every run asks `store.users.session_user` whether it is
still valid, so an expired or ended session (or a disabled account) loses access on its next click.
Hiding pages is a convenience: the loader and the store check the same permissions again.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

import store
from errors import XasoError
from store.users import ROLES, SessionExpired, User, session_user, sign_in, sign_out, sso_sign_in
from ui.i18n import language, t
from ui.text import error_text, plain, t_plain

TOKEN_KEY = "auth_token"
_NOTICE_KEY = "auth_notice"
_SSO_REFUSED_KEY = "auth_sso_refused"
_this_run = threading.local()  # see checked_for_this_run: a run's script thread runs app.py and its page


def public_mode() -> bool:
    """XASO_PUBLIC=1: read-only pages open to anyone without signing in (off by default)."""
    return os.environ.get("XASO_PUBLIC", "").strip().lower() in ("1", "true", "yes", "on")


def sso_configured() -> bool:
    """Single sign-on is on when `.streamlit/secrets.toml` has an [auth] section (st.login's OIDC settings)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def signed_in_user() -> User | None:
    """The signed-in person, or None; an expired session is forgotten with a notice for the form."""
    token = st.session_state.get(TOKEN_KEY)
    if not token and sso_configured() and st.user.get("is_logged_in"):
        token = _sso_session()
    if not token:
        return None
    try:
        with store.connect() as con:
            return session_user(con, token)
    except SessionExpired:
        del st.session_state[TOKEN_KEY]
        st.session_state[_NOTICE_KEY] = SessionExpired().message(language())
        return None


def _sso_session() -> str | None:
    """The identity provider vouched for this browser: open our session if its e-mail has an account here."""
    email = str(st.user.get("email") or "")
    if st.session_state.get(_SSO_REFUSED_KEY) == email:
        return None  # said once; do not write a failed sign-in on every rerun
    try:
        with store.connect() as con:
            session = sso_sign_in(con, email)
    except XasoError:
        st.session_state[_SSO_REFUSED_KEY] = email
        return None
    st.session_state[TOKEN_KEY] = session.token
    return session.token


def client_address() -> str | None:
    """The address this browser connects from, as the web server saw it (the TCP peer, which the client
    cannot choose; None for localhost). Headers such as X-Forwarded-For are not read: anyone can send
    them, and a guesser would then pick a new address for every try."""
    address = st.context.ip_address
    return address if isinstance(address, str) else None  # AppTest's stand-in client answers a mock


def has_role(user: User | None, role: str) -> bool:
    return user is not None and not user.disabled and ROLES.index(user.role) >= ROLES.index(role)


def sign_in_form() -> None:
    """Name and password; on success the session holds the token and the app runs again."""
    st.title(t("auth.title"))
    st.caption(t("auth.caption"))
    notice = st.session_state.pop(_NOTICE_KEY, None)
    if notice:
        st.warning(notice)
    with st.form("sign_in"):
        username = st.text_input(t("auth.username"), key="sign_in_username")
        password = st.text_input(t("auth.password"), type="password", key="sign_in_password")
        submitted = st.form_submit_button(t("auth.submit"), type="primary", key="sign_in_submit")
    if sso_configured():
        refused = st.session_state.get(_SSO_REFUSED_KEY)
        if refused and st.user.get("email") == refused:
            st.warning(t_plain("auth.sso_unknown", email=refused))
        st.button(t("auth.sso"), key="sign_in_sso", on_click=st.login, icon=":material/login:")
    if submitted:
        try:
            with store.connect() as con:
                session = sign_in(con, username, password, client=client_address())
        except XasoError as exc:
            st.error(error_text(exc, language()))
            return
        st.session_state[TOKEN_KEY] = session.token
        st.rerun()


def account_box(user: User) -> None:
    """Sidebar: who is signed in, and the way out."""
    st.sidebar.caption(t("auth.signed_in_as", name=plain(user.display_name), role=t(f"role.{user.role}")))
    if st.sidebar.button(t("auth.sign_out"), key="sign_out"):
        with store.connect() as con:
            sign_out(con, st.session_state.pop(TOKEN_KEY))
        if sso_configured() and st.user.get("is_logged_in"):
            st.logout()  # also leave the identity provider's session, or the next run signs in again
        st.rerun()


# The pickers that choose a province, as each page keys them, and what a province's own people start on.
_HOME_PROVINCE_CHOICES = {"overview_level": "province", "overview_province": None, "rankings_province": None,
                          "map_level": "communes", "map_province": None, "trends_province": None,
                          "present_province": None, "quality_province": None}  # None: the user's province
_HOME_SET_KEY = "auth_home_province_for"


def open_on_home_province(user: User) -> None:
    """A user limited to one province finds the pages on it, not on the whole country: once per sign-in,
    every province picker not chosen yet in this session starts on theirs (their own choices then stay)."""
    if user.province_code is None or st.session_state.get(_HOME_SET_KEY) == user.username:
        return
    st.session_state[_HOME_SET_KEY] = user.username
    for key, value in _HOME_PROVINCE_CHOICES.items():
        st.session_state.setdefault(key, user.province_code if value is None else value)


@contextmanager
def checked_for_this_run(user: User | None) -> Iterator[None]:
    """app.py checked the session against the database at the start of this run: the page it runs
    inside this block takes that answer instead of opening the database again for the same question.
    The answer lives only for this block of this run (the script thread's own), never into the next."""
    _this_run.checked = True
    _this_run.user = user
    try:
        yield
    finally:
        _this_run.checked = False
        _this_run.user = None


def require_role(role: str) -> User | None:
    """Stop the page unless the signed-in person holds `role`. Every page calls it first, so a page
    file run without app.py (plain `streamlit run app.py` serves a deep link that way on its first
    visit) is still closed. Read-only pages are open to anyone in public mode (the user is None then)."""
    user = _this_run.user if getattr(_this_run, "checked", False) else signed_in_user()
    if user is None and role == "viewer" and public_mode():
        return None
    if not has_role(user, role):
        st.error(t("auth.not_allowed") if user else t("auth.sign_in_first"))
        st.stop()
    return user
