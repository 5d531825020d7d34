"""The Trends page's pieces: its controls, the line chart, the small multiples, the heatmap and the change
table with its downloads. Each owns its widget keys."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from analytics.exports import safe_file_name
from analytics.league import months_back
from analytics.overview import HEADLINE_INDICATORS, communes, indicator_names, months
from analytics.trends import NATIONAL, Trend, changes, heatmap, indicator_choices, trend, trends
from i18n import format_number, translate
from ui.data import kept, query
from ui.labels import commune_labels, province_labels, province_names
from ui.exports import table_downloads
from ui.i18n import language, t
from ui.links import linked_unit, profile_href
from ui.widgets import choice, coverage_note, month_choice, month_label

# distinct in hue and in lightness, so lines stay apart when printed in grey; symbols tell them apart too
UNIT_COLOURS = ["#1f4e79", "#d95f02", "#1b9e77", "#7570b3", "#a6761d", "#e7298a", "#666666", "#66a61e"]
UNIT_SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "star", "cross", "triangle-down"]
PROVINCE_STYLE = {"color": "#000000", "dash": "dot", "width": 3}
NATIONAL_STYLE = {"color": "#7f7f7f", "dash": "dashdot", "width": 3}
TARGET_STYLE = {"color": "#b2182b", "dash": "dash", "width": 2}
UP, DOWN = "color: #1a7f37", "color: #cf222e"
# light to dark blue, lightness falling steadily (reads in grey too), never white: white is an empty cell
HEAT_SCALE = [[0.0, "#c6dbef"], [0.5, "#4292c6"], [1.0, "#08306b"]]
MAX_UNITS = 8
MULTIPLES_PER_ROW = 3


@dataclass(frozen=True)
class Controls:
    """What the reader asked for: one indicator for the main chart, the heatmap and the table, the
    communes to follow, the province around them, the month of the change table."""

    indicator: str
    province: str
    units: tuple[str, ...]
    month: str


def indicator_labels(lang: str) -> dict[str, str]:
    """Every indicator a trend can show -> its name in `lang` (kept per data version: do not change it)."""
    return kept(_indicator_labels, lang)


def _indicator_labels(lang: str) -> dict[str, str]:
    names = query(indicator_names).set_index("code")[f"name_{'en' if lang == 'en' else 'vi'}"]
    return {code: names[code] for code in query(indicator_choices)}


def unit_names(lang: str) -> dict[str, str]:
    """Commune code -> its name alone, for legends and tables (kept per data version: do not change it)."""
    return kept(_unit_names, lang)


def _unit_names(lang: str) -> dict[str, str]:
    units = query(communes)
    return dict(zip(units["code"], units["name_en" if lang == "en" else "full_name_vi"]))


def multi_choice(label: str, options: list[str], key: str, default: list[str], format_func: Callable[[str], str],
                 container: Any = st, max_selections: int | None = None) -> list[str]:
    """A multiselect whose choice survives a change of language (kept under `key`, as ui.widgets.choice)."""
    kept = [code for code in st.session_state.get(key, default) if code in options]
    picked = container.multiselect(label, options, default=kept, format_func=format_func,
                                   key=f"{key}.{language()}", max_selections=max_selections)
    st.session_state[key] = list(picked)
    return list(picked)


def trend_controls(key: str) -> Controls | None:
    """Two rows of choices; None when the database holds no figures yet."""
    available = query(months)
    if not available:
        return None
    lang = language()  # format functions are kept and re-run later by Streamlit: bind the language now
    linked = linked_unit()
    all_units = query(communes)
    parents = dict(zip(all_units["code"], all_units["province_code"]))
    if linked in parents and f"{key}_province" not in st.session_state:  # opened for a commune: its province
        st.session_state[f"{key}_province"] = parents[linked]
    first = st.columns([3, 2, 2])
    names = indicator_labels(lang)
    indicator = choice("selectbox", t("trends.indicator"), list(names), f"{key}_indicator", names.get, first[0])
    places = province_labels(lang)
    province = choice("selectbox", t("trends.province"), list(places), f"{key}_province", places.get, first[1])
    month = month_choice(f"{key}_month", available, province, first[2], "trends.month")
    coverage_note(month, province)
    labels = commune_labels(None, lang)
    kept = st.session_state.get(f"{key}_units", [])
    in_province = all_units.loc[all_units["province_code"] == province, "code"].tolist()
    options = list(dict.fromkeys([*kept, *in_province]))  # communes picked elsewhere stay picked
    default = [linked] if linked in parents else in_province[:1]
    units = multi_choice(t("trends.units"), options, f"{key}_units", default, labels.get, max_selections=MAX_UNITS)
    return Controls(indicator, province, tuple(units), month)


def multiples_picker(key: str) -> tuple[str, ...]:
    """The indicators of the small multiples, the headline ones to start with."""
    names = indicator_labels(language())
    return tuple(multi_choice(t("trends.multiples"), list(names), f"{key}_multiples", list(HEADLINE_INDICATORS),
                              names.get))


# -- charts ----------------------------------------------------------------------------------------

def _shown(values: pd.Series | list, decimals: int, lang: str) -> list[str]:
    """Values as the language writes them, for hover labels; an empty month says so."""
    return [translate("trends.no_report", lang) if v is None or (isinstance(v, float) and math.isnan(v))
            else format_number(float(v), lang, decimals) for v in values]


def short_month(period: str, lang: str) -> str:
    """7/2025 in both languages: a chart's axis has room for sixteen of these, not for "Tháng 7/2025"."""
    return f"{int(period[5:7])}/{period[:4]}"


