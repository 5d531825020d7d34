"""Links between pages: one place knows each page's file and address, and the profile's query parameter.

A unit's profile is reached at `profile?unit=CODE`; a link that leaves the session (a table's link
column, a copied address) also carries `lang=` so it opens in the language it was made in.
"""

from __future__ import annotations

from typing import NoReturn
from urllib.parse import urlencode

import streamlit as st

from ui.i18n import language

PROFILE_PAGE = "pages/profile.py"
PROFILE_PATH = "profile"
UNIT_PARAM = "unit"


def profile_href(unit_code: str) -> str:
    """A relative address of the unit's profile, for link columns and copied links."""
    return f"{PROFILE_PATH}?{urlencode({UNIT_PARAM: unit_code, 'lang': language()})}"


def profile_link(unit_code: str, label: str) -> None:
    """A link to the unit's profile inside the session (keeps the session's choices)."""
    st.page_link(PROFILE_PAGE, label=label, icon="📍", query_params={UNIT_PARAM: unit_code})


def open_profile(unit_code: str) -> NoReturn:
    """Go to the unit's profile now (after a click on a map or a table row)."""
    st.switch_page(PROFILE_PAGE, query_params={UNIT_PARAM: unit_code})


def linked_unit() -> str | None:
    """The unit code this page was opened for (`?unit=`), if any."""
    return st.query_params.get(UNIT_PARAM)
