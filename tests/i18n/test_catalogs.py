"""Both languages complete, every key the code uses exists, numbers formatted by locale."""

from __future__ import annotations

import json
import re
import string
from datetime import datetime

import pytest

from i18n import (LANGUAGES, catalog, format_date, format_datetime, format_number, format_percent, normalize_language,
                  translate)
from tests.conftest import REPO

SOURCES = [p for folder in ("app.py", "pages", "ui", "etl", "store", "analytics", "i18n")
           for p in ([REPO / folder] if folder.endswith(".py") else (REPO / folder).rglob("*.py"))]
_LITERAL_KEY = re.compile(r"""\b(?:t|translate)\(\s*["']([a-z0-9_.\-]+)["']\s*[,)]""")
_DYNAMIC_PREFIX = re.compile(r"""\b(?:t|translate)\(\s*f["']([a-z0-9_.\-]+)\{""")


def placeholders(text: str) -> set[str]:
    """The parameters a text uses; `{n|one|other}` (a word agreeing with n) uses n."""
    return {name.split("|")[0] for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_is_in_both_catalogs():
    vi, en = catalog("vi"), catalog("en")
    assert sorted(set(vi) - set(en)) == [] and sorted(set(en) - set(vi)) == []


def test_each_area_file_has_the_same_keys_in_both_languages():
    def keys_by_file(lang: str) -> dict[str, set[str]]:
        return {path.name: set(json.loads(path.read_text(encoding="utf-8")))
                for path in (REPO / "i18n" / lang).glob("*.json")}

    vi, en = keys_by_file("vi"), keys_by_file("en")
    assert sorted(vi) == sorted(en)
    assert {name: sorted(vi[name] ^ en[name]) for name in vi if vi[name] != en[name]} == {}


def test_a_key_defined_in_two_area_files_is_refused(tmp_path, monkeypatch):
    import i18n

    for name in ("a.json", "b.json"):
        (tmp_path / "vi").mkdir(exist_ok=True)
        (tmp_path / "vi" / name).write_text('{"x.y": "z"}', encoding="utf-8")
    monkeypatch.setattr(i18n, "_CATALOG_DIR", tmp_path)
    i18n.catalog.cache_clear()
    try:
        with pytest.raises(ValueError, match="x.y"):
            i18n.catalog("vi")
    finally:
        i18n.catalog.cache_clear()


def test_both_languages_use_the_same_placeholders():
    vi, en = catalog("vi"), catalog("en")
    assert {k: placeholders(v) for k, v in vi.items() if placeholders(v) != placeholders(en[k])} == {}


def test_no_entry_is_empty_or_left_untranslated():
    vi, en = catalog("vi"), catalog("en")
    assert [k for k in vi if not vi[k].strip() or not en[k].strip()] == []
    same = [k for k in vi if vi[k] == en[k] and len(vi[k]) > 12]
    assert same == []


def test_every_key_the_code_asks_for_exists():
    used = {key for path in SOURCES for key in _LITERAL_KEY.findall(path.read_text(encoding="utf-8"))}
    assert used, "the scan found no key: the pattern is broken"
    assert sorted(used - set(catalog("vi"))) == []


def test_every_problem_code_has_a_message_and_a_fix():
    codes = {key.split(".", 1)[1] for key in catalog("vi") if key.startswith("problem.")}
    fixes = {key.split(".", 1)[1] for key in catalog("vi") if key.startswith("fix.")}
    assert codes == fixes
    raised = set()
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        raised |= set(re.findall(r'Problem\(\s*"([a-z_]+)"', text))
        raised |= set(re.findall(r'ctx\.problem\(\s*"([a-z_]+)"', text))
        raised |= set(re.findall(r'\bcode = "([a-z_]+)"', text))
    assert raised and sorted(raised - codes) == []


def test_dynamic_key_prefixes_exist():
    prefixes = {p for path in SOURCES for p in _DYNAMIC_PREFIX.findall(path.read_text(encoding="utf-8"))}
    for prefix in prefixes:
        assert any(key.startswith(prefix) for key in catalog("vi")), prefix


@pytest.mark.parametrize(("value", "decimals", "vi", "en"), [
    (1234.5, 1, "1.234,5", "1,234.5"),
    (3321, 0, "3.321", "3,321"),
    (1234567.891, 2, "1.234.567,89", "1,234,567.89"),
    (-0.5, 1, "-0,5", "-0.5"),
    (None, 1, "–", "–"),
    (float("nan"), 1, "–", "–"),
])
def test_numbers_follow_the_language(value, decimals, vi, en):
    assert format_number(value, "vi", decimals) == vi
    assert format_number(value, "en", decimals) == en


def test_percent_and_translated_parameters_are_formatted_too():
    assert format_percent(87.25, "vi") == "87,3%"
    assert translate("overview.caption", "vi", provinces=34, communes=3321).startswith("34 tỉnh")
    assert "3.321" in translate("overview.caption", "vi", provinces=34, communes=3321)
    assert "3,321" in translate("overview.caption", "en", provinces=34, communes=3321)


def test_browser_locales_map_to_a_supported_language():
    assert normalize_language("en-US") == "en"
    assert normalize_language("vi-VN") == "vi"
    assert normalize_language("fr-FR") == "vi"
    assert normalize_language(None) == "vi"
    assert set(LANGUAGES) == {"vi", "en"}


def test_vietnamese_text_is_stored_in_nfc_with_exact_diacritics():
    import unicodedata

    vi = catalog("vi")
    assert all(unicodedata.normalize("NFC", text) == text for text in vi.values())
    assert vi["scope.commune"] == "Xã, phường, đặc khu"


@pytest.mark.parametrize(("places", "shown"), [(1, "up 1 place"), (-1, "up -1 place"), ("+1", "up +1 place"),
                                               (2, "up 2 places"), (0, "up 0 places"), (11, "up 11 places"),
                                               (1.5, "up 1.5 places"), ("1,021", "up 1,021 places")])
def test_an_english_count_word_agrees_with_its_number(places, shown, monkeypatch):
    monkeypatch.setitem(catalog("en"), "test.move", "up {places} {places|place|places}")
    assert translate("test.move", "en", places=places) == shown


def test_english_rank_moves_of_one_place_say_place():
    assert translate("profile.summary.move.up", "en", places=1) == "up 1 place on last month"
    assert translate("profile.summary.effect.lost", "en", places=3) == "cost it 3 places"
    assert translate("rankings.places", "en", places="1") == "1 place"


def test_dates_are_written_the_way_each_language_writes_them():
    moment = datetime(2026, 11, 4, 9, 5)
    assert (format_date(moment.date(), "vi"), format_datetime(moment, "vi")) == ("04/11/2026", "04/11/2026 09:05")
    assert (format_date(moment.date(), "en"), format_datetime(moment, "en")) == ("2026-11-04", "2026-11-04 09:05")
