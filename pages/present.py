"""Presentation mode: the meeting pack (same content as the PowerPoint deck) one slide at a time."""

import streamlit as st

from analytics.meeting import meeting_content
from errors import XasoError
from ui.auth import require_role
from ui.data import query
from ui.i18n import language, t
from ui.text import error_text, t_plain
from ui.links import profile_link
from ui.present import bar, current_slide, navigation, pack_downloads, show, unit_and_month
from ui.widgets import stop_without_data

require_role("viewer")

top = bar()
unit, month = unit_and_month("present", top.choose)
if month is None:
    stop_without_data(t("deck.present.empty"))
if unit is None:  # an account without a province, no link: nothing is shown until the person picks
    st.title(t("nav.present"))
    st.info(t("deck.present.pick"), icon=":material/arrow_upward:")
    st.stop()

try:
    pack = query(meeting_content, unit, month, language())
except XasoError as exc:
    st.error(error_text(exc, language()))
    st.stop()

position = current_slide(pack)
navigation(position, len(pack.slides), top)
show(pack.slides[position], pack, position)
st.divider()
pack_downloads(pack)
if pack.level == "commune":
    profile_link(pack.unit_code, t_plain("deck.present.profile", unit=pack.unit_name), pack.month)
