"""How provinces and communes are named in pickers: one rule for every page.

Streamlit's picker search matches letters exactly, so each label carries the other spelling and the code:
typing "phu tho" finds Phú Thọ, "Van Ban" finds Xã Vân Bán, "08377" finds it too, and back in English.
Labels are kept per data version and shared by every session: never change what these return.
"""

from __future__ import annotations

from analytics.overview import communes, provinces
from ui.data import kept, query


def province_labels(lang: str) -> dict[str, str]:
    """Province code -> 'Phú Thọ (25 · Phu Tho)' ('Phu Tho (25 · Phú Thọ)' in English)."""
    return kept(_province_labels, lang)


def _province_labels(lang: str) -> dict[str, str]:
    table = query(provinces)
    name, other = ("name_en", "name_vi") if lang == "en" else ("name_vi", "name_en")
    return dict(zip(table["code"], table[name] + " (" + table["code"] + " · " + table[other] + ")"))


def province_names(lang: str) -> dict[str, str]:
    """Province code -> its name alone, for titles, legends and tables."""
    return kept(_province_names, lang)


def _province_names(lang: str) -> dict[str, str]:
    table = query(provinces)
    return dict(zip(table["code"], table["name_en" if lang == "en" else "name_vi"]))


def commune_labels(province: str | None, lang: str, unit_type: str | None = None) -> dict[str, str]:
    """Commune code -> 'Xã Vân Bán · Phú Thọ (08377 · Van Ban)', of one province (None: every one), of one
    type (xa / phuong / dac_khu) when asked."""
    return kept(_commune_labels, province, lang, unit_type)


def _commune_labels(province: str | None, lang: str, unit_type: str | None) -> dict[str, str]:
    units = query(communes, province)
    if unit_type:
        units = units[units["unit_type"] == unit_type]
    name, place, other = ("name_en", "province_en", "full_name_vi") if lang == "en" else \
        ("full_name_vi", "province_vi", "name_en")
    return dict(zip(units["code"], units[name] + " · " + units[place] + " (" + units["code"] + " · "
                    + units[other] + ")"))