def _unit_suffix(result: Trend, lang: str) -> str:
    return translate(f"trends.unit.{result.unit}", lang)


def _lines(result: Trend, names: dict[str, str], places: dict[str, str], lang: str,
           areas: list[str] | None = None) -> list[tuple[str, str, pd.Series, dict]]:
    """(legend group, name, monthly values, line style) of every line a chart draws, communes first."""
    lines = []
    for i, code in enumerate(result.units.columns):
        style = {"color": UNIT_COLOURS[i % len(UNIT_COLOURS)], "width": 2,
                 "symbol": UNIT_SYMBOLS[i % len(UNIT_SYMBOLS)]}
        lines.append((code, names.get(code, code), result.units[code], style))
    for code in areas if areas is not None else result.areas.columns:
        if code == NATIONAL:
            lines.append((code, translate("trends.national", lang), result.areas[code], NATIONAL_STYLE))
        else:
            lines.append((code, translate("trends.province_line", lang, province=places.get(code, code)),
                          result.areas[code], PROVINCE_STYLE))
    return lines


def _add_lines(figure: go.Figure, result: Trend, lines: list, lang: str, *, row: int | None = None,
               col: int | None = None, legend: bool = True, target_legend: bool = True) -> None:
    """The lines, then the target as a dashed line; in small multiples the target's legend entry is
    generic (each chart has its own target) and the value shows on hover."""
    x = [short_month(m, lang) for m in result.months]
    where = {"row": row, "col": col} if row is not None else {}
    for group, name, values, style in lines:
        marker = {"symbol": style.get("symbol", "circle"), "size": 7, "color": style["color"]}
        figure.add_trace(go.Scatter(
            x=x, y=values.to_numpy(float), name=name, legendgroup=group, showlegend=legend, connectgaps=False,
            mode="lines+markers", line={k: v for k, v in style.items() if k != "symbol"}, marker=marker,
            text=_shown(values.tolist(), result.decimals, lang),
            hovertemplate="%{fullData.name}: %{text}<extra></extra>"), **where)  # the month heads the hover box
    if result.target is not None:
        decimals = 0 if float(result.target).is_integer() else result.decimals
        value = format_number(result.target, lang, decimals) + ("%" if result.unit == "percent" else "")
        label = translate("trends.target", lang, value=value)
        figure.add_trace(go.Scatter(
            x=x, y=[result.target] * len(x), name=label if row is None else translate("trends.target_line", lang),
            legendgroup="target", showlegend=target_legend, mode="lines", line=TARGET_STYLE,
            text=[label] * len(x), hovertemplate="%{text}<extra></extra>"), **where)


def _layout(figure: go.Figure, lang: str, height: int) -> None:
    figure.update_layout(height=height, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                         separators=",." if lang == "vi" else ".,", hovermode="x unified",
                         plot_bgcolor="white", legend={"orientation": "h", "yanchor": "top", "y": -0.12})
    figure.update_xaxes(type="category", showgrid=False, linecolor="#999999")
    figure.update_yaxes(gridcolor="#e5e5e5", zeroline=False)


