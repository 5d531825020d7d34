"""The profile page's pieces: picking the unit and month, its header and summary, the indicator table,
strengths and weaknesses, the rank-change waterfalls and the table as a file. Each owns its widget keys."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics.exports import safe_file_name
from analytics.overview import months
from analytics.profile import Line, Profile, RankChange
from analytics.lift import describe
from analytics.values import SERVICE_INDEX, catalog
from i18n import format_number, translate
from ui.data import query
from ui.labels import commune_labels
from ui.exports import table_downloads
from ui.i18n import language, number, t
from ui.text import plain, t_plain
from ui.links import UNIT_PARAM, follow_linked_period, linked_unit, present_link
from ui.widgets import choice, coverage_note, month_choice, month_label, reset_choice, short_name

# colours told apart in grayscale too: a dark and a light bar, totals mid grey; signs and labels carry it
GAIN, LOSS, TOTAL = "#1f4e79", "#f0a35e", "#8c8c8c"
LIGHT_MARKS = {"green": "🟢", "amber": "🟡", "red": "🔴"}


def unit_and_month(key: str) -> tuple[str | None, str | None, bool]:
    """(unit code, month, whether a linked code was unknown): from `?unit=` or the search box."""
    available = query(months)
    lang = language()
    labels = {None: translate("profile.pick_none", lang), **commune_labels(None, lang)}
    linked = linked_unit()
    unknown = bool(linked) and linked not in labels
    if linked and not unknown and linked != st.session_state.get(f"{key}_linked"):
        # a new link wins over the kept choice: made anew, the picker shows the linked unit
        st.session_state[f"{key}_linked"] = linked
        reset_choice(f"{key}_unit", linked)
    columns = st.columns([3, 1])
    unit = choice("selectbox", t("profile.pick"), list(labels), f"{key}_unit", labels.get, columns[0])
    follow_linked_period(f"{key}_month", available)
    month = month_choice(f"{key}_month", available, unit, columns[1])
    if month is not None and unit:
        coverage_note(month, unit)
    if unit and unit != linked:
        st.query_params[UNIT_PARAM] = unit  # the address names the unit shown, so it can be shared
        st.session_state[f"{key}_linked"] = unit
    return unit, month, unknown


def header(result: Profile) -> None:
    lang = language()
    st.header(plain(result.name(lang)))
    st.caption(t_plain("profile.identity", province=result.province(lang), type=t(f"profile.type.{result.unit_type}"),
                 code=result.unit_code, month=month_label(result.month, lang)))
    if result.status != "full":
        st.warning(t(f"profile.status.{result.status}"))
    present_link(result.unit_code, t_plain("profile.present_link", name=result.name(lang)), result.month)


def summary_box(sentences: list[str]) -> None:
    st.subheader(t("profile.summary_title"))
    st.info("\n".join(f"- {plain(sentence)}" for sentence in sentences))


def headline(result: Profile) -> None:
    """The service index, its ranks and its change, as cards."""
    index = result.line(SERVICE_INDEX)
    if index is None or index.value is None:
        return
    cards = st.columns(4)
    # a short title that fits the card at 1366 px; the full name in its help
    cards[0].metric(short_name(SERVICE_INDEX), number(index.value, index.decimals),
                    _signed(index.change, index.decimals), border=True, help=plain(index.name(language())))
    cards[1].metric(t("profile.rank_province"), _rank(index.province_rank, index.province_rank_of),
                    _places(index.province_rank_change), border=True)
    cards[2].metric(t("profile.rank_country"), _rank(index.national_rank, index.national_rank_of),
                    _places(index.national_rank_change), border=True)
    cards[3].metric(t("profile.peer_standing", peers=t(f"profile.peers.{result.unit_type}")),
                    "–" if index.peer_percentile is None else f"{number(index.peer_percentile, 0)}%", border=True,
                    help=t_plain("profile.peer_standing_help", peer_set=peer_set(result, index)))


def peer_set(result: Profile, line: Line) -> str:
    """The peers named with their number: '2.548 xã cả nước có số liệu'."""
    return t(f"profile.peer_set.{result.unit_type}", count=number(line.peer_rank_of))


def _signed(value: float | None, decimals: int) -> str | None:
    if value is None:
        return None
    shown = number(abs(value), decimals)
    return shown if shown == number(0, decimals) else ("-" if value < 0 else "+") + shown


def _places(change: int | None) -> str | None:
    if change is None:
        return None
    return ("-" if change < 0 else "+") + t("profile.places", places=number(abs(change))) if change else "0"


def _rank(rank: int | None, rank_of: int) -> str:
    return "–" if rank is None else f"{number(rank)}/{number(rank_of)}"


# -- the indicator table ---------------------------------------------------------------------------

def table_rows(result: Profile, lang: str) -> pd.DataFrame:
    """One row per line, numbers as numbers (the file keeps them so), in the order of the lines."""
    rows = []
    for line in result.lines:
        rows.append({
            "indicator": line.name(lang), "unit": translate(f"profile.unit.{line.unit}", lang), "value": line.value,
            "light": translate(f"profile.light.{line.light_basis}.{line.light}", lang) if line.light else "",
            "basis": translate(f"profile.basis.{line.light_basis}", lang) if line.light_basis else "",
            "reference": line.reference,
            "province_rank": line.province_rank, "province_rank_of": line.province_rank_of if line.ranked else None,
            "national_rank": line.national_rank, "national_rank_of": line.national_rank_of if line.ranked else None,
            "change": line.change, "rank_change": line.province_rank_change, "province_value": line.province_value,
            "peer_percentile": line.peer_percentile, "peer_below": line.peer_below, "code": line.code})
    return pd.DataFrame(rows)


def indicator_table(result: Profile) -> None:
    """Value, traffic light, ranks, change, the province beside it and a 12-month line per indicator."""
    lang = language()
    st.subheader(t("profile.table_title"))
    names = {column: t(f"profile.column.{column}") for column in
             ("indicator", "value", "light", "province_rank", "national_rank", "change", "rank_change",
              "province_value", "reference", "trend")}
    shown = pd.DataFrame({
        names["indicator"]: [line.name(lang) for line in result.lines],
        names["value"]: [_value(line, line.value) for line in result.lines],
        names["light"]: [_light(line) for line in result.lines],
        names["province_rank"]: [_rank(line.province_rank, line.province_rank_of) for line in result.lines],
        names["national_rank"]: [_rank(line.national_rank, line.national_rank_of) for line in result.lines],
        names["change"]: [_change(line) for line in result.lines],
        names["rank_change"]: [_arrow(line.province_rank_change, lang) for line in result.lines],
        names["province_value"]: [_value(line, line.province_value, province=True) for line in result.lines],
        names["reference"]: [_reference(line) for line in result.lines],
        # the sparkline cell cannot draw a gap: missing months are skipped, as on the rankings
        names["trend"]: [[v for v in line.sparkline if v is not None] for line in result.lines],
    })
    config = {
        names["light"]: st.column_config.TextColumn(help=t("profile.column.light_help")),
        names["province_rank"]: st.column_config.TextColumn(help=t("profile.column.rank_help")),
        names["rank_change"]: st.column_config.TextColumn(help=t("profile.column.rank_change_help")),
        names["province_value"]: st.column_config.TextColumn(help=t("profile.column.province_value_help")),
        names["reference"]: st.column_config.TextColumn(help=t("profile.column.reference_help")),
        names["trend"]: st.column_config.LineChartColumn(help=t("profile.column.trend_help",
                                                                 months=len(result.sparkline_months))),
    }
    st.dataframe(shown, hide_index=True, column_config=config, height=min(38 + 35 * len(shown), 720))


def _value(line: Line, value: float | None, province: bool = False) -> str:
    if value is None:
        return "–"
    # a province mean of counts is shown with one decimal: 12,5 dossiers per commune on average
    decimals = 1 if province and line.kind == "count" else line.decimals
    return number(value, decimals) + ("%" if line.unit == "percent" else "")


def _change(line: Line) -> str:
    if line.change is None:
        return "–"
    return _signed(line.change, line.decimals) + (" " + t("unit.points") if line.unit == "percent" else "")


def _light(line: Line) -> str:
    """'🟢 Đạt mục tiêu', '🔴 Kém hơn trung vị tỉnh': the light says what it compares with."""
    return f"{LIGHT_MARKS[line.light]} {t(f'profile.light.{line.light_basis}.{line.light}')}" if line.light else ""


def _reference(line: Line) -> str:
    """'Mục tiêu 80%', 'Trung vị tỉnh 93,50', or '–' where the light compares with nothing."""
    if line.light_basis is None or line.reference is None:
        return "–"
    return t(f"profile.basis.{line.light_basis}") + " " + _value(line, line.reference)


def _arrow(change: int | None, lang: str) -> str:
    """▲ 3 (up three places), ▼ 2, = (same place); – where there is no rank in one of the months."""
    if change is None:
        return "–"
    places = format_number(abs(change), lang)
    return f"▲ {places}" if change > 0 else f"▼ {places}" if change < 0 else "="


# -- strengths, weaknesses, why the rank changed ---------------------------------------------------

def strengths_and_weaknesses(result: Profile) -> None:
    st.subheader(t("profile.peers_title", peers=t(f"profile.peers.{result.unit_type}")))
    st.caption(t("profile.peers_caption"))
    lang = language()
    columns = st.columns(2)
    for column, kind, codes in ((columns[0], "strengths", result.strengths),
                                (columns[1], "weaknesses", result.weaknesses)):
        column.markdown(f"**{t(f'profile.{kind}')}**")
        if not codes:
            column.caption(t("profile.none_listed"))
        for code in codes:
            line = result.line(code)
            column.markdown(t_plain("profile.peer_line", indicator=line.name(lang), value=_value(line, line.value),
                                    standing=peer_standing(result, line, kind)))


def peer_standing(result: Profile, line: Line, kind: str) -> str:
    """'cao hơn 59% trong 2.548 xã cả nước có số liệu' for a strength, 'thấp hơn 89% …' for a weakness;
    'tốt hơn' / 'kém hơn' where fewer is better (days). The same figure as the meeting pack's."""
    side = "above" if kind == "strengths" else "below"
    share = line.peer_percentile if side == "above" else line.peer_below
    return t(f"profile.standing.{side}.{line.direction}", share=number(share, 0), peer_set=peer_set(result, line))


