"""Reading numbers as people write them in Vietnamese spreadsheets."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

MISSING_TOKENS = frozenset({"", "-", "–", "—", "x", "X", "n/a", "N/A", "...", "…", "k", "không có"})
_GROUPED = re.compile(r"^\d{1,3}([.,]\d{3})+$")  # 19.630 / 1,234,567
_NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?$")


@dataclass(frozen=True)
class ParsedNumber:
    value: float | None  # None when missing or unreadable
    missing: bool = False  # blank, "-", "x": not reported, never zero
    percent_sign: bool = False  # written with '%'
    decimals: int | None = None  # digits after the decimal mark as written (for rounding tolerance)
    unreadable: bool = False


def parse_number(raw: object, *, whole_counts: bool = False) -> ParsedNumber:
    """Parse one cell. `whole_counts` lets '1.234' and '1,234' be read as thousands."""
    if raw is None or isinstance(raw, bool):
        return ParsedNumber(None, missing=raw is None, unreadable=isinstance(raw, bool))
    if isinstance(raw, (int, float)):
        if isinstance(raw, float) and (math.isnan(raw) or math.isinf(raw)):
            return ParsedNumber(None, unreadable=True)
        return ParsedNumber(float(raw))
    if isinstance(raw, (datetime, date, time, timedelta)):
        return ParsedNumber(None, unreadable=True)
    stripped = str(raw).strip()
    if stripped in MISSING_TOKENS or stripped.lower() in MISSING_TOKENS:
        return ParsedNumber(None, missing=True)
    text = stripped.replace("\u00a0", "").replace(" ", "")
    percent = text.endswith("%")
    if percent:
        text = text[:-1]
    sign = ""
    if text and text[0] in "+-−":
        sign, text = ("-" if text[0] in "-−" else ""), text[1:]
    if not text or not text[0].isdigit():
        return ParsedNumber(None, unreadable=True)
    number, decimals = _to_float(text, whole_counts)
    if number is None:
        return ParsedNumber(None, unreadable=True)
    return ParsedNumber(-number if sign == "-" else number, percent_sign=percent, decimals=decimals)


def _to_float(text: str, whole_counts: bool) -> tuple[float | None, int | None]:
    if "." in text and "," in text:
        # both marks: the last one is the decimal mark ('1.234,5' or '1,234.5')
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        whole, _, fraction = text.replace(thousands, "").partition(decimal_mark)
        if not (whole.isdigit() and fraction.isdigit()):
            return None, None
        return float(f"{whole}.{fraction}"), len(fraction)
    if _GROUPED.match(text) and (whole_counts or not text.startswith("0")):
        # '19.630' is nineteen thousand in Vietnamese; a single group after '0' is a decimal ('0,965')
        if whole_counts or text.count(".") + text.count(",") > 1 or "." in text:
            return float(re.sub(r"[.,]", "", text)), 0
    if not _NUMBER.match(text):
        return None, None
    normalized = text.replace(",", ".")
    fraction = normalized.partition(".")[2]
    return float(normalized), len(fraction)
