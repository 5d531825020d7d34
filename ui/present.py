"""Presentation mode: the meeting pack one slide at a time, large type, full screen, arrow keys.

The slides are analytics.meeting's MeetingPack, the same content as the PowerPoint deck and the PDF.
Styling is static CSS; every text from the data goes through Streamlit's own elements, never HTML.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from analytics.deck import PPTX_MIME, deck_bytes
from analytics.exports import safe_file_name
from analytics.meeting import MeetingPack, Slide
from analytics.meeting_charts import CHART_KINDS, figure
from analytics.meeting_pdf import chart_png, chromium, pdf_bytes
from analytics.overview import communes, months
from errors import XasoError
from i18n import translate
from ui.data import query
from ui.labels import commune_labels, province_labels
from ui.exports import decimal_format, table_downloads
from ui.i18n import language, number, t
from ui.text import plain, t_plain
from ui.links import follow_linked_period, linked_unit
from ui.widgets import choice, coverage_note, month_choice, month_label, reset_choice

SLIDE_KEY = "present_slide"
PREVIOUS_KEY, NEXT_KEY = "present_previous", "present_next"
FULL_SCREEN_KEY = "present_full_screen"
STAGE_KEY = "present_stage"  # the container holding one slide, sized to the window
_SHOWN_FOR = "present_shown_for"

# Every slide fits the window it is shown in (1366×768 as well as 1920×1080): the slide is a column as
# tall as the window below the bar, type scales with the window's height (vh), and a chart takes what
# the title, subtitle and bullets leave. What is not the slide (downloads, notes) follows below it.
_LARGE_CSS = """<style>
.stMainBlockContainer { padding: 4.5rem 1.5rem 1rem; max-width: 100%; }
.st-key-present_bar { gap: 0.75rem; }
div:has(> .st-key-present_stage) { height: calc(100vh - 8.75rem); min-height: 18rem; }
.stElementContainer:has(> .stMarkdown style), .stElementContainer:has(> .stIFrame) {
  position: absolute; height: 0; overflow: hidden; }
.st-key-present_stage .stHeading [data-testid="stMarkdownContainer"] { margin-bottom: 0; }
.st-key-present_stage { height: 100%; flex-wrap: nowrap; gap: 0.5rem; overflow: hidden; }
.st-key-present_stage > div { flex-shrink: 0; }
.st-key-present_stage > div:has(.stPlotlyChart) { flex: 1 1 0; min-height: 0; }
.st-key-present_stage h1, .st-key-present_stage h2, .st-key-present_stage h3 { padding: 0; line-height: 1.4; }
.st-key-present_stage h1 { font-size: clamp(1.6rem, 5vh, 3rem); }
.st-key-present_stage h2 { font-size: clamp(1.4rem, 4.2vh, 2.4rem); }
.st-key-present_stage h3 { font-size: clamp(1.1rem, 3.1vh, 1.8rem); font-weight: 500; }
.st-key-present_stage:has(h2) h1 { font-size: clamp(2rem, 7vh, 4rem); }  /* the cover, the one slide with h2 */
.st-key-present_stage:has(h2) h3 { font-size: clamp(1.4rem, 4.2vh, 2.4rem); }
.st-key-present_stage p, .st-key-present_stage li { font-size: clamp(1rem, 2.9vh, 1.6rem); margin-bottom: 0.2rem; }
.st-key-present_stage [data-testid="stCaptionContainer"] p { font-size: clamp(0.9rem, 2.4vh, 1.3rem); }
.st-key-present_stage table { font-size: clamp(0.9rem, 2.6vh, 1.5rem); }
.st-key-present_stage table td, .st-key-present_stage table th { padding: 0.15em 0.6em; }
.st-key-present_previous button, .st-key-present_next button { font-size: 1.2rem; min-height: 2.5rem; }
</style>"""
_FULL_SCREEN_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"] { display: none !important; }
.stMainBlockContainer { padding-top: 0.75rem; }
div:has(> .st-key-present_stage) { height: calc(100vh - 5rem); }
</style>"""
# ArrowLeft / ArrowRight (and PageUp / PageDown, as presentation clickers send) press the page's own
# buttons, Escape turns full screen off; keys typed into a text field are left alone. The listener is
# added to the app's window once.
_ARROW_KEYS = """<script>
const app = window.parent;
if (!app.__xasoPresentKeys) {
  app.__xasoPresentKeys = true;
  app.document.addEventListener("keydown", (event) => {
    const target = event.target;
    const typing = target && (target.isContentEditable || ["TEXTAREA", "SELECT"].includes(target.tagName)
      || (target.tagName === "INPUT" && !["checkbox", "radio", "button"].includes(target.type)));
    if (typing || event.defaultPrevented) return;
    if (event.key === "Escape") {
      const full = app.document.querySelector(".st-key-present_full_screen input[type=checkbox]");
      if (full && full.checked) { event.preventDefault(); full.click(); }
      return;
    }
    const key = {ArrowRight: "present_next", PageDown: "present_next", ArrowLeft: "present_previous",
                 PageUp: "present_previous"}[event.key];
    const button = key && app.document.querySelector(`.st-key-${key} button`);
    if (button && !button.disabled) { event.preventDefault(); button.click(); }
  });
}
</script>"""


