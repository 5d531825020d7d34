"""Reporting periods for analysis: a month '2026-09', a quarter '2026-Q3' or a year '2026'."""

from __future__ import annotations

import re
from dataclasses import dataclass

from errors import PeriodError

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


@dataclass(frozen=True)
class AnalysisPeriod:
    year: int
    month: int | None = None
    quarter: int | None = None

    @classmethod
    def parse(cls, written: str) -> AnalysisPeriod:
        text = written.strip().upper()
        if m := _MONTH.match(text):
            return cls(int(m[1]), month=int(m[2]))
        if m := _QUARTER.match(text):
            return cls(int(m[1]), quarter=int(m[2]))
        if m := _YEAR.match(text):
            return cls(int(m[1]))
        raise PeriodError(value=written)

    @property
    def kind(self) -> str:
        return "month" if self.month else "quarter" if self.quarter else "year"

    def months(self) -> list[str]:
        """The calendar months it covers, as stored ('2026-07', '2026-08', '2026-09')."""
        if self.month:
            numbers = [self.month]
        elif self.quarter:
            numbers = list(range(3 * self.quarter - 2, 3 * self.quarter + 1))
        else:
            numbers = list(range(1, 13))
        return [f"{self.year:04d}-{m:02d}" for m in numbers]

    def previous(self) -> AnalysisPeriod:
        """The period just before, of the same kind."""
        if self.month:
            return AnalysisPeriod(self.year - 1, month=12) if self.month == 1 else AnalysisPeriod(self.year, self.month - 1)
        if self.quarter:
            return AnalysisPeriod(self.year - 1, quarter=4) if self.quarter == 1 else \
                AnalysisPeriod(self.year, quarter=self.quarter - 1)
        return AnalysisPeriod(self.year - 1)

    def year_earlier(self) -> AnalysisPeriod:
        return AnalysisPeriod(self.year - 1, self.month, self.quarter)

    def __str__(self) -> str:
        if self.month:
            return f"{self.year:04d}-{self.month:02d}"
        if self.quarter:
            return f"{self.year:04d}-Q{self.quarter}"
        return f"{self.year:04d}"
