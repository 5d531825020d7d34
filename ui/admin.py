"""The admin pages' pieces: the account list and its forms, the audit trail with filters and a csv."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

import store
from analytics.overview import indicator_names, provinces
from errors import XasoError
from store.audit import audit_log
from store.users import ROLES, User, add_user, list_users, reset_password, set_disabled
from ui.data import query
from ui.labels import province_labels
from ui.exports import table_downloads
from i18n import catalog, format_number, translate
from ui.i18n import language, t
from ui.text import error_text, t_plain
from ui.widgets import choice

AUDIT_ACTIONS = ("sign_in", "sign_in_failed", "upload", "rollback", "user_add", "user_disable", "user_enable",
                 "user_reset", "user_unlock", "catalog", "composite")


def account_table(reader: User) -> list[User]:
    with store.connect() as con:
        users = list_users(con, reader)
    names = _province_names()
    frame = pd.DataFrame({
        t("admin.username"): [u.username for u in users],
        t("admin.display_name"): [u.display_name for u in users],
        t("admin.role"): [t(f"role.{u.role}") for u in users],
        t("admin.province"): [names.get(u.province_code, t("ucli.all_provinces")) for u in users],
        t("admin.state"): [t("ucli.disabled" if u.disabled else "ucli.active") for u in users],
    })
    st.dataframe(frame, hide_index=True)
    return users


def add_account_form(actor: User) -> None:
    lang = language()  # format functions run later: bind the language now
    names = province_labels(lang)
    everywhere = translate("ucli.all_provinces", lang)
    with st.form("add_account", clear_on_submit=True):
        st.subheader(t("admin.add_title"))
        username = st.text_input(t("admin.username"), help=t("fix.account_username"), key="new_username")
        display_name = st.text_input(t("admin.display_name"), key="new_display_name")
        role = st.selectbox(t("admin.role"), ROLES, format_func=lambda r: translate(f"role.{r}", lang),
                            key=f"new_role.{lang}")
        province = st.selectbox(t("admin.province"), [None, *names], format_func=lambda c: names.get(c) or everywhere,
                                key=f"new_province.{lang}")
        if st.form_submit_button(t("admin.add"), type="primary", key="new_account"):
            _act(lambda con, password: add_user(con, actor, username, password, role, province_code=province,
                                                display_name=display_name or None),
                 t_plain("ucli.add.done", username=username.strip().lower()))


def change_account_form(actor: User, users: list[User]) -> None:
    if not users:
        return
    st.subheader(t("admin.change_title"))
    picked = choice("selectbox", t("admin.username"), [u.username for u in users], "admin_account", str)
    user = next(u for u in users if u.username == picked)
    buttons = st.container(horizontal=True)
    if buttons.button(t("admin.enable") if user.disabled else t("admin.disable"), key="admin_toggle"):
        _act(lambda con, _password: set_disabled(con, actor, user.username, not user.disabled),
             t_plain("ucli.enable.done" if user.disabled else "ucli.disable.done", username=user.username),
             new_password=False)
    if buttons.button(t("admin.reset"), key="admin_reset"):
        _act(lambda con, password: reset_password(con, actor, user.username, password),
             t_plain("ucli.reset.done", username=user.username))


def _act(change, done: str, new_password: bool = True) -> None:
    """Run one account change; show the new password once, or the refusal in the user's language."""
    password = secrets.token_urlsafe(12)
    try:
        with store.connect() as con:
            change(con, password)
    except XasoError as exc:
        st.error(error_text(exc, language()))
        return
    st.success(done)
    if new_password:
        st.code(password, language=None)
        st.caption(t("admin.password_once"))


def audit_view(reader: User) -> None:
    cols = st.columns(3)
    actor = cols[0].text_input(t("admin.audit_actor"), key="audit_actor").strip() or None
    lang = language()  # format functions are re-run later by Streamlit: bind the language now
    action = choice("selectbox", t("admin.audit_action"), [None, *AUDIT_ACTIONS], "audit_action",
                    lambda a: translate("admin.audit_any" if a is None else f"audit.{a}", lang), cols[1])
    days = cols[2].number_input(t("admin.audit_days"), min_value=1, max_value=3650, value=30, key="audit_days")
    since = pd.Timestamp.now().floor("D") - pd.Timedelta(days=int(days) - 1)
    with store.connect() as con:
        trail = audit_log(con, reader, actor=actor, action=action, since=since.to_pydatetime())
    names = query(indicator_names).set_index("code")["name_en" if lang == "en" else "name_vi"].to_dict()
    shown = trail.assign(action=trail["action"].map(lambda a: t(f"audit.{a}") if a in AUDIT_ACTIONS else a),
                         outcome=trail["outcome"].map(lambda o: t(f"audit.outcome.{o}")),
                         detail=trail["detail"].map(lambda d: audit_detail_words(d, lang, names)))
    shown = shown.rename(columns={c: t(f"admin.audit_col.{c}") for c in shown.columns})
    st.caption(t("admin.audit_count", rows=len(shown)))
    st.dataframe(shown, hide_index=True, column_config={
        t("admin.audit_col.happened_at"): st.column_config.DatetimeColumn(format=t("format.datetime_column"))})
    table_downloads(shown, t("nav.audit"), t("admin.audit_period", days=int(days)), {}, "audit",
                    file_stem="xaso-audit")


def _province_names() -> dict[str, str]:
    table = query(provinces)
    return dict(zip(table["code"], table["name_en" if language() == "en" else "name_vi"]))


def audit_detail_words(detail: str | None, lang: str, names: Mapping[str, str] | None = None) -> str:
    """An audit line's details (kept as JSON) in words: 'Lô: 17; Số giá trị: 1.234; Tháng: 2026-09'.
    Known keys and values are named by the catalog, indicator codes by `names`; anything else is shown as
    it was recorded, so nothing is hidden."""
    try:
        parsed = json.loads(detail) if detail else {}
    except (TypeError, ValueError):
        return str(detail)
    if not isinstance(parsed, dict):
        return _detail_value("", parsed, lang, names or {})
    words = catalog(lang)
    return "; ".join(f"{words.get(f'audit.detail.{key}', key)}: {_detail_value(key, value, lang, names or {})}"
                     for key, value in parsed.items())


def _detail_value(key: str, value: Any, lang: str, names: Mapping[str, str]) -> str:
    words = catalog(lang)
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return words["audit.detail.yes" if value else "audit.detail.no"]
    if isinstance(value, (int, float)):
        return format_number(value, lang, 0 if float(value).is_integer() else 2)
    if isinstance(value, str):
        return words.get(f"audit.detail.{key}.{value}", names.get(value, value))
    if isinstance(value, list):
        if all(isinstance(part, list) and len(part) == 2 for part in value):  # a composite's [code, weight] parts
            return ", ".join(f"{names.get(str(code), code)} × {_detail_value('', weight, lang, names)}"
                             for code, weight in value)
        return ", ".join(_detail_value(key, part, lang, names) for part in value)
    if isinstance(value, dict):
        return ", ".join(" ".join(filter(None, (words.get(f"audit.detail.{k}", "" if k == "parts" else k), _detail_value(k, v, lang, names))))
                         for k, v in value.items())
    return str(value)

