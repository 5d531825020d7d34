"""Text folding for matching Vietnamese labels and names written every which way."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z%/]+")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def strip_diacritics(text: str) -> str:
    """'Đúng hạn' -> 'Dung han' (đ/Đ have no combining form, so they are mapped by hand)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def fold(text: object) -> str:
    """Lowercase, no diacritics, punctuation to single spaces: for comparing labels and names."""
    if text is None:
        return ""
    plain = strip_diacritics(nfc(str(text))).lower()
    return " ".join(_NON_WORD.sub(" ", plain).split())


def fold_keep_marks(text: object) -> str:
    """Lowercase NFC with diacritics kept, whitespace collapsed: a stricter match than `fold`."""
    if text is None:
        return ""
    return " ".join(nfc(str(text)).lower().replace("–", "-").split())
