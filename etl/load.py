"""The one loader: read -> find table -> map -> match -> parse -> validate -> commit, all or nothing.

`review_file` does everything but write and returns what a person needs to see; `load_file` commits a
review without blocking problems in one transaction. The CLI, the upload page and the demo builder all
come through here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

import store
from etl.columns import synonym_index
from errors import Problem, XasoError
from etl.checks import check_blocks, locate
from etl.parse import UNKNOWN_PERIOD, Block, Catalog, SheetContext, SheetReport, Skipped, UnitRow, parse_sheet
from etl.period import Period
from etl.read import MAX_FILE_BYTES, Sheet, check_safe, read_sheets
from etl.units import UnitMatcher
from store.observations import current_values, find_loaded_batch, write_batch
from store.reference import alias_codes, cache_by_key, catalog_frame, mapping_profiles, reference_key, units_frame
from store.audit import record
from store.users import User, acting, check_write_units, provinces_of, system_user

HISTORY_JUMP_SHARE = 0.4  # a rate or score moving more than 40% of its scale in a month is worth a look
HISTORY_JUMP_FACTOR = 5.0  # so is a count growing or shrinking more than five times...
HISTORY_MIN_COUNT = 20  # ...unless it is small enough for that to be normal


@dataclass
class Review:
    """Everything found in one file; nothing written."""

    file: str
    sha256: str
    sheets: list[SheetReport] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    observations: pd.DataFrame = field(default_factory=pd.DataFrame)
    already_loaded: dict[str, Any] | None = None
    sheet_names: list[str] = field(default_factory=list)  # every sheet of the file, with a table or not
    unit_rows: list[tuple[Any, ...]] = field(default_factory=list)  # UnitRow fields per data row, see units_found
    # values far from the unit's previous month: unit_code, indicator_code, period, previous_period,
    # previous, value (the same records as the far_from_history warnings)
    jumps: pd.DataFrame = field(default_factory=pd.DataFrame)
    # the source rows problems point at, and each table's header rows: sheet -> (first column, row -> cells)
    source_rows: dict[str, tuple[int, dict[int, list[Any]]]] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def units_found(self) -> list[UnitRow]:
        """How each data row's unit was found (or not), for a person to confirm or pick."""
        return [UnitRow(*row) for row in self.unit_rows]

    @property
    def blocked(self) -> bool:
        return bool(self.errors)

    @property
    def periods(self) -> list[str]:
        if not len(self.observations):
            return []
        return sorted(p for p in self.observations["period"].unique().tolist() if p != UNKNOWN_PERIOD)

    @property
    def units(self) -> int:
        return int(self.observations["unit_code"].nunique()) if len(self.observations) else 0

    @property
    def indicators(self) -> list[str]:
        return sorted(self.observations["indicator_code"].unique().tolist()) if len(self.observations) else []

    def report(self, lang: str) -> dict[str, Any]:
        """What the batch remembers about how the file was read."""
        return {"sheets": [s.as_dict() for s in self.sheets], "skipped": [s.as_dict() for s in self.skipped],
                "warnings": [p.as_dict(lang) for p in self.warnings]}


@dataclass
class LoadResult:
    status: str  # loaded | unchanged | refused | dry-run
    review: Review
    batch_id: int | None = None
    rows_loaded: int = 0

    def as_dict(self, lang: str) -> dict[str, Any]:
        """The stable --json shape other tools script against."""
        review = self.review
        return {"status": self.status, "batch_id": self.batch_id, "file": review.file,
                "period": ", ".join(review.periods) or None, "rows_loaded": self.rows_loaded,
                "units": review.units, "indicators": review.indicators,
                "skipped": [s.as_dict() for s in review.skipped],
                "errors": [p.as_dict(lang) for p in review.errors],
                "warnings": [p.as_dict(lang) for p in review.warnings],
                "already_loaded": review.already_loaded}


