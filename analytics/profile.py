"""One commune's profile for a month: every indicator with its value, ranks, change, traffic light and
last twelve months; its strongest and weakest indicators against its peers; why its service-index rank
changed; and a plain-language summary built from catalog templates.

Public API (stable: the meeting-pack deck builds slides from it)

    profile(con, unit_code, month) -> Profile       raises UnknownUnit for a code that is no commune
    summary(profile, lang) -> list[str]             plain-language sentences in "vi" or "en"
    Profile.line(code) -> Line | None               one indicator's line
    LIGHTS, STRENGTHS_SHOWN, light(indicator, value, median)  the rules below

The rules (each one stated once, here)

- Values. A line's `value` is the unit's value for the month rounded to the indicator's displayed
  precision (catalog `decimals`), as the rankings show and rank it. The service index is the sum of the
  six 766 group scores, only where all six are there (analytics.values.service_index_from).
- Ranks follow analytics.ranking exactly: on the rounded value, direction-aware, equal values share a
  rank and the next skips (rank = 1 + the number of units in scope with a strictly better value), units
  without a value are not ranked. Scopes: the unit's province, the country, and its peer group (the same
  unit type — xa, phuong or dac_khu — nationally). Indicators with no direction (counts such as
  population, where more is neither better nor worse) get no rank, no light and no strength.
  `*_rank_change` is previous rank − current rank: positive means the unit moved up.
- Change: `change` is this month's rounded value − the previous calendar month's rounded value.
- Province comparison: `province_value` is the province's figure by the one area rule of
  analytics.aggregate (rates from summed counts, days weighted by dossiers, counts as totals, the
  index and other scores as the mean of the communes that have them), the same as every other page.
- Traffic light (`light`) and what it compares with (`light_basis`, `reference`), never an invented goal:
    "target": the indicator has a target in the catalog (column `target`): green when the value reaches
      it, amber from 90% of it, else red;
    "median": otherwise, for the service index, the 766 groups, rates and means with a direction: the
      median of the province's communes that have a value (at least MEDIAN_MIN of them): green when
      better than the median, amber when equal, red when worse;
    None: counts (they measure size, not performance), undirected indicators, no value.
- Peers and standing: the peers are the units of the same type (xa, phuong or dac_khu) in the whole
  country that have a value; the standing is analytics.ranking.standing, the one definition every page
  uses: `peer_percentile` = percent of the other ranked peers strictly worse (100 = best, 0 = worst),
  `peer_below` = percent strictly better.
- Strengths and weaknesses: among the ranked rates, 766 group scores and means (not counts, which
  measure a unit's size more than its performance; not the service index, which is their sum).
  Strengths: the STRENGTHS_SHOWN highest `peer_percentile` of at least 50 whose light is not red;
  weaknesses: the STRENGTHS_SHOWN highest `peer_below` above 50 whose light is not green, so a strength
  or a weakness never contradicts the line's traffic light, and a weakness reads "lower than N%" with N > 50. Ties keep the lines' order. None in a month
  fewer than config.COMPLETE_SHARE of the peer group reported: early reporters are no peer group.
- Status: "never" when the unit has no observation at all; otherwise "gaps" when, in any month of the
  twelve-month window that has data, the unit lacks an indicator some other unit reported that month
  (the chosen month included); else "full". `reported` says whether it has any value this month and
  `missing` lists the indicators it lacks this month that others reported.
- Why the rank changed (`rank_change`, province scope, service index), a waterfall that adds up:
  in points, previous index + the change of each of the six groups = current index; in places,
      previous rank  →  rank_with_own_change  →  current rank
  where rank_with_own_change is the rank the unit's new score would have among the other units'
  *previous* scores. own_effect = previous rank − rank_with_own_change (places gained by its own
  change), others_effect = rank_with_own_change − current rank (places gained or lost because the
  others moved, joined or left the ranking); own_effect + others_effect = previous rank − current rank.
  None when the unit has no index in either month.
- What would it take (`lifts`): analytics.lift, for the weakest 766 groups computed from counts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import duckdb
import numpy as np
import pandas as pd

from analytics.aggregate import area_value, unit_rows
from analytics.league import SPARKLINE_MONTHS, goal, months_back
from analytics.lift import Lift, lifts
from analytics.league import _monthly as monthly_values  # the sparkline rule, shared with the rankings
from analytics.periods import AnalysisPeriod
from analytics.ranking import communes, rounded, standing
from analytics.values import SERVICE_INDEX, Indicator, catalog, group_codes, load_observations, \
    service_index_from
from config import COMPLETE_SHARE
from errors import XasoError
from i18n import format_number, translate

LIGHTS = ("green", "amber", "red")
TARGET_AMBER = 0.9  # share of the target from which the light is amber (green once the target is reached)
LIGHT_BASES = ("target", "median")
MEDIAN_MIN = 3  # fewer province units with a value: no median to compare with
STRENGTHS_SHOWN = 3
STATUSES = ("full", "gaps", "never")
COMPARED_KINDS = ("rate", "score", "mean")  # what strengths and weaknesses are chosen from
_KIND_ORDER = {"composite": 0, "score": 1, "rate": 2, "mean": 3, "count": 4}  # the lines' order


class UnknownUnit(XasoError):
    """No commune-level unit has this code."""

    code = "unknown_unit"


@dataclass(frozen=True)
class Line:
    """One indicator of the unit for the month, beside its province, the country and its peers."""

    code: str
    name_vi: str
    name_en: str
    unit: str  # percent, points, count, days, per_1000
    kind: str  # rate, score, mean, count, composite (the service index)
    direction: str  # higher, lower, none
    decimals: int
    value: float | None  # rounded to `decimals`
    previous_value: float | None
    change: float | None  # value - previous_value
    province_rank: int | None
    province_rank_of: int  # units ranked in the province this month
    province_previous_rank: int | None
    province_rank_change: int | None  # previous - current: positive = moved up
    national_rank: int | None
    national_rank_of: int
    national_previous_rank: int | None
    national_rank_change: int | None
    peer_rank: int | None
    peer_rank_of: int
    peer_percentile: float | None  # percent of the other ranked peers strictly worse: 0 worst .. 100 best
    peer_below: float | None  # percent of the other ranked peers strictly better
    province_value: float | None  # province rate from summed counts, else the mean of its communes
    target: float | None  # the catalog's target, None where it sets none
    goal: float | None  # the progress bar's full length (analytics.league.goal); not what the light judges
    light: str | None  # green | amber | red | None
    light_basis: str | None  # target | median | None: what the light compares with
    reference: float | None  # the value compared with: the target or the province median
    province_median: float | None  # the median of the province's communes with a value
    sparkline: tuple[float | None, ...]  # one per Profile.sparkline_months, None for a gap

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_vi

    @property
    def ranked(self) -> bool:
        return self.direction in ("higher", "lower")


@dataclass(frozen=True)
class GroupChange:
    """One 766 group's score in the previous and this month, and the change (points)."""

    code: str
    name_vi: str
    name_en: str
    previous: float
    current: float
    change: float


