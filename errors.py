"""Typed problems and exceptions a user can cause, each with where it happened and how to fix it.

The wording lives in the i18n catalogs under `problem.<code>` (what is wrong) and `fix.<code>` (what to
do); the UI and the CLI both render through `Problem.message`, neither invents its own text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import config
from i18n import translate


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a look) in one place of one file."""

    code: str
    file: str
    sheet: str | None = None
    row: int | None = None  # the spreadsheet's own 1-based row number
    column: str | None = None  # e.g. "F · Tỷ lệ đúng hạn (%)"
    value: Any = None
    params: dict[str, Any] = field(default_factory=dict)
    severity: str = "error"  # error | warning

    def message(self, lang: str) -> str:
        """'Where: what is wrong. How to fix it.' in `lang`."""
        return f"{self.location(lang)}: {self.what(lang)} {self.fix(lang)}"

    def what(self, lang: str) -> str:
        """What is wrong, without where (for tables that show the place in their own columns)."""
        return translate("problem." + self.code, lang, **self._params())

    def fix(self, lang: str) -> str:
        """How to fix it."""
        return translate("fix." + self.code, lang, **self._params())

    def _params(self) -> dict[str, Any]:
        return {"file": self.file, "sheet": self.sheet or "", "row": self.row or "",
                "column": self.column or "", "value": _shown(self.value), **self.params}

    def location(self, lang: str) -> str:
        """'file › sheet Thang 9 › row 12 › column F · Tỷ lệ (%)', naming only what is known."""
        parts = [self.file]
        if self.sheet:
            parts.append(translate("where.sheet", lang, sheet=self.sheet))
        if self.row:
            parts.append(translate("where.row", lang, row=str(self.row)))
        if self.column:
            parts.append(translate("where.column", lang, column=self.column))
        return " › ".join(parts)

    def as_dict(self, lang: str) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column,
                "value": _shown(self.value), "code": self.code, "severity": self.severity,
                "message": self.message(lang)}


def _shown(value: Any) -> Any:
    if value is None or isinstance(value, (int, float, str, bool)):
        return value
    return str(value)


class ProblemList(list):
    """A review's problems, at most `limit` of one code: a file of two million bad rows must not build two
    million problems. The rest are counted; `summarise` adds one problem per code saying how many more."""

    def __init__(self, problems: Iterable[Problem] = (), limit: int | None = None) -> None:
        super().__init__()
        self.limit = limit or config.MAX_PROBLEMS_PER_CODE
        self.kept: Counter[str] = Counter()
        self.dropped: dict[str, tuple[Problem, int]] = {}  # code -> (first problem left out, how many)
        self.extend(problems)

    def append(self, problem: Problem) -> None:
        if self.kept[problem.code] >= self.limit:
            first, count = self.dropped.get(problem.code, (problem, 0))
            self.dropped[problem.code] = (first, count + 1)
            return
        self.kept[problem.code] += 1
        super().append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.append(problem)

    def __iadd__(self, problems: Iterable[Problem]) -> ProblemList:  # type: ignore[override]
        self.extend(problems)
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        # pickle would append the items before restoring the counters (the worker sends reviews back)
        return _restore_problems, (list(self), self.limit, dict(self.kept), self.dropped)

    def summarise(self) -> None:
        """One 'and N more of this kind' problem per code that reached the limit (once)."""
        for code, (first, count) in self.dropped.items():
            super().append(Problem("more_problems", first.file, first.sheet, severity=first.severity,
                                   params={"count": count, "kind": code, "limit": self.limit}))
        self.dropped = {}


def _restore_problems(items: list[Problem], limit: int, kept: dict[str, int],
                      dropped: dict[str, tuple[Problem, int]]) -> ProblemList:
    problems = ProblemList(limit=limit)
    list.extend(problems, items)
    problems.kept.update(kept)
    problems.dropped = dropped
    return problems


class XasoError(Exception):
    """Base of every error a user can cause; carries a catalog code and its parameters."""

    code: str  # each subclass names its catalog entry

    def __init__(self, **params: Any) -> None:
        self.params = params
        super().__init__(f"{self.code}: {params}")

    def message(self, lang: str) -> str:
        return (f"{translate('problem.' + self.code, lang, **self.params)} "
                f"{translate('fix.' + self.code, lang, **self.params)}")


class FileTooLarge(XasoError):
    code = "file_too_large"


class ZipBomb(XasoError):
    code = "zip_bomb"


class TooManyCells(XasoError):
    code = "too_many_cells"


class TooManyColumns(XasoError):
    code = "too_many_columns"


class TooManyRows(XasoError):
    code = "too_many_rows"


class WorkerFailed(XasoError):
    """Reading a file in the bounded worker ended without a result: `code` says which limit or how."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        super().__init__(**params)


class NotASpreadsheet(XasoError):
    code = "not_a_spreadsheet"


class EmptyFile(XasoError):
    code = "empty_file"


class UnsupportedFormat(XasoError):
    code = "unsupported_format"


class SheetNotFound(XasoError):
    code = "sheet_not_found"


class SchemaTooNew(XasoError):
    code = "schema_too_new"


class DatabaseBusy(XasoError):
    code = "database_busy"


class BatchNotFound(XasoError):
    code = "batch_not_found"


class UnknownIndicator(XasoError):
    """An indicator code (or composite name) not in the catalog."""

    code = "unknown_indicator_code"


class NotRankable(XasoError):
    """An indicator with no direction (a count such as dossiers received): more is neither better nor worse."""

    code = "not_rankable"


class UnknownScope(XasoError):
    """A province, peer group or population band that does not exist."""

    code = "unknown_scope"


class PeriodError(XasoError):
    """A period that is not 'YYYY-MM', 'YYYY-Qn' or 'YYYY'."""

    code = "bad_analysis_period"


class LoadRefused(XasoError):
    """A file that cannot be loaded: nothing was written. Carries every problem found."""

    code = "load_refused"

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems
        super().__init__(file=file, count=len([p for p in problems if p.severity == "error"]))


class UnknownMeetingUnit(XasoError):
    """A meeting pack asked for a unit code that is neither a province nor a commune."""

    code = "deck_unknown_unit"


class NoDataForMonth(XasoError):
    """A meeting pack asked for a month the database holds no observation for."""

    code = "deck_empty_month"


class BrowserMissing(XasoError):
    """The PDF and PNG exports need a Chromium on this machine and none was found."""

    code = "deck_browser_missing"
