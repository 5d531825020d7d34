"""One rule per figure: every catalog indicator of a commune, a province and the country, for a month, a
quarter and a year, is the same number on every page that shows it, and the number the catalog's rule
gives when computed straight from the stored observations (the rule restated here in SQL)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import store
from analytics.aggregate import combine, unit_rows
from analytics.geo import map_values
from analytics.overview import Scope, headline_series
from analytics.periods import AnalysisPeriod
from analytics.profile import profile
from analytics.trends import NATIONAL, trends
from analytics.values import catalog, load_observations, needed_codes
from tests.conftest import REPO

PERIODS = ("2026-10", "2026-Q3", "2026")


@pytest.fixture(scope="module")
def demo(demo_db):
    """(connection, catalog, a commune that reported every month, its province)."""
    with store.connect(demo_db) as con:
        commune, province = con.execute("""
            SELECT o.unit_code, u.parent_code FROM observation o JOIN unit u ON u.code = o.unit_code
            WHERE o.is_current GROUP BY ALL ORDER BY count(*) DESC, o.unit_code LIMIT 1""").fetchone()
        yield con, catalog(con), commune, province


def _rule(con, indicators, code: str, period: str, units: list[str] | None) -> float | None:
    """The catalog's rule, restated: each unit over the period, then the area (see analytics.aggregate)."""
    ind = indicators[code]
    months = AnalysisPeriod.parse(period).months()
    def where_of(alias: str) -> str:
        return (f"{alias}is_current AND list_contains($months, {alias}period)"
                + (f" AND list_contains($units, {alias}unit_code)" if units else ""))

    where = where_of("")
    params = {"months": months, **({"units": units} if units else {})}

    def per_unit(c: str) -> str:
        """unit_code, v (the unit's value over the period), n, d, w — by the indicator's period rule."""
        i = indicators[c]
        if i.period_aggregation == "sum":
            return f"SELECT unit_code, sum(value) v, NULL n, NULL d FROM observation WHERE {where} AND indicator_code = '{c}' GROUP BY 1"
        if i.period_aggregation == "last" or (i.period_aggregation == "ratio" and i.numerator
                                             and indicators[i.numerator].period_aggregation == "last"):
            return f"""SELECT unit_code, arg_max(value, period) v, arg_max(numerator, period) n,
                       arg_max(denominator, period) d FROM observation
                       WHERE {where} AND indicator_code = '{c}' AND (denominator IS NOT NULL OR '{i.period_aggregation}' = 'last')
                       GROUP BY 1"""
        if i.period_aggregation == "ratio":  # the counted months; a unit with none: the mean of its values
            return f"""SELECT unit_code, avg(value) v, sum(numerator) n, sum(denominator) d FROM observation
                       WHERE {where} AND indicator_code = '{c}' GROUP BY 1"""
        if i.period_aggregation == "weighted_mean":
            return f"""SELECT o.unit_code, sum(o.value * w.value) / sum(w.value) v, NULL n, sum(w.value) d
                       FROM observation o JOIN observation w ON w.unit_code = o.unit_code AND w.period = o.period
                         AND w.is_current AND w.indicator_code = '{i.weight}'
                       WHERE {where_of("o.")}
                         AND o.indicator_code = '{c}' GROUP BY 1"""
        return f"SELECT unit_code, avg(value) v, NULL n, NULL d FROM observation WHERE {where} AND indicator_code = '{c}' GROUP BY 1"

    def scale(i) -> str:
        if i.kind == "rate":
            return "1000.0" if i.unit == "per_1000" else "100.0"
        return str(float(i.max_points_766))

    def points(i, n: str, d: str) -> str:
        """The portal's rule: min(M, M × (n ÷ d) ÷ T), rounded half-up to 2 decimals; nothing to count
        (d = 0): the catalog's points for that (full, zero) or none."""
        threshold = (i.full_score_threshold or 100.0) / 100.0
        empty = {"full": scale(i), "zero": "0.0"}.get(i.when_empty, "NULL")
        return (f"CASE WHEN {d} = 0 THEN {empty} ELSE "
                f"floor(least({scale(i)}, {scale(i)} * {n} / {d} / {threshold}) * 100 + 0.5 + 1e-9) / 100 END")

    if ind.period_aggregation == "sum_of_groups":
        groups = [c for c, i in indicators.items() if i.group_766]
        parts = " UNION ALL ".join(
            f"SELECT unit_code, CASE WHEN d IS NULL THEN v ELSE {points(indicators[g], 'n', 'd')} END AS v "
            f"FROM ({per_unit(g)})"
            for g in groups)
        sql = f"SELECT avg(s) FROM (SELECT sum(v) s FROM ({parts}) GROUP BY unit_code HAVING count(*) = {len(groups)})"
    elif ind.period_aggregation == "ratio" and ind.kind == "score":
        sql = f"""SELECT CASE WHEN count(d) > 0 THEN {points(ind, 'sum(n)', 'sum(d)')} ELSE avg(v) END
                  FROM ({per_unit(code)})"""
    elif ind.period_aggregation == "ratio":
        sql = f"SELECT {scale(ind)} * sum(n) / sum(d) FROM ({per_unit(code)})"
    elif ind.period_aggregation == "weighted_mean":
        sql = f"SELECT sum(v * d) / sum(d) FROM ({per_unit(code)})"
    elif ind.kind == "count":
        sql = f"SELECT sum(v) FROM ({per_unit(code)})"
    else:
        sql = f"SELECT avg(v) FROM ({per_unit(code)})"
    value = con.execute(sql, params).fetchone()[0]
    return None if value is None else float(value)


