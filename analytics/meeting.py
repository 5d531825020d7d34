"""The meeting pack: what a presenter shows at the monthly meeting, as plain data.

One content model feeds the PowerPoint deck (analytics.deck), the printable PDF (analytics.meeting_pdf)
and the app's presentation mode (ui/present.py), so the three always show the same figures. Every number
comes from the same analytics calls as the pages: analytics.overview.headlines for a unit's figures and
trends, analytics.ranking.rank for league tables.

A unit is a commune (5-digit code) or a province (2-digit code):
- commune: its headline figures, its place among the communes of its province (top 5 and the unit
  ± 3 places) on the 766 service index, trends against the province, what moved its index.
- province: its figures aggregated by the app's rules (rates from summed counts, the index as the mean
  over communes with all six groups), its place among the 34 provinces on that index (ranked on the
  rounded value like the communes), and its own communes' top and bottom five.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from analytics.league import goal, months_back, neighbours, top_bottom
from analytics.lift import describe
from analytics.profile import Profile, summary
from analytics.profile import profile as commune_profile
from analytics.overview import HEADLINE_INDICATORS, Headline, Scope, headlines, months, provinces
from analytics.ranking import communes, rank, rounded
from analytics.values import SERVICE_INDEX, Indicator, catalog, group_codes, load_observations
from errors import NoDataForMonth, PeriodError, UnknownMeetingUnit
from i18n import LANGUAGES, format_date, format_number, format_signed, month_label, short_month, translate

KINDS = ("cover", "headlines", "table", "line_chart", "bar_chart", "waterfall", "text")
TREND_MONTHS = 12
TOP_PLACES, AROUND = 5, 3  # the league slide: the first five and the unit with three places either side
WEAKEST = 3
RATES = tuple(code for code in HEADLINE_INDICATORS if code != SERVICE_INDEX)
INDEX_DECIMALS = 2


@dataclass
class Slide:
    """One slide. Charts: `frame` has the categories as index and one column per series (None = gap).
    Tables: `frame` holds the rows as shown, columns already named in the pack's language."""

    kind: str
    title: str
    subtitle: str = ""
    frame: pd.DataFrame | None = None
    decimals: dict[str, int] = field(default_factory=dict)  # per column; charts use "" for every series
    suffix: str = ""  # "%" after chart values
    bullets: list[str] = field(default_factory=list)
    notes: str = ""
    highlight: int | None = None  # the table row (position) of the unit itself
    signed_column: str = ""  # a table column of rank changes, shown as ▲ 3 / ▼ 2 / =


@dataclass
class MeetingPack:
    unit_code: str
    unit_name: str
    level: str  # commune | province
    month: str
    lang: str
    source: str
    slides: list[Slide]
    footer: str = ""  # the short source line under every slide but the cover

    @property
    def file_stem(self) -> str:
        return f"xaso_{self.unit_code}_{self.month}_{self.lang}"


# -- the pack --------------------------------------------------------------------------------------