# The figures are built once per data version and choice, for every session (ui.data.kept): plotly's
# checking of each trace and layout change was most of the page's time on every run.

def trend_chart(indicator: str, units: tuple[str, ...], province: str, lang: str) -> None:
    """The chosen communes, their provinces, the country and the target, month by month."""
    st.plotly_chart(kept(trend_figure, indicator, units, province, lang), config={"displayModeBar": False},
                    key="trends_chart")


def trend_figure(indicator: str, units: tuple[str, ...], province: str, lang: str) -> go.Figure:
    result = query(trend, indicator, units, (province,))
    figure = go.Figure()
    _add_lines(figure, result, _lines(result, unit_names(lang), province_names(lang), lang), lang)
    _layout(figure, lang, 440)
    figure.update_yaxes(title=_unit_suffix(result, lang))
    return figure


def small_multiples(indicators: tuple[str, ...], units: tuple[str, ...], province: str, lang: str) -> None:
    """One small chart per indicator, each on its own scale; the communes keep their colours throughout."""
    st.plotly_chart(kept(multiples_figure, indicators, units, province, lang), config={"displayModeBar": False},
                    key="trends_multiples")


def multiples_figure(indicators: tuple[str, ...], units: tuple[str, ...], province: str, lang: str) -> go.Figure:
    results = query(trends, indicators, units, (province,))
    names, places, titles = unit_names(lang), province_names(lang), indicator_labels(lang)
    rows = math.ceil(len(results) / MULTIPLES_PER_ROW)
    columns = min(len(results), MULTIPLES_PER_ROW)
    figure = make_subplots(rows=rows, cols=columns, vertical_spacing=0.5 / rows if rows > 1 else 0.1,
                           subplot_titles=[f"{titles[r.indicator]} ({_unit_suffix(r, lang)})" for r in results])
    first_target = next((i for i, result in enumerate(results) if result.target is not None), None)
    for i, result in enumerate(results):
        lines = _lines(result, names, places, lang, areas=[province, NATIONAL])
        _add_lines(figure, result, lines, lang, row=i // columns + 1, col=i % columns + 1, legend=i == 0,
                   target_legend=i == first_target)
    _layout(figure, lang, 300 * rows + 60)
    figure.update_annotations(font={"size": 13})
    return figure


def heatmap_chart(indicator: str, province: str, lang: str) -> None:
    """Communes × months, best latest value on top; a darker cell is a better value either way."""
    st.plotly_chart(kept(heatmap_figure, indicator, province, lang), config={"displayModeBar": False},
                    key="trends_heatmap")


def heatmap_figure(indicator: str, province: str, lang: str) -> go.Figure:
    result = query(heatmap, indicator, province)
    names = result.names["name_en" if lang == "en" else "full_name_vi"]
    labels = list(names + " (" + result.names["code"] + ")")
    z = result.values.to_numpy(float)
    text = [_shown(list(row), result.decimals, lang) for row in z]
    x = [short_month(m, lang) for m in result.values.columns]
    figure = go.Figure(go.Heatmap(
        z=z, x=x, y=labels, text=text, hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>", hoverongaps=False,
        xgap=1, ygap=1, colorscale=HEAT_SCALE, reversescale=result.direction == "lower",
        colorbar={"title": {"text": translate(f"trends.unit.{result.unit}", lang)}}))
    empty_rows, empty_columns = np.nonzero(np.isnan(z))
    if len(empty_rows):  # an empty cell carries a mark, so it never reads as the palest colour
        figure.add_trace(go.Scatter(x=[x[j] for j in empty_columns], y=[labels[i] for i in empty_rows], mode="markers",
                                    marker={"symbol": "x-thin", "size": 7, "line": {"width": 1, "color": "#888888"}},
                                    hoverinfo="skip", showlegend=False))
    figure.update_layout(height=max(320, 18 * len(labels) + 120), margin={"l": 10, "r": 10, "t": 10, "b": 10},
                         separators=",." if lang == "vi" else ".,", plot_bgcolor="white")
    figure.update_yaxes(autorange="reversed", type="category", tickfont={"size": 11})
    figure.update_xaxes(type="category", side="top")
    return figure


# -- the change table ------------------------------------------------------------------------------

