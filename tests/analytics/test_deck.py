"""The PowerPoint deck a presenter takes to the meeting: opened with python-pptx as PowerPoint would.

Figures in the charts are checked against sums read straight from the observation table, not against
the analytics functions that made them.
"""

from __future__ import annotations

import shutil

import pytest
from pptx import Presentation
from pptx.util import Inches, Pt

import store
from analytics.__main__ import main
from analytics.deck import deck_bytes
from analytics.lift import describe
from analytics.meeting import meeting_content
from analytics.profile import profile
from analytics.values import catalog
from i18n import month_label, translate

UNIT, PROVINCE, MONTH = "08377", "25", "2026-10"  # Xã Vân Bán, Phú Thọ
RATES = ("online_filing_rate", "on_time_rate", "esign_rate", "satisfaction_rate")


def write_deck(db, tmp_path, unit=UNIT, month=MONTH, lang="vi"):
    out = tmp_path / f"{unit}_{lang}.pptx"
    assert main(["deck", "--unit", unit, "--period", month, "--lang", lang, "--out", str(out), "--db", str(db)]) == 0
    return Presentation(str(out))


def charts(slide):
    return [shape.chart for shape in slide.shapes if shape.has_chart]


def texts(slide) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]


def rate_from_counts(con, unit: str, indicator: str, month: str) -> float | None:
    row = con.execute("""SELECT 100.0 * numerator / denominator FROM observation
                         WHERE is_current AND unit_code = ? AND indicator_code = ? AND period = ?""",
                      [unit, indicator, month]).fetchall()
    return row[0][0] if row else None


def service_index(con, unit: str, month: str) -> float:
    return con.execute("""SELECT sum(o.value) FROM observation o JOIN indicator i ON i.code = o.indicator_code
                          WHERE o.is_current AND i.group_766 IS NOT NULL AND o.unit_code = ? AND o.period = ?""",
                       [unit, month]).fetchall()[0][0]


@pytest.fixture(scope="module")
def vi_deck(demo_db, tmp_path_factory):
    return write_deck(demo_db, tmp_path_factory.mktemp("deck"))


def test_the_deck_is_16_9_with_a_slide_for_each_part_of_the_talk(vi_deck):
    assert (vi_deck.slide_width, vi_deck.slide_height) == (Inches(13.333), Inches(7.5))
    assert len(vi_deck.slides) == 8  # cover, headlines, league, two trends, index change, summary, actions
    cover = "\n".join(texts(vi_deck.slides[0]))
    assert "Xã Vân Bán" in cover and "Phú Thọ" in cover and "Tháng 10/2026" in cover and "Nguồn" in cover
    footers = [next(s.text_frame.text for s in slide.shapes if s.name == "Footer") for slide in list(vi_deck.slides)[1:]]
    assert all(f.startswith("Nguồn: Xã Số") and f.endswith("Xã Vân Bán · Tháng 10/2026") for f in footers)


def test_headline_bars_are_an_editable_chart_holding_the_units_figures(vi_deck, demo_db):
    chart, = charts(vi_deck.slides[1])
    this_month, previous, target = chart.plots[0].series
    with store.connect(demo_db) as con:
        expected = [rate_from_counts(con, UNIT, code, MONTH) for code in RATES] + [service_index(con, UNIT, MONTH)]
        before = [rate_from_counts(con, UNIT, code, "2026-09") for code in RATES] + [service_index(con, UNIT, "2026-09")]
    assert this_month.name == "Tháng này"
    assert list(this_month.values) == pytest.approx(expected)
    assert list(previous.values) == pytest.approx(before)
    assert list(target.values) == [80.0, None, 100.0, 90.0, None]  # the catalog's targets; none set -> blank
    assert list(chart.plots[0].categories)[0] == "Tỷ lệ hồ sơ nộp trực tuyến"


