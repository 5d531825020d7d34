"""The data-quality page's pieces (completeness, timeliness, outliers, downloads) and the rankings' badge.
Each owns its widget keys."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics.exports import safe_file_name
from analytics.overview import indicator_names, months
from analytics.periods import AnalysisPeriod
from analytics.quality import (FLAG_THRESHOLD, HISTORY_MONTHS, MIN_HISTORY, MIN_PEERS, THRESHOLD, Completeness,
                               Timeliness, flags)
from i18n import format_number, translate
from ui.data import query
from ui.labels import province_labels
from ui.exports import table_downloads
from ui.i18n import language, number, t
from ui.text import t_plain
from ui.links import profile_href
from ui.widgets import choice, month_choice, month_label

SHOWN_ROWS = 500  # longer lists are cut on screen; the files hold every row
# light = reported, dark = missing: the order of lightness survives grayscale and colour blindness
SHARE_SCALE = [[0.0, "#08306b"], [0.5, "#4a89c8"], [1.0, "#e8f1fa"]]
BADGE_ICONS = {"incomplete": "◐", "outlier": "⚠"}


def _suffix() -> str:
    return "en" if language() == "en" else "vi"


def quality_controls(key: str) -> tuple[str, str | None] | None:
    """The month (latest first) and the province (the whole country first); None with no data yet."""
    available = query(months)
    if not available:
        return None
    lang = language()  # format functions are kept and re-run later by Streamlit: bind the language now
    left, right, _ = st.columns([2, 3, 4])
    month = month_choice(f"{key}_month", available, st.session_state.get(f"{key}_province"), left)
    places = {None: translate("scope.country", lang), **province_labels(lang)}
    province = choice("selectbox", t("scope.province"), list(places), f"{key}_province", places.get, right)
    return month, province


def _link_column() -> st.column_config.LinkColumn:
    # the address carries the code; the cell shows it
    return st.column_config.LinkColumn(help=t("quality.column.profile_help"), display_text=r"unit=([0-9]+)")


def _units(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """The code (a link to the profile), name and province columns of a unit table."""
    suffix = _suffix()
    return {t("column.code"): frame["unit_code"].map(profile_href), t("column.unit"): frame[f"name_{suffix}"],
            t("column.province"): frame[f"province_{suffix}"]}


def _numbers(frame: pd.DataFrame, decimals: Mapping[str, int]) -> "pd.io.formats.style.Styler":
    lang = language()  # bound once: Styler calls these per cell
    return frame.style.format({column: (lambda v, d=d: format_number(float(v), lang, d) if pd.notna(v) else "–")
                               for column, d in decimals.items()})


def _downloads(frame: pd.DataFrame, title: str, formats: Mapping[str, str], stem: str, key: str) -> None:
    """The table as xlsx and csv, built only when clicked."""
    table_downloads(frame, title, "", formats, key, stem, sheet_name=t("quality.sheet"),
                    labels=(t("quality.download_xlsx"), t("quality.download_csv")))


def _stem(what: str, month: str, province: str | None) -> str:
    return safe_file_name(t("quality.file_stem"), what, month, province or "")


# -- completeness ----------------------------------------------------------------------------------

def completeness_section(result: Completeness, province: str | None, scope: str, key: str) -> None:
    """Summary, the units × months (or provinces × months) matrix, units missing first, counts per province."""
    units, suffix = result.units, _suffix()
    reported = int(units["reported"].sum())
    incomplete = int((units["reported"] & (units["share"] < 1)).sum())
    expected = int(result.matrix.loc[result.matrix["period"] == result.month, "expected"].max() or 0)
    st.caption(t_plain("quality.completeness.summary", reported=reported, units=len(units),
                       missing=len(units) - reported, incomplete=incomplete, expected=expected))
    _matrix_chart(result, province)

    st.markdown("**" + t("quality.completeness.units_title") + "**")
    st.caption(t("quality.completeness.units_caption", months=len(result.months)))
    share, gaps = t("quality.column.share"), t("quality.column.months_missing", months=len(result.months))
    status = units["reported"].map({True: t("quality.status.reported"), False: t("quality.status.missing")})
    head = units.head(SHOWN_ROWS)
    shown = pd.DataFrame({**_units(head), t("quality.column.status"): status.head(SHOWN_ROWS),
                          t("quality.column.indicators"): head["indicators"], share: (head["share"] * 100).round(),
                          gaps: head["months_missing"]})
    st.dataframe(shown, hide_index=True, height=360 if len(shown) > 10 else "auto", column_config={
        t("column.code"): _link_column(),
        share: st.column_config.ProgressColumn(help=t("quality.column.share_help"), min_value=0, max_value=100,
                                               format="%.0f%%", color="blue")})
    _cut_note(len(units))
    title = t("quality.completeness.export_title", scope=scope, month=month_label(result.month, language()))
    frame = pd.DataFrame({t("column.code"): units["unit_code"], t("column.unit"): units[f"name_{suffix}"],
                          t("column.province"): units[f"province_{suffix}"], t("quality.column.status"): status,
                          t("quality.column.indicators"): units["indicators"], t("quality.column.expected"):
                          units["expected"], share: units["share"] * 100, gaps: units["months_missing"]})
    _downloads(frame, title, {share: "0.0"}, _stem("completeness", result.month, province), f"{key}_units")

    st.markdown("**" + t("quality.completeness.provinces_title") + "**")
    counts = result.provinces
    table = pd.DataFrame({t("column.province"): counts[f"province_{suffix}"],
                          t("quality.column.units"): counts["units"], t("quality.column.reported"): counts["reported"],
                          t("quality.column.missing"): counts["missing"],
                          t("quality.column.incomplete"): counts["incomplete"], share: counts["share"] * 100})
    st.dataframe(_numbers(table, {share: 1}), hide_index=True, height=360 if len(table) > 10 else "auto")
    _downloads(table, t("quality.completeness.provinces_export_title", scope=scope,
                        month=month_label(result.month, language())), {share: "0.0"},
               _stem("completeness-provinces", result.month, province), f"{key}_provinces")


def _matrix_chart(result: Completeness, province: str | None) -> None:
    """A heatmap: each unit of a province by month (share of the expected indicators), or for the whole
    country each province by month (share of its units that reported)."""
    matrix, suffix, lang = result.matrix, _suffix(), language()
    columns = [f"{int(m[5:7])}/{m[:4]}" for m in result.months]  # short: twelve of them side by side
    if province is None:
        places = result.units.drop_duplicates("province_code").set_index("province_code")[f"province_{suffix}"]
        wide = matrix.assign(province=matrix["unit_code"].map(result.units.set_index("unit_code")["province_code"])) \
            .groupby(["province", "period"])["reported"].mean().unstack("period")
        wide = wide.loc[result.provinces["province_code"]]  # fewest reporting first
        labels, caption = list(places[wide.index]), t("quality.completeness.matrix_country")
    else:
        wide = matrix.pivot(index="unit_code", columns="period", values="share").loc[result.units["unit_code"]]
        names = result.units.set_index("unit_code")[f"name_{suffix}"]
        labels, caption = [f"{names[c]} ({c})" for c in wide.index], t("quality.completeness.matrix_province")
    values = wide[result.months].to_numpy(float)
    hover = [[t("quality.completeness.cell", place=label, month=column, share=format_number(100 * v, lang, 0))
              for column, v in zip(columns, row)] for label, row in zip(labels, values)]
    low, high = share_range(values)
    ticks = [low, (low + high) / 2, high]
    figure = go.Figure(go.Heatmap(z=values, x=columns, y=labels, zmin=low, zmax=high, colorscale=SHARE_SCALE,
                                  xgap=1, ygap=1, text=hover, hoverinfo="text",
                                  colorbar={"tickvals": ticks,
                                            "ticktext": [format_number(100 * v, lang, 1) + "%" for v in ticks]}))
    if province is None:  # shares near 100% look alike in colour: print them
        figure.update_traces(texttemplate="%{z:.0%}", textfont={"size": 9, "color": "#1f1f1f"})
    figure.update_layout(separators=",." if lang == "vi" else ".,", height=max(180, 15 * len(labels) + 80), margin={"l": 10, "r": 10, "t": 10, "b": 10},
                         yaxis={"autorange": "reversed", "tickfont": {"size": 10}}, xaxis={"side": "top"})
    st.plotly_chart(figure, config={"displayModeBar": False})
    st.caption(caption)
    st.caption(t_plain("quality.completeness.scale", low=format_number(100 * low, lang, 0),
                       high=format_number(100 * high, lang, 0)))


def share_range(values: np.ndarray) -> tuple[float, float]:
    """The colour scale of a completeness matrix: from the lowest share shown (down to a multiple of 5%) to
    100%, so that 92% and 100% do not both look white; at least 10 points wide."""
    shown = values[~np.isnan(values)]
    if not shown.size:
        return 0.0, 1.0
    low = math.floor(float(shown.min()) * 20) / 20
    return min(low, 0.9), 1.0


def _cut_note(rows: int) -> None:
    if rows > SHOWN_ROWS:
        st.caption(t_plain("quality.cut", shown=SHOWN_ROWS, rows=rows))


# -- timeliness ------------------------------------------------------------------------------------

def timeliness_section(result: Timeliness, province: str | None, scope: str, key: str) -> None:
    """How many days after the month's end the units' figures arrived: histogram, per province, per unit."""
    units, suffix, lang = result.units, _suffix(), language()
    if units.empty:
        st.info(t("quality.timeliness.none"))
        return
    days = units["days"]
    st.caption(t("quality.timeliness.summary", units=len(units), median=number(float(days.median()), 0),
                 latest=number(int(days.max()))))
    counts = days.value_counts().sort_index()
    figure = go.Figure(go.Bar(x=counts.index, y=counts.to_numpy(), marker={"color": "#1f4e79"},
                              hovertemplate=t("quality.timeliness.bar") + "<extra></extra>"))
    figure.update_layout(height=260, margin={"l": 10, "r": 10, "t": 10, "b": 40}, bargap=0.1,
                         separators=",." if lang == "vi" else ".,", xaxis_title=t("quality.column.days"),
                         yaxis_title=t("quality.column.units"),  # whole days, counted from the month's end
                         xaxis={"tickformat": "d", "range": [min(0, int(days.min())) - 0.5, int(days.max()) + 0.5]})
    st.plotly_chart(figure, config={"displayModeBar": False})
    st.caption(t("quality.timeliness.rule"))

    per_province = result.provinces
    median, latest = t("quality.column.median_days"), t("quality.column.max_days")
    table = pd.DataFrame({t("column.province"): per_province[f"province_{suffix}"],
                          t("quality.column.units"): per_province["units"], median: per_province["median_days"],
                          latest: per_province["max_days"]})
    st.dataframe(_numbers(table, {median: 1}), hide_index=True, height=300 if len(table) > 8 else "auto")
    month = month_label(result.month, lang)
    _downloads(table, t("quality.timeliness.provinces_export_title", scope=scope, month=month), {median: "0.0"},
               _stem("timeliness-provinces", result.month, province), f"{key}_provinces")

    st.markdown("**" + t("quality.timeliness.units_title") + "**")
    arrived = t("quality.column.arrived")
    stamp = units["arrived"].dt.strftime(translate("format.datetime", lang))
    shown = pd.DataFrame({**_units(units.head(SHOWN_ROWS)), arrived: stamp.head(SHOWN_ROWS),
                          t("quality.column.days"): days.head(SHOWN_ROWS)})
    st.dataframe(shown, hide_index=True, height=300 if len(shown) > 8 else "auto",
                 column_config={t("column.code"): _link_column()})
    _cut_note(len(units))
    frame = pd.DataFrame({t("column.code"): units["unit_code"], t("column.unit"): units[f"name_{suffix}"],
                          t("column.province"): units[f"province_{suffix}"], arrived: stamp,
                          t("quality.column.days"): days})
    _downloads(frame, t("quality.timeliness.export_title", scope=scope, month=month), {},
               _stem("timeliness", result.month, province), f"{key}_units")


# -- outliers --------------------------------------------------------------------------------------

def outliers_section(table: pd.DataFrame, month: str, province: str | None, scope: str, key: str) -> None:
    """The suspect values, largest |z| first, each unit linking to its profile."""
    st.caption(t("quality.outliers.rule", threshold=number(THRESHOLD, 1), months=HISTORY_MONTHS,
                 min_history=MIN_HISTORY, min_peers=MIN_PEERS))
    if table.empty:
        st.success(t("quality.outliers.none"))
        return
    suffix, lang = _suffix(), language()
    st.caption(t_plain("quality.outliers.summary", values=len(table), units=table["unit_code"].nunique()))
    catalog = query(indicator_names).set_index("code")
    value, expected, z = t("quality.column.value"), t("quality.column.expected_value"), t("quality.column.z")
    tests = {kind: translate(f"quality.test.{kind}", lang) for kind in ("history", "peers")}
    indicator = table["indicator_code"].map(catalog[f"name_{suffix}"])
    head = table.head(SHOWN_ROWS)  # values as text at each indicator's precision: only the rows shown
    places = catalog["decimals"].reindex(head["indicator_code"]).fillna(2).astype(int).to_numpy()
    shown = pd.DataFrame({**_units(head), t("quality.column.indicator"): indicator.head(SHOWN_ROWS),
                          value: [format_number(float(v), lang, int(d)) for v, d in zip(head["value"], places)],
                          expected: [format_number(float(v), lang, int(d) + 1) for v, d in zip(head["expected"], places)],
                          z: head["z"], t("quality.column.test"): head["test"].map(tests),
                          t("quality.column.reference_size"): head["reference_size"]})
    st.dataframe(_numbers(shown, {z: 1}), hide_index=True, height=420 if len(shown) > 12 else "auto", column_config={
        t("column.code"): _link_column(), z: st.column_config.NumberColumn(help=t("quality.column.z_help")),
        expected: st.column_config.TextColumn(help=t("quality.column.expected_value_help")),
        t("quality.column.reference_size"): st.column_config.NumberColumn(
            help=t("quality.column.reference_size_help"))})
    _cut_note(len(table))
    test = table["test"].map(tests)
    frame = pd.DataFrame({t("column.code"): table["unit_code"], t("column.unit"): table[f"name_{suffix}"],
                          t("column.province"): table[f"province_{suffix}"], t("quality.column.indicator"): indicator,
                          value: table["value"], expected: table["expected"], z: table["z"],
                          t("quality.column.test"): test, t("quality.column.reference_size"): table["reference_size"]})
    _downloads(frame, t("quality.outliers.export_title", scope=scope, month=month_label(month, lang)), {z: "0.00"},
               _stem("outliers", month, province), f"{key}_outliers")


# -- the rankings' badge ---------------------------------------------------------------------------

def ranking_badges(unit_codes: pd.Series, period: str) -> tuple[list[str], st.column_config.Column] | None:
    """(a mark to append to each row's unit name, the name column's config explaining the marks) for
    a month's league table; None for a quarter or a year, or when no unit shown is flagged."""
    if AnalysisPeriod.parse(period).kind != "month":
        return None
    marked = query(flags, period)
    marks = ["".join(f" {BADGE_ICONS[why]}" for why in marked.get(code, ())) for code in unit_codes]
    if not any(marks):
        return None
    return marks, st.column_config.TextColumn(help=t("quality.badge.help", threshold=number(FLAG_THRESHOLD, 0)))