def meeting_content(con: duckdb.DuckDBPyConnection, unit_code: str, month: str, lang: str = "vi") -> MeetingPack:
    """The slides for a unit and month, in `lang`; raises UnknownMeetingUnit, PeriodError, NoDataForMonth."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month or ""):
        raise PeriodError(value=month)
    unit = _unit(con, unit_code)
    available = months(con)
    if month not in available:
        raise NoDataForMonth(month=month)
    tr = _Tr(lang)
    name = unit["name_en"] if lang == "en" else unit["name_vi"]
    area = unit.get("province_en" if lang == "en" else "province_vi")
    indicators = catalog(con)
    cards = {card.indicator_code: card for card in headlines(con, Scope(unit_code), month)}
    window = [m for m in months_back(month, TREND_MONTHS) if m >= available[0]]
    source = tr("deck.source", month=_month(month, lang), date=format_date(date.today(), lang))
    if unit["level"] == "commune":
        ranking = rank(con, SERVICE_INDEX, month, province=unit["province_code"])
        tables = [_commune_league(ranking, unit_code, name, area, tr)]
        comparison = Scope(unit["province_code"]), tr("deck.trend.area_mean", area=area)
    else:
        national = rank(con, SERVICE_INDEX, month).table
        before = available.index(month) - 1
        previous = rank(con, SERVICE_INDEX, available[before]).table if before >= 0 else None
        tables = [_province_league(national, previous, unit_code, name, tr),
                  _province_communes(national, unit_code, name, tr)]
        comparison = Scope(None), tr("deck.trend.area_mean", area=tr("deck.country"))
    area_cards = {card.indicator_code: card for card in headlines(con, comparison[0], month, (SERVICE_INDEX,))}
    if unit["level"] == "commune":  # the commune profile's own rules: why the rank moved, summary, weaknesses
        found = commune_profile(con, unit_code, month)
        closing = [_rank_change(found, month, indicators, tr), _profile_summary(found, name, month, tr),
                   _profile_actions(found, con, indicators, tr)]
    else:
        closing = [_index_change(con, unit_code, month, available, indicators, tr),
                   _summary(cards, tables[0], indicators, name, month, tr),
                   _actions(con, unit_code, month, indicators, tr)]
    slides = [
        _cover(name, area, month, source, unit["level"], tr),
        _headlines(cards, indicators, month, tr),
        *tables,
        _rate_trends(cards, indicators, available, window, tr),
        _index_trend(cards[SERVICE_INDEX], area_cards[SERVICE_INDEX], comparison[1], name, available, window, tr),
        *closing,
    ]
    footer = tr("deck.footer", unit=name, month=_month(month, lang))
    return MeetingPack(unit_code, name, unit["level"], month, lang, source, slides, footer)


class _Tr:
    """translate() bound to the pack's language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, key: str, **params: object) -> str:
        return translate(key, self.lang, **params)

    def number(self, value: float | None, decimals: int) -> str:
        return format_number(value, self.lang, decimals)


def _unit(con: duckdb.DuckDBPyConnection, code: str) -> dict:
    code = (code or "").strip()
    if len(code) == 2:
        table = provinces(con)
        row = table[table["code"] == code]
        if len(row):
            r = row.iloc[0]
            return {"level": "province", "name_vi": r["full_name_vi"], "name_en": r["name_en"], "province_code": code}
    else:
        table = communes(con)
        row = table[table["unit_code"] == code]
        if len(row):
            return {"level": "commune", **row.iloc[0].to_dict()}
    raise UnknownMeetingUnit(value=code)


def _month(month: str, lang: str) -> str:
    return month_label(month, lang)


def _name(indicator: Indicator, lang: str) -> str:
    return indicator.name_en if lang == "en" else indicator.name_vi


def _decimals(indicator: Indicator) -> int:
    return 1 if indicator.unit == "percent" else int(indicator.decimals)


# -- slides ----------------------------------------------------------------------------------------

def _cover(name: str, area: str | None, month: str, source: str, level: str, tr: _Tr) -> Slide:
    subtitle = tr("deck.cover.subtitle", unit=name, area=area) if level == "commune" else name
    return Slide("cover", tr("deck.cover.title"), subtitle, bullets=[_month(month, tr.lang), source],
                 notes=tr("deck.cover.notes", unit=name, month=_month(month, tr.lang)))


def _headlines(cards: dict[str, Headline], indicators: dict[str, Indicator], month: str, tr: _Tr) -> Slide:
    """Each headline figure beside its catalog target (blank where the catalog sets none)."""
    names = [_name(indicators[code], tr.lang) for code in HEADLINE_INDICATORS]
    this, previous, target = tr("deck.series.this_month"), tr("deck.series.previous_month"), tr("deck.series.target")
    frame = pd.DataFrame({this: [cards[c].value for c in HEADLINE_INDICATORS],
                          previous: [cards[c].previous for c in HEADLINE_INDICATORS],
                          target: [indicators[c].target for c in HEADLINE_INDICATORS]}, index=names)
    frame = frame.astype(object).where(frame.notna(), None)
    # a chart's categories may carry their own decimals: the index is shown to two places, as everywhere
    decimals = {"": 1, **{n: _decimals(indicators[c]) for n, c in zip(names, HEADLINE_INDICATORS)}}
    lines = [tr("deck.headlines.note_line", indicator=n, value=tr.number(cards[c].value, _decimals(indicators[c])),
                change=format_signed(cards[c].change, tr.lang, _decimals(indicators[c])))
             for n, c in zip(names, HEADLINE_INDICATORS)]
    return Slide("headlines", tr("deck.headlines.title"), tr("deck.headlines.subtitle", month=_month(month, tr.lang)),
                 frame, decimals, notes="\n".join(lines))


