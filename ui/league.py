"""The Rankings page's pieces: its controls, the league table, a unit's place, the spread, downloads,
the units left unranked and the composite builder. Each owns its widget keys."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import store
from analytics.exports import safe_file_name
from analytics.league import (League, composite_parts, covered_months, distribution, export_rows,
                              indicator_choices, period_choices)
from analytics.coverage import default_month, month_coverages
from analytics.overview import indicator_names, months, provinces
from analytics.periods import AnalysisPeriod
from analytics.ranking import COMPOSITE_PREFIX, PEER_GROUPS, THIN_DENOMINATOR, Composite, save_composite
from errors import XasoError
from i18n import format_number, translate
from store.users import SessionExpired, User
from ui.auth import has_role, signed_in_user
from ui.data import data_changed, kept, query
from ui.labels import commune_labels, province_labels
from ui.exports import table_downloads
from ui.i18n import language, number, percent, t
from ui.text import plain, t_plain
from ui.links import follow_linked_period, profile_href, profile_link
from ui.quality import ranking_badges
from ui.tables import styled
from ui.widgets import choice, coverage_note, month_label

VIEWS = ("all", "top_bottom")
HIGHLIGHT = "background-color: #fff3bf; font-weight: 600"
UP, DOWN = "color: #1a7f37", "color: #cf222e"


@dataclass(frozen=True)
class Controls:
    """What the reader asked for: the ranking (indicator, period, scope, thin data) and how to show it."""

    indicator: str
    period: str
    province: str | None
    peer_group: str | None
    exclude_thin: bool
    view: str
    top_n: int
    unit_code: str | None


def indicator_labels(lang: str) -> dict[str, str]:
    """Every rankable choice -> its name in `lang`; saved composites by their own names (kept per data
    version: do not change it)."""
    return kept(_indicator_labels, lang)


def _indicator_labels(lang: str) -> dict[str, str]:
    names = query(indicator_names).set_index("code")[f"name_{'en' if lang == 'en' else 'vi'}"]
    return {code: translate("rankings.composite_option", lang, name=code[len(COMPOSITE_PREFIX):])
            if code.startswith(COMPOSITE_PREFIX) else names[code] for code in query(indicator_choices)}


def period_label(period: str, available: list[str], lang: str, coverages: dict | None = None) -> str:
    """10/2026, Quý 3/2026, Năm 2026; a period with months still to come says how far it goes; a partial
    month (with `coverages`, analytics.coverage.month_coverages) says how many units reported."""
    when = AnalysisPeriod.parse(period)
    if when.kind == "month":
        found = (coverages or {}).get(period)
        if found is not None and not found.complete():
            return translate("coverage.partial_option", lang, month=month_label(period, lang),
                             reported=format_number(found.reported, lang),
                             expected=format_number(found.expected, lang))
        return month_label(period, lang)
    label = translate(f"rankings.{when.kind}", lang, quarter=str(when.quarter), year=str(when.year))
    covered = covered_months(period, available)
    if covered and len(covered) < len(when.months()):
        last = f"{int(covered[-1][5:7])}/{covered[-1][:4]}"
        return translate("rankings.period_partial", lang, period=label, last=last)
    return label


def league_controls(key: str) -> Controls | None:
    """Two rows of choices; None when the database holds no figures yet."""
    available = query(months)
    if not available:
        return None
    lang = language()  # format functions are kept and re-run later by Streamlit: bind the language now
    first, second = st.columns([3, 2, 2, 2]), st.columns([3, 3, 2, 3])
    names = indicator_labels(lang)
    indicator = choice("selectbox", t("rankings.indicator"), list(names), f"{key}_indicator", names.get, first[0])
    follow_linked_period(f"{key}_period", period_choices(available))
    coverages = query(month_coverages, st.session_state.get(f"{key}_province"))  # drawn below: the kept choice
    period = choice("selectbox", t("rankings.period"), period_choices(available), f"{key}_period",
                    lambda p: period_label(p, available, lang, coverages), first[1],
                    default=query(default_month, st.session_state.get(f"{key}_province")))
    places = {None: translate("scope.country", lang), **province_labels(lang)}
    province = choice("selectbox", t("scope.province"), list(places), f"{key}_province", places.get, first[2])
    peer_group = choice("selectbox", t("rankings.peer_group"), [None, *PEER_GROUPS], f"{key}_peer_group",
                        lambda g: translate(f"rankings.peer.{g or 'all'}", lang), first[3])
    labels = kept(unit_choices, province, peer_group, lang)
    unit_code = choice("selectbox", t("rankings.my_unit"), list(labels), f"{key}_unit", labels.get, second[0])
    view = choice("segmented_control", t("rankings.view"), list(VIEWS), f"{key}_view",
                  lambda v: translate(f"rankings.view.{v}", lang), second[1])
    top_n = second[2].number_input(t("rankings.top_n"), min_value=3, max_value=50, value=10, step=1, key=f"{key}_n")
    exclude_thin = second[3].toggle(t("rankings.exclude_thin"), key=f"{key}_thin",
                                    help=t("rankings.exclude_thin_help", cases=THIN_DENOMINATOR))
    if AnalysisPeriod.parse(period).kind == "month":
        coverage_note(period, province)
    return Controls(indicator, period, province, peer_group, exclude_thin, view, int(top_n), unit_code)


def unit_choices(province: str | None, peer_group: str | None, lang: str) -> dict[str | None, str]:
    """The "my unit" box's choices: none, then each commune in scope (kept per data version: do not change it)."""
    return {None: translate("rankings.my_unit_none", lang), **commune_labels(province, lang, peer_group)}