@dataclass(frozen=True)
class RankChange:
    """Why the service-index rank in the province changed (see the module's rules)."""

    previous_month: str
    previous_index: float
    current_index: float
    groups: tuple[GroupChange, ...]
    previous_rank: int
    previous_rank_of: int
    rank_with_own_change: int
    current_rank: int
    current_rank_of: int

    @property
    def index_change(self) -> float:
        return self.current_index - self.previous_index

    @property
    def own_effect(self) -> int:
        """Places gained (positive) or lost through the unit's own change of score."""
        return self.previous_rank - self.rank_with_own_change

    @property
    def others_effect(self) -> int:
        """Places gained (positive) or lost because other units moved, joined or left."""
        return self.rank_with_own_change - self.current_rank

    @property
    def places_gained(self) -> int:
        return self.previous_rank - self.current_rank


@dataclass(frozen=True)
class Profile:
    unit_code: str
    name_vi: str  # full name: Xã Vân Bán
    name_en: str
    unit_type: str  # xa | phuong | dac_khu
    province_code: str
    province_vi: str
    province_en: str
    month: str
    previous_month: str
    sparkline_months: tuple[str, ...]
    status: str  # full | gaps | never
    reported: bool  # any value this month
    missing: tuple[str, ...]  # indicators others reported this month and this unit did not
    lines: tuple[Line, ...]  # the service index first, then the 766 groups, rates, means, counts
    strengths: tuple[str, ...]  # indicator codes, strongest first
    weaknesses: tuple[str, ...]  # weakest first
    rank_change: RankChange | None
    lifts: tuple[Lift, ...] = ()  # what would lift its weakest count-based 766 groups (analytics.lift)

    def line(self, code: str) -> Line | None:
        return next((line for line in self.lines if line.code == code), None)

    def name(self, lang: str) -> str:
        """Xã Vân Bán; in English 'Van Ban commune'."""
        if lang == "en":
            return translate(f"profile.unit_name.{self.unit_type}", lang, name=self.name_en)
        return self.name_vi

    def province(self, lang: str) -> str:
        return self.province_en if lang == "en" else self.province_vi


