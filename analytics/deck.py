"""The meeting pack as an editable PowerPoint file (python-pptx).

16:9, titles ≥ 32 pt and body text ≥ 20 pt for a projector at the back of a meeting room; charts are
native PowerPoint charts carrying their data (right-click › Edit Data), tables are native tables.
Colours step from dark to light and lines also differ by dash and marker, so a black-and-white print
still tells the series apart. Numbers in charts use Excel formats, which PowerPoint shows with the
reader's own decimal separator.
"""

from __future__ import annotations

import io
import math

import pandas as pd
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_MARKER_STYLE
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.oxml.xmlchemy import OxmlElement
from pptx.util import Emu, Inches, Pt

from analytics.meeting import MeetingPack, Slide
from i18n import format_number, format_signed

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
TITLE_PT, SUBTITLE_PT, BODY_PT, TABLE_PT, CHART_PT, FOOTER_PT = 36, 24, 24, 20, 20, 16
# Arial has every Vietnamese letter on Windows and macOS; LibreOffice puts its metric twin Liberation Sans
# (also complete) in its place. Named for Latin, East Asian and complex scripts alike, so no theme font
# (Calibri, or a CJK face for a run PowerPoint takes for Asian) is ever picked for a letter with a diacritic.
FONT = "Arial"
# The proofing language of every run: PowerPoint would otherwise spell-check Vietnamese as English.
LANGUAGE_TAGS = {"vi": "vi-VN", "en": "en-US"}
MARGIN = Inches(0.5)
INK, MUTED, HIGHLIGHT_FILL, HEADER_FILL = RGBColor(0x1B, 0x1B, 0x1B), RGBColor(0x59, 0x59, 0x59), \
    RGBColor(0xFF, 0xE6, 0x99), RGBColor(0x1F, 0x38, 0x64)
# dark → light, with a dash and a marker each: readable on a grayscale print
LINE_STYLES = [(RGBColor(0x1F, 0x38, 0x64), MSO_LINE_DASH_STYLE.SOLID, XL_MARKER_STYLE.CIRCLE),
               (RGBColor(0xC5, 0x5A, 0x11), MSO_LINE_DASH_STYLE.DASH, XL_MARKER_STYLE.SQUARE),
               (RGBColor(0x3B, 0x7D, 0x23), MSO_LINE_DASH_STYLE.ROUND_DOT, XL_MARKER_STYLE.TRIANGLE),
               (RGBColor(0x8C, 0x8C, 0x8C), MSO_LINE_DASH_STYLE.LONG_DASH, XL_MARKER_STYLE.DIAMOND)]
