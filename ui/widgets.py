"""Shared widgets; each owns its widget keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

import pandas as pd
import streamlit as st

from analytics.coverage import default_month, month_coverages, scope_coverage
from analytics.overview import CommuneStanding, Headline, Scope, months
from ui.data import query
from ui.labels import commune_labels, province_labels, province_names
from i18n import LANGUAGES, format_number, translate
from ui.i18n import language, number, t
from ui.tables import styled
from ui.text import plain, t_plain


def choice(kind: str, label: str, options: list[Any], key: str, format_func: Callable[[Any], str],
           container: Any = st, default: Any = None) -> Any:
    """A selectbox or segmented control (`kind`) whose choice survives a change of language.

    Streamlit keeps a choice by its shown label, and labels change with the language; so the widget is
    keyed per language and the choice itself is kept under `key`, in a form no language changes.
    """
    kept = st.session_state.get(key)
    index = options.index(kept) if kept in options else options.index(default) if default in options else 0
    widget, widget_key = getattr(container, kind), f"{key}.{language()}"
    if kind == "segmented_control":
        picked = widget(label, options, default=options[index], format_func=format_func, key=widget_key)
    else:
        picked = widget(label, options, index=index, format_func=format_func, key=widget_key)
    if picked is None and (kind == "segmented_control" or None not in options):
        picked = options[index]  # a second click clears a segmented control: the choice stays
    st.session_state[key] = picked
    return picked



def reset_choice(key: str, value: Any) -> None:
    """Make `value` the choice kept under `key` (see choice) before its widget is drawn in this run: the
    widget's own per-language states are dropped, so it is made anew showing `value`."""
    st.session_state[key] = value
    for lang in LANGUAGES:
        st.session_state.pop(f"{key}.{lang}", None)

def scope_and_month(key: str) -> tuple[Scope, str | None]:
    """Level (country / province / commune), the unit and the month; the latest month by default."""
    available = query(months)
    lang = language()  # format functions are kept and re-run later by Streamlit: bind the language now
    level = choice("segmented_control", t("scope.level"), ["country", "province", "commune"], f"{key}_level",
                   lambda v: translate(f"scope.{v}", lang))
    scope = Scope()
    cols = st.columns([2, 3, 2])
    if level in ("province", "commune"):
        names = province_labels(lang)
        scope = Scope(choice("selectbox", t("scope.province"), list(names), f"{key}_province", names.get, cols[0]))
        if level == "commune":
            labels = commune_labels(scope.code, lang)
            scope = Scope(choice("selectbox", t("scope.commune"), list(labels), f"{key}_commune", labels.get,
                                 cols[1]))
    month = month_choice(f"{key}_month", available, scope.code, cols[2])
    if month is not None:
        coverage_note(month, scope.code)
    return scope, month


def month_choice(key: str, available: list[str], scope: str | None, container: Any = st,
                 label: str = "scope.month") -> str | None:
    """The month picker of every page: latest first, opening on the latest complete month of the scope
    (analytics.coverage.default_month); a partial month is marked with how many units reported."""
    if not available:
        return None
    lang = language()  # format functions are kept and re-run later by Streamlit: bind the language now
    coverages = query(month_coverages, scope)

    def shown(period: str) -> str:
        found = coverages.get(period)
        if found is None or found.complete():
            return month_label(period, lang)
        return translate("coverage.partial_option", lang, month=month_label(period, lang),
                         reported=format_number(found.reported, lang), expected=format_number(found.expected, lang))

    return choice("selectbox", t(label), list(reversed(available)), key, shown, container,
                  default=query(default_month, scope))


def coverage_note(month: str, scope: str | None) -> None:
    """Under the controls: a partial month says how many units its figures stand on."""
    found = query(scope_coverage, month, scope)
    if not found.complete():
        st.warning(t("coverage.partial", reported=number(found.reported), expected=number(found.expected),
                     month=month_label(month, language())))


def month_label(period: str, lang: str) -> str:
    return translate("month.label", lang, month=str(int(period[5:7])), year=period[:4])


def short_name(code: str) -> str:
    """A headline indicator's short title ('Nộp trực tuyến'), which fits a card and a column at 1366 px;
    the catalog's full name goes in the help beside it."""
    return t(f"indicator.short.{code}")


def headline_card(card: Headline, name: str, unit: str, decimals: int, full_name: str | None = None) -> None:
    """st.metric with locale-formatted value, change and a small trend line; `name` is the card's title,
    `full_name` (when the title is a short one) heads its help."""
    suffix = "%" if unit == "percent" else ""
    value = number(card.value, decimals) + suffix if card.value is not None else t("value.none")
    delta, colour = None, "normal"
    if card.change is not None:
        size = number(abs(card.change), decimals)
        unchanged = size == number(0, decimals)  # -0.04 shows as 0,0: no arrow, no red
        sign = "" if unchanged else "-" if card.change < 0 else "+"  # ASCII: st.metric reads it for the arrow
        delta = sign + size + (" " + t("unit.points") if unit == "percent" else "")
        colour = "off" if unchanged else "normal"
    trend = [v for v in card.series if v is not None]
    st.metric(plain(name), value, delta, delta_color=colour, border=True, chart_data=trend if len(trend) > 1 else None,
              chart_type="line",
              help=f"**{plain(full_name or name)}** — {t_plain('card.units_reported', units=number(card.units))}")
    if card.partial:  # an area figure over a few units is labelled, never passed off as the area's
        st.caption("◐ " + t("card.partial", units=number(card.units), expected=number(card.expected)))


def commune_rank(standing: CommuneStanding) -> None:
    """'Hạng 82/141 trong Phú Thọ · 1.955/3.221 cả nước' on the service index, or why there is none."""
    lang = language()
    province = province_names(lang).get(standing.province_code, standing.province_code)
    if standing.province_rank is None:
        st.caption(t_plain("overview.commune_unranked", province=province))
        return
    st.markdown(t_plain("overview.commune_rank", rank=number(standing.province_rank),
                        rank_of=number(standing.province_ranked), province=province,
                        national=number(standing.national_rank), national_of=number(standing.national_ranked)))


def province_figure(card: Headline | None, unit: str, decimals: int, province_code: str) -> None:
    """The province's figure under a commune's card, to compare with."""
    lang = language()
    value = card.value if card is not None else None
    shown = t("value.none") if value is None else number(value, decimals) + ("%" if unit == "percent" else "")
    st.caption(t_plain("overview.province_figure", province=province_names(lang).get(province_code, province_code),
                       value=shown))


def formatted_table(frame: pd.DataFrame, decimals: dict[str, int]) -> "pd.io.formats.style.Styler":
    """Numbers shown in the session's locale (1.234,5 / 1,234.5) while sorting stays numeric; for
    st.dataframe as it is (rendered once per content and language by ui.tables.styled: style it no further)."""
    lang = language()  # Styler calls these once per cell (13,000 on the national Overview): bind the language now

    def style(table: pd.DataFrame) -> "pd.io.formats.style.Styler":
        return table.style.format({col: (lambda v, d=d: format_number(v, lang, d) if pd.notna(v) else "–")
                                   for col, d in decimals.items()})

    return styled(frame, style, ("formatted_table", lang, tuple(sorted(decimals.items()))))


def stop_without_data(message: str) -> NoReturn:
    """An empty database: say what the page needs, show the command that loads the demo data, and stop."""
    st.info(message)
    st.code("python -m etl demo", language="bash")
    st.stop()
