"""Links between pages: one place knows each page's file and address, and their query parameters.

A unit's profile is reached at `profile?unit=CODE`, its meeting pack at `present?unit=CODE`; `period=`
opens either on the month the reader was looking at. A link that leaves the session (a table's link
column, a copied address) also carries `lang=` so it opens in the language it was made in.
"""

from __future__ import annotations

from typing import NoReturn
from urllib.parse import urlencode

import streamlit as st

from ui.i18n import language
from ui.widgets import reset_choice

PROFILE_PAGE, PRESENT_PAGE = "pages/profile.py", "pages/present.py"
PROFILE_PATH = "profile"
UNIT_PARAM, PERIOD_PARAM = "unit", "period"


def _params(unit_code: str, period: str | None) -> dict[str, str]:
    return {UNIT_PARAM: unit_code, **({PERIOD_PARAM: period} if period else {})}


def profile_href(unit_code: str, period: str | None = None, lang: str | None = None) -> str:
    """A relative address of the unit's profile, for link columns and copied links (in `lang`, default the
    session's language: a table of thousands of links passes it once)."""
    return f"{PROFILE_PATH}?{urlencode({**_params(unit_code, period), 'lang': lang or language()})}"


def profile_link(unit_code: str, label: str, period: str | None = None) -> None:
    """A link to the unit's profile inside the session (keeps the session's choices)."""
    st.page_link(PROFILE_PAGE, label=label, icon=":material/location_on:", query_params=_params(unit_code, period))


def present_link(unit_code: str, label: str, period: str | None = None) -> None:
    """A link to the unit's meeting pack (presentation, PowerPoint, PDF) inside the session."""
    st.page_link(PRESENT_PAGE, label=label, icon=":material/slideshow:", query_params=_params(unit_code, period))


def open_profile(unit_code: str, period: str | None = None) -> NoReturn:
    """Go to the unit's profile now (after a click on a map or a table row)."""
    st.switch_page(PROFILE_PAGE, query_params=_params(unit_code, period))


def linked_unit() -> str | None:
    """The unit code this page was opened for (`?unit=`), if any."""
    return st.query_params.get(UNIT_PARAM)


def follow_linked_period(key: str, choices: list[str]) -> None:
    """A link with `?period=2026-09` opens the page on that period (the choice kept under `key`, see
    ui.widgets.choice), once per link: the reader may still choose another period afterwards."""
    linked = st.query_params.get(PERIOD_PARAM)
    if linked in choices and st.session_state.get(f"{key}_linked") != linked:
        st.session_state[f"{key}_linked"] = linked
        reset_choice(key, linked)
