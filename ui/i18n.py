"""The page-side face of the translation layer: the session's language and `t()`."""

from __future__ import annotations

import streamlit as st

from i18n import LANGUAGES, format_number, format_percent, normalize_language, translate

_LANG_KEY = "lang"
_SWITCH_KEY = "lang_switch"
SWITCH_LABEL = "Ngôn ngữ · Language"  # the same in both: whoever cannot read one language finds the other


def language() -> str:
    """The session's language: chosen in the sidebar; at the session's start taken from a link's
    `?lang=` (so a shared link opens in the sender's language), else from the browser (default vi)."""
    chosen = st.session_state.get(_LANG_KEY)  # one look-up: t() asks this for every string on a page
    if chosen is None:
        linked = st.query_params.get("lang")
        chosen = st.session_state[_LANG_KEY] = normalize_language(linked if linked in LANGUAGES else _browser_locale())
    return chosen


def _browser_locale() -> str | None:
    try:
        return st.context.locale
    except Exception:  # no browser context (bare script run)
        return None


def t(key: str, /, **params: object) -> str:
    return translate(key, language(), **params)


def number(value: float | None, decimals: int = 0) -> str:
    return format_number(value, language(), decimals)


def percent(value: float | None, decimals: int = 1) -> str:
    return format_percent(value, language(), decimals)


def language_switch() -> None:
    """Sidebar control; each language is named in itself so anyone can find theirs."""
    st.sidebar.segmented_control(
        SWITCH_LABEL, options=list(LANGUAGES), default=language(), key=_SWITCH_KEY,
        format_func=lambda code: translate("language.name", code), on_change=_switched)


def _switched() -> None:
    choice = st.session_state.get(_SWITCH_KEY)
    if choice:  # a second click on the chosen option clears the control; keep the language then
        st.session_state[_LANG_KEY] = choice
    else:
        st.session_state[_SWITCH_KEY] = st.session_state[_LANG_KEY]


def indicator_name(row: object) -> str:
    """An indicator's name from the catalog row (name_vi / name_en) in the session's language."""
    return getattr(row, "name_en") if language() == "en" else getattr(row, "name_vi")