# -- rules -------------------------------------------------------------------------------------------

def light(indicator: Indicator, value: float | None, median: float | None = None) -> tuple[str | None, str | None,
                                                                                          float | None]:
    """(light, basis, reference): against the catalog target, else the province median; (None, None,
    None) where neither applies. Never against a goal the catalog does not set."""
    if value is None or indicator.direction not in ("higher", "lower"):
        return None, None, None
    sign = 1.0 if indicator.direction == "higher" else -1.0
    if indicator.target:
        target = float(indicator.target)
        if sign * value >= sign * target:
            return "green", "target", target
        near = value >= TARGET_AMBER * target if sign > 0 else value <= target / TARGET_AMBER
        return ("amber" if near else "red"), "target", target
    if indicator.kind == "count" or median is None:
        return None, None, None
    gap = sign * (value - median)
    return ("green" if gap > 0 else "red" if gap < 0 else "amber"), "median", median


# -- the profile -------------------------------------------------------------------------------------

def profile(con: duckdb.DuckDBPyConnection, unit_code: str, month: str,
            complete_share: float = COMPLETE_SHARE) -> Profile:
    """The unit's profile for a month ('YYYY-MM'); see the module docstring for every rule."""
    units = communes(con).set_index("unit_code")
    if unit_code not in units.index:
        raise UnknownUnit(value=unit_code)
    who = units.loc[unit_code]
    when = AnalysisPeriod.parse(month)
    if when.kind != "month":
        raise ValueError(f"a profile is of one month, not {month!r}")
    month, previous = str(when), str(when.previous())
    indicators = catalog(con)
    codes = _line_codes(indicators)
    stored = [code for code in codes if code != SERVICE_INDEX]
    obs = load_observations(con, stored, [month, previous])
    obs = obs[obs["unit_code"].isin(units.index)]
    raw_now, raw_before = (_wide(obs, indicators, codes, m, units.index) for m in (month, previous))
    now, before = _shown(raw_now, indicators), _shown(raw_before, indicators)
    signs = np.array([-1.0 if indicators[c].direction == "lower" else 1.0 for c in codes])
    signed_now, signed_before = now.to_numpy() * signs, before.to_numpy() * signs
    position = units.index.get_loc(unit_code)
    in_province = (units["province_code"] == who["province_code"]).to_numpy()
    in_peers = (units["unit_type"] == who["unit_type"]).to_numpy()
    province_now = _ranks(signed_now, in_province, position)
    province_before = _ranks(signed_before, in_province, position)
    national_now = _ranks(signed_now, np.ones(len(units), bool), position)
    national_before = _ranks(signed_before, np.ones(len(units), bool), position)
    peer_now = _ranks(signed_now, in_peers, position)
    province_values = _province_values(obs, indicators, codes, month, now, in_province)
    medians = _medians(now.to_numpy()[in_province])
    window = months_back(month, SPARKLINE_MONTHS)
    lines_ = []
    for i, code in enumerate(codes):
        ind = indicators[code]
        value, prior = _cell(now, position, i), _cell(before, position, i)
        ranked = ind.direction in ("higher", "lower")
        among_peers = standing(signed_now[in_peers, i], signed_now[position, i]) if ranked else None
        shade, basis, reference = light(ind, value, medians[i])
        rank_now, rank_before = (province_now[0][i], province_before[0][i]) if ranked else (None, None)
        nat_now, nat_before = (national_now[0][i], national_before[0][i]) if ranked else (None, None)
        lines_.append(Line(
            code=code, name_vi=ind.name_vi, name_en=ind.name_en, unit=ind.unit, kind=ind.kind, direction=ind.direction,
            decimals=int(ind.decimals), value=value, previous_value=prior,
            change=None if value is None or prior is None else float(rounded([value - prior], ind.decimals)[0]),
            province_rank=rank_now, province_rank_of=int(province_now[1][i]), province_previous_rank=rank_before,
            province_rank_change=_difference(rank_before, rank_now),
            national_rank=nat_now, national_rank_of=int(national_now[1][i]), national_previous_rank=nat_before,
            national_rank_change=_difference(nat_before, nat_now),
            peer_rank=peer_now[0][i] if ranked else None, peer_rank_of=int(peer_now[1][i]),
            peer_percentile=among_peers.ahead if among_peers else None,
            peer_below=among_peers.below if among_peers else None,
            province_value=province_values[i], target=float(ind.target) if ind.target else None, goal=goal(ind),
            light=shade, light_basis=basis, reference=reference, province_median=medians[i], sparkline=()))
    lines_ = _with_sparklines(con, indicators, lines_, unit_code, month)
    # a 766 metric's points are empty where it had nothing to count (0/0): not a missing report; and its
    # group, not each metric (nor the portal's ratio behind the online-service group), is what a commune
    # is strong or weak in
    groups_and_rest = [line for line in lines_ if not indicators[line.code].part_of]
    status, reported, missing = _status(con, unit_code, month, window, groups_and_rest, now, in_province)
    strengths, weaknesses = _strengths([line for line in groups_and_rest
                                        if indicators[line.code].numerator or indicators[line.code].kind != "rate"])
    peers_reported = int((~np.isnan(now.to_numpy()[in_peers])).any(axis=1).sum())
    if peers_reported < complete_share * int(in_peers.sum()):
        strengths, weaknesses = (), ()  # a partial month: a few early reporters are no peer group to judge by
    change = _rank_change(indicators, raw_now, raw_before, signed_now[:, 0], signed_before[:, 0], in_province, position,
                          previous)
    return Profile(unit_code=unit_code, name_vi=who["name_vi"], name_en=who["name_en"], unit_type=who["unit_type"],
                   province_code=who["province_code"], province_vi=who["province_vi"], province_en=who["province_en"],
                   month=month, previous_month=previous, sparkline_months=tuple(window), status=status,
                   reported=reported, missing=missing, lines=tuple(lines_), strengths=strengths,
                   weaknesses=weaknesses, rank_change=change,
                   lifts=_lifts(indicators, obs, raw_now, unit_code, month, in_province, position))


