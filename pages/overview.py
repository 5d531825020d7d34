"""Overview: headline cards for the country, a province or a commune, and every unit in scope."""

import streamlit as st

from analytics.overview import HEADLINE_INDICATORS, headlines, indicator_names, unit_counts, unit_table
from analytics.exports import safe_file_name
from ui.auth import require_role
from ui.data import query
from ui.exports import decimal_format, scope_context, table_downloads
from ui.i18n import indicator_name, language, number, t
from ui.text import t_plain
from ui.widgets import formatted_table, headline_card, month_label, scope_and_month, stop_without_data

require_role("viewer")
st.title(t("overview.title"))
counts = query(unit_counts)
st.caption(t_plain("overview.caption", provinces=counts["provinces"], communes=counts["communes"]))

scope, month = scope_and_month("overview")
if month is None:
    stop_without_data(t("overview.empty"))

catalog = query(indicator_names).set_index("code")
cards = query(headlines, scope, month)
st.subheader(t("overview.cards_title", month=month_label(month, language())))
for column, card in zip(st.columns(len(cards)), cards):
    row = catalog.loc[card.indicator_code]
    with column:
        headline_card(card, indicator_name(row), row.unit, int(row.decimals) if row.unit != "percent" else 1)

st.subheader(t("overview.table_title"))
table = query(unit_table, scope, month)
reported = table[list(HEADLINE_INDICATORS)].notna().any(axis=1).sum()
st.caption(t("overview.table_caption", units=len(table), reported=int(reported)))
name_column = "name_en" if language() == "en" else "full_name_vi"
province_column = "province_en" if language() == "en" else "province_vi"
shown = table[["code", name_column, province_column, *HEADLINE_INDICATORS]].rename(columns={
    "code": t("column.code"), name_column: t("column.unit"), province_column: t("column.province"),
    **{code: indicator_name(catalog.loc[code]) for code in HEADLINE_INDICATORS}})
decimals = {indicator_name(catalog.loc[code]): 1 if catalog.loc[code].unit == "percent" else 2
            for code in HEADLINE_INDICATORS}
st.dataframe(formatted_table(shown, decimals), hide_index=True, height=420 if len(shown) > 10 else "auto")
table_downloads(shown, t("overview.table_title"), scope_context(scope, month),
                {name: decimal_format(places) for name, places in decimals.items()}, "overview_table",
                safe_file_name("xaso", scope.code or "vn", month))
st.caption(t("overview.footnote", total=number(len(table))))