def _league_frame(rows: pd.DataFrame, name_column: str, tr: _Tr) -> pd.DataFrame:
    return pd.DataFrame({
        tr("deck.col.rank"): rows["rank"].astype(int).to_numpy(),
        tr("deck.col.unit"): rows[name_column].to_numpy(),
        tr("deck.col.index"): rows["shown_value"].astype(float).to_numpy(),
        tr("deck.col.change"): [None if pd.isna(v) else int(v) for v in rows["previous_change"]],
    })


def _league_decimals(tr: _Tr) -> dict[str, int]:
    return {tr("deck.col.rank"): 0, tr("deck.col.index"): INDEX_DECIMALS, tr("deck.col.change"): 0}


GAP = "…"  # the row between the first places and the unit's neighbours, in every column


def _with_gaps(frame: pd.DataFrame, positions: list[int]) -> tuple[pd.DataFrame, np.ndarray]:
    """`frame` with a "…" row wherever the rows' places in the full table (`positions`) skip some;
    returns it with each original row's new position, so the unit's row can still be found."""
    parts, where, shift = [], [], 0
    for i in range(len(frame)):
        if i and positions[i] > positions[i - 1] + 1:
            parts.append(pd.DataFrame([[GAP] * len(frame.columns)], columns=frame.columns))
            shift += 1
        parts.append(frame.iloc[[i]])
        where.append(i + shift)
    if not shift:
        return frame, np.arange(len(frame))
    return pd.concat([p.astype(object) for p in parts], ignore_index=True), np.array(where)


def _around(table: pd.DataFrame, code: str) -> pd.DataFrame:
    """The first places and the unit with its neighbours, in rank order, each row once."""
    rows = pd.concat([table.head(TOP_PLACES), neighbours(table, code, AROUND)])
    return rows[~rows.index.duplicated()].sort_index()


def _commune_league(ranking, code: str, name: str, area: str, tr: _Tr) -> Slide:
    table = ranking.table
    rows = _around(table, code)
    name_column = "name_en" if tr.lang == "en" else "name_vi"
    frame, where = _with_gaps(_league_frame(rows, name_column, tr), list(rows.index))
    mine = where[np.flatnonzero(rows["unit_code"].to_numpy() == code)]
    place = table[table["unit_code"] == code]
    subtitle = tr("deck.league.place", unit=name, rank=int(place["rank"].iloc[0]), of=len(table)) if len(place) \
        else tr("deck.league.unranked", unit=name)
    return Slide("table", tr("deck.league.title", area=area), subtitle, frame,
                 _league_decimals(tr), highlight=int(mine[0]) if len(mine) else None,
                 notes=tr("deck.league.notes", top=TOP_PLACES, around=AROUND), signed_column=tr("deck.col.change"))


def province_league(national: pd.DataFrame, previous: pd.DataFrame | None = None) -> pd.DataFrame:
    """Provinces ranked on the mean service index of their communes with all six groups (the app's rule
    for an area), rounded to two decimals and ranked like communes (ties share a rank).

    `national` is a ranking table of every commune; returns province_code, value, shown_value, rank.
    """
    means = national.groupby("province_code", as_index=False)["value"].mean()
    means["shown_value"] = rounded(means["value"], INDEX_DECIMALS)
    means["rank"] = means["shown_value"].rank(method="min", ascending=False).astype(int)
    return means.sort_values(["rank", "province_code"]).reset_index(drop=True)


