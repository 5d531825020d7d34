"""The meeting pack as a printable PDF and its charts as PNG, made offline with the system's Chromium.

The PDF is an HTML page per slide (charts as SVG drawn by plotly through kaleido, tables as HTML tables,
fonts from the system: Debian's fonts-noto-core has every Vietnamese letter) printed by headless
Chromium to A4 landscape. Nothing is fetched from the network. Chromium is found at $XASO_CHROMIUM,
$BROWSER_PATH, /usr/bin/chromium or on the PATH; kaleido is pointed at the same binary.
"""

from __future__ import annotations

import html
import math
import os
import shutil
import subprocess
import tempfile
import threading
import warnings
from pathlib import Path

import plotly.graph_objects as go

from analytics.meeting import MeetingPack, Slide
from analytics.meeting_charts import CHART_KINDS, FONT, figure
from errors import BrowserMissing
from i18n import format_number

_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PDF_TIMEOUT = 120
CHART_SIZE = (1100, 560)  # px of the SVG; the page scales it to its width
_KALEIDO = threading.Lock()  # kaleido's sync server is one per process: app sessions take turns


def chromium() -> str:
    """The Chromium binary to use; BrowserMissing (with what to install) when there is none."""
    for variable in ("XASO_CHROMIUM", "BROWSER_PATH"):
        path = os.environ.get(variable)
        if path and os.access(path, os.X_OK):
            return path
    for name in ("/usr/bin/chromium", *_CANDIDATES):
        found = shutil.which(name)
        if found:
            return found
    raise BrowserMissing()


def _use_system_browser() -> None:
    # kaleido (through choreographer) starts the browser named by BROWSER_PATH and never downloads one
    os.environ.setdefault("BROWSER_PATH", chromium())


def chart_png(fig: go.Figure, width: int = 1600, height: int = 900) -> bytes:
    """One chart as a PNG (for a download button), drawn by kaleido in the system Chromium."""
    _use_system_browser()
    with _KALEIDO:
        return fig.to_image(format="png", width=width, height=height, scale=1)


def chart_svgs(figures: list[go.Figure]) -> list[str]:
    """Several charts as SVG text, through one browser started once."""
    if not figures:
        return []
    _use_system_browser()
    import kaleido

    with _KALEIDO:
        kaleido.start_sync_server(silence_warnings=True)
        try:
            with warnings.catch_warnings():  # plotly warns that its per-call options go unused with a server
                warnings.simplefilter("ignore", UserWarning)
                return [fig.to_image(format="svg", width=CHART_SIZE[0], height=CHART_SIZE[1]).decode("utf-8")
                        for fig in figures]
        finally:
            kaleido.stop_sync_server(silence_warnings=True)


def pack_html(pack: MeetingPack) -> str:
    """The whole pack as one printable HTML document (A4 landscape, one slide per page)."""
    charted = [slide for slide in pack.slides if slide.kind in CHART_KINDS]
    svgs = dict(zip(map(id, charted), chart_svgs([figure(slide, pack.lang, font_size=18) for slide in charted])))
    pages = [_page(slide, pack, svgs.get(id(slide)), number, len(pack.slides))
             for number, slide in enumerate(pack.slides, start=1)]
    return (f'<!doctype html><html lang="{pack.lang}"><head><meta charset="utf-8">'
            f"<title>{_e(pack.slides[0].title)} · {_e(pack.unit_name)}</title><style>{_CSS}</style></head>"
            f"<body>{''.join(pages)}</body></html>")


def pdf_bytes(pack: MeetingPack) -> bytes:
    """The pack printed to PDF by headless Chromium."""
    browser = chromium()
    page = pack_html(pack)
    with tempfile.TemporaryDirectory(prefix="xaso-pdf-") as folder:
        source, target = Path(folder) / "pack.html", Path(folder) / "pack.pdf"
        source.write_text(page, encoding="utf-8")
        done = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                               "--no-first-run", "--no-pdf-header-footer", f"--user-data-dir={folder}/profile",
                               f"--print-to-pdf={target}", source.as_uri()],
                              capture_output=True, text=True, timeout=PDF_TIMEOUT)
        if not target.exists():
            raise RuntimeError(f"Chromium made no PDF (exit {done.returncode}): {done.stderr[-500:]}")
        return target.read_bytes()


