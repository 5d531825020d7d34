"""Matching the units written in a spreadsheet to official codes.

By code first (also codes that lost their leading zero, and alias codes), else by name within the
file's province: 'UBND xã Vân Bán', 'Xã Vân Bán', 'VÂN BÁN', 'Van Ban', 'UBND xã Lâm Thao - Tỉnh Phú
Thọ', in NFC or NFD. Exact spelling (with diacritics) wins over the ASCII fold, so 'Tân Lập' and
'Tấn Lập' stay apart.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pandas as pd

from etl.text import fold, fold_keep_marks, nfc

_TYPE_PREFIXES = {"xã": "xa", "phường": "phuong", "đặc khu": "dac_khu", "thị trấn": "xa"}
_SHORT_PREFIX = re.compile(r"^(?:(p|x|tt|đk|dk)\.\s*|(tt|đk|dk)\s+)(?=\w)", re.IGNORECASE)
_SHORT_TYPES = {"p": "phuong", "x": "xa", "tt": "xa", "đk": "dac_khu", "dk": "dac_khu"}
_ASCII_TYPE_PREFIXES = {"xa": "xa", "phuong": "phuong", "dac khu": "dac_khu", "thi tran": "xa"}
_AUTHORITY = re.compile(r"^(?:ubnd|ủy ban nhân dân|uỷ ban nhân dân|uy ban nhan dan|đảng ủy|hđnd)\s+",
                        re.IGNORECASE)
_PROVINCE_SUFFIX = re.compile(r"(?:\s*[-–,(]\s*|\s+)(?:tỉnh|thành phố|tp\.?|tinh|thanh pho)\s+[^)]*\)?\s*$",
                              re.IGNORECASE)
# Bodies that are not communes, compared with diacritics kept: 'Bản Díu' (a village-turned-commune) is
# not 'Ban …' (a board), 'Tĩnh Túc' is not 'Tỉnh …'.
_NOT_COMMUNE = ("sở ", "ban chỉ huy", "ban quản lý", "ban dân tộc", "ban tuyên giáo", "ban tổ chức",
                "văn phòng", "công an", "bộ chỉ huy", "thanh tra", "kho bạc", "bảo hiểm", "bhxh", "chi cục",
                "cục ", "ubnd tỉnh", "ủy ban nhân dân tỉnh", "uỷ ban nhân dân tỉnh", "hđnd tỉnh", "tỉnh ủy",
                "tỉnh uỷ", "đảng ủy tỉnh", "tỉnh ", "thành phố ", "tp ", "tp.", "trường ", "bệnh viện",
                "trung tâm ", "đài ", "báo ")


@dataclass(frozen=True)
class UnitMatch:
    code: str | None
    how: str  # code | alias | code_no_zero | name | ascii | not_commune | unknown | ambiguous | empty
    candidates: tuple[str, ...] = field(default=())  # 'Xã Vân Bán (08377)' for a person to pick from
    candidate_codes: tuple[str, ...] = field(default=())  # the same units' codes, in the same order

    @property
    def matched(self) -> bool:
        return self.code is not None


@dataclass(frozen=True)
class _Name:
    base_marks: str  # 'vân bán'
    base_ascii: str  # 'van ban'
    unit_type: str | None  # xa | phuong | dac_khu when written
    province_hint: str | None  # province code from a '- Tỉnh X' suffix


class UnitMatcher:
    """Built once per load from the unit table; answers code and name questions."""

    def __init__(self, units: pd.DataFrame, aliases: dict[str, str]) -> None:
        communes = units[units["parent_code"].notna()]
        provinces = units[units["parent_code"].isna()]
        self.communes = {row.code: row for row in communes.itertuples(index=False)}
        self.province_codes = set(provinces["code"])
        self.province_names = {row.code: row.name_vi for row in provinces.itertuples(index=False)}
        self._province_by_ascii = {fold(row.name_vi): row.code for row in provinces.itertuples(index=False)}
        self.aliases = aliases
        self._marks: dict[tuple[str | None, str], list[str]] = defaultdict(list)
        self._ascii: dict[tuple[str | None, str], list[str]] = defaultdict(list)
        for row in communes.itertuples(index=False):
            for scope in (row.parent_code, None):
                self._marks[(scope, fold_keep_marks(row.name_vi))].append(row.code)
                self._ascii[(scope, fold(row.name_vi))].append(row.code)

    # -- codes -------------------------------------------------------------------------------
    def by_code(self, raw: object) -> UnitMatch:
        text = _code_text(raw)
        if text is None:
            return UnitMatch(None, "empty")
        if isinstance(raw, str) and len(text) <= 2:  # written as '08': a province's code, not 00008
            return UnitMatch(None, "not_commune" if text.zfill(2) in self.province_codes else "unknown")
        if text in self.communes:
            return UnitMatch(text, "code")
        if text in self.aliases:
            return UnitMatch(self.aliases[text], "alias")
        padded = text.zfill(5)
        if padded in self.communes:
            return UnitMatch(padded, "code_no_zero")
        if padded in self.aliases:
            return UnitMatch(self.aliases[padded], "alias")
        if text.zfill(2) in self.province_codes:
            return UnitMatch(None, "not_commune")
        return UnitMatch(None, "unknown")

    # -- names -------------------------------------------------------------------------------
    def province_of_text(self, text: str) -> str | None:
        """A province named in a title or suffix: 'UBND TỈNH LÀO CAI' -> '15'."""
        folded = fold(text)
        for name, code in sorted(self._province_by_ascii.items(), key=lambda item: -len(item[0])):
            if re.search(rf"\b(?:tinh|thanh pho|tp)\s+{re.escape(name)}\b", folded):
                return code
        return None

    def parse_names(self, raw: str) -> list[_Name]:
        """The readings of a written name, most likely first.

        'Xã Vân Bán' is certainly 'Vân Bán'; 'Xa Van Ban' probably is, but 'Xà Phiên' or 'Xa Dung' may be
        the whole name, so an ASCII prefix yields both readings, the full name first.
        """
        text = nfc(" ".join(str(raw).split()))
        province_hint = None
        if suffix := _PROVINCE_SUFFIX.search(text):
            named = self.province_of_text(suffix.group(0).strip(" -–,()"))
            if named is not None:
                province_hint, text = named, text[: suffix.start()]
        text = _AUTHORITY.sub("", text).strip()
        if short := _SHORT_PREFIX.match(text):  # 'P. Hà Tu', 'X.Hải Sơn', 'TT. Cô Tô'
            kind = _SHORT_TYPES[(short.group(1) or short.group(2)).lower()]
            return [self._name(text[short.end():], kind, province_hint), self._name(text[short.end():], None,
                                                                                     province_hint)]
        lowered = text.lower()
        for prefix, kind in _TYPE_PREFIXES.items():
            if lowered.startswith(prefix + " "):
                return [self._name(text[len(prefix) + 1:], kind, province_hint)]
        readings = [self._name(text, None, province_hint)]
        folded = fold(text)
        for prefix, kind in _ASCII_TYPE_PREFIXES.items():
            if folded.startswith(prefix + " "):
                words = len(prefix.split())
                readings.append(self._name(" ".join(text.split()[words:]), kind, province_hint))
                break
        return readings

    @staticmethod
    def _name(text: str, unit_type: str | None, province_hint: str | None) -> _Name:
        return _Name(fold_keep_marks(text), fold(text), unit_type, province_hint)

    def by_name(self, raw: object, province: str | None) -> UnitMatch:
        if raw is None or not str(raw).strip():
            return UnitMatch(None, "empty")
        readings = self.parse_names(str(raw))
        for how, index in (("name", self._marks), ("ascii", self._ascii)):
            for name in readings:
                scope = name.province_hint or province
                key = name.base_marks if how == "name" else name.base_ascii
                codes = index.get((scope, key), [])
                if name.unit_type and len(codes) > 1:
                    codes = [c for c in codes if self.communes[c].unit_type == name.unit_type] or codes
                if len(codes) == 1:
                    return UnitMatch(codes[0], how)
                if len(codes) > 1:
                    return UnitMatch(None, "ambiguous", tuple(self.describe(c) for c in codes[:8]), tuple(codes[:8]))
        if self._looks_like_other_body(str(raw)):
            return UnitMatch(None, "not_commune")
        first = readings[-1]
        codes = self.closest_codes(first.base_ascii, first.province_hint or province)
        return UnitMatch(None, "unknown", tuple(self.describe(code) for code in codes), codes)

    def looks_like_unit(self, raw: object) -> bool:
        """A cell that names a commune anywhere in the country (cheap: no fuzzy search), for finding the
        unit column by what it holds."""
        if raw is None or not str(raw).strip():
            return False
        for name in self.parse_names(str(raw)):
            if (None, name.base_marks) in self._marks or (None, name.base_ascii) in self._ascii:
                return True
        return False

    def _looks_like_other_body(self, raw: str) -> bool:
        written = fold_keep_marks(raw)
        without_authority = fold_keep_marks(_AUTHORITY.sub("", nfc(raw.strip())))
        return (written.startswith(_NOT_COMMUNE) or without_authority.startswith(_NOT_COMMUNE)
                or fold(without_authority) in self._province_by_ascii)

    def closest(self, key_ascii: str, province: str | None, n: int = 3) -> tuple[str, ...]:
        return tuple(self.describe(code) for code in self.closest_codes(key_ascii, province, n))

    def closest_codes(self, key_ascii: str, province: str | None, n: int = 3) -> tuple[str, ...]:
        """Codes of the units whose names are closest to a folded name (for a person to pick from)."""
        pool = {code: fold(row.name_vi) for code, row in self.communes.items()
                if province is None or row.parent_code == province}
        names = difflib.get_close_matches(key_ascii, list(set(pool.values())), n=n, cutoff=0.6)
        return tuple(code for name in names for code, key in pool.items() if key == name)[:n]

    def describe(self, code: str) -> str:
        row = self.communes[code]
        return f"{row.full_name_vi} ({code}, {self.province_names.get(row.parent_code, '')})"

    def guess_province(self, codes: list[str]) -> str | None:
        """The province most of the already matched units belong to (None when there are none)."""
        counts = Counter(self.communes[c].parent_code for c in codes if c in self.communes)
        return counts.most_common(1)[0][0] if counts else None


def _code_text(raw: object) -> str | None:
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, float):
        return str(int(raw)) if raw.is_integer() else None
    if isinstance(raw, int):
        return str(raw)
    text = str(raw).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text if text.isdigit() else None
