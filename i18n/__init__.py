"""The translation layer: every visible string goes through `translate`.

Catalogs are flat JSON files, one folder per language (`vi/`, `en/`) holding one file per area of the
app (loader, rankings, ...), so each area's wording is reviewed together. Vietnamese is the default.
Plain Python (no streamlit) so the CLI, the loader's error messages and the pages share one wording.

English counts need a word that agrees with the number: `{places|place|places}` in a text is "place"
when the parameter `places` is 1 (or -1) and "places" otherwise ("gained it {places} {places|place|places}").
Vietnamese has no plural and never needs it.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Context, Decimal
from functools import cache
from pathlib import Path

LANGUAGES: tuple[str, ...] = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
_CATALOG_DIR = Path(__file__).parent


@cache
def catalog(lang: str) -> dict[str, str]:
    """The catalog of one language: key -> template with `{name}` placeholders."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    merged: dict[str, str] = {}
    for path in sorted((_CATALOG_DIR / lang).glob("*.json")):
        with open(path, encoding="utf-8") as f:
            part = json.load(f)
        twice = sorted(set(part) & set(merged))
        if twice:
            raise ValueError(f"{path}: keys already defined in another {lang} file: {', '.join(twice)}")
        merged.update(part)
    return merged


def normalize_language(value: str | None) -> str:
    """Map a browser locale such as 'en-US' or 'vi' to a supported language (default vi)."""
    if not value:
        return DEFAULT_LANGUAGE
    short = value.replace("_", "-").split("-")[0].lower()
    return short if short in LANGUAGES else DEFAULT_LANGUAGE


def env_language() -> str:
    """The command line's language, from XASO_LANG (default vi)."""
    return normalize_language(os.environ.get("XASO_LANG"))


def translate(key: str, lang: str, /, **params: object) -> str:
    """The text for `key` in `lang`, with numbers in `params` formatted for that language.

    A missing key raises KeyError: the catalog test keeps both languages complete, and a raw key
    must never reach a user.
    """
    template = catalog(lang)[key]
    if not params:
        return template
    template = _PLURAL.sub(lambda m: m[2] if _is_one(params[m[1]]) else m[3], template)
    shown = {name: _shown(value, lang) for name, value in params.items()}
    return template.format(**shown)


_PLURAL = re.compile(r"\{(\w+)\|([^{}|]*)\|([^{}|]*)\}")  # {count|one|other}


def _is_one(value: object) -> bool:
    """1 or -1, also when already written out ("1", "+1", "−1")."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return abs(value) == 1
    return isinstance(value, str) and value.strip().lstrip("+-−") == "1"


def _shown(value: object, lang: str) -> object:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    if isinstance(value, int):
        return format_number(value, lang, 0)
    # as many decimals as the value has (up to 4), so 185.5 shows as '185,5', not '185,50'
    decimals = next((d for d in range(5) if abs(value - round(value, d)) < 1e-9), 4)
    return format_number(value, lang, decimals)


def format_number(value: float | int | None, lang: str, decimals: int = 0) -> str:
    """1234.5 -> '1.234,5' in Vietnamese, '1,234.5' in English; None/NaN -> '–'."""
    if value is None or (isinstance(value, numbers.Real) and math.isnan(value)):
        return "–"
    # half up, as people round (87.25 -> 87.3), not the binary float's half-even
    if isinstance(value, numbers.Real) and math.isinf(value):  # a typo like 1e999 in a cell reaches messages
        return "∞" if value > 0 else "−∞"
    exact = Decimal(int(value)) if isinstance(value, numbers.Integral) else Decimal(repr(float(value)))
    # the default 28 digits of precision cannot hold 1e28 to the unit: give it as many as the value has
    context = Context(prec=max(28, exact.adjusted() + decimals + 2))
    rounded = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP, context=context)
    text = f"{rounded:,.{decimals}f}"
    if lang == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def format_percent(value: float | None, lang: str, decimals: int = 1) -> str:
    """A percentage already on the 0–100 scale: 87.25 -> '87,3%' (vi)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return format_number(value, lang, decimals) + "%"


def format_date(value: date, lang: str) -> str:
    """A day as people write it: 24/11/2026 in Vietnamese, 2026-11-24 in English."""
    return value.strftime(translate("format.date", lang))


def format_datetime(value: datetime, lang: str) -> str:
    """A moment to the minute: 24/11/2026 09:05 in Vietnamese, 2026-11-24 09:05 in English."""
    return value.strftime(translate("format.datetime", lang))


def month_label(period: str, lang: str) -> str:
    """A month as the app writes it in text: 'Tháng 7/2026' in Vietnamese, '7/2026' in English."""
    return translate("month.label", lang, month=str(int(period[5:7])), year=period[:4])


def short_month(period: str, lang: str) -> str:
    """7/2026 in both languages: a chart's axis has room for a year of these, not for "Tháng 7/2026"."""
    return f"{int(period[5:7])}/{period[:4]}"


def format_signed(value: float | None, lang: str, decimals: int = 1) -> str:
    """A change with its sign: +1,5 / −2,0 (a real minus sign)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return sign + format_number(abs(value), lang, decimals)
