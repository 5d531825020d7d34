"""Report templates: an xlsx for a province and month that loads without mapping questions."""

import streamlit as st

from ui.history import template_form
from ui.i18n import t

st.title(t("templates.page.title"))
st.caption(t("templates.page.caption"))
template_form("templates")