BAR_FILLS = [RGBColor(0x1F, 0x38, 0x64), RGBColor(0x8F, 0xAA, 0xDC), RGBColor(0xF2, 0xF2, 0xF2)]
RISE, FALL, TOTAL = RGBColor(0x1F, 0x38, 0x64), RGBColor(0xF4, 0xB1, 0x83), RGBColor(0x8C, 0x8C, 0x8C)
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def deck_bytes(pack: MeetingPack) -> bytes:
    """The pack as a .pptx file."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    blank = prs.slide_layouts[6]
    for number, slide in enumerate(pack.slides, start=1):
        page = prs.slides.add_slide(blank)
        _DRAW[slide.kind](page, slide, pack)
        if slide.kind != "cover":
            _footer(page, pack, number, len(pack.slides))
        if slide.notes:
            page.notes_slide.notes_text_frame.text = slide.notes
    prs.core_properties.title = f"{pack.slides[0].title} · {pack.unit_name} · {pack.month}"
    prs.core_properties.author = "Xã Số"
    prs.core_properties.language = LANGUAGE_TAGS[pack.lang]
    _tag_language(prs, LANGUAGE_TAGS[pack.lang])
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


# -- language and font -----------------------------------------------------------------------------

_RUN_PROPERTIES = (qn("a:rPr"), qn("a:defRPr"), qn("a:endParaRPr"))
# what may follow a:latin / a:ea / a:cs inside run properties (the schema's order)
_AFTER_FONTS = {qn("a:sym"), qn("a:hlinkClick"), qn("a:hlinkMouseOver"), qn("a:rtl"), qn("a:extLst")}


def _tag_language(prs: Presentation, tag: str) -> None:
    """Every run of the deck (slides, notes, charts) in `tag` and in FONT: found in the XML rather than
    set where each run is made, so no run (a table cell, a chart's data label, a notes line) is missed."""
    for slide in prs.slides:
        parts = [slide.part] + ([slide.notes_slide.part] if slide.has_notes_slide else [])
        parts += [shape.chart.part for shape in slide.shapes if shape.has_chart]
        for part in parts:
            root = part._element
            for run in root.iter(qn("a:r"), qn("a:fld")):  # a run without properties gets some
                if run.find(qn("a:rPr")) is None:
                    run.insert(0, OxmlElement("a:rPr"))
            for properties in root.iter(*_RUN_PROPERTIES):
                _tag(properties, tag)
        for shape in slide.shapes:
            if shape.has_chart:
                _chart_language(shape.chart, tag)


def _tag(properties, tag: str) -> None:
    properties.set("lang", tag)
    for old in properties.findall(qn("a:latin")) + properties.findall(qn("a:ea")) + properties.findall(qn("a:cs")):
        properties.remove(old)
    later = next((child for child in properties if child.tag in _AFTER_FONTS), None)
    for name in ("a:latin", "a:ea", "a:cs"):
        face = OxmlElement(name)
        face.set("typeface", FONT)
        if later is None:
            properties.append(face)
        else:
            later.addprevious(face)


def _chart_language(chart, tag: str) -> None:
    """The chart's own editing language (c:lang, first in c:chartSpace after c:date1904)."""
    space = chart._chartSpace
    for old in space.findall(qn("c:lang")):
        space.remove(old)
    lang = OxmlElement("c:lang")
    lang.set("val", tag)
    date1904 = space.find(qn("c:date1904"))
    if date1904 is not None:
        date1904.addnext(lang)
    else:
        space.insert(0, lang)


# -- text ------------------------------------------------------------------------------------------

def _text(page, name: str, text: str, left, top, width, height, size: int, *, bold: bool = False,
          colour: RGBColor = INK, align=PP_ALIGN.LEFT, anchor=MSO_ANCHOR.TOP):
    box = page.shapes.add_textbox(left, top, width, height)
    box.name = name
    frame = box.text_frame
    frame.word_wrap, frame.vertical_anchor = True, anchor
    lines = text.split("\n")
    for i, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.alignment = align
        run = paragraph.add_run()
        run.text = line
        run.font.size, run.font.bold, run.font.color.rgb = Pt(size), bold, colour
    return box


SUBTITLE_CHARS_PER_LINE = 70  # about what fits across the slide at SUBTITLE_PT


def _heading(page, slide: Slide) -> Emu:
    """Title and subtitle; returns where the content may start (lower when the subtitle wraps)."""
    _text(page, "Title", slide.title, MARGIN, Inches(0.3), WIDTH - 2 * MARGIN, Inches(0.8), TITLE_PT, bold=True)
    lines = 0
    if slide.subtitle:
        lines = math.ceil(len(slide.subtitle) / SUBTITLE_CHARS_PER_LINE)
        _text(page, "Subtitle", slide.subtitle, MARGIN, Inches(1.05), WIDTH - 2 * MARGIN, Inches(0.42) * lines,
              SUBTITLE_PT, colour=MUTED)
    return Inches(1.3) + Inches(0.42) * max(lines, 1)


def _footer(page, pack: MeetingPack, number: int, total: int) -> None:
    _text(page, "Footer", pack.footer, MARGIN, HEIGHT - Inches(0.5), WIDTH - 2 * MARGIN - Inches(1.6),
          Inches(0.4), FOOTER_PT, colour=MUTED)
    _text(page, "Footer", f"{number}/{total}", WIDTH - MARGIN - Inches(1.5), HEIGHT - Inches(0.5), Inches(1.5),
          Inches(0.4), FOOTER_PT, colour=MUTED, align=PP_ALIGN.RIGHT)


def _cover(page, slide: Slide, pack: MeetingPack) -> None:
    band = page.shapes.add_shape(1, 0, 0, WIDTH, Inches(0.35))  # 1 = rectangle
    band.fill.solid()
    band.fill.fore_color.rgb = HEADER_FILL
    band.line.fill.background()
    _text(page, "Title", slide.title, MARGIN, Inches(1.6), WIDTH - 2 * MARGIN, Inches(1.2), 44, bold=True)
    _text(page, "Subtitle", slide.subtitle, MARGIN, Inches(2.9), WIDTH - 2 * MARGIN, Inches(1.0), 36)
    month, source = slide.bullets
    _text(page, "Body", month, MARGIN, Inches(4.0), WIDTH - 2 * MARGIN, Inches(0.8), 32, colour=MUTED)
    _text(page, "Body", source, MARGIN, Inches(5.6), WIDTH - 2 * MARGIN, Inches(1.2), BODY_PT - 4 if len(source) > 160
          else BODY_PT, colour=MUTED)


def _bullets(page, slide: Slide, pack: MeetingPack, top: Emu | None = None) -> None:
    top = _heading(page, slide) if top is None else top
    box = page.shapes.add_textbox(MARGIN, top, WIDTH - 2 * MARGIN, HEIGHT - top - Inches(0.7))
    box.name = "Body"
    frame = box.text_frame
    frame.word_wrap = True
    length = sum(len(line) for line in slide.bullets)
    size = 28 if length <= 250 else BODY_PT if length <= 600 else 20  # never below 20 pt: shorter text instead
    for i, line in enumerate(slide.bullets):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.space_after = Pt(12)
        run = paragraph.add_run()
        run.text = "•  " + line
        run.font.size, run.font.color.rgb = Pt(size), INK


# -- tables ----------------------------------------------------------------------------------------

def _cell_text(value: object, decimals: int | None, lang: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if decimals is None or isinstance(value, str):  # a name, or the "…" row
        return str(value)
    return format_number(value, lang, decimals)


def _table(page, slide: Slide, pack: MeetingPack) -> None:
    top = _heading(page, slide)
    frame = slide.frame
    row_height = Inches(0.38)
    height = row_height * (len(frame) + 1)
    shape = page.shapes.add_table(len(frame) + 1, len(frame.columns), MARGIN, top, WIDTH - 2 * MARGIN, height)
    shape.name = "Table"
    table = shape.table
    widths = [max(len(str(c)), 6) if c in slide.decimals else 30 for c in frame.columns]
    for i, w in enumerate(widths):
        table.columns[i].width = int((WIDTH - 2 * MARGIN) * w / sum(widths))
    for col, name in enumerate(frame.columns):
        _fill_cell(table.cell(0, col), str(name), bold=True, colour=RGBColor(0xFF, 0xFF, 0xFF), fill=HEADER_FILL,
                   right=name in slide.decimals)
    for r, row in enumerate(frame.itertuples(index=False, name=None), start=1):
        mine = slide.highlight == r - 1
        for col, value in enumerate(row):
            name = frame.columns[col]
            decimals = slide.decimals.get(name)
            text = _cell_text(value, decimals, pack.lang)
            if name == slide.signed_column:
                text = _signed_rank(value)
            _fill_cell(table.cell(r, col), ("▶ " if mine and col == 1 else "") + text, bold=mine,
                       fill=HIGHLIGHT_FILL if mine else None, right=decimals is not None)
        table.rows[r].height = row_height
    table.rows[0].height = row_height
    if slide.bullets:
        _bullets(page, slide, pack, top=top + height + Inches(0.3))


def _signed_rank(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, str):  # the "…" row
        return value
    value = int(value)
    return f"▲ {value}" if value > 0 else f"▼ {-value}" if value < 0 else "="


def _fill_cell(cell, text: str, *, bold: bool = False, colour: RGBColor = INK, fill: RGBColor | None = None,
               right: bool = False) -> None:
    cell.text = ""
    paragraph = cell.text_frame.paragraphs[0]
    paragraph.alignment = PP_ALIGN.RIGHT if right else PP_ALIGN.LEFT
    run = paragraph.add_run()
    run.text = text
    run.font.size, run.font.bold, run.font.color.rgb = Pt(TABLE_PT), bold, colour
    cell.margin_top = cell.margin_bottom = Inches(0.03)
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    if fill is not None:
        cell.fill.solid()
        cell.fill.fore_color.rgb = fill
    else:
        cell.fill.solid()
        cell.fill.fore_color.rgb = RGBColor(0xFF, 0xFF, 0xFF)


# -- charts ----------------------------------------------------------------------------------------

def _number_format(decimals: int) -> str:
    return "0" if decimals == 0 else "0." + "0" * decimals


def _chart_data(frame: pd.DataFrame, decimals: int) -> CategoryChartData:
    data = CategoryChartData(number_format=_number_format(decimals))
    data.categories = [str(c) for c in frame.index]
    for column in frame.columns:
        data.add_series(str(column), [None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)
                                      for v in frame[column]])
    return data


def _style_chart(chart, legend: bool = True) -> None:
    chart.font.size = Pt(CHART_PT)
    chart.font.color.rgb = INK
    chart.has_legend = legend
    if legend:
        chart.legend.position, chart.legend.include_in_layout = XL_LEGEND_POSITION.BOTTOM, False
        chart.legend.font.size = Pt(CHART_PT)
    chart.value_axis.has_major_gridlines = True
    chart.value_axis.major_gridlines.format.line.color.rgb = RGBColor(0xD9, 0xD9, 0xD9)
    chart.value_axis.tick_labels.font.size = Pt(CHART_PT)
    chart.category_axis.tick_labels.font.size = Pt(CHART_PT - 2)


def _chart_box(top: Emu) -> tuple[Emu, Emu, Emu, Emu]:
    return MARGIN, top, WIDTH - 2 * MARGIN, HEIGHT - top - Inches(0.6)


def _add_chart(page, chart_type: XL_CHART_TYPE, top: Emu, frame: pd.DataFrame, decimals: int, legend: bool = True):
    """A chart of `frame` filling the slide below `top`, named "Chart" and in the deck's style."""
    shape = page.shapes.add_chart(chart_type, *_chart_box(top), _chart_data(frame, decimals))
    shape.name = "Chart"
    _style_chart(shape.chart, legend)
    return shape.chart


def _line_chart(page, slide: Slide, pack: MeetingPack) -> None:
    top = _heading(page, slide)
    decimals = slide.decimals.get("", 1)
    chart = _add_chart(page, XL_CHART_TYPE.LINE_MARKERS, top, slide.frame, decimals)
    for series, (colour, dash, marker) in zip(chart.plots[0].series, LINE_STYLES):
        series.smooth = False
        series.format.line.color.rgb, series.format.line.width, series.format.line.dash_style = colour, Pt(3.5), dash
        series.marker.style, series.marker.size = marker, 10
        series.marker.format.fill.solid()
        series.marker.format.fill.fore_color.rgb = colour
        series.marker.format.line.color.rgb = colour
    values = [v for column in slide.frame.columns for v in slide.frame[column] if v is not None]
    if values:  # a value axis fitted to the data, so a change of a few points is visible
        low, high = min(values), max(values)
        pad = max((high - low) * 0.15, 1.0)
        chart.value_axis.minimum_scale = max(math.floor(low - pad), 0)
        chart.value_axis.maximum_scale = min(math.ceil(high + pad), 100) if high <= 100 else math.ceil(high + pad)
    chart.value_axis.tick_labels.number_format = _number_format(0) + ("\"%\"" if slide.suffix == "%" else "")
    chart.value_axis.tick_labels.number_format_is_linked = False


def _headlines(page, slide: Slide, pack: MeetingPack) -> None:
    top = _heading(page, slide)
    decimals = slide.decimals.get("", 1)
    chart = _add_chart(page, XL_CHART_TYPE.BAR_CLUSTERED, top, slide.frame, decimals)
    chart.category_axis.reverse_order = True  # the first indicator on top, as in the table it stands for
    # ... with the value axis still at the bottom: it crosses the reversed category axis at its maximum
    # (python-pptx only sets this from the value axis' side, so the one attribute is set directly)
    chart.value_axis._element.find(qn("c:crosses")).set("val", "max")
    chart.category_axis.tick_labels.font.size = Pt(CHART_PT)
    chart.value_axis.minimum_scale, chart.value_axis.maximum_scale = 0, 100
    plot = chart.plots[0]
    plot.gap_width, plot.overlap = 60, 0
    for series, fill in zip(plot.series, BAR_FILLS):
        series.format.fill.solid()
        series.format.fill.fore_color.rgb = fill
        series.format.line.color.rgb = INK
        series.format.line.width = Pt(0.75)
    for column, series in ((0, plot.series[0]), (2, plot.series[2])):  # this month and the target carry figures
        labels = series.data_labels
        labels.show_value, labels.number_format, labels.number_format_is_linked = True, _number_format(decimals), False
        labels.position, labels.font.size = XL_LABEL_POSITION.OUTSIDE_END, Pt(CHART_PT - 2)
        # each figure written out as everywhere else in the app (the index to two places: 93,96)
        for point, (category, value) in enumerate(slide.frame.iloc[:, column].items()):
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            label = series.points[point].data_label
            label.text_frame.text = format_number(float(value), pack.lang, slide.decimals.get(category, decimals))
            label.text_frame.paragraphs[0].runs[0].font.size = Pt(CHART_PT - 2)  # rich text has its own size
            label.position = XL_LABEL_POSITION.OUTSIDE_END
            label.font.size = Pt(CHART_PT - 2)


def _waterfall(page, slide: Slide, pack: MeetingPack) -> None:
    """A stacked column chart: an invisible base under each step, rises dark, falls light, totals grey,
    and on top an invisible sliver carrying each bar's figure, so a small step's label sits above its
    bar instead of on it (written in the pack's language: 88,37 / +0,10)."""
    top = _heading(page, slide)
    decimals = slide.decimals.get("", 2)
    base, rise, fall, total, texts = [], [], [], [], []
    level = 0.0
    for value, is_total in zip(slide.frame["value"], slide.frame["total"]):
        value = float(value)
        if is_total:
            base.append(None), rise.append(None), fall.append(None), total.append(value)
            texts.append(format_number(value, pack.lang, decimals))
            level = value
        else:
            after = level + value
            base.append(min(level, after))
            rise.append(value if value > 0 else None)
            fall.append(-value if value < 0 else None)
            total.append(None)
            texts.append(format_signed(value, pack.lang, decimals))
            level = after
    tops = [(b or 0) + (r or 0) + (f or 0) + (t or 0) for b, r, f, t in zip(base, rise, fall, total)]
    low, high = min(tops + [b for b in base if b is not None]), max(tops)
    pad = max((high - low) * 0.6, 0.5)
    bottom, ceiling = math.floor(low - pad), math.ceil(high + pad / 2)
    sliver = (ceiling - bottom) * 0.004  # the label carrier: too thin to see
    names = ["", "+", "−", "=", " "]
    frame = pd.DataFrame(dict(zip(names, [base, rise, fall, total, [sliver] * len(texts)])),
                         index=slide.frame.index).astype(object)
    chart = _add_chart(page, XL_CHART_TYPE.COLUMN_STACKED, top, frame, decimals, legend=False)
    plot = chart.plots[0]
    plot.gap_width, plot.overlap = 40, 100
    invisible, *shown, carrier = plot.series
    for series in (invisible, carrier):
        series.format.fill.background()
        series.format.line.fill.background()
    for series, fill in zip(shown, (RISE, FALL, TOTAL)):
        series.format.fill.solid()
        series.format.fill.fore_color.rgb = fill
        series.format.line.color.rgb, series.format.line.width = INK, Pt(0.75)
    for point, text in enumerate(texts):
        label = carrier.points[point].data_label
        label.position = XL_LABEL_POSITION.INSIDE_BASE
        label.text_frame.text = text
        run = label.text_frame.paragraphs[0].runs[0]  # rich text has its own size
        run.font.size, run.font.bold = Pt(CHART_PT - 2), True
        label.font.size, label.font.bold = Pt(CHART_PT - 2), True
    chart.value_axis.minimum_scale, chart.value_axis.maximum_scale = bottom, ceiling
    chart.value_axis.major_unit = max(1, (ceiling - bottom) // 5)  # whole points on the axis
    chart.category_axis.tick_labels.font.size = Pt(CHART_PT - 2)


_DRAW = {"cover": _cover, "headlines": _headlines, "table": _table, "line_chart": _line_chart,
         "bar_chart": _headlines, "waterfall": _waterfall, "text": _bullets}