# -- HTML ------------------------------------------------------------------------------------------

def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _page(slide: Slide, pack: MeetingPack, svg: str | None, number: int, total: int) -> str:
    if slide.kind == "cover":
        month, source = slide.bullets
        body = (f'<div class="cover"><h1>{_e(slide.title)}</h1><p class="unit">{_e(slide.subtitle)}</p>'
                f'<p class="month">{_e(month)}</p><p class="source">{_e(source)}</p></div>')
        return f'<section class="slide">{body}</section>'
    parts = [f"<h1>{_e(slide.title)}</h1>"]
    if slide.subtitle:
        parts.append(f'<p class="subtitle">{_e(slide.subtitle)}</p>')
    if svg is not None:
        parts.append(f'<div class="chart">{svg}</div>')
    elif slide.kind == "table":
        parts.append(_table(slide, pack.lang))
    if slide.bullets and slide.kind != "cover":
        parts.append("<ul>" + "".join(f"<li>{_e(b)}</li>" for b in slide.bullets) + "</ul>")
    parts.append(f'<footer><span>{_e(pack.footer)}</span>'
                 f"<span>{number}/{total}</span></footer>")
    return f'<section class="slide">{"".join(parts)}</section>'


def _cell(value: object, decimals: int | None, lang: str, signed: bool) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, str) and decimals is not None:  # the "…" row between the first places and the unit's
        return value
    if signed:
        value = int(value)
        return f"▲ {value}" if value > 0 else f"▼ {-value}" if value < 0 else "="
    return str(value) if decimals is None else format_number(value, lang, decimals)


def _table(slide: Slide, lang: str) -> str:
    frame = slide.frame
    head = "".join(f'<th class="{"num" if c in slide.decimals else ""}">{_e(c)}</th>' for c in frame.columns)
    rows = []
    for r, row in enumerate(frame.itertuples(index=False, name=None)):
        cells = "".join(
            f'<td class="{"num" if c in slide.decimals else ""}">'
            f"{_e(_cell(v, slide.decimals.get(c), lang, c == slide.signed_column))}</td>"
            for c, v in zip(frame.columns, row))
        rows.append(f'<tr class="{"mine" if r == slide.highlight else ""}">{cells}</tr>')
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


_CSS = f"""
@page {{ size: A4 landscape; margin: 12mm 14mm; }}
* {{ box-sizing: border-box; }}
body {{ font-family: {FONT}; color: #1b1b1b; margin: 0; }}
.slide {{ page-break-after: always; break-after: page; height: 180mm; position: relative; overflow: hidden; }}
.slide:last-child {{ page-break-after: auto; break-after: auto; }}
h1 {{ font-size: 26pt; margin: 0 0 2mm; }}
.subtitle {{ font-size: 16pt; color: #404040; margin: 0 0 4mm; }}
.chart svg {{ width: 100%; height: auto; max-height: 140mm; }}
table {{ border-collapse: collapse; width: 100%; font-size: 15pt; }}
th {{ background: #1f3864; color: white; text-align: left; padding: 1.5mm 3mm; }}
td {{ border-bottom: 0.3mm solid #8c8c8c; padding: 1.2mm 3mm; }}
.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
tr.mine td {{ font-weight: bold; background: #ffe699; border-top: 0.6mm solid #1b1b1b; border-bottom: 0.6mm solid #1b1b1b; }}
ul {{ font-size: 18pt; line-height: 1.45; padding-left: 8mm; }}
footer {{ position: absolute; bottom: 0; left: 0; right: 0; display: flex; justify-content: space-between;
          font-size: 10pt; color: #595959; border-top: 0.3mm solid #bfbfbf; padding-top: 1mm; }}
.cover {{ padding-top: 35mm; }}
.cover h1 {{ font-size: 36pt; border-top: 4mm solid #1f3864; padding-top: 8mm; }}
.cover .unit {{ font-size: 28pt; margin: 4mm 0; }}
.cover .month {{ font-size: 22pt; color: #404040; }}
.cover .source {{ font-size: 13pt; color: #404040; margin-top: 25mm; }}
"""
