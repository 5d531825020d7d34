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


# Office abbreviations, folded; expanded word by word before headers are compared.
ABBREVIATIONS = {
    "hs": "ho so", "tthc": "thu tuc hanh chinh", "dvhc": "don vi hanh chinh", "gq": "giai quyet",
    "gqtthc": "giai quyet thu tuc hanh chinh", "dvc": "dich vu cong", "dvctt": "dich vu cong truc tuyen",
    "tttt": "thanh toan truc tuyen", "pakn": "phan anh kien nghi", "ks": "ky so", "tn": "tiep nhan",
    "sl": "so luong", "tl": "ty le", "vb": "van ban", "cns": "cong nghe so", "cnscd": "cong nghe so cong dong",
    "bdhvs": "binh dan hoc vu so", "tp": "thanh pho", "ubnd": "uy ban nhan dan",
    "cds": "chuyen doi so", "kq": "ket qua",
}


def expand(key: str) -> str:
    """Office abbreviations in a folded text written out: 'so hs tn' -> 'so ho so tiep nhan'."""
    return " ".join(ABBREVIATIONS.get(word, word) for word in key.split())