def review_file(con: duckdb.DuckDBPyConnection, path: Path, *, data: bytes | None = None, name: str | None = None,
                period: Period | None = None, sheet: str | None = None, skip_unmatched: bool = False,
                max_bytes: int = MAX_FILE_BYTES, mapping: dict[str, str] | None = None,
                unit_picks: dict[tuple[str, int], str] | None = None, user: User | str | None = None,
                accept_guesses: bool = False) -> Review:
    """Read and check one file against the database's units, catalog and history; write nothing.

    A person steers the reading on the upload page: `mapping` (column label -> indicator code or role,
    "" to ignore the column) wins over saved profiles and guessing; `unit_picks` ((sheet, row) -> unit
    code, "" to leave the row out) settles rows whose unit did not match; `period` is the CLI's --period.
    With `user`, rows of units that person may not change (another province) are errors.
    """
    name = name or path.name
    if data is None:
        if path.stat().st_size > max_bytes:  # refuse before reading a huge file into memory
            review = Review(name, "")
            review.problems.append(Problem("file_too_large", name, params={
                "size_mb": round(path.stat().st_size / 1048576, 1), "limit_mb": round(max_bytes / 1048576, 1)}))
            return review
        data = path.read_bytes()
    review = Review(name, hashlib.sha256(data).hexdigest())
    try:
        fmt = check_safe(Path(name), data, max_bytes)
        sheets = read_sheets(Path(name), data, fmt, sheet)
    except XasoError as exc:
        review.problems.append(Problem(exc.code, name, params=exc.params))
        return review
    except Exception as exc:  # a corrupt file the reader library could not open
        review.problems.append(Problem("unreadable_file", name, params={"detail": str(exc)[:200]}))
        return review
    review.sheet_names = [one.name for one in sheets]
    review.already_loaded = find_loaded_batch(con, review.sha256)
    catalog = Catalog(catalog_frame(con))
    matcher = unit_matcher(con)
    synonyms = synonym_index(tuple((r.code, r.name_vi, r.name_en) for r in catalog.rows.values()))
    profiles = mapping_profiles(con)
    blocks: list[Block] = []
    for one in sheets:
        ctx = SheetContext(name, one, catalog, matcher, synonyms, profiles, period, skip_unmatched,
                           review.problems, review.skipped, mapping or {}, unit_picks or {}, review.unit_rows,
                           accept_guesses)
        parsed = parse_sheet(ctx)
        if parsed is None:
            if any(cell is not None for row in one.rows for cell in row):
                review.problems.append(Problem("sheet_without_table", name, one.name, severity="warning"))
            continue
        sheet_report, sheet_blocks = parsed
        review.sheets.append(sheet_report)
        blocks.extend(sheet_blocks)
    if not review.sheets:
        empty = all(cell is None for one in sheets for row in one.rows for cell in row)
        review.problems.append(Problem("empty_file" if empty else "no_header", name,
                                       sheets[0].name if sheets else None, params={"file": name}))
    _check_duplicates_across_sheets(name, blocks, review.problems)
    if user is not None:
        _check_scope(con, acting(user), name, blocks, review.problems)
    review.observations = _combine_sheets(check_blocks(name, blocks, catalog, review.problems))
    if not review.blocked and len(review.observations):
        _warn_far_from_history(con, review, catalog, blocks)
    if not review.errors and not len(review.observations) and review.sheets:
        review.problems.append(Problem("nothing_to_load", name, review.sheets[0].name))
    review.source_rows = _source_rows(sheets, review)
    return review


def _source_rows(sheets: list[Sheet], review: Review) -> dict[str, tuple[int, dict[int, list[Any]]]]:
    """The rows as written that the problems point at, with their table's header, for the error report."""
    wanted: dict[str, set[int]] = {}
    for report in review.sheets:
        wanted.setdefault(report.name, set()).update(report.header_rows)
    for problem in review.problems:
        if problem.sheet and problem.row:
            wanted.setdefault(problem.sheet, set()).add(int(problem.row))
    found: dict[str, tuple[int, dict[int, list[Any]]]] = {}
    for one in sheets:
        rows = {r: list(one.rows[r - one.first_row]) for r in sorted(wanted.get(one.name, ()))
                if 0 <= r - one.first_row < len(one.rows)}
        if rows:
            found[one.name] = (one.first_col, rows)
    return found


def unit_matcher(con: duckdb.DuckDBPyConnection) -> UnitMatcher:
    """The matcher for the database's units, built once per database (folding 3,321 names takes a while)."""
    return _matcher(reference_key(con), con)


@cache_by_key
def _matcher(_key: tuple[str, str], con: duckdb.DuckDBPyConnection) -> UnitMatcher:
    return UnitMatcher(units_frame(con), alias_codes(con))


def _check_scope(con: duckdb.DuckDBPyConnection, user: User, file: str, blocks: list[Block],
                 problems: list[Problem]) -> None:
    """A row for a unit outside the person's province is refused, naming the row, the unit and its province."""
    province_of = provinces_of(con, {unit for block in blocks for unit in block.units})
    names = dict(con.execute("SELECT code, name_vi FROM unit WHERE parent_code IS NULL").fetchall())
    for block in blocks:
        for unit, row in zip(block.units, block.rows):
            province = province_of.get(unit)
            if not user.can_write(province):
                problems.append(Problem("unit_outside_scope", file, block.sheet, int(row), None, unit, {
                    "province": names.get(province, province), "user": user.username,
                    "allowed": names.get(user.province_code, user.province_code or "–")}))


def _check_duplicates_across_sheets(file: str, blocks: list[Block], problems: list[Problem]) -> None:
    """Sheets carrying different indicators for the same units are combined; a conflict is only the same
    indicator with two different values for one unit and month."""
    if len({block.sheet for block in blocks}) < 2:
        return
    seen: dict[tuple[str, str, str], tuple[str, int, float]] = {}
    for block in blocks:
        for code, column in block.columns.items():
            for unit, period, row, value in zip(block.units, block.periods, column.rows, column.values):
                if value != value:  # NaN: nothing written here
                    continue
                first = seen.setdefault((unit, period, code), (block.sheet, int(row), float(value)))
                if first[0] != block.sheet and abs(first[2] - value) > 1e-9:
                    problems.append(Problem("duplicate_unit", file, block.sheet, int(row), column.label, unit,
                                            {"first_row": f"{first[0]}!{first[1]}", "period": period}))


