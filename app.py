"""Xã Số entry point: page set-up, language switch, who is signed in, navigation. Nothing else."""

import streamlit as st

from ui.auth import account_box, public_mode, signed_in_user
from ui.i18n import language_switch
from ui.navigation import navigation

st.set_page_config(page_title="Xã Số", page_icon="📊", layout="wide")
language_switch()
user = signed_in_user()
if user is not None:
    account_box(user)
navigation(user, public_mode()).run()