def _lifts(indicators: dict[str, Indicator], obs: pd.DataFrame, raw_now: pd.DataFrame, unit_code: str, month: str,
           in_province: np.ndarray, position: int) -> tuple[Lift, ...]:
    """What would lift the unit's weakest count-based groups, against the province's current indices."""
    own = obs[(obs["unit_code"] == unit_code) & (obs["period"] == month)]
    counts = pd.DataFrame({"numerator": own["numerator"].to_numpy(float),
                           "denominator": own["denominator"].to_numpy(float)},
                          index=own["indicator_code"].astype(str).to_numpy())
    others = in_province.copy()
    others[position] = False
    index = raw_now[SERVICE_INDEX].to_numpy(float)
    return lifts(indicators, counts, raw_now.iloc[position], int(indicators[SERVICE_INDEX].decimals),
                 float(index[position]), index[others])


def _line_codes(indicators: dict[str, Indicator]) -> list[str]:
    """The service index first (the rank-change rule reads column 0), then groups, rates, means, counts."""
    others = [code for code in indicators if code != SERVICE_INDEX]
    ordered = sorted(others, key=lambda code: _KIND_ORDER.get(indicators[code].kind, 9))
    return [SERVICE_INDEX, *ordered]


def _wide(obs: pd.DataFrame, indicators: dict[str, Indicator], codes: list[str], month: str,
          units: pd.Index) -> pd.DataFrame:
    """unit × indicator values of one month as stored (the index summed); NaN where there is none."""
    rows = obs[obs["period"] == month]
    wide = rows.pivot_table(index="unit_code", columns="indicator_code", values="value", aggfunc="first",
                            observed=True) if len(rows) else pd.DataFrame()
    wide.columns = [str(c) for c in wide.columns]
    index = service_index_from(rows, indicators, AnalysisPeriod.parse(month))[0]
    wide[SERVICE_INDEX] = index.set_index("unit_code")["value"].astype(float) if len(index) else np.nan
    return wide.reindex(index=units, columns=codes).astype(float)


