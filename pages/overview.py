"""Overview: headline cards for the country, a province or a commune, and every unit in scope."""

import streamlit as st

from analytics.overview import (HEADLINE_INDICATORS, Scope, commune_standing, headlines, indicator_names, unit_counts,
                                unit_table)
from analytics.values import SERVICE_INDEX
from analytics.exports import safe_file_name
from ui.auth import require_role
from ui.data import query
from ui.exports import decimal_format, scope_context, table_downloads
from ui.i18n import indicator_name, language, number, t
from ui.text import t_plain
from ui.widgets import (commune_rank, formatted_table, headline_card, month_label, province_figure, scope_and_month,
                        short_name, stop_without_data)

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
if scope.level == "commune":  # a commune beside its province: its ranks, and the province's figure under each card
    standing = query(commune_standing, scope.code, month)
    province_cards = {card.indicator_code: card for card in query(headlines, Scope(standing.province_code), month)}
    commune_rank(standing)
for column, card in zip(st.columns(len(cards)), cards):
    row = catalog.loc[card.indicator_code]
    decimals = int(row.decimals) if row.unit != "percent" else 1
    with column:
        headline_card(card, short_name(card.indicator_code), row.unit, decimals, full_name=indicator_name(row))
        if scope.level == "commune":
            province_figure(province_cards.get(card.indicator_code), row.unit, decimals, standing.province_code)

st.subheader(t("overview.table_title"))
table = query(unit_table, scope, month)
reported = table[list(HEADLINE_INDICATORS)].notna().any(axis=1).sum()
st.caption(t("overview.table_caption", units=len(table), reported=int(reported)))
name_column = "name_en" if language() == "en" else "full_name_vi"
province_column = "province_en" if language() == "en" else "province_vi"
# best first on the index, its column beside the names so it shows at 1366 px; short headers, full names on hover
ordered = [SERVICE_INDEX, *(code for code in HEADLINE_INDICATORS if code != SERVICE_INDEX)]
shown = table[["rank", "code", name_column, province_column, *ordered]].rename(columns={
    "rank": t("overview.column.rank"), "code": t("column.code"), name_column: t("column.unit"),
    province_column: t("column.province"), **{code: short_name(code) for code in ordered}})
decimals = {short_name(code): 1 if catalog.loc[code].unit == "percent" else 2 for code in ordered}
st.dataframe(formatted_table(shown, decimals), hide_index=True, height=420 if len(shown) > 10 else "auto",
             column_config={short_name(code): st.column_config.NumberColumn(help=indicator_name(catalog.loc[code]))
                            for code in ordered} | {t("overview.column.rank"): st.column_config.NumberColumn(
                                help=t("overview.column.rank_help"))})
full = shown.rename(columns={short_name(code): indicator_name(catalog.loc[code]) for code in ordered})
table_downloads(full, t("overview.table_title"), scope_context(scope, month),
                {indicator_name(catalog.loc[code]): decimal_format(places)
                 for code, places in zip(ordered, decimals.values())}, "overview_table",
                safe_file_name("xaso", scope.code or "vn", month))
st.caption(t("overview.footnote", total=number(len(table))))