def _same(a: float | None, b: float | None, decimals: int | None = None) -> bool:
    if a is None or b is None or (isinstance(a, float) and math.isnan(a)) or (isinstance(b, float) and math.isnan(b)):
        return (a is None or math.isnan(a)) and (b is None or math.isnan(b))
    if decimals is not None:  # a figure shown rounded: the same once rounded
        return abs(a - b) <= 0.5 * 10 ** -decimals + 1e-9
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@pytest.fixture(scope="module")
def pages(demo):
    """What the month-only pages show, built once for every indicator: the Profile, Trends and Overview."""
    con, indicators, commune, province = demo
    codes = tuple(indicators)
    month = PERIODS[0]
    return {"profile": profile(con, commune, month),
            "trends": {t.indicator: t for t in trends(con, codes, (commune,), (province,))},
            "overview": {scope: headline_series(con, Scope(scope), codes).set_index(["indicator_code", "period"])["value"]
                         for scope in (None, province, commune)}}


CODES = pd.read_csv(REPO / "data" / "indicators.csv")["code"].tolist()


@pytest.mark.parametrize("code", CODES)
def test_every_indicator_is_the_same_figure_everywhere_and_follows_its_rule(demo, pages, code):
    con, indicators, commune, province = demo
    month = PERIODS[0]
    ind = indicators[code]
    decimals = int(ind.decimals)
    trend = pages["trends"][code]
    wrong = []
    for period in PERIODS:
        expected = {"country": _rule(con, indicators, code, period, None),
                    "province": _rule(con, indicators, code, period, _members(con, province)),
                    "commune": _rule(con, indicators, code, period, [commune])}
        shown: dict[str, dict[str, float | None]] = {"country": {}, "province": {}, "commune": {}}
        provinces = map_values(con, code, period, "provinces").table.set_index("code")
        shown["province"]["map"] = float(provinces.at[province, "value"])
        if ind.direction in ("higher", "lower"):
            drawn = map_values(con, code, period, "communes", province).table.set_index("code")
            shown["commune"]["map and rankings"] = float(drawn.at[commune, "value"])  # the map draws rank()'s values
        if period == month:
            for scope, key in (("country", None), ("province", province), ("commune", commune)):
                shown[scope]["overview"] = pages["overview"][key].get((code, month))
            shown["country"]["trends"] = float(trend.areas.at[month, NATIONAL])
            shown["province"]["trends"] = float(trend.areas.at[month, province])
            shown["commune"]["trends"] = float(trend.units.at[month, commune])
            line = pages["profile"].line(code)
            shown["province"]["profile"] = line.province_value
            shown["commune"]["profile"] = line.value  # rounded to the catalog's decimals
        for scope, consumers in shown.items():
            for consumer, value in consumers.items():
                rounded_ = decimals if consumer == "profile" and scope == "commune" else None
                if not _same(value, expected[scope], rounded_):
                    wrong.append((period, scope, consumer, value, expected[scope]))
    assert wrong == []