def _shown(raw: pd.DataFrame, indicators: dict[str, Indicator]) -> pd.DataFrame:
    """The values rounded to each indicator's displayed precision, as the rankings rank them."""
    shown = raw.copy()
    decimals = np.array([int(indicators[c].decimals) for c in raw.columns])
    for places in set(decimals.tolist()):
        columns = raw.columns[decimals == places]
        shown[columns] = rounded(raw[columns].to_numpy(), places)
    return shown


def _ranks(signed: np.ndarray, scope: np.ndarray, position: int) -> tuple[list[int | None], np.ndarray]:
    """The unit's rank per column in scope (1 + strictly better), and how many are ranked per column."""
    values = signed[scope]
    own = signed[position]
    rank_of = (~np.isnan(values)).sum(axis=0)
    better = (values > own).sum(axis=0)  # NaN compares False: unranked units never count
    ranks = [None if np.isnan(own[i]) else int(better[i]) + 1 for i in range(len(own))]
    return ranks, rank_of


def _medians(province: np.ndarray) -> list[float | None]:
    """Each column's median over the province's units with a value (as shown), None under MEDIAN_MIN."""
    out = []
    for column in province.T:
        values = column[~np.isnan(column)]
        out.append(float(np.median(values)) if len(values) >= MEDIAN_MIN else None)
    return out


def _cell(wide: pd.DataFrame, position: int, column: int) -> float | None:
    value = wide.iat[position, column]
    return None if pd.isna(value) else float(value)


def _difference(before: int | None, now: int | None) -> int | None:
    return None if before is None or now is None else before - now


def _province_values(obs: pd.DataFrame, indicators: dict[str, Indicator], codes: list[str], month: str,
                     now: pd.DataFrame, in_province: np.ndarray) -> list[float | None]:
    """The province's figure for each indicator by the one area rule (analytics.aggregate)."""
    members = set(now.index[in_province])
    rows = obs[(obs["period"] == month) & obs["unit_code"].isin(members)]
    when = AnalysisPeriod.parse(month)
    return [area_value(unit_rows(rows, indicators, code, when), indicators[code])[0] for code in codes]