def _province_league(national: pd.DataFrame, previous: pd.DataFrame | None, code: str, name: str, tr: _Tr) -> Slide:
    table = province_league(national).rename(columns={"province_code": "unit_code"})
    named = national.drop_duplicates("province_code").set_index("province_code")
    table["name"] = table["unit_code"].map(named["province_en" if tr.lang == "en" else "province_vi"])
    before = province_league(previous).set_index("province_code")["rank"] if previous is not None else pd.Series()
    table["previous_change"] = [int(before[c] - r) if c in before.index else None
                                for c, r in zip(table["unit_code"], table["rank"])]
    rows = _around(table, code)
    frame, where = _with_gaps(_league_frame(rows, "name", tr), list(rows.index))
    mine = where[np.flatnonzero(rows["unit_code"].to_numpy() == code)]
    place = table[table["unit_code"] == code]
    subtitle = tr("deck.league.place", unit=name, rank=int(place["rank"].iloc[0]), of=len(table)) if len(place) \
        else tr("deck.league.unranked", unit=name)
    return Slide("table", tr("deck.provinces.title"), subtitle, frame, _league_decimals(tr),
                 highlight=int(mine[0]) if len(mine) else None, notes=tr("deck.provinces.notes"),
                 signed_column=tr("deck.col.change"))


def _province_communes(national: pd.DataFrame, code: str, name: str, tr: _Tr) -> Slide:
    own = national[national["province_code"] == code].reset_index(drop=True)
    own = own.assign(rank=own["shown_value"].rank(method="min", ascending=False).astype(int))
    own["previous_change"] = None  # ranks within the province last month are not part of this table
    name_column = "name_en" if tr.lang == "en" else "name_vi"
    shown = top_bottom(own, TOP_PLACES)
    frame, _ = _with_gaps(_league_frame(shown, name_column, tr).drop(columns=tr("deck.col.change")), list(shown.index))
    return Slide("table", tr("deck.province_communes.title", area=name),
                 tr("deck.province_communes.subtitle", n=TOP_PLACES, ranked=len(own)), frame,
                 _league_decimals(tr), notes=tr("deck.province_communes.notes"))


def _trend_frame(series: dict[str, list[float | None]], available: list[str], window: list[str],
                 lang: str) -> pd.DataFrame:
    position = {m: i for i, m in enumerate(available)}
    columns = {name: [values[position[m]] if m in position and position[m] < len(values) else None for m in window]
               for name, values in series.items()}
    labels = [short_month(m, lang) for m in window]  # as the Trends page writes its axis
    return pd.DataFrame(columns, index=labels).astype(object)


def _rate_trends(cards, indicators, available, window, tr: _Tr) -> Slide:
    series = {_name(indicators[c], tr.lang): cards[c].series for c in RATES}
    frame = _trend_frame(series, available, window, tr.lang)
    return Slide("line_chart", tr("deck.trend.rates.title"), tr("deck.trend.rates.subtitle", months=len(window)),
                 frame, {"": 1}, suffix="%", notes=tr("deck.trend.gap_note"))


def _index_trend(card: Headline, area_card: Headline, area_label: str, name: str, available, window, tr: _Tr) -> Slide:
    frame = _trend_frame({name: card.series, area_label: area_card.series}, available, window, tr.lang)
    return Slide("line_chart", tr("deck.trend.index.title"), tr("deck.trend.index.subtitle"), frame,
                 {"": INDEX_DECIMALS}, notes=tr("deck.trend.gap_note"))


def _group_means(obs: pd.DataFrame, groups: list[str], month: str, level: str) -> pd.Series | None:
    """Each 766 group's score for the unit (a province: mean over its communes with all six groups)."""
    rows = obs[obs["period"] == month]
    wide = rows.pivot_table(index="unit_code", columns="indicator_code", values="value", observed=True)
    wide = wide.reindex(columns=groups).dropna()
    if wide.empty:
        return None
    return wide.mean() if level == "province" else wide.iloc[0]


def _index_change(con, code: str, month: str, available: list[str], indicators, tr: _Tr) -> Slide:
    """A province's waterfall: last month's index, what each 766 group added or took away (group means
    over its communes with all six groups, which add up to the index), this month's."""
    level = "province"
    groups = group_codes(indicators)
    before = available[available.index(month) - 1] if available.index(month) > 0 else None
    units = communes(con)
    codes = units[units["province_code"] == code]["unit_code"].tolist()
    obs = load_observations(con, groups, [m for m in (before, month) if m], codes)
    now = _group_means(obs, groups, month, level)
    then = _group_means(obs, groups, before, level) if before else None
    title = tr("deck.change.title")
    if now is None or then is None:
        return Slide("text", title, bullets=[tr("deck.change.missing")])
    labels = [_name(indicators[g], tr.lang) for g in groups]
    start, end = tr("deck.change.start", month=_month(before, tr.lang)), tr("deck.change.end", month=_month(month, tr.lang))
    steps = [float(now[g] - then[g]) for g in groups]
    frame = _waterfall_frame(float(then.sum()), steps, float(now.sum()), labels, start, end)
    moved = sorted(zip(steps, labels), key=lambda s: abs(s[0]), reverse=True)[0]
    return Slide("waterfall", title, tr("deck.change.subtitle", change=format_signed(now.sum() - then.sum(), tr.lang, 2),
                                        group=moved[1], step=format_signed(moved[0], tr.lang, 2)),
                 frame, {"": INDEX_DECIMALS}, notes=tr("deck.change.notes"))