# -- the table -------------------------------------------------------------------------------------

def value_header(league: League) -> str:
    return t("rankings.column.value", unit=t(f"rankings.unit.{league.unit}"))


def league_table(rows: pd.DataFrame, league: League, *, national: bool, highlight: str | None) -> None:
    """The ranked rows: value, progress against the goal, 12-month sparkline, rank change, caution."""
    lang = language()
    suffix = "en" if lang == "en" else "vi"
    rank, value, change, caution = (t("rankings.column.rank"), value_header(league), t("rankings.column.change"),
                                    t("rankings.column.caution"))
    progress, trend = t("rankings.column.progress"), t("rankings.column.trend", months=len(league.sparkline_months))
    profile = t("profile.column.link")
    columns = {rank: rows["rank"], t("column.code"): rows["unit_code"], t("column.unit"): rows[f"name_{suffix}"],
               profile: rows["unit_code"].map(lambda code: profile_href(code, league.ranking.period, lang))}
    if national:
        columns[t("column.province")] = rows[f"province_{suffix}"]
    columns[value] = rows["shown_value"]
    if league.goal:  # whole percent, rounded down: a bar says 100% only when the goal is reached
        columns[progress] = np.floor(rows["shown_value"].to_numpy(float) / league.goal * 100)
    # the sparkline cell cannot draw a gap (a missing month turns it into text): skip missing months
    columns[trend] = rows["unit_code"].map(lambda unit: [v for v in league.sparklines.get(unit, []) if v is not None])
    columns[change] = rows["previous_change"]
    if rows["caution"].any():
        columns[caution] = [_caution(*flags) for flags in zip(rows["caution"], rows["denominator"], rows["ci_low"],
                                                              rows["ci_high"])]
    if badge := ranking_badges(rows["unit_code"], league.ranking.period):  # the month's data-quality flags
        columns[t("column.unit")] = columns[t("column.unit")] + badge[0]
    shown = pd.DataFrame(columns).reset_index(drop=True)
    marked = (rows["unit_code"] == highlight).to_numpy()

    def style(frame: pd.DataFrame) -> "pd.io.formats.style.Styler":
        # Styler calls these once per cell: format with the language bound, not looked up per cell
        styler = (frame.style
                  .format({rank: lambda v: format_number(int(v), lang), change: lambda v: _arrow(v, lang),
                           value: lambda v: format_number(float(v), lang, league.decimals)})
                  .map(lambda v: UP if pd.notna(v) and v > 0 else DOWN if pd.notna(v) and v < 0 else "",
                       subset=[change]))
        if marked.any():
            styler = styler.apply(lambda part: pd.DataFrame([[HIGHLIGHT if m else ""] * part.shape[1] for m in marked],
                                                             index=part.index, columns=part.columns), axis=None)
        return styler

    # the marked rows are those of `highlight` in the frame's code column: the look names it
    styled_rows = styled(shown, style, ("league_table", lang, league.decimals, highlight))
    config = {
        rank: st.column_config.NumberColumn(help=t("rankings.column.rank_help")),
        profile: st.column_config.LinkColumn(display_text=t("profile.open_link")),
        progress: st.column_config.ProgressColumn(
            help=t("rankings.column.progress_help", goal=number(league.goal),
                   unit=t(f"rankings.unit.{league.unit}")), min_value=0, max_value=100, format="%.0f%%", color="blue"),
        trend: st.column_config.LineChartColumn(help=t("rankings.column.trend_help"),
                                                color="auto-inverse" if league.lower_is_better else "auto"),
        change: st.column_config.NumberColumn(help=t("rankings.column.change_help")),
        caution: st.column_config.TextColumn(help=t("rankings.column.caution_help", cases=THIN_DENOMINATOR)),
    }
    config.update({t("column.unit"): badge[1]} if badge else {})
    # a top and bottom of a few dozen rows shows whole; the whole table scrolls
    st.dataframe(styled_rows, hide_index=True, column_config=config, height=440 if len(shown) > 30 else "auto")