def _with_sparklines(con: duckdb.DuckDBPyConnection, indicators: dict[str, Indicator], lines_: list[Line],
                     unit_code: str, month: str) -> list[Line]:
    """Each line's last twelve months by the rankings' sparkline rule (analytics.league: the index only
    where all six groups are there), from one query for the unit instead of one per indicator."""
    window = months_back(month, SPARKLINE_MONTHS)
    stored = [line.code for line in lines_ if line.code != SERVICE_INDEX]
    obs = load_observations(con, stored, window, [unit_code])
    obs = obs.astype({"indicator_code": str, "period": str})
    out = []
    for line in lines_:
        values = monthly_values(obs, indicators, line.code, [unit_code], window).to_numpy()[0]
        out.append(replace(line, sparkline=tuple(None if np.isnan(v) else float(v) for v in values)))
    return out


def _status(con: duckdb.DuckDBPyConnection, unit_code: str, month: str, window: list[str], lines_: list[Line],
            now: pd.DataFrame, in_province: np.ndarray) -> tuple[str, bool, tuple[str, ...]]:
    reported_ever = con.execute("SELECT count(*) FROM observation WHERE is_current AND unit_code = ?",
                                [unit_code]).fetchall()[0][0]
    present = con.execute("""
        SELECT DISTINCT indicator_code, period FROM observation WHERE is_current AND list_contains(?, period)
    """, [window]).fetchall()
    expected = {(code, period) for code, period in present}
    by_code = {line.code: line for line in lines_}
    gaps = [(code, period) for code, period in expected if code in by_code
            and by_code[code].sparkline[window.index(period)] is None]
    missing = tuple(line.code for line in lines_ if line.code != SERVICE_INDEX and (line.code, month) in expected
                    and line.value is None)
    reported = any(line.value is not None for line in lines_)
    if not reported_ever:
        return "never", False, missing
    return ("gaps" if gaps else "full"), reported, missing