@dataclass
class Bar:
    """The one row above the slide: full screen on or off, previous, where we are, next, the choices."""

    full_screen: bool
    previous: Any
    position: Any
    next: Any
    choose: Any


def bar() -> Bar:
    """The bar, with the full-screen toggle drawn (on by default) and the page's styles for that mode."""
    row = st.container(horizontal=True, vertical_alignment="center", key="present_bar")
    full_screen = row.toggle(t("deck.present.full_screen"), value=True, key=FULL_SCREEN_KEY,
                             help=t("deck.present.full_screen_help"))
    st.markdown(_LARGE_CSS + (_FULL_SCREEN_CSS if full_screen else ""), unsafe_allow_html=True)
    previous, position, next_, choose = (row.container(width=w) for w in (200, 170, 200, "stretch"))
    return Bar(full_screen, previous, position, next_, choose)


def _asking(key: str) -> bool:
    """No unit chosen yet (an account without a province, no link or an unknown one): the choices are shown
    open. Called after a link's choices are set."""
    if st.session_state.get(f"{key}_province") is None:
        return True
    return st.session_state.get(f"{key}_level") == "commune" and st.session_state.get(f"{key}_commune") is None


def _pick(label: str, options: list[str], key: str, format_func: Callable[[str], str], prompt: str,
          container: Any) -> str | None:
    """A selectbox that starts empty with a prompt until something is chosen (see ui.widgets.choice)."""
    kept = st.session_state.get(key)
    picked = container.selectbox(label, options, index=options.index(kept) if kept in options else None,
                                 format_func=format_func, placeholder=prompt, key=f"{key}.{language()}")
    st.session_state[key] = picked
    return picked


def unit_and_month(key: str, place: Any) -> tuple[str | None, str | None]:
    """Commune or province, the unit, and the month (latest first), drawn in `place`; a link's ?unit=
    preselects it, an account's province starts on it, and with neither the person is asked."""
    lang = language()
    available = query(months)
    linked = linked_unit()
    if linked and linked != st.session_state.get(f"{key}_linked"):
        # a new link wins over the kept choice: the pickers are made anew on the linked unit
        st.session_state[f"{key}_linked"] = linked
        is_province = len(linked) == 2
        every_commune = query(communes, None)
        parents = dict(zip(every_commune["code"], every_commune["province_code"]))
        reset_choice(f"{key}_level", "province" if is_province else "commune")
        reset_choice(f"{key}_province", linked if is_province else parents.get(linked))
        reset_choice(f"{key}_commune", None if is_province else linked)
    if st.session_state.get(f"{key}_level") is None:  # a province of one's own opens on the province itself
        st.session_state[f"{key}_level"] = "commune" if st.session_state.get(f"{key}_commune") else "province"
    holder = place if _asking(key) else place.popover(t("deck.present.choose"), icon=":material/tune:",
                                                      width="stretch", key=f"{key}_choose")
    level = choice("segmented_control", t("deck.present.level"), ["province", "commune"], f"{key}_level",
                   lambda v: translate(f"scope.{v}", lang), holder)
    names = province_labels(lang)
    province = _pick(t("scope.province"), list(names), f"{key}_province", names.get,
                     t("deck.present.pick_province"), holder)
    unit = province
    if level == "commune":
        unit = None
        if province is not None:
            labels = commune_labels(province, lang)
            unit = _pick(t("scope.commune"), list(labels), f"{key}_commune", labels.get,
                         t("deck.present.pick_commune"), holder)
    follow_linked_period(f"{key}_month", available)
    month = month_choice(f"{key}_month", available, unit, holder)
    if month is not None and unit:
        coverage_note(month, unit)
    return unit, month


def current_slide(pack: MeetingPack) -> int:
    """The slide shown, back to the first when the unit, month or language changes."""
    shown_for = (pack.unit_code, pack.month, pack.lang)
    if st.session_state.get(_SHOWN_FOR) != shown_for:
        st.session_state[_SHOWN_FOR] = shown_for
        st.session_state[SLIDE_KEY] = 0
    st.session_state[SLIDE_KEY] = min(max(st.session_state.get(SLIDE_KEY, 0), 0), len(pack.slides) - 1)
    return st.session_state[SLIDE_KEY]


def _step(by: int) -> None:
    st.session_state[SLIDE_KEY] = st.session_state.get(SLIDE_KEY, 0) + by


