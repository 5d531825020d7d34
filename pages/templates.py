"""Report templates: an xlsx for a province and month that loads without mapping questions."""

import streamlit as st

from ui.auth import require_role
from ui.history import template_form
from ui.i18n import t

require_role("analyst")

st.title(t("templates.page.title"))
st.caption(t("templates.page.caption"))
template_form("templates")