def _strengths(lines_: list[Line]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    scored = [(line.peer_percentile, line.peer_below, i, line.code, line.light) for i, line in enumerate(lines_)
              if line.ranked and line.code != SERVICE_INDEX and line.kind in COMPARED_KINDS
              and line.peer_percentile is not None]
    best = sorted(scored, key=lambda s: (-s[0], s[2]))
    worst = sorted(scored, key=lambda s: (-s[1], s[2]))
    # a strength is never red and a weakness never green: the list must not contradict the light beside it;
    # a weakness has more than half its peers strictly better (ties with everyone are no weakness)
    strengths = tuple(code for ahead, _b, _i, code, shade in best if ahead >= 50 and shade != "red")
    weaknesses = tuple(code for _a, below, _i, code, shade in worst if below > 50 and shade != "green")
    return strengths[:STRENGTHS_SHOWN], weaknesses[:STRENGTHS_SHOWN]


def _rank_change(indicators: dict[str, Indicator], raw_now: pd.DataFrame, raw_before: pd.DataFrame,
                 index_now: np.ndarray, index_before: np.ndarray, in_province: np.ndarray, position: int,
                 previous: str) -> RankChange | None:
    """The waterfall in points (stored values, so the steps add up exactly) and in places (on the rounded
    index, as ranked); `index_*` are the rounded index columns of every unit."""
    current, prior = index_now[position], index_before[position]
    if np.isnan(current) or np.isnan(prior):
        return None
    others = in_province.copy()
    others[position] = False
    others_before, others_now = index_before[others], index_now[others]
    previous_rank = int((others_before > prior).sum()) + 1
    with_own = int((others_before > current).sum()) + 1
    current_rank = int((others_now > current).sum()) + 1
    groups = []
    for code in group_codes(indicators):
        ind = indicators[code]
        was, is_ = float(raw_before.iat[position, raw_before.columns.get_loc(code)]), \
            float(raw_now.iat[position, raw_now.columns.get_loc(code)])
        groups.append(GroupChange(code, ind.name_vi, ind.name_en, was, is_, is_ - was))
    return RankChange(previous_month=previous, previous_index=sum(g.previous for g in groups),
                      current_index=sum(g.current for g in groups),
                      groups=tuple(groups), previous_rank=previous_rank,
                      previous_rank_of=int((~np.isnan(index_before[in_province])).sum()),
                      rank_with_own_change=with_own, current_rank=current_rank,
                      current_rank_of=int((~np.isnan(index_now[in_province])).sum()))


# -- the summary -------------------------------------------------------------------------------------

SUMMARY_RATE = "online_filing_rate"  # the rate the summary compares with the province, as leaders quote it


def summary(profile: Profile, lang: str) -> list[str]:
    """Plain-language sentences in `lang` from the catalog's `profile.summary.*` templates.

    Every number is a field of `profile` formatted by i18n.format_number: ranks, places, the index
    with two decimals, a percentage and its distance from the province with one decimal.
    """
    name = profile.name(lang)
    if profile.status == "never":
        return [translate("profile.summary.never", lang, name=name)]
    if not profile.reported:
        return [translate("profile.summary.not_reported", lang, name=name, month=_month(profile.month, lang))]
    sentences = []
    index = profile.line(SERVICE_INDEX)
    if index is not None and index.province_rank is not None:
        sentences.append(translate(
            "profile.summary.rank", lang, name=name, rank=_n(index.province_rank, lang),
            rank_of=_n(index.province_rank_of, lang), indicator=_mid_sentence(index.name(lang), lang),
            value=_n(index.value, lang, index.decimals), national=_n(index.national_rank, lang),
            national_of=_n(index.national_rank_of, lang), movement=_movement(index.province_rank_change, lang)))
    else:
        sentences.append(translate("profile.summary.no_index", lang, name=name))
    rate = profile.line(SUMMARY_RATE)
    if rate is not None and rate.value is not None and rate.province_value is not None:
        gap = float(rounded([rate.value], 1)[0]) - float(rounded([rate.province_value], 1)[0])
        side = "above" if gap > 0 else "below" if gap < 0 else "equal"
        sentences.append(translate(f"profile.summary.rate_{side}", lang, indicator=rate.name(lang),
                                   value=_n(rate.value, lang, 1), gap=_n(abs(gap), lang, 1)))
    if profile.rank_change is not None and (profile.rank_change.own_effect or profile.rank_change.others_effect):
        change = profile.rank_change
        sentences.append(translate(
            "profile.summary.why", lang, own=_places(change.own_effect, lang),
            others=_places(change.others_effect, lang)))
    if profile.strengths:
        sentences.append(translate("profile.summary.strengths", lang, peers=translate(
            f"profile.peers.{profile.unit_type}", lang), indicators=_names(profile, profile.strengths, lang)))
    if profile.weaknesses:
        sentences.append(translate("profile.summary.weaknesses", lang,
                                   indicators=_names(profile, profile.weaknesses, lang)))
    if profile.missing:
        sentences.append(translate("profile.summary.missing", lang, count=_n(len(profile.missing), lang)))
    return sentences


def _n(value: float | int | None, lang: str, decimals: int = 0) -> str:
    return format_number(value, lang, decimals)


def _month(month: str, lang: str) -> str:
    return translate("month.label", lang, month=str(int(month[5:7])), year=month[:4])


def _movement(change: int | None, lang: str) -> str:
    if change is None:
        return translate("profile.summary.move.new", lang)
    if change == 0:
        return translate("profile.summary.move.same", lang)
    kind = "up" if change > 0 else "down"
    return translate(f"profile.summary.move.{kind}", lang, places=_n(abs(change), lang))


def _places(effect: int, lang: str) -> str:
    if effect == 0:
        return translate("profile.summary.effect.none", lang)
    kind = "gained" if effect > 0 else "lost"
    return translate(f"profile.summary.effect.{kind}", lang, places=_n(abs(effect), lang))


def _names(profile: Profile, codes: tuple[str, ...], lang: str) -> str:
    return ", ".join(_mid_sentence(profile.line(code).name(lang), lang) for code in codes)


def _mid_sentence(name: str, lang: str) -> str:
    """'Tỷ lệ hài lòng' -> 'tỷ lệ hài lòng' inside a sentence; acronyms (VNeID, ...) kept."""
    if len(name) < 2 or name[1].isupper():
        return name
    return name[0].lower() + name[1:]
