"""The Map page in a real browser: it draws every commune with nothing fetched from the internet, hover
shows value and rank, and a click on a province zooms to its communes."""

from __future__ import annotations

import csv
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import FOREIGN_RESOURCES, REPO_ROOT
from tests.e2e.test_overview_browser import ERRORS

pytestmark = pytest.mark.e2e
expect.set_options(timeout=30_000)

COMMUNES, PROVINCES = 3321, 34
TITLE = {"vi": "Bản đồ xã, phường, đặc khu", "en": "Commune map"}
LEVEL = {"vi": ("Cấp hiển thị", "Tỉnh, thành phố", "Xã, phường"), "en": ("Show", "Provinces", "Communes")}
RANK = {"vi": "Hạng: ", "en": "Rank: "}
SHAPES = ".js-plotly-plot .choroplethlayer path"
NAMES = {row["commune_code"]: row["commune_full_name"]
         for row in csv.DictReader(open(REPO_ROOT / "data" / "admin_units_2025.csv", encoding="utf-8"))}

# A point inside the first drawn shape wider than 20 px (the geo layer takes the pointer, not the paths).
_INSIDE = """() => { for (const path of document.querySelectorAll('.choroplethlayer path')) {
    const box = path.getBoundingClientRect();
    if (box.width < 20) continue;
    for (let i = 1; i < 10; i++) for (let j = 1; j < 10; j++) {
        const x = box.left + box.width * i / 10, y = box.top + box.height * j / 10;
        if (path.isPointInFill(new DOMPoint(x, y).matrixTransform(path.getScreenCTM().inverse()))) return [x, y];
    } } return null; }"""
_BASE_IS_EMPTY = """() => { const base = (window.PlotlyGeoAssets || {topojson: {}}).topojson.world_110m;
    return !!base && Object.values(base.objects).every((layer) => layer.geometries.length === 0); }"""
_HOVER = "() => Array.from(document.querySelectorAll('.hoverlayer text')).map(t => t.textContent).join(' | ')"


@pytest.mark.parametrize(("locale", "lang"), [("vi-VN", "vi"), ("en-US", "en")])
def test_the_map_draws_offline_and_a_province_click_zooms_to_its_communes(open_app, rerun, screenshot, app_url,
                                                                          locale, lang):
    outside: list[str] = []
    page = open_app(locale, "/map")
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((app_url, "data:", "blob:")) else None)
    expect(page.get_by_role("heading", level=1, name=TITLE[lang])).to_be_visible()
    expect(page.locator(SHAPES)).to_have_count(COMMUNES)
    expect(page.locator(ERRORS)).to_have_count(0)
    # the base topology plotly loaded is the repository's empty one, not a world map from a CDN
    assert page.evaluate(_BASE_IS_EMPTY) is True
    assert page.evaluate(FOREIGN_RESOURCES, app_url) == []  # everything the page loaded so far
    screenshot(page, f"map_{lang}.png")

    label, provinces, communes = LEVEL[lang]
    rerun(page, lambda: page.get_by_role("radiogroup", name=label).get_by_text(provinces, exact=True).click())
    expect(page.locator(SHAPES)).to_have_count(PROVINCES)
    x, y = page.evaluate(_INSIDE)
    page.mouse.move(x, y)
    page.wait_for_function(f"() => ({_HOVER})().includes('{RANK[lang]}')")
    assert f"/{PROVINCES}" in page.evaluate(_HOVER)

    rerun(page, lambda: page.mouse.click(x, y))
    shapes = page.locator(SHAPES).count()
    assert 20 < shapes < 500  # one province's communes
    expect(page.get_by_role("radiogroup", name=label).get_by_role("radio", name=communes)).to_be_checked()
    expect(page.locator(ERRORS)).to_have_count(0)
    screenshot(page, f"map_zoomed_{lang}.png")
    assert outside == []


def test_a_click_on_a_commune_opens_its_profile(open_app, rerun):
    page = open_app("vi-VN", "/map")
    zoom = page.get_by_role("combobox", name="Phóng tới tỉnh, thành phố")
    rerun(page, lambda: (zoom.click(), page.get_by_role("option", name=re.compile(r"^Cao Bằng \(")).click()))
    x, y = page.evaluate(_INSIDE)

    page.mouse.click(x, y)

    page.wait_for_url("**/profile?unit=*", timeout=30_000)
    code = page.url.split("unit=")[1][:5]
    expect(page.get_by_role("heading", name=NAMES[code])).to_be_visible()  # the profile of the clicked unit
    expect(page.locator(ERRORS)).to_have_count(0)
