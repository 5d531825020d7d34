"""Audit trail (admins): every sign-in, upload, rollback and account change, filtered and exported."""

import streamlit as st

from ui.admin import audit_view
from ui.auth import require_role
from ui.i18n import t

admin = require_role("admin")
st.title(t("nav.audit"))
st.caption(t("admin.audit_caption"))
audit_view(admin)