def test_trend_lines_hold_twelve_months_of_each_rate(vi_deck, demo_db):
    chart, = charts(vi_deck.slides[3])
    months = [f"{y}-{m:02d}" for y, m in [(2025, 11), (2025, 12)] + [(2026, m) for m in range(1, 11)]]
    assert list(chart.plots[0].categories) == [f"{int(m[5:])}/{m[:4]}" for m in months]  # as the Trends axis
    with store.connect(demo_db) as con:
        for series, code in zip(chart.plots[0].series, RATES):
            assert list(series.values) == pytest.approx([rate_from_counts(con, UNIT, code, m) for m in months])


def test_a_month_without_data_is_a_gap_in_the_line_not_a_zero(demo_db, tmp_path):
    db = tmp_path / "gap.duckdb"
    shutil.copy(demo_db, db)
    with store.connect(db) as con:
        con.execute("DELETE FROM observation WHERE unit_code = ? AND period = '2026-08'", [UNIT])
    deck = write_deck(db, tmp_path)

    rates, index = charts(deck.slides[3])[0], charts(deck.slides[4])[0]
    august = list(rates.plots[0].categories).index("8/2026")
    assert all(series.values[august] is None for series in rates.plots[0].series)
    assert index.plots[0].series[0].values[august] is None
    assert index.plots[0].series[1].values[august] is not None  # the province still has its average
    assert 'dispBlanksAs val="gap"' in rates._chartSpace.xml


def test_the_league_table_shows_the_top_five_and_the_unit_with_three_places_either_side(vi_deck, demo_db):
    table = next(shape.table for shape in vi_deck.slides[2].shapes if shape.has_table)
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["Hạng", "Đơn vị", "Chỉ số 766", "Thay đổi hạng"]
    with store.connect(demo_db) as con:
        ranked = con.execute("""
            SELECT o.unit_code, round(sum(o.value), 2) AS v FROM observation o
            JOIN indicator i ON i.code = o.indicator_code JOIN unit u ON u.code = o.unit_code
            WHERE o.is_current AND i.group_766 IS NOT NULL AND o.period = ? AND u.parent_code = ?
            GROUP BY o.unit_code HAVING count(*) = 6 ORDER BY v DESC""", [MONTH, PROVINCE]).fetchall()
    place = 1 + sum(1 for _code, value in ranked if value > round(service_index_of(ranked, UNIT), 2))
    assert rows[6] == ["…"] * 4  # the places skipped between the first five and the unit's neighbours
    ranks = [int(r[0]) for r in rows[1:6] + rows[7:]]
    assert ranks[:5] == [1, 2, 3, 4, 5]
    assert ranks[5:] == list(range(place - 3, place + 4))
    mine = rows[1 + 5 + 1 + 3]
    assert "Xã Vân Bán" in mine[1] and mine[2] == f"{service_index_of(ranked, UNIT):.2f}".replace(".", ",")


def service_index_of(ranked, unit):
    return next(value for code, value in ranked if code == unit)


def test_closing_slide_names_three_indicators_with_their_gap_to_target(vi_deck, demo_db):
    closing = vi_deck.slides[-1]
    table = next(shape.table for shape in closing.shapes if shape.has_table)
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    with store.connect(demo_db) as con:
        vneid = rate_from_counts(con, UNIT, "vneid_rate", MONTH)
        found = profile(con, UNIT, MONTH)
        lifts = [describe(lift, catalog(con), "vi") for lift in found.lifts]
    assert len(rows) == 1 + 3 and rows[0] == ["Chỉ tiêu", "Hiện tại", "Mục tiêu", "Còn thiếu"]
    # the profile's weaknesses first; a gap only to a goal the catalog sets (no invented goal of 100%)
    named = [r[0] for r in rows[1:]]
    weak = [found.line(code).name("vi") for code in found.weaknesses]
    assert named[:len(weak)] == weak[:3]
    body = "\n".join(texts(closing))
    assert body.count("•") == 3 + len(lifts)
    for row, code in zip(rows[1:], found.weaknesses):
        line = found.line(code)
        if line.target is not None and line.value < line.target:
            assert row[3] == f"{line.target - line.value:.1f}".replace(".", ",")
        elif line.target is None:
            assert row[2:] == ["–", "–"]
    if "Tỷ lệ kích hoạt VNeID mức 2" in named:  # the catalog sets no VNeID target
        vneid_row = next(r for r in rows if r[0] == "Tỷ lệ kích hoạt VNeID mức 2")
        assert vneid_row[1] == f"{round(vneid, 2):.1f}".replace(".", ",") and vneid_row[2:] == ["–", "–"]
    assert lifts and all(sentence in body for sentence in lifts)  # what would it take, as on the profile


