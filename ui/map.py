"""The Map page's pieces: its controls, the choropleth, what a click does, and the profile fallback.

Drawn with plotly's `geo` (the boundaries shipped in data/, no basemap): no tile server, no web font,
nothing leaves the machine. Each function owns its widget keys.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics.geo import LEVELS, MapValues, boundaries_of, map_values, province_boundaries
from analytics.overview import months, provinces
from i18n import format_number, translate
from ui.data import kept, query
from ui.labels import commune_labels, province_labels
from ui.i18n import language, t
from ui.text import chart_text, t_plain
from ui.league import indicator_labels
from ui.links import open_profile, profile_href
from ui.widgets import choice, coverage_note, month_choice, month_label

# Viridis without its last, yellow step: its lightest colour stays darker than the "no data" grey in
# grayscale, and its lightness rises steadily, so a printed map still reads from dark (worse) to light
GOOD_LAST = ["#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58", "#b5de2b"]
NO_DATA = "#ececec"
BORDER = "#ffffff"
PENDING_PROFILE = "map_open_profile"  # (commune, month) clicked on the map; opened at the start of the next run
# plotly.js fetches a base topology for every choropleth, even with the basemap hidden (default: from a
# CDN, so offline the map never draws). static/topojson/world_110m.json is an empty one, served by
# Streamlit (server.enableStaticServing); the relative address also works under a base URL path.
TOPOJSON_URL = "app/static/topojson/"
COUNTRY = ""  # "no province" in the zoom box: a selectbox set to None through session state shows no choice


@dataclass(frozen=True)
class MapControls:
    indicator: str
    month: str
    level: str  # communes | provinces
    province: str | None  # zoomed to (communes level only)


def map_controls(key: str) -> MapControls | None:
    """Indicator, month, level and the province to zoom to; None when the database holds no figures."""
    available = query(months)
    if not available:
        return None
    lang = language()  # format functions are kept and re-run later by Streamlit: bind the language now
    first, second = st.columns([3, 1]), st.columns([1, 1])
    names = indicator_labels(lang)
    indicator = choice("selectbox", t("map.indicator"), list(names), f"{key}_indicator", names.get, first[0])
    kept_province = st.session_state.get(f"{key}_province") or None  # drawn below: the kept choice decides
    month = month_choice(f"{key}_month", available, kept_province, first[1])
    level = settable_choice("segmented_control", t("map.level"), list(LEVELS), f"{key}_level",
                            lambda v: translate(f"map.level.{v}", lang), second[0])
    province = COUNTRY
    if level == "communes":
        places = {COUNTRY: translate("scope.country", lang), **province_labels(lang)}
        province = settable_choice("selectbox", t("map.zoom"), list(places), f"{key}_province", places.get,
                                   second[1])
    coverage_note(month, province or None)
    return MapControls(indicator, month, level, province or None)


def settable_choice(kind: str, label: str, options: list[Any], key: str, format_func: Callable[[Any], str],
                    container: Any = st) -> Any:
    """As ui.widgets.choice (the choice kept under `key` survives a change of language), but a click on
    the map can set it: the widget takes its value from session state, never from a default, so a
    callback may write `set_choice(key, value)` without Streamlit's "default and session state" warning,
    and the browser shows the new value. No option may be None (None in session state means "nothing
    chosen" to Streamlit)."""
    widget_key = f"{key}.{language()}"
    if widget_key not in st.session_state or st.session_state[widget_key] not in options:
        kept = st.session_state.get(key)
        st.session_state[widget_key] = kept if kept in options else options[0]
    picked = getattr(container, kind)(label, options, format_func=format_func, key=widget_key)
    if picked is None:  # a second click clears a segmented control: keep the choice
        picked = st.session_state.get(key) if st.session_state.get(key) in options else options[0]
    st.session_state[key] = picked
    return picked


def set_choice(key: str, value: Any) -> None:
    """Change a settable_choice from a callback (before the widgets of the next run are drawn)."""
    st.session_state[key] = value
    st.session_state[f"{key}.{language()}"] = value


def map_heading(controls: MapControls, indicator_name: str) -> str:
    """Tỷ lệ hồ sơ giải quyết đúng hạn · Hà Nội · Tháng 10/2026."""
    lang = language()
    if controls.province is None:
        scope = t("scope.country")
    else:
        scope = query(provinces).set_index("code").at[controls.province, "name_en" if lang == "en" else "name_vi"]
    return t_plain("map.heading", indicator=indicator_name, scope=scope, month=month_label(controls.month, lang))


def open_pending_profile() -> None:
    """A commune chosen on the map in the previous run: go to its profile (a user action)."""
    pending = st.session_state.pop(PENDING_PROFILE, None)
    if pending:
        open_profile(*pending)


# -- the figure ------------------------------------------------------------------------------------

def value_text(value: float, shown: MapValues, lang: str) -> str:
    """97,64% · 3,6 ngày · 1.234: the value with its unit, in the language's number format."""
    written = format_number(value, lang, shown.decimals)
    if shown.unit == "percent":
        return written + "%"
    if shown.unit == "count":
        return written
    return f"{written} {translate(f'map.suffix.{shown.unit}', lang)}"


def hover_texts(shown: MapValues, indicator_name: str, lang: str) -> list[str]:
    """Per unit: name, province, value and rank ("15/126"), or why it has no value."""
    table, suffix = shown.table, "en" if lang == "en" else "vi"
    rank_word, reported = translate("map.hover.rank", lang), translate("map.hover.reported", lang)
    texts = []
    for row in table.itertuples(index=False):
        lines = [f"<b>{chart_text(getattr(row, f'name_{suffix}'))}</b>"]
        if shown.level == "communes":
            lines.append(getattr(row, f"province_{suffix}"))
        if row.status == "ranked":
            lines.append(f"{chart_text(indicator_name)}: {value_text(row.shown_value, shown, lang)}")
            lines.append(f"{rank_word}: {format_number(int(row.rank), lang)}/{format_number(int(row.rank_of), lang)}")
        else:
            lines.append(translate(f"map.status.{row.status}", lang))
        if shown.level == "provinces":
            lines.append(f"{reported}: {format_number(int(row.units_reported), lang)}/"
                         f"{format_number(int(row.units_total), lang)}")
        texts.append("<br>".join(lines))
    return texts


def map_figure(shown: MapValues, indicator_name: str, lang: str) -> go.Figure:
    """Two layers: units with a value on a direction-aware scale (good always light), the rest grey."""
    table = shown.table.assign(hover=hover_texts(shown, indicator_name, lang))
    has_value = table["status"] == "ranked"
    figure = go.Figure()
    silent = table[~has_value]
    if len(silent):
        figure.add_choropleth(
            geojson=_shapes(shown, silent["code"]), locations=silent["code"], z=np.zeros(len(silent)),
            colorscale=[[0, NO_DATA], [1, NO_DATA]], showscale=False, hovertext=silent["hover"],
            hovertemplate="%{hovertext}<extra></extra>", marker={"line": {"color": "#b0b0b0", "width": 0.4}},
            name=translate("map.legend.no_data", lang), showlegend=True)
    counted = table[has_value]
    if len(counted):
        values = counted["shown_value"].to_numpy(float)
        low, high = float(values.min()), float(values.max())
        better = translate(f"map.better.{'lower' if shown.lower_is_better else 'higher'}", lang)
        unit = translate(f"map.unit.{shown.unit}", lang)
        figure.add_choropleth(
            geojson=_shapes(shown, counted["code"]), locations=counted["code"], z=values,
            zmin=low, zmax=high if high > low else low + 1,  # one value alone still gets a scale
            colorscale=GOOD_LAST, reversescale=shown.lower_is_better, hovertext=counted["hover"],
            hovertemplate="%{hovertext}<extra></extra>", marker={"line": {"color": BORDER, "width": 0.3}},
            colorbar={"title": {"text": f"{unit}<br><sub>{better}</sub>"}, "thickness": 14, "len": 0.75},
            name=chart_text(indicator_name), showlegend=False)
    figure.update_geos(fitbounds="locations", visible=False, showframe=False, showcoastlines=False,
                       showland=False, showcountries=False, showlakes=False, showrivers=False,
                       showocean=False, showsubunits=False, projection_type="mercator", scope="world",
                       resolution=110)  # world_110m: the topology TOPOJSON_URL serves
    figure.update_layout(height=720 if shown.province is None else 620, margin={"l": 0, "r": 0, "t": 0, "b": 0},
                         separators=",." if lang == "vi" else ".,", clickmode="event+select", dragmode="pan",
                         legend={"orientation": "h", "yanchor": "bottom", "y": 0.0, "x": 0.0},
                         hoverlabel={"align": "left"})
    return figure


def _shapes(shown: MapValues, codes: pd.Series) -> Any:
    """The polygons of these units only: each layer carries its own shapes, not the whole country twice."""
    if shown.level == "provinces":
        return province_boundaries()
    return boundaries_of(frozenset(codes))


def chosen_unit(selection: Mapping[str, Any] | None, layers: Sequence[Sequence[str]]) -> str | None:
    """The unit code a click chose: the point's `location`, else its index in its layer's locations."""
    points = list((selection or {}).get("points") or [])
    if not points:
        return None
    point = points[0]
    if point.get("location"):
        return str(point["location"])
    layer, index = point.get("curve_number"), point.get("point_index", point.get("point_number"))
    if layer is None or index is None or not 0 <= layer < len(layers) or not 0 <= index < len(layers[layer]):
        return None
    return str(layers[layer][index])


def _layers(shown: MapValues) -> list[list[str]]:
    """The locations of each trace, in trace order (as map_figure adds them)."""
    has_value = shown.table["status"] == "ranked"
    silent, counted = shown.table.loc[~has_value, "code"].tolist(), shown.table.loc[has_value, "code"].tolist()
    return [layer for layer in (silent, counted) if layer]


def _on_choose(key: str, shown: MapValues) -> None:
    """A click: a province zooms the map to its communes; a commune opens its profile on the next run."""
    event = st.session_state.get(f"{key}_chart_{shown.level}")
    code = chosen_unit(event["selection"] if event else None, _layers(shown))
    if code is None:
        return
    if shown.level == "provinces":
        set_choice(f"{key}_level", "communes")
        set_choice(f"{key}_province", code)
    else:
        st.session_state[PENDING_PROFILE] = (code, shown.period)


def shared_map_figure(indicator: str, period: str, level: str, province: str | None, indicator_name: str,
                      lang: str) -> go.Figure:
    """map_figure of query(map_values, ...), built once per data version for every session (ui.data.kept):
    3,321 hover texts and two choropleth layers were a third of the page's time on every run."""
    return map_figure(query(map_values, indicator, period, level, province), indicator_name, lang)


def map_chart(shown: MapValues, indicator_name: str, key: str) -> None:
    """The choropleth; hovering shows name, value and rank; a click chooses a unit."""
    lang = language()
    figure = kept(shared_map_figure, shown.indicator, shown.period, shown.level, shown.province, indicator_name, lang)
    st.plotly_chart(figure, key=f"{key}_chart_{shown.level}",
                    on_select=partial(_on_choose, key, shown), selection_mode="points",
                    config={"displaylogo": False, "scrollZoom": True, "topojsonURL": TOPOJSON_URL,
                            "modeBarButtonsToRemove": ["select2d", "lasso2d", "toImage"]})
    st.caption(t(f"map.click_hint.{shown.level}"))


def map_summary(shown: MapValues) -> str:
    """How many units have a value, have none, or lack a part, in the language."""
    counts = shown.table["status"].value_counts()
    return t(f"map.summary.{shown.level}", ranked=int(counts.get("ranked", 0)),
             not_reported=int(counts.get("not_reported", 0)), incomplete=int(counts.get("incomplete", 0)))


def picker_labels(indicator: str, period: str, level: str, province: str | None, lang: str) -> dict[str | None, str]:
    """The picker's choices: none, then every commune on the map, labelled as every unit picker labels it."""
    drawn = set(query(map_values, indicator, period, level, province).table["code"])
    return {None: translate("map.pick_none", lang),
            **{code: label for code, label in commune_labels(province, lang).items() if code in drawn}}


def profile_picker(shown: MapValues, key: str) -> None:
    """Without a mouse (or for a unit too small to click): pick a commune, open its profile."""
    if shown.level != "communes":
        return
    lang = language()
    labels = kept(picker_labels, shown.indicator, shown.period, shown.level, shown.province, lang)
    columns = st.columns([4, 2])
    code = choice("selectbox", t("map.pick"), list(labels), f"{key}_pick", labels.get, columns[0])
    if code is None:
        return
    name = labels[code].split(" (")[0]
    columns[1].markdown(f"[{t_plain('map.pick_link', name=name)}]({profile_href(code, shown.period)})")
    if columns[1].button(t("map.pick_open"), key=f"{key}_pick_open"):
        open_profile(code, shown.period)
