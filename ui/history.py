"""The upload history and report templates: tables, the rollback confirmation, the template form."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

import store
from analytics.exports import safe_file_name, to_csv_bytes, to_xlsx_bytes
from analytics.overview import indicator_names
from errors import XasoError
from etl.template import commune_count, template_file_name, template_indicators, template_workbook
from i18n import format_datetime, format_number, translate
from store.batches import batch_changes
from store.observations import rollback_batch, rollback_effect
from ui.auth import signed_in_user
from ui.data import data_changed, query
from ui.labels import province_labels
from ui.i18n import language, number, t
from ui.text import error_text, t_plain
from ui.widgets import choice, month_label

MAX_SHOWN_CHANGES = 1000  # a month's national file writes over 100,000 values: show the start, download all
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_DONE_KEY = "history_done"  # the rollback's outcome, shown once after the rerun


def when(moment: Any, lang: str) -> str:
    """A timestamp as people write it: 23/11/2026 21:44 in Vietnamese, 2026-11-23 21:44 in English."""
    if moment is None or pd.isna(moment):
        return ""
    return format_datetime(pd.Timestamp(moment), lang)


def already_loaded_note(info: dict[str, Any], lang: str) -> str:
    """'Tệp này đã tải lên lúc … bởi … (lô N)' for the loader's Review.already_loaded."""
    return translate("history.already_loaded", lang, at=when(info["loaded_at"], lang), user=info["loaded_by"],
                     batch=str(info["batch_id"]))


def _periods(periods: Any, lang: str) -> str:
    return ", ".join(month_label(p, lang) for p in periods)


def _note(row: Any, lang: str) -> str:
    notes = []
    if row.status == "rolled_back":
        notes.append(translate("history.note.rolled_back", lang, at=when(row.rolled_back_at, lang),
                               user=row.rolled_back_by or ""))
    if pd.notna(row.same_bytes_as):
        notes.append(translate("history.note.same_bytes", lang, batch=str(int(row.same_bytes_as))))
    return " · ".join(notes)


def batches_styled(batches: pd.DataFrame, lang: str) -> "pd.io.formats.style.Styler":
    """The batch table with its counts in the locale (sorting stays numeric)."""
    table = batches_table(batches, lang)
    return table.style.format({t("history.col.rows"): lambda v: number(v),
                               t("history.col.batch"): lambda v: str(v)})


def batches_table(batches: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The batch list with headers, times, months and statuses in the session's language."""
    return pd.DataFrame({
        t("history.col.batch"): batches["batch_id"].astype(int),
        t("history.col.when"): [when(v, lang) for v in batches["loaded_at"]],
        t("history.col.who"): batches["loaded_by"],
        t("history.col.file"): batches["file_name"],
        t("history.col.periods"): [_periods(p, lang) for p in batches["periods"]],
        t("history.col.rows"): batches["rows_loaded"].astype(int),
        t("history.col.status"): [translate(f"status.{s}", lang) for s in batches["status"]],
        t("history.col.note"): [_note(row, lang) for row in batches.itertuples()],
    })


def batch_picker(batches: pd.DataFrame, key: str) -> pd.Series:
    """Which batch to look into (the newest by default)."""
    lang = language()
    rows = batches.set_index("batch_id")
    labels = {int(b): translate("history.batch_option", lang, batch=str(int(b)), file=r.file_name,
                                at=when(r.loaded_at, lang))
              for b, r in rows.iterrows()}
    picked = choice("selectbox", t("history.pick"), list(labels), f"{key}_batch", labels.get)
    return rows.loc[picked].rename(picked)


def changes_table(changes: pd.DataFrame, names: dict[str, str], decimals: dict[str, int],
                  lang: str) -> pd.DataFrame:
    """Before and after per unit, indicator and month, named and written in the session's language
    (each value with its indicator's decimals; '(none)' where the unit had no value before)."""
    unit_names = changes["name_en" if lang == "en" else "full_name_vi"]
    places = changes["indicator_code"].map(decimals).fillna(2).astype(int)
    none = translate("history.none", lang)

    def shown(values: pd.Series) -> list[str]:
        return [none if pd.isna(v) else format_number(v, lang, d) for v, d in zip(values, places)]

    return pd.DataFrame({
        t("history.col.unit"): unit_names.fillna(changes["unit_code"]),
        t("history.col.code"): changes["unit_code"],
        t("history.col.indicator"): changes["indicator_code"].map(names).fillna(changes["indicator_code"]),
        t("history.col.period"): [month_label(p, lang) for p in changes["period"]],
        t("history.col.before"): shown(changes["before"]),
        t("history.col.after"): shown(changes["after"]),
        t("history.col.derived"): [translate("history.derived" if d else "history.given", lang)
                                   for d in changes["derived"]],
        t("history.col.current"): [translate("history.yes" if c else "history.no", lang)
                                   for c in changes["is_current"]],
    })


def export_table(changes: pd.DataFrame, names: dict[str, str], lang: str) -> pd.DataFrame:
    """The changes as a file: the same columns, with the values as numbers a spreadsheet can add up."""
    table = changes_table(changes, names, {}, lang)
    table[translate("history.col.before", lang)] = changes["before"].to_numpy()
    table[translate("history.col.after", lang)] = changes["after"].to_numpy()
    return table


def show_changes(batch_id: int, key: str) -> None:
    """Counts of new and corrected values, the first rows of the table, and the whole table to download."""
    lang = language()
    catalog = query(indicator_names)
    names = dict(zip(catalog["code"], catalog["name_en" if lang == "en" else "name_vi"]))
    decimals = dict(zip(catalog["code"], catalog["decimals"].astype(int)))
    changes = query(batch_changes, batch_id)
    new = int(changes["before"].isna().sum())
    cols = st.columns(4)
    cols[0].metric(t("history.metric.written"), number(len(changes)))
    cols[1].metric(t("history.metric.new"), number(new))
    cols[2].metric(t("history.metric.corrected"), number(len(changes) - new))
    cols[3].metric(t("history.metric.current"), number(int(changes["is_current"].sum())))
    if changes.empty:
        st.info(t("history.no_changes"))
        return
    table = changes_table(changes.head(MAX_SHOWN_CHANGES), names, decimals, lang)
    before, after = t("history.col.before"), t("history.col.after")
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={before: st.column_config.TextColumn(alignment="right"),
                                after: st.column_config.TextColumn(alignment="right")})
    if len(changes) > MAX_SHOWN_CHANGES:
        st.caption(t("history.truncated", shown=MAX_SHOWN_CHANGES, total=len(changes)))
    stem = safe_file_name("lo", str(batch_id), "thay-doi")
    title, sheet = t("history.export_title", batch=str(batch_id)), t("history.sheet_name")  # now: the language
    full = lambda: export_table(query(batch_changes, batch_id), names, lang)  # noqa: E731 - built on click
    buttons = st.columns(2)
    buttons[0].download_button(t("history.download_xlsx"),
                               lambda: to_xlsx_bytes(full(), title, {before: "#,##0.##", after: "#,##0.##"},
                                                     sheet_name=sheet),
                               file_name=f"{stem}.xlsx", mime=XLSX_MIME, on_click="ignore",
                               icon=":material/download:", key=f"{key}_xlsx")
    buttons[1].download_button(t("history.download_csv"), lambda: to_csv_bytes(full()), file_name=f"{stem}.csv",
                               mime="text/csv", on_click="ignore", icon=":material/download:", key=f"{key}_csv")


