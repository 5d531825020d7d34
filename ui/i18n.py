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
    cover_streamlit_words()


# Streamlit 1.67 writes some words of its own in English and offers no option to change them (the file
# uploader's button, hint and drop message; "No results" in an empty picker). In another language they
# are covered: the original text stays in the page at size 0 and the catalog's words are drawn after it.
STREAMLIT_WORDS = (
    ('[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p', "streamlit.upload"),
    ('[data-testid="stFileUploaderDropzoneInstructions"] span', "streamlit.upload_hint"),
    # shown while a file is dragged over the zone: the first block after the input that holds no file chips
    ('[data-testid="stFileUploaderDropzone"] > input + div:not(:has([data-testid="stFileChips"])) > span',
     "streamlit.drop_here"),
    ('[role="listbox"][data-empty="true"] [role="option"] > span', "streamlit.no_results"),
)
_WORD_SIZE = "14px"  # Streamlit's size for these words (checked in Chromium)


def cover_streamlit_words() -> None:
    """Streamlit's English words covered by the catalog's in the session's language; nothing in English."""
    lang = language()
    if lang == "en":
        return
    rules = [f"{selector} {{ font-size: 0 !important; }}\n"
             f"{selector}::after {{ content: {_css_string(translate(key, lang))}; font-size: {_WORD_SIZE}; }}"
             for selector, key in STREAMLIT_WORDS]
    st.html("<style>\n" + "\n".join(rules) + "\n</style>")  # style only: Streamlit gives it no space


def _css_string(text: str) -> str:
    """A CSS string literal: quotes, backslashes and line ends escaped, '<' kept out of the style tag."""
    escaped = "".join(f"\\{ord(c):x} " if c in '"\\<>\n\r' else c for c in text)
    return f'"{escaped}"'


def _switched() -> None:
    choice = st.session_state.get(_SWITCH_KEY)
    if choice:  # a second click on the chosen option clears the control; keep the language then
        st.session_state[_LANG_KEY] = choice
    else:
        st.session_state[_SWITCH_KEY] = st.session_state[_LANG_KEY]


def indicator_name(row: object) -> str:
    """An indicator's name from the catalog row (name_vi / name_en) in the session's language."""
    return getattr(row, "name_en") if language() == "en" else getattr(row, "name_vi")