def _arrow(change: object, lang: str) -> str:
    """▲ 3 (up three places), ▼ 2, = (same place); – where the unit was not ranked before."""
    if pd.isna(change):
        return "–"
    places = format_number(abs(int(change)), lang)
    return f"▲ {places}" if change > 0 else f"▼ {places}" if change < 0 else "="


def _caution(flagged: bool, cases: float, low: float, high: float) -> str:
    if not flagged:
        return ""
    return "⚠ " + t("rankings.caution_cell", cases=number(float(cases)), low=number(float(low), 1),
                    high=number(float(high), 1))


def unit_position(league: League, unit_code: str, names: dict[str, str], scope: str = "") -> int | None:
    """A unit's rank, value and standing as cards, or why it has no rank; returns its rank."""
    ranking, lang = league.ranking, language()
    row = ranking.table[ranking.table["unit_code"] == unit_code]
    if row.empty:
        st.warning(_why_unranked(league, unit_code, names))
        return None
    unit = row.iloc[0]
    change = unit["previous_change"]
    delta = None if pd.isna(change) else \
        ("-" if change < 0 else "+") + t("rankings.places", places=number(abs(int(change))))
    standing = distribution(ranking.table, unit_code)
    cards = st.columns(3)
    cards[0].metric(t_plain("rankings.position", name=unit[f"name_{'en' if lang == 'en' else 'vi'}"]),
                    f"{number(int(unit['rank']))}/{number(int(unit['rank_of']))}", delta, border=True,
                    help=t("rankings.position_help"))
    cards[1].metric(value_header(league), number(float(unit["shown_value"]), league.decimals), border=True)
    # the same standing as the profile's (analytics.ranking.standing), the set it is among named
    cards[2].metric(t_plain("rankings.ahead_of", scope=scope), "–" if standing.share_behind is None
                    else percent(100 * standing.share_behind, 0), border=True,
                    help=t_plain("rankings.ahead_of_help", count=number(len(ranking.table)), scope=scope))
    profile_link(unit_code, t_plain("rankings.open_profile", name=unit[f"name_{'en' if lang == 'en' else 'vi'}"]),
                 ranking.period)
    return int(unit["rank"])


def _why_unranked(league: League, unit_code: str, names: dict[str, str]) -> str:
    ranking = league.ranking
    incomplete = ranking.incomplete[ranking.incomplete["unit_code"] == unit_code]
    if len(incomplete):
        return t("rankings.unit_incomplete", missing=", ".join(_part_names(incomplete["missing"].iloc[0], names)))
    if unit_code in set(ranking.left_out["unit_code"]):
        return t("rankings.unit_left_out", cases=THIN_DENOMINATOR)
    return t("rankings.unit_not_reported")