def what_it_takes(result: Profile) -> None:
    """For the weakest 766 groups computed from counts: the smallest change that gains a place."""
    st.subheader(t("profile.lift_title"))
    st.caption(t("profile.lift_caption"))
    if not result.lifts:
        st.info(t("profile.lift.none"))
        return
    indicators = query(catalog)
    st.markdown("\n".join(f"- {plain(describe(lift, indicators, language()))}" for lift in result.lifts))


def rank_change_charts(result: Profile) -> None:
    """The index change by 766 group (points), then the rank: own change against the others' moves."""
    st.subheader(t("profile.why_title"))
    change = result.rank_change
    if change is None:
        st.info(t("profile.why_none"))
        return
    lang = language()
    columns = st.columns([3, 2])
    with columns[0]:
        st.plotly_chart(points_waterfall(change, lang), config={"displayModeBar": False}, key="profile_points")
    with columns[1]:
        st.plotly_chart(places_waterfall(change, lang), config={"displayModeBar": False}, key="profile_places")
    st.caption(t("profile.why_caption", own=number(change.own_effect), others=number(change.others_effect),
                 with_own=number(change.rank_with_own_change)))


def points_waterfall(change: RankChange, lang: str) -> go.Figure:
    previous, current = month_label(change.previous_month, lang), t("profile.this_month")
    x = [_wrapped(label) for label in
         (previous, *[g.name_en if lang == "en" else g.name_vi for g in change.groups], current)]
    y = [change.previous_index, *[g.change for g in change.groups], change.current_index]
    text = [format_number(change.previous_index, lang, 2),
            *[_signed_text(g.change, lang) for g in change.groups], format_number(change.current_index, lang, 2)]
    figure = go.Figure(go.Waterfall(
        x=x, y=y, measure=["absolute", *["relative"] * len(change.groups), "total"], text=text,
        textposition="outside", hoverinfo="x+text", connector={"line": {"color": "#555555", "dash": "dot"}},
        increasing={"marker": {"color": GAIN}}, decreasing={"marker": {"color": LOSS}},
        totals={"marker": {"color": TOTAL}}))
    low = min(change.previous_index, change.current_index, *(change.previous_index + sum(
        g.change for g in change.groups[:i + 1]) for i in range(len(change.groups))))
    figure.update_layout(title=t("profile.points_title"), height=360, showlegend=False,
                         margin={"l": 10, "r": 10, "t": 50, "b": 10}, separators=",." if lang == "vi" else ".,",
                         yaxis={"range": [max(low - 5, 0), min(max(change.previous_index, change.current_index) + 4,
                                                                105)], "title": t("unit.points")})
    return figure


