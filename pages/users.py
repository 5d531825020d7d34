"""Accounts (admins): who may sign in, with which role and province; new passwords are shown once."""

import streamlit as st

from ui.admin import account_table, add_account_form, change_account_form
from ui.auth import require_role
from ui.i18n import t

admin = require_role("admin")
st.title(t("nav.users"))
st.caption(t("admin.users_caption"))
users = account_table(admin)
change_account_form(admin, users)
add_account_form(admin)
