"""Trends: are we getting better, where are we weak, how do we compare with the communes around us."""

import streamlit as st

from analytics.trends import heatmap, trend
from ui.auth import require_role
from ui.data import query
from ui.i18n import language, t
from ui.text import t_plain
from ui.trends import (change_table, downloads, gaps_note, heatmap_chart, indicator_labels, multiples_picker,
                       province_names, small_multiples, trend_chart, trend_controls)
from ui.widgets import month_label, stop_without_data

require_role("viewer")

st.title(t("trends.title"))
st.caption(t("trends.caption"))
controls = trend_controls("trends")
if controls is None:
    stop_without_data(t("trends.empty"))

lang = language()
names, places = indicator_labels(lang), province_names(lang)
indicator, province = names[controls.indicator], places[controls.province]
result = query(trend, controls.indicator, controls.units, (controls.province,))

st.subheader(t_plain("trends.chart_title", indicator=indicator))
trend_chart(controls.indicator, controls.units, controls.province, lang)
if note := gaps_note(result, lang):
    st.caption(note)
st.caption(t("trends.rule"))

st.subheader(t_plain("trends.changes_title", indicator=indicator, month=month_label(controls.month, lang)))
change_table(result, controls.month)
downloads(result, controls.month, t("trends.export_title", indicator=indicator,
                                    month=month_label(controls.month, lang)), "trends")

st.subheader(t_plain("trends.heatmap_title", indicator=indicator, province=province))
shown = query(heatmap, controls.indicator, controls.province)
st.caption(t(f"trends.heatmap_caption.{shown.direction if shown.direction in ('lower', 'none') else 'higher'}",
             communes=len(shown.values)))
heatmap_chart(controls.indicator, controls.province, lang)

st.subheader(t("trends.multiples_title"))
if multiples := multiples_picker("trends"):
    small_multiples(multiples, controls.units, controls.province, lang)
else:
    st.info(t("trends.multiples_none"))