def test_the_summary_and_rank_change_come_from_the_commune_profile(vi_deck, demo_db):
    from analytics.profile import profile, summary

    with store.connect(demo_db) as con:
        found = profile(con, UNIT, MONTH)
    change = found.rank_change
    waterfall, = charts(vi_deck.slides[5])
    assert f"{change.previous_rank} → {change.current_rank}/{change.current_rank_of}" in "\n".join(texts(vi_deck.slides[5]))
    assert waterfall.chart_type is not None and len(list(waterfall.plots[0].categories)) == 8
    body = "\n".join(texts(vi_deck.slides[6]))
    assert all(sentence in body for sentence in summary(found, "vi"))


def test_titles_and_body_text_are_large_enough_for_a_projector(vi_deck):
    for slide in vi_deck.slides:
        for shape in slide.shapes:
            sizes = []
            if shape.has_text_frame and not shape.text_frame.text:
                continue  # a coloured band
            if shape.has_text_frame:
                sizes = [run.font.size for p in shape.text_frame.paragraphs for run in p.runs]
            elif shape.has_table:
                sizes = [run.font.size for row in shape.table.rows for cell in row.cells
                         for p in cell.text_frame.paragraphs for run in p.runs]
            elif shape.has_chart:
                sizes = [shape.chart.font.size]
            least = {"Title": Pt(32), "Footer": Pt(16)}.get(shape.name, Pt(20))
            assert sizes and min(sizes) >= least, (shape.name, sizes)


def test_the_english_deck_speaks_english(demo_db, tmp_path):
    deck = write_deck(demo_db, tmp_path, lang="en")

    titles = [next(s.text_frame.text for s in slide.shapes if s.name == "Title") for slide in deck.slides]
    assert titles[1] == translate("deck.headlines.title", "en") == "Headline figures against targets"
    assert charts(deck.slides[1])[0].plots[0].series[0].name == "This month"
    assert "Van Ban (Phu Tho)" in "\n".join(texts(deck.slides[0])) and "10/2026" in "\n".join(texts(deck.slides[0]))
    assert not any(ch in "".join(titles) for ch in "ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")


def test_a_province_deck_ranks_the_provinces_and_lists_its_own_communes(demo_db, tmp_path):
    deck = write_deck(demo_db, tmp_path, unit=PROVINCE)

    assert len(deck.slides) == 9
    provinces = next(shape.table for shape in deck.slides[2].shapes if shape.has_table)
    assert "Phú Thọ" in "".join(cell.text for row in provinces.rows for cell in row.cells)
    chart, = charts(deck.slides[1])
    with store.connect(demo_db) as con:
        counts = con.execute("""SELECT 100.0 * sum(o.numerator) / sum(o.denominator) FROM observation o
                                JOIN unit u ON u.code = o.unit_code
                                WHERE o.is_current AND o.indicator_code = 'online_filing_rate' AND o.period = ?
                                  AND u.parent_code = ?""", [MONTH, PROVINCE]).fetchall()[0][0]
    assert chart.plots[0].series[0].values[0] == pytest.approx(counts)  # summed counts, not a mean of rates


