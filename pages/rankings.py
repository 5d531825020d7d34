"""Rankings: where each commune stands on an indicator, the 766 service index or a saved composite."""

import streamlit as st

from analytics.league import NEIGHBOURS, league, neighbours, top_bottom
from analytics.overview import months
from ui.auth import require_role
from ui.data import query
from ui.i18n import language, t
from ui.text import t_plain
from ui.league import (composite_builder, distribution_chart, downloads, indicator_labels, league_controls,
                       league_table, period_label, scope_label, unit_position, unranked_lists)
from ui.widgets import stop_without_data

reader = require_role("viewer")
st.title(t("rankings.title"))
st.caption(t("rankings.caption"))
controls = league_controls("rankings")
if controls is None:
    stop_without_data(t("rankings.empty"))

result = query(league, controls.indicator, controls.period, controls.province, controls.peer_group,
               controls.exclude_thin)
ranking, names = result.ranking, indicator_labels(language())
period = period_label(controls.period, query(months), language())
national = controls.province is None
st.caption(t("rankings.summary", ranked=len(ranking.table), not_reported=len(ranking.not_reported),
             incomplete=len(ranking.incomplete), left_out=len(ranking.left_out)))

if ranking.table.empty:
    st.info(t_plain("rankings.nothing_ranked", indicator=names[controls.indicator], period=period))
else:
    if controls.unit_code:
        st.subheader(t("rankings.your_unit"))
        unit_rank = unit_position(result, controls.unit_code, names, scope_label(controls))
        if unit_rank is not None and unit_rank > controls.top_n:
            st.caption(t("rankings.neighbours", places=NEIGHBOURS))
            league_table(neighbours(ranking.table, controls.unit_code), result, national=national,
                         highlight=controls.unit_code)

    st.subheader(t_plain("rankings.table_title", indicator=names[controls.indicator], scope=scope_label(controls),
                   period=period))
    if controls.view == "top_bottom":
        st.caption(t_plain("rankings.top_bottom_caption", n=controls.top_n))
        rows = top_bottom(ranking.table, controls.top_n)
    else:
        rows = ranking.table
    league_table(rows, result, national=national, highlight=controls.unit_code)
    downloads(result, controls, "rankings")

    st.subheader(t("rankings.spread_title"))
    distribution_chart(result, controls.unit_code)
    st.caption(t("rankings.rule"))

unranked_lists(result, names)
composite_builder("rankings", reader)