def rollback_form(batch: pd.Series, key: str) -> None:
    """Say what comes back, then ask for the batch number to be typed: a rollback of a national batch
    removes a hundred thousand values, so two stray clicks must not do it."""
    batch_id = int(batch.name)
    if batch["status"] != "loaded":
        st.caption(t("history.rollback.not_live"))
        return
    removed, restored = query(rollback_effect, batch_id)
    st.warning(t_plain("history.rollback.explain", batch=str(batch_id), rows=number(removed),
                       restored=number(restored), emptied=number(removed - restored)))
    typed = st.text_input(t_plain("history.rollback.type_number", batch=str(batch_id)), key=f"{key}_sure_{batch_id}",
                          placeholder=str(batch_id))
    if st.button(t_plain("history.rollback.button", batch=str(batch_id)), type="primary",
                 disabled=typed.strip() != str(batch_id), icon=":material/undo:", key=f"{key}_rollback_{batch_id}"):
        try:
            with st.spinner(t_plain("history.rollback.running", batch=str(batch_id))), \
                    store.connect(store.database_path()) as con, store.transaction(con):
                restored = rollback_batch(con, batch_id, signed_in_user())
        except XasoError as exc:  # another province's batch, or signed out meanwhile: nothing changed
            st.error(error_text(exc, language()))
            return
        data_changed()
        st.session_state[_DONE_KEY] = (batch_id, restored)
        st.rerun()


def rollback_outcome() -> None:
    done = st.session_state.pop(_DONE_KEY, None)
    if done:
        st.success(t_plain("history.rollback.done", batch=str(done[0]), rows=done[1]))


# -- templates -------------------------------------------------------------------------------------

def template_months(today: date, count: int = 13) -> list[str]:
    """The months a template can be made for: last month first (reports come after the month), back a year,
    then this month."""
    year, month = today.year, today.month
    months = []
    for back in range(1, count):
        y, m = divmod(year * 12 + month - 1 - back, 12)
        months.append(f"{y:04d}-{m + 1:02d}")
    return months + [f"{year:04d}-{month:02d}"]


def kept_multiselect(label: str, options: list[str], default: list[str], key: str,
                     format_func: Any) -> list[str]:
    """A multiselect whose choice survives a change of language (like ui.widgets.choice)."""
    kept = [v for v in st.session_state.get(key, default) if v in options]
    picked = st.multiselect(label, options, default=kept, format_func=format_func, key=f"{key}.{language()}")
    st.session_state[key] = picked
    return picked


def template_form(key: str) -> None:
    """Province, month and indicators -> the xlsx template to download."""
    lang = language()
    names = province_labels(lang)
    cols = st.columns([2, 1])
    province = choice("selectbox", t("templates.page.province"), list(names), f"{key}_province", names.get, cols[0])
    month = choice("selectbox", t("templates.page.month"), template_months(date.today()), f"{key}_month",
                   lambda p: month_label(p, lang), cols[1])
    offered = query(template_indicators)
    names = dict(zip(offered["code"], offered["name_en" if lang == "en" else "name_vi"]))
    defaults = list(offered.loc[offered["default"], "code"])
    codes = kept_multiselect(t("templates.page.indicators"), list(names), defaults, f"{key}_indicators", names.get)
    st.caption(t("templates.page.derived_note"))
    if not codes:
        st.info(t("templates.page.pick_one"))
        return
    chosen = tuple(codes)
    st.download_button(t("templates.page.download"), lambda: query(template_workbook, province, month, chosen, lang),
                       file_name=template_file_name(province, month), mime=XLSX_MIME,
                       on_click="ignore", type="primary", icon=":material/download:", key=f"{key}_download")
    st.caption(t("templates.page.after", units=int(query(commune_count, province)), columns=len(codes)))