def _waterfall_frame(before: float, steps: list[float], after: float, labels: list[str], start: str,
                     end: str) -> pd.DataFrame:
    return pd.DataFrame({"value": [before, *steps, after], "total": [True, *[False] * len(steps), True]},
                        index=[start, *labels, end])


def _rank_change(found: Profile, month: str, indicators, tr: _Tr) -> Slide:
    """The profile's rank-change waterfall: previous index + each 766 group's change = this month's index;
    the subtitle splits the places moved into the unit's own change and the other units' moves."""
    change, title = found.rank_change, tr("deck.change.title")
    if change is None:
        return Slide("text", title, bullets=[tr("deck.change.missing")])
    labels = [_name(indicators[g.code], tr.lang) for g in change.groups]
    frame = _waterfall_frame(change.previous_index, [g.change for g in change.groups], change.current_index, labels,
                             tr("deck.change.start", month=_month(change.previous_month, tr.lang)),
                             tr("deck.change.end", month=_month(month, tr.lang)))
    subtitle = tr("deck.change.places", before=change.previous_rank, after=change.current_rank,
                  of=change.current_rank_of, own=format_signed(change.own_effect, tr.lang, 0),
                  others=format_signed(change.others_effect, tr.lang, 0))
    return Slide("waterfall", title, subtitle, frame, {"": INDEX_DECIMALS}, notes=tr("deck.change.notes"))


def _profile_summary(found: Profile, name: str, month: str, tr: _Tr) -> Slide:
    return Slide("text", tr("deck.summary.title"), _month(month, tr.lang) + " · " + name,
                 bullets=summary(found, tr.lang), notes=tr("deck.summary.notes"))


def _profile_actions(found: Profile, con, indicators, tr: _Tr) -> Slide:
    """The profile's weaknesses (lowest among its peers), completed up to three with the rates furthest
    below their goal, each with its gap to the goal as the action."""
    lines = [found.line(code) for code in found.weaknesses]
    if len(lines) < WEAKEST:
        extra = weakest_indicators(con, found.unit_code, found.month, WEAKEST + len(lines))
        lines += [found.line(c) for c in extra["indicator_code"] if c not in found.weaknesses][:WEAKEST - len(lines)]
    # the goal is the catalog's target only, as the profile's lights: no invented goal on a slide either
    rows = [(line.name(tr.lang), line.value, line.target, None if line.target is None or line.value is None
             or line.value >= line.target else line.target - line.value, line) for line in lines if line is not None]
    slide = _actions_slide(rows, tr, unit_type=found.unit_type)
    # what would lift its weakest count-based 766 groups: the profile's own figures (analytics.lift)
    slide.bullets += [describe(lift, indicators, tr.lang) for lift in found.lifts]
    return slide


