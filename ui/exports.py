"""Download buttons for any table: a formatted xlsx (title row naming the unit and period, bold frozen
header, number formats) and a CSV with a byte-order mark; formula-looking text is neutralised by
analytics.exports. The files are built only when a button is clicked."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from analytics.exports import safe_file_name, to_csv_bytes, to_xlsx_bytes
from analytics.overview import Scope, communes, provinces
from ui.data import query
from ui.i18n import language, t
from ui.widgets import month_label

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_title(title: str, context: str) -> str:
    """The xlsx title row: what the table is, then where and when ('Units in scope · Hà Nội · 10/2026')."""
    return f"{title} · {context}" if context else title


def table_downloads(frame: pd.DataFrame, title: str, context: str, number_formats: Mapping[str, str], key: str,
                    file_stem: str | None = None, *, sheet_name: str | None = None,
                    labels: tuple[str, str] | None = None) -> None:
    """Two buttons side by side: xlsx and CSV of `frame` as it stands (columns already named for people).
    The sheet is named `sheet_name` (else the title); `labels` are the xlsx and CSV buttons' texts, already
    translated (else 'Excel (.xlsx)' and 'CSV')."""
    stem = file_stem or safe_file_name(title, context)
    sheet = sheet_name or title  # resolved now: the file is built later, outside the script run
    xlsx_label, csv_label = labels or (t("deck.export.xlsx"), t("deck.export.csv"))
    buttons = st.container(horizontal=True)
    buttons.download_button(xlsx_label, lambda: to_xlsx_bytes(frame, export_title(title, context),
                                                              dict(number_formats), sheet_name=sheet),
                            file_name=f"{stem}.xlsx", mime=XLSX_MIME, on_click="ignore", icon=":material/download:",
                            key=f"{key}_xlsx")
    buttons.download_button(csv_label, lambda: to_csv_bytes(frame), file_name=f"{stem}.csv", mime="text/csv",
                            on_click="ignore", icon=":material/download:", key=f"{key}_csv")


def decimal_format(decimals: int) -> str:
    """An Excel number format with `decimals` places and thousands grouping: '#,##0.0'."""
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


def scope_context(scope: Scope, month: str) -> str:
    """'Hà Nội · Tháng 10/2026': the unit and period a title row names."""
    lang = language()
    if scope.level == "country":
        place = t("scope.country")
    elif scope.level == "province":
        table = query(provinces)
        place = table.set_index("code").at[scope.code, "name_en" if lang == "en" else "full_name_vi"]
    else:
        table = query(communes, None).set_index("code")
        row = table.loc[scope.code]
        place = f"{row['name_en'] if lang == 'en' else row['full_name_vi']}, {row['province_en' if lang == 'en' else 'province_vi']}"
    return f"{place} · {month_label(month, lang)}"
