"""Presentation mode: the meeting pack one slide at a time, large type, full screen, arrow keys.

The slides are analytics.meeting's MeetingPack, the same content as the PowerPoint deck and the PDF.
Styling is static CSS; every text from the data goes through Streamlit's own elements, never HTML.
"""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from analytics.deck import PPTX_MIME, deck_bytes
from analytics.exports import safe_file_name
from analytics.meeting import MeetingPack, Slide
from analytics.meeting_charts import CHART_KINDS, figure
from analytics.meeting_pdf import chart_png, chromium, pdf_bytes
from analytics.overview import communes, months, provinces
from errors import XasoError
from i18n import translate
from ui.data import query
from ui.exports import decimal_format, table_downloads
from ui.i18n import language, number, t
from ui.links import follow_linked_period, linked_unit
from ui.widgets import choice, month_label, reset_choice

SLIDE_KEY = "present_slide"
PREVIOUS_KEY, NEXT_KEY = "present_previous", "present_next"
_SHOWN_FOR = "present_shown_for"

# Larger type everywhere on this page; full screen hides Streamlit's header, toolbar and sidebar.
_LARGE_CSS = """<style>
.stMainBlockContainer { padding-top: 1.5rem; max-width: 100%; }
.stMainBlockContainer h1 { font-size: 3rem; }
.stMainBlockContainer h2 { font-size: 2.2rem; }
.stMainBlockContainer h3 { font-size: 1.8rem; }
.stMainBlockContainer p, .stMainBlockContainer li { font-size: 1.6rem; }
.stMainBlockContainer table { font-size: 1.5rem; }
.stMainBlockContainer table td, .stMainBlockContainer table th { padding: 0.35rem 0.8rem; }
.st-key-present_previous button, .st-key-present_next button { font-size: 1.4rem; min-height: 3rem; }
</style>"""
_FULL_SCREEN_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"] { display: none !important; }
</style>"""
# ArrowLeft / ArrowRight (and PageUp / PageDown, as presentation clickers send) press the page's own
# buttons; keys typed into a field are left alone. The listener is added to the app's window once.
_ARROW_KEYS = """<script>
const app = window.parent;
if (!app.__xasoPresentKeys) {
  app.__xasoPresentKeys = true;
  app.document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))) return;
    const key = {ArrowRight: "present_next", PageDown: "present_next", ArrowLeft: "present_previous",
                 PageUp: "present_previous"}[event.key];
    const button = key && app.document.querySelector(`.st-key-${key} button`);
    if (button && !button.disabled) { event.preventDefault(); button.click(); }
  });
}
</script>"""


def unit_and_month(key: str) -> tuple[str | None, str | None]:
    """Commune or province, the unit, and the month (latest first); a link's ?unit= preselects it."""
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
    cols = st.columns([2, 2, 3, 2])
    level = choice("segmented_control", t("deck.present.level"), ["commune", "province"], f"{key}_level",
                   lambda v: translate(f"scope.{v}", lang), cols[0])
    table = query(provinces)
    names = dict(zip(table["code"], table["name_en" if lang == "en" else "name_vi"]))
    province = choice("selectbox", t("scope.province"), list(names), f"{key}_province", names.get, cols[1])
    unit = province
    if level == "commune":
        units = query(communes, province)
        labels = dict(zip(units["code"], units["full_name_vi"] + " (" + units["code"] + ")"))
        unit = choice("selectbox", t("scope.commune"), list(labels), f"{key}_commune", labels.get, cols[2])
    follow_linked_period(f"{key}_month", available)
    month = choice("selectbox", t("scope.month"), list(reversed(available)), f"{key}_month",
                   lambda p: month_label(p, lang), cols[3]) if available else None
    return unit, month


def styles(full_screen: bool) -> None:
    st.markdown(_LARGE_CSS + (_FULL_SCREEN_CSS if full_screen else ""), unsafe_allow_html=True)


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


def navigation(position: int, total: int) -> None:
    """Previous / next buttons with the slide number between them, and the arrow keys."""
    left, middle, right = st.columns([1, 2, 1], vertical_alignment="center")
    left.button(t("deck.present.previous"), key=PREVIOUS_KEY, on_click=_step, args=(-1,), disabled=position == 0,
                width="stretch", icon=":material/arrow_back:")
    middle.caption(t("deck.present.position", number=position + 1, total=total))
    right.button(t("deck.present.next"), key=NEXT_KEY, on_click=_step, args=(1,), disabled=position >= total - 1,
                 width="stretch", icon=":material/arrow_forward:")
    st.iframe(_ARROW_KEYS, height=1)  # holds only the key listener's script


def _plain(text: str) -> str:
    """Text shown as markdown without any of its characters acting as markup."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$])", r"\\\1", text)


def show(slide: Slide, pack: MeetingPack, position: int) -> None:
    """One slide, large."""
    st.title(slide.title, anchor=False)
    if slide.kind == "cover":
        st.header(slide.subtitle, anchor=False)
        month, source = slide.bullets
        st.subheader(month, anchor=False)
        st.caption(source)
        return
    if slide.subtitle:
        st.subheader(slide.subtitle, anchor=False)
    if slide.kind in CHART_KINDS:
        fig = figure(slide, pack.lang, font_size=22)
        fig.update_layout(height=560)
        st.plotly_chart(fig, theme=None, config={"displaylogo": False}, key=f"present_chart_{position}")
        _png_download(fig, pack, position)
    elif slide.kind == "table":
        st.table(_styled(slide, pack.lang))
        formats = {column: decimal_format(places) for column, places in slide.decimals.items()}
        if slide.signed_column:
            formats[slide.signed_column] = "+0;-0;0"
        table_downloads(slide.frame, slide.title, f"{pack.unit_name} · {month_label(pack.month, pack.lang)}",
                        formats, f"present_table_{position}", safe_file_name(pack.file_stem, str(position + 1)))
    for bullet in slide.bullets:
        st.markdown("• " + _plain(bullet))
    if slide.notes:
        with st.expander(t("deck.present.notes")):
            st.caption(_plain(slide.notes))


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
    styler = slide.frame.style.format(formats).hide(axis="index")
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
