"""Data quality: who reported the month, how late the figures came, and which values look wrong."""

import streamlit as st

from analytics.overview import provinces
from analytics.quality import completeness, outliers, timeliness
from ui.auth import require_role
from ui.data import query
from ui.i18n import language, t
from ui.quality import completeness_section, outliers_section, quality_controls, timeliness_section
from ui.widgets import stop_without_data

require_role("analyst")

st.title(t("quality.title"))
st.caption(t("quality.caption"))
controls = quality_controls("quality")
if controls is None:
    stop_without_data(t("quality.empty"))

month, province = controls
names = query(provinces).set_index("code")["name_en" if language() == "en" else "name_vi"]
scope = names[province] if province else t("scope.country")
tabs = st.tabs([t("quality.tab.completeness"), t("quality.tab.outliers"), t("quality.tab.timeliness")])
with tabs[0]:
    completeness_section(query(completeness, month, province), province, scope, "quality_completeness")
with tabs[1]:
    suspects = query(outliers, month)  # tested nationally either way: a province only filters the list
    suspects = suspects[suspects["province_code"] == province] if province else suspects
    outliers_section(suspects.reset_index(drop=True), month, province, scope, "quality_outliers")
with tabs[2]:
    timeliness_section(query(timeliness, month, province), province, scope, "quality_timeliness")
