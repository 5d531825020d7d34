"""Every slide of the Presentation fits the screen it is shown on, with tick labels that never collide.

Walked in Chromium at the common office laptop / projector size (1366×768) and at full HD (1920×1080), for a
commune's and a province's meeting pack: every element of the slide must lie inside the window and inside
the slide itself (nothing cut off, nothing hidden under its lower edge), and no two tick labels of a chart
may overlap. A picture of every slide at both sizes is saved in tests/e2e/screenshots/ for a person to
look at. Full screen can be turned off and on again by mouse and keyboard, and Esc leaves it.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_overview_browser import ERRORS

pytestmark = pytest.mark.e2e
expect.set_options(timeout=15_000)

SIZES = [(1366, 768), (1920, 1080)]
UNITS = {"08377": "commune", "25": "province"}  # Xã Vân Bán; Phú Thọ

# Every visible element of the slide whose box leaves the window or the slide: [] when the slide fits.
OUTSIDE = """() => {
  const stage = document.querySelector(".st-key-present_stage");
  const slide = stage.getBoundingClientRect();
  const width = window.innerWidth, height = window.innerHeight;
  const out = [];
  const clip = (box, clipped) => {
    const id = (clipped.getAttribute("clip-path").match(/#([^)'"]+)/) || [])[1];
    const shape = id && document.getElementById(id)?.querySelector("rect");
    if (!shape) return box;
    const matrix = clipped.getScreenCTM();
    const corner = (x, y) => new DOMPoint(x, y).matrixTransform(matrix);
    const x = +shape.getAttribute("x") || 0, y = +shape.getAttribute("y") || 0;
    const a = corner(x, y), b = corner(x + +shape.getAttribute("width"), y + +shape.getAttribute("height"));
    const left = Math.max(box.left, Math.min(a.x, b.x)), right = Math.min(box.right, Math.max(a.x, b.x));
    const top = Math.max(box.top, Math.min(a.y, b.y)), bottom = Math.min(box.bottom, Math.max(a.y, b.y));
    return {left, right, top, bottom, width: right - left, height: bottom - top};
  };
  for (const element of stage.querySelectorAll("*")) {
    if (element.children.length || element.closest("defs, clipPath")) continue;  // what is drawn: the leaves
    let box = element.getBoundingClientRect();
    const clipped = element.closest("[clip-path]");  // plotly clips bars to the plot area: what shows counts
    if (clipped) box = clip(box, clipped);
    if (box.width <= 0 || box.height <= 0) continue;
    const style = getComputedStyle(element);
    if (style.visibility === "hidden" || style.display === "none") continue;
    const limit = {left: Math.max(0, slide.left), top: Math.max(0, slide.top),
                   right: Math.min(width, slide.right), bottom: Math.min(height, slide.bottom)};
    if (box.left < limit.left - 1 || box.top < limit.top - 1 || box.right > limit.right + 1
        || box.bottom > limit.bottom + 1) {
      const text = (element.textContent || "").trim().slice(0, 40);
      out.push(`${element.tagName}.${element.getAttribute("class") || ""} "${text}" `
               + `[${Math.round(box.left)},${Math.round(box.top)} – ${Math.round(box.right)},${Math.round(box.bottom)}]`);
    }
  }
  return {out, slide: [slide.top, slide.bottom], window: [width, height]};
}"""

# Pairs of tick labels (x with x, y with y) whose boxes overlap by more than a pixel.
COLLIDING = """() => {
  const found = [];
  for (const axis of ["xtick", "ytick"]) {
    const labels = [...document.querySelectorAll(`.st-key-present_stage .${axis} text`)]
      .map((text) => [text.textContent, text.getBoundingClientRect()]).filter(([, box]) => box.width > 0);
    labels.forEach(([a, one], i) => labels.slice(i + 1).forEach(([b, two]) => {
      const across = Math.min(one.right, two.right) - Math.max(one.left, two.left);
      const down = Math.min(one.bottom, two.bottom) - Math.max(one.top, two.top);
      if (across > 1 && down > 1) found.push(`${a} / ${b}`);
    }));
  }
  return found;
}"""
# a chart on the slide has drawn its ticks at the size the slide gave it
CHART_DRAWN = """() => {
  if (document.querySelector(".st-key-present_stage [data-testid='stSkeleton']")) return false;  // still loading
  const chart = document.querySelector(".st-key-present_stage .stPlotlyChart");
  if (!chart) return true;
  const svg = chart.querySelector(".main-svg");
  return !!svg && svg.querySelectorAll(".xtick, .ytick").length > 0
    && Math.abs(svg.getBoundingClientRect().height - chart.getBoundingClientRect().height) < 2;
}"""


def position(page) -> tuple[int, int]:
    text = page.locator(".st-key-present_bar [data-testid='stCaptionContainer']").inner_text()
    number, total = (int(n) for n in re.findall(r"\d+", text)[:2])
    return number, total


def settle(page) -> None:
    page.wait_for_function(CHART_DRAWN)
    page.wait_for_timeout(300)  # plotly's own relayout after Streamlit sized the chart
    page.wait_for_function(CHART_DRAWN)


def check_slide(page, where: str) -> None:
    settle(page)
    expect(page.locator(ERRORS)).to_have_count(0)
    fit = page.evaluate(OUTSIDE)
    assert fit["out"] == [], f"{where}: outside the slide {fit['slide']} or the window {fit['window']}: {fit['out']}"
    assert page.evaluate(COLLIDING) == [], f"{where}: tick labels overlap"


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("unit", list(UNITS))
def test_every_slide_fits_the_screen_with_tick_labels_apart(open_app, rerun, unit, width, height):
    page = open_app("vi-VN", f"/present?unit={unit}")
    page.set_viewport_size({"width": width, "height": height})
    page.wait_for_timeout(500)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    number, total = position(page)
    assert number == 1 and total >= 8
    while True:
        where = f"{UNITS[unit]} {unit}, slide {number}/{total} at {width}×{height}"
        settle(page)
        page.mouse.move(0, 0)
        page.screenshot(path=SCREENSHOTS / f"present_{UNITS[unit]}_{width}x{height}_{number:02d}.png",
                        animations="disabled")
        check_slide(page, where)
        if number == total:
            break
        rerun(page, lambda: page.keyboard.press("ArrowRight"))
        assert position(page)[0] == number + 1
        number += 1
    expect(page.locator(".st-key-present_next button")).to_be_disabled()


def reachable(page, selector: str) -> bool:
    """Whether a click in the middle of the element lands on it (not on a header drawn over it)."""
    return page.evaluate("""(selector) => {
      const element = document.querySelector(selector);
      const box = element.getBoundingClientRect();
      const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
      return box.top >= 0 && box.bottom <= window.innerHeight && !!hit && element.contains(hit);
    }""", selector)


def test_full_screen_turns_off_and_on_by_mouse_and_keyboard_and_esc_leaves_it(open_app, rerun):
    page = open_app("vi-VN", "/present?unit=08377")
    page.set_viewport_size({"width": 1366, "height": 768})
    toggle = ".st-key-present_full_screen label"
    expect(page.get_by_test_id("stSidebar")).to_be_hidden()
    page.wait_for_function("() => window.__xasoPresentKeys === true")

    page.mouse.click(5, 300)  # the page, not a field, has the focus
    rerun(page, lambda: page.keyboard.press("Escape"))
    expect(page.get_by_test_id("stSidebar")).to_be_visible()
    expect(page.get_by_test_id("stHeader")).to_be_visible()
    assert reachable(page, toggle), "the full-screen toggle lies under the header"
    rerun(page, lambda: page.keyboard.press("ArrowRight"))  # the slides still fit with the sidebar shown
    check_slide(page, "headline slide, full screen off")
    page.screenshot(path=SCREENSHOTS / "present_not_full_screen_1366x768.png", animations="disabled")

    # the choices are complete in this mode: the level control and every picker inside the window
    page.locator(".st-key-present_choose button").first.click()
    choices = page.get_by_test_id("stPopoverBody")
    level = choices.get_by_test_id("stButtonGroup")
    expect(level).to_be_visible()
    expect(level.locator("button")).to_have_count(2)  # province and commune, neither cut off
    for shown in [level, *choices.get_by_test_id("stSelectbox").all()]:
        box = shown.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1366 and box["y"] + box["height"] <= 768
    page.keyboard.press("Escape")  # closes the choices, not full screen (which is off)
    expect(page.get_by_test_id("stPopoverBody")).to_be_hidden()

    rerun(page, lambda: page.locator(toggle).click())  # by mouse, back on
    expect(page.get_by_test_id("stSidebar")).to_be_hidden()
    assert reachable(page, toggle)

    page.locator(".st-key-present_full_screen input").focus()
    rerun(page, lambda: page.keyboard.press("Space"))  # by keyboard, off again
    expect(page.get_by_test_id("stSidebar")).to_be_visible()
    rerun(page, lambda: page.keyboard.press("Space"))  # and on
    expect(page.get_by_test_id("stSidebar")).to_be_hidden()