def _members(con, province: str) -> list[str]:
    return [row[0] for row in con.execute("SELECT code FROM unit WHERE parent_code = ?", [province]).fetchall()]


def test_a_rate_per_1000_and_a_score_from_counts_keep_their_own_scale(demo):
    con, _indicators, _commune, province = demo
    series = headline_series(con, Scope(province), ("trainees_per_1000", "progress_score", "on_time_rate"))
    value = series.set_index(["indicator_code", "period"])["value"]
    assert 100 < value[("trainees_per_1000", "2026-10")] <= 1000  # per 1,000 residents, not per 100
    assert value[("progress_score", "2026-10")] <= 20  # a 766 group of 20 points, not the on-time percentage
    # the on-time share in points, rounded as the portal rounds
    assert value[("progress_score", "2026-10")] == pytest.approx(value[("on_time_rate", "2026-10")] / 5, abs=0.0051)


def test_processing_days_of_an_area_are_weighted_by_the_dossiers_received(demo):
    con, indicators, _commune, province = demo
    when = AnalysisPeriod.parse("2026-10")
    obs = load_observations(con, needed_codes(indicators, "avg_processing_days"), when.months(), _members(con, province))
    rows = unit_rows(obs, indicators, "avg_processing_days", when)
    weighted = (rows["value"] * rows["weight"]).sum() / rows["weight"].sum()
    assert combine(rows, indicators["avg_processing_days"])["value"].iloc[0] == pytest.approx(weighted)
    assert weighted != pytest.approx(rows["value"].mean(), abs=1e-6)  # the test can tell the two rules apart


def test_a_commune_stands_at_one_percent_ahead_per_indicator_on_the_profile_rankings_and_meeting_pack(demo):
    """One definition of peers and standing (analytics.ranking.standing): the profile's figure for an
    indicator is the Rankings page's among the same peers, and the meeting pack quotes the profile's."""
    from analytics.league import distribution, league
    from analytics.meeting import meeting_content
    from analytics.overview import months
    from i18n import format_number, translate

    con, indicators, commune, _province = demo
    month = months(con)[-1]
    found = profile(con, commune, month)
    for code in ("service_index", "online_filing_rate", "avg_processing_days", *found.weaknesses):
        line = found.line(code)
        ranked = league(con, code, month, peer_group=found.unit_type)
        spread = distribution(ranked.ranking.table, commune)
        assert line.peer_percentile == pytest.approx(100 * spread.share_behind), code
        assert line.peer_rank_of == len(ranked.ranking.table), code
    pack = meeting_content(con, commune, month, "vi")
    actions = next(s for s in pack.slides if s.title == translate("deck.actions.title", "vi"))
    quoted = [b for b in actions.bullets if "cả nước có số liệu" in b]
    peers_named = translate(f"profile.peer_set.{found.unit_type}", "vi", count="")
    for code in found.weaknesses:
        line = found.line(code)
        if line.target is not None and line.value < line.target:
            continue  # the slide gives the gap to the target instead
        share = format_number(line.peer_below, "vi", 0)
        sentence = next(b for b in quoted if line.name("vi") in b)
        assert f" {share}% trong {format_number(line.peer_rank_of, 'vi', 0)}{peers_named}" in sentence, sentence