@pytest.mark.parametrize(("unit", "month", "message"), [
    ("99999", MONTH, 'Không có tỉnh hoặc xã, phường, đặc khu mã "99999"'),
    (UNIT, "2031-01", "Chưa có số liệu nào của tháng 2031-01"),
    (UNIT, "tháng 10", 'Kỳ "tháng 10" không hợp lệ'),
])
def test_the_command_line_refuses_an_unknown_unit_or_an_empty_month(demo_db, tmp_path, capsys, unit, month, message):
    out = tmp_path / "x.pptx"
    code = main(["deck", "--unit", unit, "--period", month, "--out", str(out), "--db", str(demo_db)])

    assert code == 1
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_deck_bytes_is_the_same_deck_the_command_line_writes(demo_db):
    with store.connect(demo_db) as con:
        pack = meeting_content(con, UNIT, MONTH, "vi")
    assert deck_bytes(pack)[:2] == b"PK"


def luminance(rgb) -> float:
    r, g, b = (int(str(rgb)[i:i + 2], 16) for i in (0, 2, 4))
    return 0.299 * r + 0.587 * g + 0.114 * b


def test_series_stay_apart_on_a_black_and_white_print(vi_deck):
    lines = charts(vi_deck.slides[3])[0].plots[0].series
    assert len({s.format.line.dash_style for s in lines}) == len(lines) == 4
    assert len({s.marker.style for s in lines}) == 4
    bars = charts(vi_deck.slides[1])[0].plots[0].series
    shades = sorted(luminance(s.format.fill.fore_color.rgb) for s in bars)
    assert all(b - a > 60 for a, b in zip(shades, shades[1:])), shades  # dark, middle, light grey


def test_a_commune_that_did_not_report_this_month_still_gets_a_deck_that_says_so(demo_db, tmp_path):
    db = tmp_path / "silent.duckdb"
    shutil.copy(demo_db, db)
    with store.connect(db) as con:
        con.execute("DELETE FROM observation WHERE unit_code = ? AND period = ?", [UNIT, MONTH])
    deck = write_deck(db, tmp_path)

    assert len(deck.slides) == 8
    assert all(v is None for v in charts(deck.slides[1])[0].plots[0].series[0].values)
    assert "Xã Vân Bán chưa được xếp hạng tháng này" in "\n".join(texts(deck.slides[2]))
    assert "Xã Vân Bán chưa báo cáo tháng này" in "\n".join(texts(deck.slides[6]))


