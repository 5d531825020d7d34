"""Plotly figures of the meeting pack's chart slides, for presentation mode, the PDF and PNG downloads.

The same styles as the PowerPoint deck: series step from dark to light and also differ by dash, marker
or fill pattern, so a grayscale print keeps them apart. Plain plotly, no Streamlit: the PDF is made
from the command line too.
"""

from __future__ import annotations

import math
import textwrap

import plotly.graph_objects as go

from analytics.meeting import Slide
from i18n import format_number, format_signed

FONT = "Noto Sans, DejaVu Sans, Arial, sans-serif"  # system fonts with Vietnamese letters; no web font
LINES = [("#1F3864", "solid", "circle"), ("#C55A11", "dash", "square"), ("#3B7D23", "dot", "triangle-up"),
         ("#8C8C8C", "longdash", "diamond")]
BARS = [("#1F3864", ""), ("#8FAADC", "/"), ("#F2F2F2", ".")]
RISE, FALL, TOTAL, INK = "#1F3864", "#F4B183", "#8C8C8C", "#1B1B1B"
CHART_KINDS = ("headlines", "bar_chart", "line_chart", "waterfall")


def separators(lang: str) -> str:
    """Plotly's decimal then thousands separator: 1.234,5 in Vietnamese, 1,234.5 in English."""
    return ",." if lang == "vi" else ".,"


def figure(slide: Slide, lang: str, font_size: int = 20) -> go.Figure:
    """The slide's chart; ValueError for a slide without one (cover, table, text)."""
    if slide.kind in ("headlines", "bar_chart"):
        fig = _bars(slide, lang)
    elif slide.kind == "line_chart":
        fig = _lines(slide)
    elif slide.kind == "waterfall":
        fig = _waterfall(slide, lang)
    else:
        raise ValueError(f"a {slide.kind} slide has no chart")
    fig.update_layout(font={"family": FONT, "size": font_size, "color": INK}, separators=separators(lang),
                      paper_bgcolor="white", plot_bgcolor="white", margin={"l": 20, "r": 30, "t": 20, "b": 20},
                      legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0})
    fig.update_xaxes(showline=True, linecolor=INK, gridcolor="#D9D9D9", automargin=True)
    fig.update_yaxes(showline=True, linecolor=INK, gridcolor="#D9D9D9", automargin=True)
    return fig


WRAP_BAR_LABEL, WRAP_COLUMN_LABEL = 24, 13  # characters a line: long names wrap instead of colliding
MONTH_TICKS = 6  # at most this many months named on a trend's axis (the latest always); hover names each


def wrapped(text: str, width: int) -> str:
    """A category name on lines of about `width` characters, joined by plotly's <br>."""
    return "<br>".join(textwrap.wrap(str(text), width, break_long_words=False)) or str(text)


def _format(slide: Slide) -> str:
    return f",.{slide.decimals.get('', 1)}f"


def _bars(slide: Slide, lang: str) -> go.Figure:
    fig = go.Figure()
    names = list(slide.frame.index)
    places = [slide.decimals.get(name, slide.decimals.get("", 1)) for name in names]  # the index to two places
    for (column, (colour, pattern)), labelled in zip(zip(slide.frame.columns, BARS), (True, False, True)):
        values = [None if v is None else float(v) for v in slide.frame[column]]
        text = ["" if v is None else format_number(v, lang, d) for v, d in zip(values, places)]
        fig.add_bar(y=names, x=values, name=str(column), orientation="h", marker_color=colour,
                    marker_line={"color": INK, "width": 1}, marker_pattern_shape=pattern,
                    text=text if labelled else None, texttemplate="%{text}" if labelled else None,
                    textposition="outside", cliponaxis=False)
    fig.update_layout(barmode="group", bargap=0.25)
    fig.update_yaxes(autorange="reversed", automargin=True, tickmode="array", tickvals=names,
                     ticktext=[wrapped(n, WRAP_BAR_LABEL) for n in names])
    fig.update_xaxes(range=[0, 108])
    return fig


def _lines(slide: Slide) -> go.Figure:
    fig = go.Figure()
    for column, (colour, dash, marker) in zip(slide.frame.columns, LINES):
        values = [None if v is None else float(v) for v in slide.frame[column]]
        fig.add_scatter(x=list(slide.frame.index), y=values, name=str(column), mode="lines+markers",
                        connectgaps=False, line={"color": colour, "dash": dash, "width": 3.5},
                        marker={"symbol": marker, "size": 11, "color": colour},
                        hovertemplate=f"%{{x}}: %{{y:{_format(slide)}}}{slide.suffix}<extra>{column}</extra>")
    values = [float(v) for column in slide.frame.columns for v in slide.frame[column] if v is not None]
    if values:
        low, high = min(values), max(values)
        pad = max((high - low) * 0.15, 1.0)
        fig.update_yaxes(range=[max(math.floor(low - pad), 0), math.ceil(high + pad)],
                         ticksuffix=slide.suffix)
    months = list(slide.frame.index)
    step = max(1, math.ceil(len(months) / MONTH_TICKS))
    shown = months[::-1][::step][::-1]  # counted back from the latest month, which is always named
    fig.update_xaxes(type="category", tickmode="array", tickvals=shown, ticktext=shown, tickangle=0)
    return fig


def _waterfall(slide: Slide, lang: str) -> go.Figure:
    frame = slide.frame
    measures = ["absolute" if i == 0 else "total" if is_total else "relative"
                for i, is_total in enumerate(frame["total"])]
    values = [0.0 if m == "total" else float(v) for m, v in zip(measures, frame["value"])]
    decimals = slide.decimals.get("", 2)
    fig = go.Figure(go.Waterfall(
        x=list(frame.index), y=values, measure=measures, textposition="outside", cliponaxis=False,
        text=[format_signed(float(v), lang, decimals) if m == "relative" else format_number(float(v), lang, decimals)
              for m, v in zip(measures, frame["value"])],
        increasing={"marker": {"color": RISE, "line": {"color": INK, "width": 1}}},
        decreasing={"marker": {"color": FALL, "line": {"color": INK, "width": 1}}},
        totals={"marker": {"color": TOTAL, "line": {"color": INK, "width": 1}}},
        connector={"line": {"color": INK, "width": 1, "dash": "dot"}}, showlegend=False))
    running, levels = 0.0, []
    for m, v in zip(measures, frame["value"]):
        running = float(v) if m != "relative" else running + float(v)
        levels.append(running)
    low, high = min(levels), max(levels)
    pad = max((high - low) * 0.6, 0.5)
    fig.update_yaxes(range=[math.floor(low - pad), math.ceil(high + pad / 2)])
    names = list(frame.index)
    fig.update_xaxes(type="category", automargin=True, tickmode="array", tickvals=names, tickangle=0,
                     ticktext=[wrapped(n, WRAP_COLUMN_LABEL) for n in names])
    return fig