def _part_names(codes: object, names: dict[str, str]) -> list[str]:
    """Missing 766 groups or composite parts by name."""
    return [names.get(code, code) for code in list(codes)]


# -- the spread, the units apart, the files ------------------------------------------------------------

def distribution_chart(league: League, unit_code: str | None) -> None:
    """Box and dots of every ranked value, the chosen unit marked."""
    table = league.ranking.table
    spread = distribution(table, unit_code)
    figure = go.Figure(go.Box(x=spread.values, name="", boxpoints="all", jitter=0.6, pointpos=0,
                              marker={"size": 4, "color": "rgba(31, 119, 180, 0.35)"}, line={"color": "#1f4e79"},
                              fillcolor="rgba(0, 0, 0, 0)", hoverinfo="x"))
    if spread.unit_value is not None:
        name = table.loc[table["unit_code"] == unit_code, f"name_{'en' if language() == 'en' else 'vi'}"].iloc[0]
        figure.add_scatter(x=[spread.unit_value], y=[""], mode="markers", hoverinfo="x+text", text=[name],
                           marker={"size": 16, "color": "#cf222e", "symbol": "diamond"})
        figure.add_vline(x=spread.unit_value, line={"color": "#cf222e", "dash": "dot"})
        figure.add_annotation(x=spread.unit_value, y=1, yref="paper", yanchor="bottom", showarrow=False, text=name,
                              font={"color": "#cf222e", "size": 14})
    figure.update_layout(height=260, margin={"l": 10, "r": 10, "t": 30, "b": 40}, showlegend=False,
                         separators=",." if language() == "vi" else ".,", xaxis_title=value_header(league))
    st.plotly_chart(figure, config={"displayModeBar": False})
    shown = {name: number(value, league.decimals) for name, value in
             (("q1", spread.q1), ("median", spread.median), ("q3", spread.q3))}
    st.caption(t_plain("rankings.spread", units=number(len(spread.values)), **shown))


def unranked_lists(league: League, names: dict[str, str]) -> None:
    """Units with no rank, each list apart and saying why: never ranked last silently."""
    ranking, suffix = league.ranking, "en" if language() == "en" else "vi"
    for frame, kind in ((ranking.not_reported, "not_reported"), (ranking.incomplete, "incomplete"),
                        (ranking.left_out, "left_out")):
        if frame.empty:
            continue
        with st.expander(t(f"rankings.{kind}.title", count=len(frame))):
            st.caption(t(f"rankings.{kind}.caption", cases=THIN_DENOMINATOR))
            shown = pd.DataFrame({t("column.code"): frame["unit_code"], t("column.unit"): frame[f"name_{suffix}"],
                                  t("column.province"): frame[f"province_{suffix}"]})
            if kind == "incomplete":
                shown[t("rankings.column.missing")] = [", ".join(_part_names(m, names)) for m in frame["missing"]]
            if kind == "left_out":
                shown[t("rankings.column.cases")] = frame["denominator"].map(lambda v: number(float(v)))
            st.dataframe(shown, hide_index=True)


def scope_label(controls: Controls) -> str:
    """Hà Nội · Phường, Cả nước, …: the scope as a title names it."""
    lang = language()
    table = query(provinces).set_index("code")
    place = table.at[controls.province, "name_en" if lang == "en" else "name_vi"] if controls.province \
        else t("scope.country")
    return place + (" · " + t(f"rankings.peer.{controls.peer_group}") if controls.peer_group else "")


