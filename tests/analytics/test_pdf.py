"""The printable PDF and the chart PNGs, made offline by the system's Chromium, then looked at."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pypdfium2 as pdfium
import pytest
from PIL import Image

import store
from analytics.meeting import MeetingPack, Slide, meeting_content
from analytics.meeting_charts import figure
from analytics.meeting_pdf import chart_png, pack_html, pdf_bytes

UNIT, MONTH = "08377", "2026-10"


def ink(image: Image.Image) -> tuple[float, float]:
    """Share of pixels that are not near-white, and the spread of grey levels."""
    grey = np.asarray(image.convert("L"), dtype=float)
    return float((grey < 200).mean()), float(grey.std())


@pytest.fixture(scope="module")
def pack(demo_db):
    with store.connect(demo_db) as con:
        return meeting_content(con, UNIT, MONTH, "vi")


def test_the_pdf_has_a_page_per_slide_and_its_pages_are_not_blank(pack):
    document = pdfium.PdfDocument(pdf_bytes(pack))
    try:
        assert len(document) == len(pack.slides)
        for number in (0, 1):  # the cover, then the headline chart
            image = document[number].render(scale=1).to_pil()
            share, spread = ink(image)
            assert share > 0.01 and spread > 10, (number, share, spread)
        page = document[1].get_textpage()
        text = " ".join(page.get_text_range().split())  # long category names wrap onto two lines
        page.close()
        assert "Các chỉ tiêu chính so với mục tiêu" in text and "Tỷ lệ hồ sơ nộp trực tuyến" in text
        # the chart's labels: this month's figures in the Vietnamese number format, at the slide's decimals
        headlines = pack.slides[1]
        for name, value in headlines.frame.iloc[:, 0].items():
            decimals = headlines.decimals[name]
            assert f"{value:.{decimals}f}".replace(".", ",") in text, name
    finally:
        document.close()


def test_a_chart_downloads_as_a_png_that_shows_the_chart(pack):
    trend = next(slide for slide in pack.slides if slide.kind == "line_chart")
    image = Image.open(io.BytesIO(chart_png(figure(trend, "vi"))))

    assert image.format == "PNG" and image.size == (1600, 900)
    share, spread = ink(image)
    assert share > 0.01 and spread > 10


def test_the_printable_page_escapes_every_name_it_shows():
    hostile = '<img src=x onerror="alert(1)">'
    table = pd.DataFrame({"Hạng": [1], "Đơn vị": [hostile], "Chỉ số 766": [90.5]})
    pack = MeetingPack("00001", hostile, "commune", MONTH, "vi", "Nguồn", [
        Slide("cover", "Tiêu đề", hostile, bullets=["Tháng 10/2026", "Nguồn"]),
        Slide("table", "Bảng", frame=table, decimals={"Hạng": 0, "Chỉ số 766": 2}, highlight=0)])

    page = pack_html(pack)

    assert hostile not in page and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    assert "90,50" in page
