"""Finding the reporting period: explicit > a column > the title > the sheet name > the file name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from etl.text import fold, nfc, strip_diacritics

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_MONTH_PATTERNS = [
    re.compile(r"\bthang\s*0?(\d{1,2})\s*(?:/|-|\.|nam|\s)\s*(\d{4})\b"),  # tháng 8/2026, THÁNG 09 NĂM 2026
    re.compile(r"\bmonth\s*0?(\d{1,2})\s*(?:/|-)\s*(\d{4})\b"),
    re.compile(r"\bt\s*0?(\d{1,2})\s*(?:/|-|\s)\s*(\d{4})\b"),  # T8/2026, t08-2026
]
_DATE_LINE = re.compile(r"\bngay\s*\d{1,2}\s*$")
_ISO_MONTH = re.compile(r"(?<!\d)(\d{4})\s*[-_./]\s*(\d{1,2})(?!\d)")  # 2026-09
_SLASH_MONTH = re.compile(r"(?<![\d/])(\d{1,2})\s*/\s*(\d{4})(?!\d)")  # 9/2026
_QUARTER_PATTERNS = [
    re.compile(r"\bquy\s*(iv|iii|ii|i|[1-4])\s*(?:/|-|nam|\s)\s*(\d{4})\b"),  # Quý III/2026
    re.compile(r"(?<![0-9])(\d{4})\s*[-_]?\s*q([1-4])(?![0-9a-z])"),  # 2026-q3
    re.compile(r"(?<![a-z])q([1-4])\s*[-/_]?\s*(\d{4})(?![0-9])"),
]


@dataclass(frozen=True)
class Period:
    """A month ('2026-09') or, where only a quarter is given, a quarter ('2026-Q3')."""

    year: int
    month: int | None = None
    quarter: int | None = None

    @property
    def is_month(self) -> bool:
        return self.month is not None

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}" if self.month else f"{self.year:04d}-Q{self.quarter}"


def _valid(year: int, month: int) -> bool:
    return 2000 <= year <= 2100 and 1 <= month <= 12


def parse_month(text: str) -> Period:
    """Parse an explicit 'YYYY-MM' (the --period option). Raises ValueError."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if not match or not _valid(int(match[1]), int(match[2])):
        raise ValueError(text)
    return Period(int(match[1]), int(match[2]))


# What a person may type for a month (the upload page's period box, the command line's --period), folded:
# 12/2026, T12.2026, tháng 12 năm 2026, Tháng 12 - 2026, 12-2026, 12.2026; or the year first: 2026-12.
_SEP = r"(?:\s*[/.\-_]\s*|\s*nam\s*|\s+)"
_USER_MONTH = re.compile(rf"(?:thang|th|t|month)?\s*\.?\s*0?(\d{{1,2}}){_SEP}(\d{{4}})")
_USER_ISO = re.compile(r"(\d{4})\s*[/.\-_]\s*0?(\d{1,2})")
USER_MONTH_EXAMPLES = "12/2026, T12.2026, tháng 12/2026, tháng 12 năm 2026, 2026-12"


def parse_user_month(text: str) -> Period:
    """A month as people type it ('12/2026', 'T12.2026', 'tháng 12 năm 2026', '2026-12' ...), in any case,
    with or without diacritics. Raises ValueError naming the text; USER_MONTH_EXAMPLES lists the forms."""
    folded = " ".join(strip_diacritics(nfc(str(text))).lower().split())
    if m := _USER_MONTH.fullmatch(folded):
        year, month = int(m[2]), int(m[1])
    elif m := _USER_ISO.fullmatch(folded):
        year, month = int(m[1]), int(m[2])
    else:
        raise ValueError(text)
    if not _valid(year, month):
        raise ValueError(text)
    return Period(year, month)


def find_in_text(text: object, *, loose: bool = False) -> Period | None:
    """The period named in a title, sheet name or file name; `loose` also accepts '9/2026' and '2026-09'."""
    if text is None:
        return None
    folded = fold(text).replace(" / ", "/")
    raw = str(text).lower()
    for pattern in _MONTH_PATTERNS:
        for m in pattern.finditer(folded):
            # "Hà Nội, ngày 05 tháng 9 năm 2026" is when the report was signed, not what it reports on
            if _valid(int(m[2]), int(m[1])) and not _DATE_LINE.search(folded[:m.start()]):
                return Period(int(m[2]), int(m[1]))
    for i, pattern in enumerate(_QUARTER_PATTERNS):
        if m := pattern.search(folded if i == 0 else raw):
            q_text, year = (m[1], m[2]) if i != 1 else (m[2], m[1])
            quarter = _ROMAN.get(q_text) or int(q_text)
            return Period(int(year), quarter=quarter)
    if loose:
        if (m := _ISO_MONTH.search(raw)) and _valid(int(m[1]), int(m[2])):
            return Period(int(m[1]), int(m[2]))
        if (m := _SLASH_MONTH.search(raw)) and _valid(int(m[2]), int(m[1])):
            return Period(int(m[2]), int(m[1]))
    return None


def period_of_cell(value: object) -> Period | None:
    """A period column's cell: '2026-07', '07/2026', 'Tháng 7/2026' or a date."""
    if isinstance(value, (datetime, date)):
        return Period(value.year, value.month)
    return find_in_text(value, loose=True)