def change_rows(result: Trend, month: str, lang: str) -> pd.DataFrame:
    """changes() with a name for each line and its profile address (communes only)."""
    table = changes(result, month)
    names, places = unit_names(lang), province_names(lang)
    table["name"] = [names.get(code, code) if line == "unit" else translate("trends.national", lang)
                     if line == NATIONAL else translate("trends.province_line", lang, province=places.get(code, code))
                     for code, line in zip(table["code"], table["line"])]
    table["profile"] = [profile_href(code) if line == "unit" else ""
                        for code, line in zip(table["code"], table["line"])]
    table["code"] = table["code"].where(table["line"] != NATIONAL, "")  # the country has no code
    return table


def change_table(result: Trend, month: str) -> pd.DataFrame:
    """Value, change from the month before and from a year before; green better, red worse, by direction."""
    lang = language()
    table = change_rows(result, month, lang)
    headers = _headers(month, lang)
    shown = pd.DataFrame({headers[c]: table[c] for c in ("name", "code", "value", "previous", "mom", "year_ago",
                                                          "yoy", "profile")})
    decimals = result.decimals
    formats = {headers[c]: (lambda v, d=decimals: format_number(v, lang, d) if pd.notna(v) else "–")
               for c in ("value", "previous", "year_ago")}
    formats |= {headers[c]: (lambda v, d=decimals: _signed(v, lang, d)) for c in ("mom", "yoy")}
    formats |= {headers[c]: (lambda v: "" if v is None or pd.isna(v) else v) for c in ("code", "profile")}
    styled = shown.style.format(formats)
    for column, better in (("mom", "better_mom"), ("yoy", "better_yoy")):
        colours = [UP if flag is True else DOWN if flag is False else "" for flag in table[better].tolist()]
        styled = styled.apply(lambda _col, c=colours: c, subset=[headers[column]])
    config = {headers["profile"]: st.column_config.LinkColumn(display_text=t("trends.column.open_profile")),
              headers["mom"]: st.column_config.NumberColumn(help=t("trends.column.mom_help")),
              headers["yoy"]: st.column_config.NumberColumn(help=t("trends.column.yoy_help"))}
    st.dataframe(styled, hide_index=True, column_config=config, key="trends_changes")
    return table


def _signed(value: object, lang: str, decimals: int) -> str:
    if pd.isna(value):
        return "–"
    return ("+" if float(value) > 0 else "") + format_number(float(value), lang, decimals)


def _headers(month: str, lang: str) -> dict[str, str]:
    previous, year_ago = months_back(month, 2)[0], months_back(month, 13)[0]
    return {"name": translate("trends.column.name", lang), "code": translate("trends.column.code", lang),
            "value": month_label(month, lang), "previous": month_label(previous, lang),
            "mom": translate("trends.column.mom", lang), "year_ago": month_label(year_ago, lang),
            "yoy": translate("trends.column.yoy", lang), "profile": translate("trends.column.profile", lang)}


def downloads(result: Trend, month: str, title: str, key: str) -> None:
    """The change table as xlsx and csv, built only when clicked."""
    lang = language()
    table = change_rows(result, month, lang)
    headers = _headers(month, lang)
    frame = table[["name", "code", "value", "previous", "mom", "year_ago", "yoy"]].rename(columns=headers)
    value_format = "0" if result.decimals == 0 else "0." + "0" * result.decimals
    formats = {headers[c]: value_format for c in ("value", "previous", "year_ago")}
    formats |= {headers[c]: f"+{value_format};-{value_format};0" for c in ("mom", "yoy")}
    stem = safe_file_name(t("trends.file_stem"), result.indicator, month)
    table_downloads(frame, title, "", formats, key, stem, sheet_name=t("trends.sheet"),
                    labels=(t("trends.download_xlsx"), t("trends.download_csv")))


def gaps_note(result: Trend, lang: str) -> str | None:
    """Which chosen communes have months without a report (or never reported), for a caption under the chart."""
    names = unit_names(lang)
    silent = [names.get(c, c) for c in result.units.columns if result.units[c].isna().all()]
    gappy = [names.get(c, c) for c in result.units.columns
             if result.units[c].isna().any() and not result.units[c].isna().all()]
    parts = []
    if gappy:
        parts.append(translate("trends.gaps", lang, units=", ".join(gappy)))
    if silent:
        parts.append(translate("trends.never_reported", lang, units=", ".join(silent)))
    return " ".join(parts) or None

