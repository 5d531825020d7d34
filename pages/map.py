"""Map: every commune (or province) coloured by an indicator for a month; hover for its value and rank."""

import streamlit as st

from analytics.geo import map_values
from ui.auth import require_role
from ui.data import query
from ui.i18n import language, t
from ui.league import indicator_labels
from ui.map import map_chart, map_controls, map_heading, map_summary, open_pending_profile, profile_picker

require_role("viewer")

open_pending_profile()
st.title(t("map.title"))
st.caption(t("map.caption"))
controls = map_controls("map")
if controls is None:
    st.info(t("map.empty"))
    st.code("python -m etl demo", language="bash")
    st.stop()

shown = query(map_values, controls.indicator, controls.month, controls.level, controls.province)
name = indicator_labels(language())[controls.indicator]
st.subheader(map_heading(controls, name))
st.caption(map_summary(shown))
map_chart(shown, name, "map")
profile_picker(shown, "map")