def navigation(position: int, total: int, where: Bar) -> None:
    """Previous / next buttons with the slide number between them, and the arrow keys."""
    where.previous.button(t("deck.present.previous"), key=PREVIOUS_KEY, on_click=_step, args=(-1,),
                          disabled=position == 0, width="stretch", icon=":material/arrow_back:")
    where.position.caption(t_plain("deck.present.position", number=position + 1, total=total))
    where.next.button(t("deck.present.next"), key=NEXT_KEY, on_click=_step, args=(1,), disabled=position >= total - 1,
                      width="stretch", icon=":material/arrow_forward:")
    st.iframe(_ARROW_KEYS, height=1)  # holds only the key listener's script


def show(slide: Slide, pack: MeetingPack, position: int) -> None:
    """One slide, large, fitting the window; its downloads and the presenter's notes below it."""
    stage = st.container(key=STAGE_KEY, vertical_alignment="center" if slide.kind == "cover" else "top")
    stage.title(slide.title, anchor=False)
    if slide.kind == "cover":
        stage.header(slide.subtitle, anchor=False)
        month, source = slide.bullets
        stage.subheader(month, anchor=False)
        stage.caption(source)
        return
    if slide.subtitle:
        stage.subheader(slide.subtitle, anchor=False)
    if slide.kind in CHART_KINDS:
        fig = figure(slide, pack.lang, font_size=20)
        stage.plotly_chart(fig, theme=None, config={"displaylogo": False, "displayModeBar": False},
                           height="stretch", key=f"present_chart_{position}")
    elif slide.kind == "table":
        stage.table(_styled(slide, pack.lang))
    for bullet in slide.bullets:
        stage.markdown("• " + plain(bullet))
    if slide.kind in CHART_KINDS:
        _png_download(fig, pack, position)
    elif slide.kind == "table":
        formats = {column: decimal_format(places) for column, places in slide.decimals.items()}
        if slide.signed_column:
            formats[slide.signed_column] = "+0;-0;0"
        table_downloads(slide.frame, slide.title, f"{pack.unit_name} · {month_label(pack.month, pack.lang)}",
                        formats, f"present_table_{position}", safe_file_name(pack.file_stem, str(position + 1)))
    if slide.notes:
        with st.expander(t("deck.present.notes")):
            st.caption(plain(slide.notes))


def _styled(slide: Slide, lang: str) -> "pd.io.formats.style.Styler":
    def shown(value: object, places: int) -> str:
        if isinstance(value, str):  # the "…" row between the first places and the unit's neighbours
            return value
        return number(value, places) if pd.notna(value) else "–"

    def rank_change(value: object) -> str:
        if isinstance(value, str):
            return value
        if pd.isna(value):
            return "–"
        return f"▲ {int(value)}" if value > 0 else f"▼ {-int(value)}" if value < 0 else "="

    formats = {column: (lambda v, d=places: shown(v, d)) for column, places in slide.decimals.items()}
    if slide.signed_column:
        formats[slide.signed_column] = rank_change
    # written out before styling: a column holding the "…" row as well as numbers is not one Arrow type
    frame = slide.frame.copy()
    for column, written in formats.items():
        if column in frame.columns:
            frame[column] = frame[column].map(written)
    numbers = [column for column in formats if column in frame.columns]
    styler = frame.astype(str).style.hide(axis="index").set_properties(subset=numbers, **{"text-align": "right"})
    if slide.highlight is not None:
        mine = slide.highlight
        styler = styler.apply(lambda row: ["font-weight: bold; background-color: #ffe699" if row.name == mine
                                           else "" for _ in row], axis=1)
    return styler


def _browser_problem() -> str | None:
    try:
        chromium()
    except XasoError as exc:
        return exc.message(language())
    return None


def _png_download(fig, pack: MeetingPack, position: int) -> None:
    problem = _browser_problem()
    if problem:
        st.caption(problem)
        return
    st.download_button(t("deck.present.png"), lambda: chart_png(fig), mime="image/png", on_click="ignore",
                       file_name=f"{safe_file_name(pack.file_stem, str(position + 1))}.png",
                       icon=":material/image:", key=f"present_png_{position}")


def pack_downloads(pack: MeetingPack) -> None:
    """The whole pack as an editable PowerPoint deck and as a printable PDF, built when clicked."""
    buttons = st.container(horizontal=True)
    buttons.download_button(t("deck.present.pptx"), lambda: deck_bytes(pack), file_name=f"{pack.file_stem}.pptx",
                            mime=PPTX_MIME, on_click="ignore", icon=":material/slideshow:", key="present_pptx")
    problem = _browser_problem()
    if problem:
        buttons.caption(problem)
    else:
        buttons.download_button(t("deck.present.pdf"), lambda: pdf_bytes(pack), file_name=f"{pack.file_stem}.pdf",
                                mime="application/pdf", on_click="ignore", icon=":material/print:",
                                key="present_pdf")