def downloads(league: League, controls: Controls, key: str) -> None:
    """The whole table, unranked units included, as xlsx and csv, built only when clicked."""
    lang = language()
    rows = export_rows(league.ranking, lang)
    names = indicator_labels(lang)
    title = t("rankings.export_title", indicator=names[controls.indicator], scope=scope_label(controls),
              period=period_label(controls.period, query(months), lang))
    if controls.exclude_thin:
        title += " · " + t("rankings.exclude_thin")
    rows["status"] = rows["status"].map(lambda s: translate(f"rankings.status.{s}", lang))
    rows["caution"] = rows["caution"].map(lambda flagged: translate("rankings.caution_flag", lang) if flagged else "")
    rows["missing"] = rows["missing"].map(lambda codes: ", ".join(_part_names(codes, names)))
    headers = {column: t(f"rankings.export.{column}") for column in rows.columns}
    frame = rows.rename(columns=headers)
    value_format = "0" if league.decimals == 0 else "0." + "0" * league.decimals
    formats = {headers["rank"]: "0", headers["rank_of"]: "0", headers["value"]: value_format,
               headers["numerator"]: "#,##0", headers["denominator"]: "#,##0", headers["previous_rank"]: "0",
               headers["previous_change"]: "+0;-0;0", headers["year_ago_rank"]: "0", headers["ci_low"]: "0.0",
               headers["ci_high"]: "0.0"}
    stem = safe_file_name(t("rankings.file_stem"), controls.indicator, controls.period, controls.province or "",
                          controls.peer_group or "")
    table_downloads(frame, title, "", formats, key, stem, sheet_name=t("rankings.sheet"),
                    labels=(t("rankings.download_xlsx"), t("rankings.download_csv")))


# -- a user's composite ----------------------------------------------------------------------------

def composite_builder(key: str, reader: User | None) -> None:
    """Pick indicators and weights, name the mix, save it: it joins the indicator picker. Offered to analysts
    and administrators; the store checks the role again when saving (and who may replace a name)."""
    if not has_role(reader, "analyst"):
        return
    lang = language()
    names = indicator_labels(lang)
    with st.expander(t("rankings.composite.title"), expanded=f"{key}_composite_saved" in st.session_state
                     or f"{key}_composite_refused" in st.session_state):
        if saved := st.session_state.pop(f"{key}_composite_saved", None):
            st.success(t_plain("rankings.composite.saved", name=saved))
        if refused := st.session_state.pop(f"{key}_composite_refused", None):
            st.error(plain(refused))
        st.caption(t("rankings.composite.caption"))
        name = st.text_input(t("rankings.composite.name"), max_chars=60, key=f"{key}_composite_name").strip()
        parts = st.multiselect(t("rankings.composite.parts"), query(composite_parts), format_func=names.get,
                               key=f"{key}_composite_parts")
        columns = st.columns(4) if parts else []  # weights four to a row
        weights = {code: columns[i % 4].number_input(names[code], min_value=1, max_value=10, value=1, step=1,
                                                     key=f"{key}_weight_{code}") for i, code in enumerate(parts)}
        method = st.radio(t("rankings.composite.method"), ["arithmetic", "geometric"], horizontal=True,
                          format_func=lambda m: translate(f"rankings.composite.{m}", lang), key=f"{key}_method")
        composite = Composite(name, tuple((code, float(weights[code])) for code in parts), method)
        ready = bool(name) and len(parts) >= 2
        st.button(t("rankings.composite.save"), disabled=not ready, on_click=_save, args=(composite, key, lang),
                  type="primary", key=f"{key}_composite_save")
        if not ready:
            st.caption(t("rankings.composite.needs"))


def _save(composite: Composite, key: str, lang: str) -> None:
    """Saved under the account signed in when the button is pressed (asked again, never remembered)."""
    try:
        by = signed_in_user()
        if by is None:
            raise SessionExpired()
        with store.connect() as con:
            save_composite(con, composite, by)
    except XasoError as refused:
        st.session_state[f"{key}_composite_refused"] = refused.message(lang)
        return
    data_changed()
    st.session_state[f"{key}_indicator"] = COMPOSITE_PREFIX + composite.name  # the picker's kept choice
    st.session_state.pop(f"{key}_indicator.{lang}", None)  # so the picker is made anew, showing it
    st.session_state[f"{key}_composite_saved"] = composite.name