def places_waterfall(change: RankChange, lang: str) -> go.Figure:
    """Places gained in the province: by the unit's own change, by the others' moves, and in all."""
    x = [_wrapped(t("profile.places_own")), _wrapped(t("profile.places_others")), _wrapped(t("profile.places_total"))]
    y = [change.own_effect, change.others_effect, change.places_gained]
    text = [_places_text(value, lang) for value in y]
    figure = go.Figure(go.Waterfall(
        x=x, y=y, measure=["relative", "relative", "total"], text=text, textposition="outside", hoverinfo="x+text",
        connector={"line": {"color": "#555555", "dash": "dot"}}, increasing={"marker": {"color": GAIN}},
        decreasing={"marker": {"color": LOSS}}, totals={"marker": {"color": TOTAL}}))
    reach = max(abs(change.own_effect), abs(change.own_effect + change.others_effect), 1)
    title = t("profile.places_title", previous=format_number(change.previous_rank, lang),
              current=format_number(change.current_rank, lang), rank_of=format_number(change.current_rank_of, lang))
    figure.update_layout(title=title, height=360, showlegend=False, margin={"l": 10, "r": 10, "t": 50, "b": 10},
                         yaxis={"range": [-reach * 1.35, reach * 1.35], "title": t("profile.places_axis"),
                                "zeroline": True, "zerolinecolor": "#555555"})
    return figure


