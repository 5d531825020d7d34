"""Xã Số entry point: page set-up, language switch, navigation. Nothing else."""

import streamlit as st

from ui.i18n import language_switch, t

st.set_page_config(page_title="Xã Số", page_icon="📊", layout="wide")
language_switch()
pages = [st.Page("pages/overview.py", title=t("nav.overview"), icon="🏠", url_path="overview", default=True),
         st.Page("pages/rankings.py", title=t("nav.rankings"), icon="🏆", url_path="rankings"),
         st.Page("pages/map.py", title=t("nav.map"), icon="🗺️", url_path="map")]
st.navigation(pages).run()
