"""Presentation mode: the meeting pack (same content as the PowerPoint deck) one slide at a time."""

import streamlit as st

from analytics.meeting import meeting_content
from errors import XasoError
from ui.auth import require_role
from ui.data import query
from ui.i18n import language, t
from ui.text import error_text, t_plain
from ui.links import profile_link
from ui.present import current_slide, navigation, pack_downloads, show, styles, unit_and_month
from ui.widgets import stop_without_data

require_role("viewer")

full_screen = st.toggle(t("deck.present.full_screen"), value=True, key="present_full_screen",
                        help=t("deck.present.full_screen_help"))
styles(full_screen)
with st.expander(t("deck.present.choose"), expanded=not full_screen):
    unit, month = unit_and_month("present")
if unit is None or month is None:
    stop_without_data(t("deck.present.empty"))

try:
    pack = query(meeting_content, unit, month, language())
except XasoError as exc:
    st.error(error_text(exc, language()))
    st.stop()

position = current_slide(pack)
navigation(position, len(pack.slides))
show(pack.slides[position], pack, position)
st.divider()
pack_downloads(pack)
if pack.level == "commune":
    profile_link(pack.unit_code, t_plain("deck.present.profile", unit=pack.unit_name), pack.month)
