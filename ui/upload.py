"""The upload page's widgets: drop files, review each one (steerable), see problems, commit.

Every reading goes through the loader (`etl.review.review_upload` -> `etl.load.review_file`); the only
write of values is `etl.load.commit_review`. A person's choices for a file live in the session under
the file's SHA-256, so a rerun (any click) reviews the file again with them.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import hashlib
import os
import threading
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd
import streamlit as st

import config
import store
from analytics.exports import safe_file_name
from analytics.overview import communes
from analytics.values import catalog
from etl.columns import ROLES
from errors import XasoError
from etl.load import Review, commit_review
from etl.period import USER_MONTH_EXAMPLES, parse_user_month
from etl.read import SUPPORTED_SUFFIXES
from etl.review import (IGNORE, Comparison, Steering, compare_with_stored, error_report_xlsx,
                        mapping_table, mapping_targets, problem_table, remember_choices, review_upload, save_profile,
                        skipped_table, unit_table)
from i18n import translate
from store.observations import data_version
from ui.auth import signed_in_user
from ui.data import data_changed, query
from ui.i18n import language, number, t
from ui.labels import commune_labels
from ui.tables import without_gaps
from ui.text import error_text, plain, plain_short, short, t_plain
from ui.widgets import month_label

_LIBC_NAME = ctypes.util.find_library("c")
_LIBC = ctypes.CDLL(_LIBC_NAME) if _LIBC_NAME and hasattr(ctypes.CDLL(_LIBC_NAME), "malloc_trim") else None
STATE_KEY = "upload_state"  # sha256 -> FileState
UPLOADER_KEY = "upload_files"
MAX_UNIT_PICKERS = 50  # unmatched rows with a picker of their own; the rest are in the table and the report
LARGE_FILE_BYTES = 2 * 1024 * 1024  # reading takes long enough from here on to show progress
RANKINGS_PAGE = "pages/rankings.py"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class FileState:
    """One uploaded file: its choices, its last review (and what it was made from) and its commit."""

    steering: Steering = field(default_factory=Steering)
    review: Review | None = None
    made_from: tuple[Any, ...] = ()  # (steering, data version) the review was made with
    comparison: Comparison | None = None
    units: pd.DataFrame | None = None
    result: dict[str, Any] | None = None  # status, batch_id, rows, periods after a commit


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes
    sha: str


def max_upload_mb() -> int:
    """The upload limit: XASO_MAX_UPLOAD_MB (the loader's own limit), else the server's maxUploadSize."""
    configured = os.environ.get("XASO_MAX_UPLOAD_MB")
    return int(float(configured)) if configured else int(st.get_option("server.maxUploadSize"))


def drop_files() -> list[Upload]:
    """The drop zone with its size limit; each distinct file once (the same bytes twice are one file)."""
    limit = max_upload_mb()
    files = st.file_uploader(t("upload.drop"), type=[s.lstrip(".") for s in SUPPORTED_SUFFIXES],
                             accept_multiple_files=True, key=UPLOADER_KEY, max_upload_size=limit,
                             help=t("upload.drop_help"))
    st.caption(t_plain("upload.limit", mb=limit, formats=", ".join(SUPPORTED_SUFFIXES)))
    seen: dict[str, Upload] = {}
    for file in files or []:
        data = file.getvalue()
        sha = hashlib.sha256(data).hexdigest()
        seen.setdefault(sha, Upload(file.name, data, sha))
    return list(seen.values())


def _states() -> dict[str, FileState]:
    return st.session_state.setdefault(STATE_KEY, _session_reviews())


def forget_reviews() -> None:
    """Let go of every review this session holds (grids of values, problem lists): called on every page
    but Upload, so a large upload's memory is given back when the person moves on, not at session end."""
    states = st.session_state.pop(STATE_KEY, None)
    if states:
        states.clear()  # the same dict the session's resource holds
        give_memory_back()


def give_memory_back(delay: float = 2.0) -> None:
    """Collect and hand freed memory back to the system a moment from now (after Streamlit has dropped
    what it held): the C allocator keeps freed blocks of other threads' arenas unless asked to trim them."""
    def trim() -> None:
        gc.collect()
        if _LIBC is not None:
            _LIBC.malloc_trim(0)
    timer = threading.Timer(delay, trim)
    timer.daemon = True
    timer.start()


def _release_reviews(states: dict[str, FileState]) -> None:
    states.clear()
    give_memory_back()


@st.cache_resource(scope="session", on_release=_release_reviews)
def _session_reviews() -> dict[str, FileState]:
    """The session's reviews, held here too: Streamlit releases this as soon as the session ends, while the
    session's own state can outlive it for minutes (measured), so the reviews are emptied here."""
    return {}


def bounded(table: pd.DataFrame, what: str) -> pd.DataFrame:
    """At most TABLE_ROWS_SHOWN rows for one table widget, with a caption saying how many there are and
    where the rest is: a browser (and Streamlit's styler) cannot show millions of rows."""
    limit = config.TABLE_ROWS_SHOWN
    if len(table) <= limit:
        return table
    key = "upload.shown_of_report" if what == "problems" else "upload.shown_of"
    st.caption(t_plain(key, shown=limit, count=len(table), what=t(f"upload.shown.{what}")))
    return table.head(limit)


def review_all(uploads: list[Upload]) -> list[tuple[Upload, FileState]]:
    """Each file's review with its choices, made again only when the choices or the data changed;
    a progress bar while large or several files are read."""
    states = _states()
    for gone in set(states) - {u.sha for u in uploads}:  # a file taken out of the drop zone is forgotten
        del states[gone]
    total = sum(len(u.data) for u in uploads)
    bar = st.progress(0.0, text=t("upload.reading_start")) if total > LARGE_FILE_BYTES or len(uploads) > 2 else None
    done = 0
    with store.connect(store.database_path()) as con:
        version = data_version(con)
        for upload in uploads:
            state = states.setdefault(upload.sha, FileState())
            made_from = (state.steering, version)
            if state.review is None or state.made_from != made_from:
                if bar is not None:
                    bar.progress(min(done / max(total, 1), 1.0),
                                 text=t_plain("upload.reading", file=short(upload.name)))
                steering = state.steering  # a month typed wrong is said beside its box; the file is read without it
                steering = replace(steering, period=None) if steering.period and _bad_month(steering.period) \
                    else steering
                state.review = review_upload(con, upload.name, upload.data, steering,
                                             max_bytes=max_upload_mb() * 1024 * 1024, user=signed_in_user())
                state.comparison = compare_with_stored(con, state.review)
                state.units = unit_table(con, state.review)
                state.made_from = made_from
            done += len(upload.data)
    if bar is not None:
        bar.progress(1.0, text=t("upload.read_done", count=len(uploads)))
    return [(upload, states[upload.sha]) for upload in uploads]


def tab_label(upload: Upload, state: FileState) -> str:
    review = state.review
    mark = "✅" if state.result else "⛔" if review.blocked else "⚠️" if needs_confirmation(state) else "🟢"
    return f"{mark} {plain_short(upload.name)}"


def needs_confirmation(state: FileState) -> bool:
    return bool(len(state.review.jumps)) or bool(state.units is not None and state.units["fuzzy"].any())


def all_problems_download(pairs: list[tuple[Upload, FileState]]) -> None:
    reviews = [state.review for _upload, state in pairs if state.review.problems]
    if reviews:
        lang = language()
        st.download_button(t("upload.report.download_all"), lambda: error_report_xlsx(reviews, lang),
                           file_name=f"{safe_file_name(t('upload.report.file_stem'))}.xlsx", mime=XLSX_MIME,
                           key="upload_report_all", icon=":material/download:", on_click="ignore")


# -- one file -------------------------------------------------------------------------------------

def file_review(upload: Upload, state: FileState) -> None:
    """Every section of one file's review, then its commit button."""
    key = f"upload_{upload.sha[:12]}"
    review = state.review
    summary(review, state)
    options(upload, state, key)
    rows_section(upload, state, key)
    if review.sheets:
        table_section(review)
        mapping_section(upload, state, key)
        units_section(upload, state, key)
        values_section(state)
    problems_section(upload, review, key)
    comparison_section(state, key)
    commit_section(upload, state, key)


def summary(review: Review, state: FileState) -> None:
    lang = language()
    periods = ", ".join(month_label(p, lang) for p in review.periods) or t("value.none")
    params = dict(values=len(review.observations), units=review.units, indicators=len(review.indicators),
                  periods=periods, errors=len(review.errors), warnings=len(review.warnings))
    if review.blocked:
        st.error(t_plain("upload.status.blocked", **params))
    elif not len(review.observations):
        st.warning(t_plain("upload.status.empty", **params))
    else:
        st.success(t_plain("upload.status.ready", **params))
    if review.already_loaded and not state.result:
        info = review.already_loaded
        st.info(t_plain("upload.already_loaded", batch=info["batch_id"], user=info["loaded_by"],
                  at=f"{info['loaded_at']:%d/%m/%Y %H:%M}"))


def options(upload: Upload, state: FileState, key: str) -> None:
    """The loader's options (the command line's --period, --sheet, --skip-unmatched) for this file."""
    review = state.review
    left, middle, right = st.columns([2, 2, 3])
    left.text_input(t("upload.period"), value=state.steering.period or "", placeholder=t("upload.period_placeholder"),
                    key=f"{key}_period", help=t("upload.period_help"), on_change=_set_period,
                    args=(upload.sha, f"{key}_period"))
    if state.steering.period and _bad_month(state.steering.period):
        left.error(t_plain("upload.period_bad", value=short(state.steering.period), forms=USER_MONTH_EXAMPLES))
    elif any(p.code in ("no_period", "period_is_quarter") for p in review.errors):
        st.warning(t("upload.period_needed"))
    if len(review.sheet_names) > 1:
        names = [None, *review.sheet_names]
        lang = language()
        middle.selectbox(t("upload.sheet"), names, index=names.index(state.steering.sheet)
                         if state.steering.sheet in names else 0, key=f"{key}_sheet.{lang}",
                         format_func=lambda s: translate("upload.sheet_all", lang) if s is None else s,
                         on_change=_set_field, args=(upload.sha, "sheet", f"{key}_sheet.{lang}"))
    right.toggle(t("upload.skip_unmatched"), value=state.steering.skip_unmatched, key=f"{key}_skip",
                 help=t("upload.skip_unmatched_help"), on_change=_set_field,
                 args=(upload.sha, "skip_unmatched", f"{key}_skip"))


def _bad_month(text: str) -> bool:
    try:
        parse_user_month(text)
    except ValueError:
        return True
    return False


def _set_period(sha: str, widget: str) -> None:
    text = (st.session_state.get(widget) or "").strip()
    _steer(sha, replace(_states()[sha].steering, period=text or None))


def _set_field(sha: str, name: str, widget: str) -> None:
    _steer(sha, replace(_states()[sha].steering, **{name: st.session_state.get(widget)}))


def _steer(sha: str, steering: Steering) -> None:
    state = _states()[sha]
    state.steering = steering
    state.result = None  # new choices make a new review, which may be committed again


def rows_section(upload: Upload, state: FileState, key: str) -> None:
    """Where each sheet's table is: header rows and first/last data row, for when the loader found it wrong
    or not at all (spreadsheet row numbers; empty: found by the loader)."""
    review = state.review
    names = [report.name for report in review.sheets] or review.sheet_names
    if not names:
        return
    chosen = any(any(rows) for _s, *rows in state.steering.table_rows)
    with st.expander(t("upload.rows.title"), expanded=not review.sheets or chosen or any(
            p.code in ("no_header", "no_unit_column") for p in review.errors)):
        st.caption(t("upload.rows.caption"))
        found = {report.name: report for report in review.sheets}
        for s, name in enumerate(names):
            header, first, last = state.steering.rows_of(name)
            if len(names) > 1:
                st.markdown(t_plain("upload.rows.sheet", sheet=name))
            left, middle, right = st.columns(3)
            shown = _row_span(header) if header else _row_span(found[name].header_rows) if name in found else ""
            widget = f"{key}_rows_{s}_header"
            left.text_input(t("upload.rows.header"), value=shown, key=widget,
                            placeholder=t("upload.rows.header_placeholder"), on_change=_set_rows,
                            args=(upload.sha, name, widget, "header"))
            typed = st.session_state.get(widget)
            if typed and _header_rows(typed) is None:
                left.error(t_plain("upload.rows.header_bad", value=short(typed)))
            for column, field_name, value in ((middle, "first", first), (right, "last", last)):
                widget = f"{key}_rows_{s}_{field_name}"
                column.number_input(t(f"upload.rows.{field_name}"), min_value=1, step=1, value=value, key=widget,
                                    on_change=_set_rows, args=(upload.sha, name, widget, field_name))


def _row_span(rows: tuple[int, ...] | list[int]) -> str:
    """(5, 6) -> '5-6'; (5,) -> '5'."""
    rows = sorted(rows)
    return f"{rows[0]}-{rows[-1]}" if len(rows) > 1 and rows == list(range(rows[0], rows[-1] + 1)) \
        else ", ".join(map(str, rows))


def _header_rows(text: str) -> tuple[int, ...] | None:
    """'5' -> (5,); '5-6' or '5, 6' -> (5, 6); at most 3 rows; None when it is not that."""
    rows: list[int] = []
    for part in text.replace(";", ",").split(","):
        ends = [p.strip() for p in part.split("-")]
        if not all(e.isdigit() and int(e) > 0 for e in ends) or len(ends) > 2:
            return None
        rows.extend(range(int(ends[0]), int(ends[-1]) + 1))
    return tuple(sorted(set(rows))) if 0 < len(set(rows)) <= 3 else None


def _set_rows(sha: str, sheet: str, widget: str, field_name: str) -> None:
    steering = _states()[sha].steering
    header, first, last = steering.rows_of(sheet)
    value = st.session_state.get(widget)
    if field_name == "header":
        rows = _header_rows(value or "")
        if value and rows is None:
            return  # said beside the box; the table stays where it was
        header = rows or ()
    elif field_name == "first":
        first = int(value) if value else None
    else:
        last = int(value) if value else None
    _steer(sha, steering.with_rows(sheet, header, first, last))


def table_section(review: Review) -> None:
    lang = language()
    with st.expander(t("upload.table.title"), expanded=False):
        for report in review.sheets:
            period = month_label(report.period, lang) if report.period and len(report.period) == 7 else \
                report.period or t("value.none")
            source = t(f"upload.period_source.{report.period_source}") if report.period_source else ""
            st.markdown(t("upload.table.sheet", sheet=plain_short(report.name),  # the catalog's own words stay
                          header=plain(", ".join(str(r) for r in report.header_rows)), rows=int(report.data_rows),
                          layout=t(f"upload.layout.{report.layout}"), period=plain(period), source=source))
        skipped = skipped_table(review)
        if len(skipped):
            skipped["reason"] = skipped["reason"].map(lambda r: translate(f"skip.{r}", lang))
            st.caption(t("upload.table.skipped", count=len(skipped)))
            skipped = bounded(skipped, "skipped")
            st.dataframe(without_gaps(skipped.rename(columns=_headers(["sheet", "row", "reason", "text"])), lang),
                         hide_index=True,
                         width="stretch")


def _headers(names: list[str]) -> dict[str, str]:
    return {name: t(f"upload.col.{name}") for name in names}


def _target_labels(lang: str) -> dict[str, str]:
    """Every mapping target -> its name in `lang`: 'Name (code)' for indicators. Made once per section:
    format functions run for every option."""
    return {IGNORE: translate("upload.map.ignore", lang),
            **{role: translate(f"upload.role{role}", lang) for role in ROLES},
            **_indicator_labels(lang)}


def _indicator_labels(lang: str) -> dict[str, str]:
    """Each indicator by its name in `lang`, as the reader knows it; its code only where two names agree."""
    names = {code: row.name_en if lang == "en" else row.name_vi for code, row in query(catalog).items()}
    twice = {name for name in names.values() if list(names.values()).count(name) > 1}
    return {code: f"{name} ({code})" if name in twice else name for code, name in names.items()}


def _named(codes: pd.Series, lang: str) -> pd.Series:
    return codes.astype(str).map(_indicator_labels(lang)).fillna(codes.astype(str))


def mapping_section(upload: Upload, state: FileState, key: str) -> None:
    """Each column's target with its confidence, changeable; the sheet's mapping savable as a profile."""
    lang = language()
    targets = mapping_targets(list(query(catalog)))
    labels = _target_labels(lang)
    with st.expander(t("upload.map.title"), expanded=any(
            p.code in ("low_confidence_column", "unmapped_column", "no_indicator_columns", "no_unit_column",
                       "column_needs_confirmation", "unplaced_column")
            for p in state.review.problems)):
        st.caption(t("upload.map.caption"))
        if any(p.code == "no_unit_column" for p in state.review.errors):
            st.warning(t("upload.map.unit_needed"))
        if state.steering.mapping:
            st.caption(t("upload.map.learn"))
        table = mapping_table(state.review, lang)
        for s, report in enumerate(state.review.sheets):
            if len(state.review.sheets) > 1:
                st.markdown(f"**{plain_short(report.name)}**")
            shown = table[table["sheet"] == report.name].drop(columns="sheet")
            shown = shown.assign(target=shown["target"].map(lambda v: labels.get(v, v)),
                                 how=shown["how"].map(lambda h: translate(f"upload.how.{h}", lang)))
            st.dataframe(without_gaps(shown.rename(columns=_headers(list(shown.columns))), lang,
                                      keep=(t("upload.col.confidence"),)), hide_index=True,
                         width="stretch", column_config={t("upload.col.confidence"): st.column_config.ProgressColumn(
                             min_value=0.0, max_value=1.0, format="percent")})
            columns = st.columns(3)
            for i, m in enumerate(m for m in report.mappings if m.label):
                current = (m.target if m.accepted else IGNORE) or IGNORE
                suggestion = "" if m.accepted or not m.target else t_plain(
                    "upload.map.suggestion", target=labels.get(m.target, m.target))
                widget = f"{key}_map_{s}_{m.index}.{lang}"
                columns[i % 3].selectbox(
                    plain_short(f"{m.letter} · {m.label}"), targets,  # a 32,000-character header: its start
                    index=targets.index(current) if current in targets else 0,
                    key=widget, format_func=lambda v: labels.get(v, v),
                    help=plain(f"{m.letter} · {m.label}") + "\n\n" + t(  # the whole header on hover
                        "upload.map.confidence", confidence=round(m.confidence * 100),
                        how=t(f"upload.how.{m.how}")) + suggestion,
                    on_change=_set_mapping, args=(upload.sha, m.label, widget))
            name = st.text_input(t("upload.profile.name"), key=f"{key}_profile_{s}",
                                 placeholder=t("upload.profile.placeholder"))
            if st.button(t("upload.profile.save"), key=f"{key}_profile_save_{s}", disabled=not (name or "").strip()):
                with store.connect(store.database_path()) as con:
                    save_profile(con, report, name, signed_in_user().username)
                st.success(t_plain("upload.profile.saved", name=short(name.strip())))


def _set_mapping(sha: str, label: str, widget: str) -> None:
    _steer(sha, _states()[sha].steering.with_mapping(label, st.session_state.get(widget)))


def units_section(upload: Upload, state: FileState, key: str) -> None:
    """Units found, fuzzy ones highlighted; unmatched rows with the closest units to pick from."""
    units = state.units
    if units is None or not len(units):
        return
    lang = language()
    open_rows = units[units["unit_code"].isna() | units["how"].isin(["picked", "remembered"])]
    remembered = int((units["how"] == "remembered").sum())
    left_out = [(s, r) for s, r, code in state.steering.unit_picks if code == IGNORE]
    fuzzy = units[units["fuzzy"]]
    with st.expander(t("upload.units.title", matched=int(units["unit_code"].notna().sum()), rows=len(units)),
                     expanded=bool(len(open_rows) or len(fuzzy) or left_out)):  # remembered rows stay open to change
        if len(fuzzy):
            st.warning(t("upload.units.fuzzy", count=len(fuzzy)))
        if remembered:
            st.info(t("upload.units.remembered", count=remembered))
        # a picker offers the closest candidates, then every unit of the sheet's province (of the country
        # when nothing matched): initials such as "P.HB" have no close candidate, yet the person knows the unit
        province_of = query(communes).set_index("code")["province_code"]
        matched = units.dropna(subset=["unit_code"]).assign(province=lambda u: u["unit_code"].map(province_of))
        provinces = {sheet: found.mode().iloc[0] for sheet, found in matched.groupby("sheet")["province"]
                     if found.notna().any()}
        units = bounded(units, "units").reset_index(drop=True)
        shown = units.assign(how=units["how"].map(lambda h: translate(f"upload.how.{h}", lang)))
        shown = shown[["sheet", "row", "written_code", "written_name", "unit", "how"]]
        marks = units["fuzzy"].to_numpy() | units["unit_code"].isna().to_numpy()
        st.dataframe(without_gaps(shown.rename(columns=_headers(list(shown.columns))), lang).style.apply(
            lambda row: ["background-color: #fff3bf" if marks[row.name] else "" for _ in row], axis=1),
            hide_index=True, width="stretch")
        if len(open_rows) > MAX_UNIT_PICKERS:  # a picker each is for a few rows, not a file of unknown units
            st.caption(t("upload.units.pickers_shown", shown=MAX_UNIT_PICKERS, count=len(open_rows)))
        for row in open_rows.head(MAX_UNIT_PICKERS).itertuples(index=False):
            found = [row.unit_code] if isinstance(row.unit_code, str) else []  # a remembered unit, even if not close
            others = commune_labels(provinces.get(row.sheet), lang)
            _pick_unit(upload, key, row.sheet, row.row, row.written_name or row.written_code,
                       [None, IGNORE, *dict.fromkeys([*found, *row.candidates, *others])], row.unit_code)
        for sheet, row in left_out:
            _pick_unit(upload, key, sheet, row, "", [None, IGNORE], IGNORE)


def _pick_unit(upload: Upload, key: str, sheet: str, row: int, written: Any, options: list[Any],
               current: str | None) -> None:
    lang = language()
    widget = f"{key}_unit_{sheet}_{row}.{lang}"
    labels = {None: translate("upload.units.choose", lang), IGNORE: translate("upload.units.leave_out", lang),
              **commune_labels(None, lang)}  # both spellings and the code: "van ban" finds Xã Vân Bán
    st.selectbox(t_plain("upload.units.pick", sheet=short(sheet), row=row, written=short(written or "")), options,
                 index=options.index(current) if current in options else 0, key=widget, format_func=labels.get,
                 on_change=_set_unit, args=(upload.sha, sheet, row, widget))


def _set_unit(sha: str, sheet: str, row: int, widget: str) -> None:
    _steer(sha, _states()[sha].steering.with_unit(sheet, row, st.session_state.get(widget)))


def values_section(state: FileState) -> None:
    review = state.review
    if not len(review.observations):
        return
    lang = language()
    values = review.observations.astype({"unit_code": str, "indicator_code": str, "period": str})
    units = dict(zip(state.units["unit_code"], state.units["unit"])) if state.units is not None else {}
    values = values.assign(indicator_code=_named(values["indicator_code"], lang))
    values.insert(1, "unit", values["unit_code"].map(units))
    with st.expander(t("upload.values.title", count=len(values))):
        values = bounded(values, "values")
        st.dataframe(without_gaps(values.rename(columns=_headers(list(values.columns))), lang), hide_index=True,
                     width="stretch")


def problems_section(upload: Upload, review: Review, key: str) -> None:
    lang = language()
    table = problem_table(review, lang)
    if not len(table):
        st.caption(t("upload.problems.none"))
        return
    st.subheader(t("upload.problems.title", errors=len(review.errors), warnings=len(review.warnings)))
    table["severity"] = table["severity"].map(lambda s: translate(f"upload.severity.{s}", lang))
    shown = bounded(table[["severity", "sheet", "row", "column", "value", "problem", "fix", "code"]], "problems")
    st.dataframe(without_gaps(shown.rename(columns=_headers(list(shown.columns))), lang), hide_index=True,
                 width="stretch", key=f"{key}_problems")
    stem = safe_file_name(t("upload.report.file_stem"), upload.name.rsplit(".", 1)[0])
    st.download_button(t("upload.report.download"), lambda: error_report_xlsx([review], lang),
                       file_name=f"{stem}.xlsx", mime=XLSX_MIME, key=f"{key}_report", icon=":material/download:", on_click="ignore")


def comparison_section(state: FileState, key: str) -> None:
    """Values that would change what is stored, and changes far from the unit's own last month."""
    comparison, review = state.comparison, state.review
    if comparison is None or not len(review.observations):
        return
    lang = language()
    st.subheader(t("upload.compare.title"))
    st.caption(t_plain("upload.compare.summary", changed=len(comparison.changed), new=comparison.new,
                 same=comparison.same))
    if len(comparison.changed):
        with st.expander(t("upload.compare.changed", count=len(comparison.changed))):
            table = bounded(comparison.changed, "changed")
            table = table.assign(indicator_code=_named(table["indicator_code"], lang))
            st.dataframe(without_gaps(table.rename(columns=_headers(list(table.columns))), lang), hide_index=True,
                         width="stretch")
    if len(review.jumps):
        st.warning(t("upload.jumps.title", count=len(review.jumps)))
        for sentence in jump_sentences(state)[:20]:
            st.markdown(f"- {plain(sentence)}")
        if len(review.jumps) > 20:
            st.caption(t_plain("upload.jumps.more", count=len(review.jumps) - 20))


def jump_sentences(state: FileState) -> list[str]:
    """'Tỷ lệ hồ sơ trực tuyến +40 điểm so với tháng trước (Xã A, 9/2026) — xác nhận?'."""
    lang = language()
    indicators = query(catalog)
    names = dict(zip(state.units["unit_code"], state.units["unit"])) if state.units is not None else {}
    sentences = []
    for jump in state.review.jumps.itertuples(index=False):
        indicator = indicators.get(jump.indicator_code)
        change = jump.value - jump.previous
        sign = "+" if change > 0 else "−"
        if indicator is not None and indicator.kind in ("rate", "score", "composite"):
            size = t("upload.jumps.points", value=number(abs(change), 1))
        else:
            size = number(abs(change), 0)
        name = (indicator.name_en if lang == "en" else indicator.name_vi) if indicator else jump.indicator_code
        decimals = int(indicator.decimals) if indicator is not None else 2
        sentences.append(t("upload.jumps.sentence", indicator=name, change=f"{sign}{size}",
                           unit=names.get(jump.unit_code, jump.unit_code), period=month_label(jump.period, lang),
                           previous=number(jump.previous, decimals), value=number(jump.value, decimals)))
    return sentences


def commit_section(upload: Upload, state: FileState, key: str) -> None:
    """Disabled while blocking errors remain or highlighted changes are unconfirmed; then the batch."""
    review = state.review
    if state.result:
        committed(state.result)
        return
    confirmed = True
    if needs_confirmation(state):
        confirmed = st.checkbox(t("upload.confirm"), key=f"{key}_confirm")
    disabled = review.blocked or not len(review.observations) or not confirmed
    if review.blocked:
        st.caption(t("upload.commit.blocked", errors=len(review.errors)))
    elif not confirmed:
        st.caption(t("upload.commit.confirm_first"))
    if st.button(t("upload.commit.button"), key=f"{key}_commit", type="primary", disabled=disabled):
        try:
            with store.connect(store.database_path()) as con:
                result = commit_review(con, review, user=signed_in_user(), lang=language())
        except XasoError as exc:  # signed out or refused meanwhile: the store said no, nothing was written
            st.error(error_text(exc, language()))
            return
        learned = _remember(review, state.steering) if result.status in ("loaded", "unchanged") else (0, 0)
        state.result = {"status": result.status, "batch_id": result.batch_id, "rows": result.rows_loaded,
                        "periods": review.periods, "learned": learned}
        data_changed()
        st.rerun()  # every tab and the comparison read the database again


def _remember(review: Review, steering: Steering) -> tuple[int, int]:
    """Keep the headers and units a person chose for the next file; the values are written either way."""
    try:
        with store.connect(store.database_path()) as con:
            return remember_choices(con, review, steering, signed_in_user())
    except XasoError as exc:  # e.g. a unit picked outside the person's province: said, not remembered
        st.warning(error_text(exc, language()))
        return 0, 0


def committed(result: dict[str, Any]) -> None:
    lang = language()
    if result["status"] == "loaded":
        st.success(t_plain("upload.commit.loaded", batch=result["batch_id"], rows=result["rows"]))
    elif result["status"] == "unchanged":
        st.info(t_plain("upload.commit.unchanged", batch=result["batch_id"] or "–"))
    else:
        st.error(t("upload.commit.refused"))
        return
    headers, units = result.get("learned", (0, 0))
    if headers or units:
        st.caption(t_plain("upload.commit.learned", headers=headers, units=units))
    for period in result["periods"]:
        st.page_link(RANKINGS_PAGE, label=t("upload.commit.rankings", period=month_label(period, lang)),
                     icon=":material/leaderboard:", query_params={"period": period})
