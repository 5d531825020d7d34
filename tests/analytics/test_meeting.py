"""The meeting pack's content, shared by the deck, the PDF and presentation mode."""

from __future__ import annotations

from datetime import date

import pytest

import store
from analytics.meeting import KINDS, meeting_content, weakest_indicators
from errors import NoDataForMonth, PeriodError, UnknownMeetingUnit

UNIT, PROVINCE, MONTH = "08377", "25", "2026-10"


@pytest.fixture(scope="module")
def con(demo_db):
    with store.connect(demo_db) as connection:
        yield connection


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_commune_pack_tells_the_story_in_order(con, lang):
    pack = meeting_content(con, UNIT, MONTH, lang)

    assert [s.kind for s in pack.slides] == ["cover", "headlines", "table", "line_chart", "line_chart", "waterfall",
                                             "text", "table"]
    assert all(s.kind in KINDS and s.title for s in pack.slides)
    assert pack.unit_name == {"vi": "Xã Vân Bán", "en": "Van Ban"}[lang]
    assert pack.file_stem == f"xaso_{UNIT}_{MONTH}_{lang}"
    made_on = {"vi": date.today().strftime("Lập ngày %d/%m/%Y."), "en": date.today().strftime("Made on %Y-%m-%d.")}
    assert pack.slides[0].bullets[-1].endswith(made_on[lang])


def test_the_waterfall_adds_up_from_last_months_index_to_this_months(con):
    change = next(s for s in meeting_content(con, UNIT, MONTH, "vi").slides if s.kind == "waterfall")
    index = con.execute("""SELECT o.period, sum(o.value) FROM observation o JOIN indicator i ON i.code = o.indicator_code
                           WHERE o.is_current AND i.group_766 IS NOT NULL AND o.unit_code = ?
                             AND o.period IN ('2026-09', '2026-10') GROUP BY 1 ORDER BY 1""", [UNIT]).fetchall()
    values = change.frame["value"].tolist()
    assert values[0] == pytest.approx(index[0][1]) and values[-1] == pytest.approx(index[1][1])
    assert values[0] + sum(values[1:-1]) == pytest.approx(values[-1])
    assert len(values) == 8  # before, six 766 groups, after


def test_a_province_is_ranked_among_provinces_on_the_mean_index_of_its_complete_communes(con):
    league = meeting_content(con, PROVINCE, MONTH, "vi").slides[2]
    means = con.execute("""
        WITH per_unit AS (
            SELECT o.unit_code, sum(o.value) AS v FROM observation o JOIN indicator i ON i.code = o.indicator_code
            WHERE o.is_current AND i.group_766 IS NOT NULL AND o.period = ? GROUP BY 1 HAVING count(*) = 6)
        SELECT u.parent_code, round(avg(v), 2) AS m FROM per_unit p JOIN unit u ON u.code = p.unit_code
        GROUP BY 1 ORDER BY m DESC""", [MONTH]).fetchall()
    place = [code for code, _m in means].index(PROVINCE) + 1
    row = league.frame.iloc[league.highlight]
    assert row["Hạng"] == place
    assert row["Chỉ số 766"] == pytest.approx(dict(means)[PROVINCE])
    assert league.subtitle == f"Tỉnh Phú Thọ đứng thứ {place}/34"


def test_the_three_weakest_rates_are_those_furthest_below_their_goal(con):
    weakest = weakest_indicators(con, UNIT, MONTH)
    rates = con.execute("""SELECT i.code, 100.0 * o.numerator / o.denominator AS v, coalesce(i.target, 100) AS goal
                           FROM observation o JOIN indicator i ON i.code = o.indicator_code
                           WHERE o.is_current AND o.unit_code = ? AND o.period = ? AND i.kind = 'rate'
                             AND i.unit = 'percent' AND i.direction = 'higher' AND i.numerator IS NOT NULL""",
                        [UNIT, MONTH]).fetchall()
    expected = sorted(((goal - v, code) for code, v, goal in rates if goal > v), reverse=True)[:3]
    assert weakest["indicator_code"].tolist() == [code for _gap, code in expected]
    assert weakest["gap"].tolist() == pytest.approx([gap for gap, _code in expected])


@pytest.mark.parametrize(("unit", "month", "error"), [("99999", MONTH, UnknownMeetingUnit), ("7", MONTH, UnknownMeetingUnit),
                                                      (UNIT, "2031-01", NoDataForMonth), (UNIT, "2026-Q3", PeriodError)])
def test_an_unknown_unit_or_a_month_without_data_is_refused_with_a_reason(con, unit, month, error):
    with pytest.raises(error) as raised:
        meeting_content(con, unit, month, "vi")
    assert raised.value.message("en")
