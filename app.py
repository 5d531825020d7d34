"""Xã Số entry point: page set-up, language switch, who is signed in, navigation. Nothing else."""

from pathlib import Path

import streamlit as st

from ui.auth import account_box, checked_for_this_run, open_on_home_province, public_mode, signed_in_user
from ui.i18n import language_switch
from ui.navigation import navigation

# the tab icon is a file of ours: an icon by name would be fetched from Google's font server
st.set_page_config(page_title="Xã Số", page_icon=str(Path(__file__).parent / "static" / "favicon.png"), layout="wide")
language_switch()
user = signed_in_user()
if user is not None:
    account_box(user)
    open_on_home_province(user)
with checked_for_this_run(user):  # the page's require_role takes this check: one database visit a run
    navigation(user, public_mode()).run()