def _wrapped(label: str, width: int = 14) -> str:
    """Long axis labels over several lines (plotly breaks on <br>)."""
    lines, line = [], ""
    for word in label.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join([*lines, line])


def _signed_text(value: float, lang: str) -> str:
    shown = format_number(abs(value), lang, 2)
    return shown if shown == format_number(0, lang, 2) else ("+" if value > 0 else "−") + shown


def _places_text(effect: int, lang: str) -> str:
    if effect == 0:
        return "0"
    return ("▲ " if effect > 0 else "▼ ") + format_number(abs(effect), lang)


# -- the table as a file ---------------------------------------------------------------------------

def downloads(result: Profile, key: str) -> None:
    """The indicator table as xlsx and csv, numbers as numbers, built only when clicked."""
    lang = language()
    rows = table_rows(result, lang)
    headers = {column: t(f"profile.export.{column}") for column in rows.columns}
    frame = rows.rename(columns=headers)
    formats = {headers["value"]: "#,##0.00", headers["province_value"]: "#,##0.00", headers["reference"]: "#,##0.00",
               headers["change"]: "+0.00;-0.00;0", headers["rank_change"]: "+0;-0;0", headers["peer_percentile"]: "0",
               headers["peer_below"]: "0"}
    title = t("profile.export_title", name=result.name(lang), month=month_label(result.month, lang))
    stem = safe_file_name(t("profile.file_stem"), result.unit_code, result.month)
    table_downloads(frame, title, "", formats, key, stem, sheet_name=t("profile.sheet"),
                    labels=(t("profile.download_xlsx"), t("profile.download_csv")))
