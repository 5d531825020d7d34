"""Unit profile: one commune, ward or special zone for a month — where it stands on every indicator,
its strengths and weaknesses against its peers, why its rank changed, and a summary in plain words."""

import streamlit as st

from analytics.profile import UnknownUnit, profile, summary
from ui.auth import require_role
from ui.data import query
from ui.i18n import language, t
from ui.text import error_text
from ui.links import linked_unit
from ui.profile import (downloads, header, headline, indicator_table, rank_change_charts, strengths_and_weaknesses,
                        summary_box, unit_and_month, what_it_takes)
from ui.widgets import stop_without_data

require_role("viewer")

st.title(t("profile.title"))
unit, month, unknown = unit_and_month("profile")
if unknown:
    st.error(error_text(UnknownUnit(value=linked_unit()), language()))
if month is None:
    stop_without_data(t("profile.empty"))
if unit is None:
    st.info(t("profile.pick_hint"))
    st.stop()

result = query(profile, unit, month)
header(result)
summary_box(summary(result, language()))
headline(result)
indicator_table(result)
downloads(result, "profile")
strengths_and_weaknesses(result)
what_it_takes(result)
rank_change_charts(result)
st.caption(t("profile.rules"))