def _combine_sheets(observations: pd.DataFrame) -> pd.DataFrame:
    """One value per unit, indicator and month when several sheets carry it: a given value wins over one
    derived from counts on another sheet."""
    if observations.empty:
        return observations
    keys = ["unit_code", "indicator_code", "period"]
    if not observations.duplicated(keys).any():
        return observations
    return observations.sort_values("derived", kind="stable").drop_duplicates(keys).reset_index(drop=True)


def _warn_far_from_history(con: duckdb.DuckDBPyConnection, review: Review, catalog: Catalog,
                           blocks: list[Block]) -> None:
    """Values far from the unit's previous month are warnings for a person to confirm, never errors."""
    units = sorted({unit for block in blocks for unit in block.units})
    previous = {p: _previous_month(p) for p in {period for block in blocks for period in block.periods}}
    history = current_values(con, units, sorted(set(previous.values())))
    if history.empty:  # the usual first load of a month: nothing to compare with
        return
    given = review.observations[~review.observations["derived"]]
    merged = given.assign(prev_period=given["period"].map(previous)).merge(
        history.rename(columns={"period": "prev_period", "value": "previous"}),
        on=["unit_code", "indicator_code", "prev_period"])
    kinds = merged["indicator_code"].map({code: row.kind for code, row in catalog.rows.items()})
    spans = merged["indicator_code"].map({code: catalog.maximum(code) for code in catalog.rows}).astype(float)
    low = merged[["value", "previous"]].min(axis=1)
    high = merged[["value", "previous"]].max(axis=1)
    bounded = kinds.isin(["rate", "score", "composite"]) & spans.notna()
    jumps = (bounded & ((merged["value"] - merged["previous"]).abs() > HISTORY_JUMP_SHARE * spans)) | (
        (kinds == "count") & (low >= HISTORY_MIN_COUNT) & (high > HISTORY_JUMP_FACTOR * low))
    if not jumps.any():
        return
    review.jumps = merged.loc[jumps, ["unit_code", "indicator_code", "period", "prev_period", "previous", "value"]] \
        .rename(columns={"prev_period": "previous_period"}).astype({"unit_code": str, "indicator_code": str,
                                                                   "period": str}).reset_index(drop=True)
    where = {code: locate([b for b in blocks if code in b.columns]) for code in set(merged.loc[jumps, "indicator_code"])}
    for row in merged[jumps].itertuples(index=False):
        block, i = where[row.indicator_code][(row.unit_code, row.period)]  # sheets combined: the one holding it
        column = block.columns[row.indicator_code]
        review.problems.append(Problem("far_from_history", review.file, block.sheet, int(column.rows[i]),
                                       column.label, column.raw[i],
                                       {"previous": round(row.previous, 2), "previous_period": row.prev_period,
                                        "indicator": row.indicator_code}, "warning"))


def _previous_month(period: str) -> str:
    year, month = int(period[:4]), int(period[5:7])
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


def commit_review(con: duckdb.DuckDBPyConnection, review: Review, *, user: User | str, lang: str) -> LoadResult:
    """Write a review with no blocking problem in one transaction; identical content changes nothing.

    The values decide, not the bytes: the same file loaded with another --period or --sheet may add values.
    `user` must be allowed to change every unit in the file (NotAllowed, recorded, otherwise).
    """
    if review.blocked:
        return LoadResult("refused", review)
    actor = check_write_units(con, user, set(review.observations["unit_code"]), "upload", review.file)
    with store.transaction(con):
        batch_id, written = write_batch(con, review.observations, file_name=review.file, sha256=review.sha256,
                                        loaded_by=actor.username, periods=review.periods, report=review.report(lang))
        record(con, actor.username, "upload", review.file, {"batch": batch_id, "values": written,
                                                            "periods": review.periods})
    if batch_id is None:
        earlier = review.already_loaded["batch_id"] if review.already_loaded else None
        return LoadResult("unchanged", review, earlier)
    return LoadResult("loaded", review, batch_id, written)


def load_file(path: Path, *, db: Path | str | None = None, period: Period | None = None, sheet: str | None = None,
              skip_unmatched: bool = False, dry_run: bool = False, user: User | str | None = None,
              lang: str = "vi", accept_guesses: bool = False, mapping: dict[str, str] | None = None) -> LoadResult:
    """Load one file into the database (or only check it, with dry_run) as `user` (default: the local
    operator, by their system name)."""
    user = user or system_user()
    with store.connect(db) as con:
        review = review_file(con, path, period=period, sheet=sheet, skip_unmatched=skip_unmatched, user=user,
                             accept_guesses=accept_guesses, mapping=mapping)
        if review.blocked:
            return LoadResult("refused", review)
        if dry_run:
            return LoadResult("dry-run", review)
        return commit_review(con, review, user=user, lang=lang)