def test_python_m_analytics_deck_writes_the_file_and_speaks_the_terminals_language(demo_db, tmp_path):
    import os
    import subprocess
    import sys

    from tests.conftest import REPO

    env = {**os.environ, "XASO_LANG": "en"}
    out = tmp_path / "deck.pptx"
    done = subprocess.run([sys.executable, "-m", "analytics", "deck", "--unit", UNIT, "--period", MONTH, "--out",
                           str(out), "--db", str(demo_db)], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Wrote {out}: 8 slides for Van Ban."
    titles = [s.text_frame.text for s in Presentation(str(out)).slides[1].shapes if s.name == "Title"]
    assert titles == ["Headline figures against targets"]  # --lang follows XASO_LANG when not given

    refused = subprocess.run([sys.executable, "-m", "analytics", "deck", "--unit", "123", "--period", MONTH,
                              "--out", str(tmp_path / "x.pptx"), "--db", str(demo_db)], cwd=REPO, env=env,
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1
    assert refused.stderr.strip().startswith('There is no province or commune with code "123".')


# -- language, font, precision ---------------------------------------------------------------------

A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


def text_parts(deck):
    """The XML of every slide, its notes and its charts: everywhere PowerPoint finds text."""
    for slide in deck.slides:
        yield slide.part._element
        if slide.has_notes_slide:
            yield slide.notes_slide.part._element
        yield from (shape.chart.part._element for shape in slide.shapes if shape.has_chart)


@pytest.mark.parametrize(("lang", "tag"), [("vi", "vi-VN"), ("en", "en-US")])
def test_every_run_is_tagged_with_the_decks_language_and_names_a_font_with_vietnamese_letters(
        demo_db, tmp_path, lang, tag):
    deck = write_deck(demo_db, tmp_path, unit=PROVINCE, lang=lang)

    runs = 0
    for root in text_parts(deck):
        for run in root.iter(f"{A}r"):
            runs += 1
            properties = run.find(f"{A}rPr")
            assert properties is not None and properties.get("lang") == tag, "".join(run.itertext())
            faces = {face.tag[len(A):]: face.get("typeface") for face in properties
                     if face.tag in (f"{A}latin", f"{A}ea", f"{A}cs")}
            assert faces == {"latin": "Arial", "ea": "Arial", "cs": "Arial"}, "".join(run.itertext())
        for defaults in root.iter(f"{A}defRPr"):  # chart text: axes, legend, data labels
            assert defaults.get("lang") == tag
    assert runs > 100
    charts_ = [chart for slide in deck.slides for chart in charts(slide)]
    assert charts_ and all(chart._chartSpace.find(
        "{http://schemas.openxmlformats.org/drawingml/2006/chart}lang").get("val") == tag for chart in charts_)


def test_footers_are_at_least_16_points(vi_deck):
    sizes = [run.font.size for slide in vi_deck.slides for shape in slide.shapes if shape.name == "Footer"
             for p in shape.text_frame.paragraphs for run in p.runs]
    assert len(sizes) == 2 * (len(vi_deck.slides) - 1) and min(sizes) >= Pt(16)


def test_the_headline_slide_writes_the_index_to_two_places_and_the_rates_to_one(vi_deck, demo_db):
    chart, = charts(vi_deck.slides[1])
    this_month = chart.plots[0].series[0]
    labels = [this_month.points[i].data_label.text_frame.text for i in range(len(RATES) + 1)]
    with store.connect(demo_db) as con:
        index = service_index(con, UNIT, MONTH)
        rates = [rate_from_counts(con, UNIT, code, MONTH) for code in RATES]
    assert labels[-1] == f"{index:.2f}".replace(".", ",")  # 93,96 as on every page, not 94,0
    assert labels[:-1] == [f"{rate:.1f}".replace(".", ",") for rate in rates]


def test_a_unit_among_the_first_places_gets_no_ellipsis_row(demo_db, tmp_path):
    with store.connect(demo_db) as con:
        first = con.execute("""
            SELECT o.unit_code FROM observation o JOIN indicator i ON i.code = o.indicator_code
            JOIN unit u ON u.code = o.unit_code
            WHERE o.is_current AND i.group_766 IS NOT NULL AND o.period = ? AND u.parent_code = ?
            GROUP BY o.unit_code HAVING count(*) = 6 ORDER BY round(sum(o.value), 2) DESC, o.unit_code LIMIT 1 OFFSET 2
            """, [MONTH, PROVINCE]).fetchall()[0][0]
    deck = write_deck(demo_db, tmp_path, unit=first)

    table = next(shape.table for shape in deck.slides[2].shapes if shape.has_table)
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert all("…" not in row for row in rows)
    assert [int(r[0]) for r in rows[1:]][:6] == [1, 2, 3, 4, 5, 6]  # third place: its neighbours join the top


def test_months_are_written_as_the_app_writes_them(demo_db, tmp_path):
    deck = write_deck(demo_db, tmp_path, unit=PROVINCE, lang="en")

    assert "10/2026" in "\n".join(texts(deck.slides[0])) and "Tháng" not in "\n".join(texts(deck.slides[0]))
    waterfall, = charts(deck.slides[6])
    categories = list(waterfall.plots[0].categories)
    assert categories[-1] == month_label(MONTH, "en") == "10/2026"
    assert list(charts(deck.slides[4])[0].plots[0].categories)[-3:] == ["8/2026", "9/2026", "10/2026"]
