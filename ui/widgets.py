"""Shared widgets; each owns its widget keys."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.overview import Headline, Scope, communes, months, provinces
from ui.data import query
from i18n import translate
from ui.i18n import language, number, t


def scope_and_month(key: str) -> tuple[Scope, str | None]:
    """Level (country / province / commune), the unit and the month; the latest month by default."""
    available = query(months)
    lang = language()  # format functions are kept and re-run later by Streamlit: bind the language now
    level = st.segmented_control(t("scope.level"), ["country", "province", "commune"], default="country",
                                 format_func=lambda v: translate(f"scope.{v}", lang), key=f"{key}_level") or "country"
    scope = Scope()
    cols = st.columns([2, 3, 2])
    if level in ("province", "commune"):
        table = query(provinces)
        name_col = "name_en" if language() == "en" else "name_vi"
        names = dict(zip(table["code"], table[name_col]))
        province = cols[0].selectbox(t("scope.province"), list(names), format_func=names.get, key=f"{key}_province")
        scope = Scope(province)
        if level == "commune":
            units = query(communes, province)
            labels = dict(zip(units["code"], units["full_name_vi"] + " (" + units["code"] + ")"))
            commune = cols[1].selectbox(t("scope.commune"), list(labels), format_func=labels.get,
                                        key=f"{key}_commune")
            scope = Scope(commune)
    month = cols[2].selectbox(t("scope.month"), list(reversed(available)), key=f"{key}_month",
                              format_func=lambda p: month_label(p, lang)) if available else None
    return scope, month


def month_label(period: str, lang: str) -> str:
    return translate("month.label", lang, month=str(int(period[5:7])), year=period[:4])


def headline_card(card: Headline, name: str, unit: str, decimals: int) -> None:
    """st.metric with locale-formatted value, change and a small trend line."""
    suffix = "%" if unit == "percent" else ""
    value = number(card.value, decimals) + suffix if card.value is not None else t("value.none")
    delta = None
    if card.change is not None:
        sign = "-" if card.change < 0 else "+"  # ASCII minus: st.metric reads the sign for the arrow colour
        delta = sign + number(abs(card.change), decimals) + (" " + t("unit.points") if unit == "percent" else "")
    trend = [v for v in card.series if v is not None]
    st.metric(name, value, delta, border=True, chart_data=trend if len(trend) > 1 else None, chart_type="line",
              help=t("card.units_reported", units=card.units))


def formatted_table(frame: pd.DataFrame, decimals: dict[str, int]) -> "pd.io.formats.style.Styler":
    """Numbers shown in the session's locale (1.234,5 / 1,234.5) while sorting stays numeric."""
    formats = {col: (lambda v, d=d: number(v, d) if pd.notna(v) else "–") for col, d in decimals.items()}
    return frame.style.format(formats)