def _actions_slide(rows: list[tuple], tr: _Tr, subtitle_key: str = "deck.actions.subtitle",
                   unit_type: str = "") -> Slide:
    value, goal_, gap = tr("deck.col.value"), tr("deck.col.goal"), tr("deck.col.gap")
    frame = pd.DataFrame({tr("deck.col.indicator"): [r[0] for r in rows], value: [r[1] for r in rows],
                          goal_: [r[2] for r in rows], gap: [r[3] for r in rows]})
    bullets = []
    for name, now, target, missing, line in rows:
        if missing is None or missing <= 0:  # no target, or reached: where it stands among its peers
            unit = "%" if line.unit == "percent" else ""
            # the profile's own standing figure and peer set (analytics.ranking.standing), never a second one
            below = getattr(line, "peer_below", None)
            peers = tr(f"profile.peer_set.{unit_type}", count=tr.number(line.peer_rank_of, 0)) if unit_type else ""
            bullets.append(tr("deck.actions.item_peers", indicator=name, value=tr.number(now, 1) + unit,
                              standing=tr(f"profile.standing.below.{line.direction}", share=tr.number(below, 0),
                                          peer_set=peers))
                           if below is not None and unit_type
                           else tr("deck.actions.item_reached", indicator=name))
        else:
            points = tr("deck.unit.percent_points") if line.unit == "percent" else tr("deck.unit.points")
            bullets.append(tr("deck.actions.item", indicator=name, gap=tr.number(missing, 1) + " " + points,
                              goal=tr.number(target, 0) + ("%" if line.unit == "percent" else " " + points)))
    return Slide("table", tr("deck.actions.title"), tr(subtitle_key), frame,
                 {value: 1, goal_: 0, gap: 1}, bullets=bullets or [tr("deck.actions.none")],
                 notes=tr("deck.actions.notes"))


@dataclass(frozen=True)
class _RateLine:
    """The little of a profile line the closing slide needs, for a province's rates."""

    unit: str = "percent"
    peer_rank: int | None = None
    peer_rank_of: int = 0


def _summary(cards, league: Slide, indicators, name: str, month: str, tr: _Tr) -> Slide:
    """Plain sentences from the figures on the other slides."""
    bullets = [league.subtitle]
    index = cards[SERVICE_INDEX]
    bullets.append(tr("deck.summary.index", value=tr.number(index.value, INDEX_DECIMALS),
                      change=format_signed(index.change, tr.lang, INDEX_DECIMALS)))
    moves = [(cards[c].change, c) for c in RATES if cards[c].change is not None]
    if moves:
        up, down = max(moves), min(moves)
        if up[0] > 0:
            bullets.append(tr("deck.summary.up", indicator=_name(indicators[up[1]], tr.lang),
                              change=format_signed(up[0], tr.lang, 1)))
        if down[0] < 0:
            bullets.append(tr("deck.summary.down", indicator=_name(indicators[down[1]], tr.lang),
                              change=format_signed(down[0], tr.lang, 1)))
    met = [_name(indicators[c], tr.lang) for c in RATES
           if indicators[c].target and cards[c].value is not None and cards[c].value >= indicators[c].target]
    if met:
        bullets.append(tr("deck.summary.met", indicators=", ".join(met)))
    return Slide("text", tr("deck.summary.title"), _month(month, tr.lang) + " · " + name, bullets=bullets,
                 notes=tr("deck.summary.notes"))


def weakest_indicators(con: duckdb.DuckDBPyConnection, unit_code: str, month: str,
                       count: int = WEAKEST) -> pd.DataFrame:
    """The unit's percent rates furthest below their goal (the catalog target, else 100%).

    Rates from the unit's own counts only: a percentage only the portal publishes (the online-service
    ratio) has no counts the unit could act on and no goal of 100%.
    Columns: indicator_code, value, goal, gap (goal − value, percentage points); largest gap first.
    """
    indicators = catalog(con)
    rates = tuple(code for code, ind in indicators.items()
                  if ind.kind == "rate" and ind.unit == "percent" and ind.direction == "higher" and ind.numerator)
    cards = headlines(con, Scope(unit_code), month, rates)
    rows = [(card.indicator_code, card.value, goal(indicators[card.indicator_code]))
            for card in cards if card.value is not None]
    frame = pd.DataFrame(rows, columns=["indicator_code", "value", "goal"])
    frame["gap"] = frame["goal"] - frame["value"]
    frame = frame[frame["gap"] > 0].sort_values(["gap", "indicator_code"], ascending=[False, True])
    return frame.head(count).reset_index(drop=True)


def _actions(con, code: str, month: str, indicators, tr: _Tr) -> Slide:
    weakest = weakest_indicators(con, code, month)
    rows = [(_name(indicators[c], tr.lang), v, g, gap, _RateLine())
            for c, v, g, gap in weakest[["indicator_code", "value", "goal", "gap"]].itertuples(index=False)]
    return _actions_slide(rows, tr, "deck.actions.subtitle_rates")
