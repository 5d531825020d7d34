"""Mapping column labels to catalog indicators and to roles (unit code, unit name, period, ...).

Synonyms live in data/column_synonyms.csv (plus every catalog row's own names and code), so a new
layout is taught by adding a line to a data file, not by changing code.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache
from typing import Any
from pathlib import Path

import pandas as pd

from etl.text import expand, fold

SYNONYMS_CSV = Path(__file__).resolve().parent.parent / "data" / "column_synonyms.csv"
ROLES = ("_seq", "_unit_code", "_unit_name", "_period", "_indicator", "_value", "_note")
AUTO_ACCEPT = 0.8  # below this a mapping is only a suggestion; the column is reported, not loaded
FUZZY_ACCEPT_RATIO = 0.93  # a fuzzy match this close is a typo of a known label
REPEATABLE = ("_note",)  # roles several columns may hold (the portal repeats its group scores as notes)


@dataclass(frozen=True)
class ColumnMapping:
    index: int  # 0-based position in the grid
    letter: str  # spreadsheet column letter, e.g. "F"
    label: str  # the joined header text as written
    target: str | None  # indicator code or role; None when nothing matched
    confidence: float  # 1.0 exact synonym; lower for partial or fuzzy matches
    how: str  # exact | child | fuzzy | evidence | profile | chosen (by a person) | guess (accepted) | none | duplicate
    # why, as (i18n catalog key, ((param, value), ...)) pairs: picklable, rendered in the reader's language
    reasons: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()
    alternatives: tuple[tuple[str, float], ...] = ()  # the next best targets and their scores

    @property
    def accepted(self) -> bool:
        return self.target is not None and (self.confidence >= AUTO_ACCEPT or self.how == "guess")

    @property
    def doubtful(self) -> bool:
        """Guessed but not sure: loading needs a person's confirmation (or --accept-guesses)."""
        return self.target is not None and not self.accepted and self.how not in ("duplicate", "chosen", "profile")

    def describe(self) -> str:
        return f"{self.letter} · {self.label}" if self.label else self.letter


def identifier_key(text: object) -> str | None:
    """A column named as a machine identifier ('muc_do_hai_long', 'dvc-progress-tree__totalReceived'), as
    written: such names are matched exactly, never through their folded words, so the portal's
    'muc_do_hai_long' (the satisfaction group score) does not take the words 'Mức độ hài lòng' (a rate)."""
    raw = str(text).strip().lower() if text is not None else ""
    return f"id:{raw}" if "_" in raw and not any(ch.isspace() for ch in raw) else None


def label_key(text: object) -> str:
    """How a label is compared: folded, without '%' and brackets."""
    return " ".join(fold(text).replace("%", " ").split())


@cache
def synonym_index(catalog_codes: tuple[tuple[str, str, str], ...]) -> dict[str, str]:
    """label key -> target, from the synonyms file and the catalog's own codes and names."""
    index: dict[str, str] = {}
    for code, name_vi, name_en in catalog_codes:
        for text in (code, name_vi, name_en):
            index.setdefault(label_key(text), code)
    frame = pd.read_csv(SYNONYMS_CSV, dtype=str, keep_default_na=False)
    for target, synonym in zip(frame["target"], frame["synonym"]):
        identifier = identifier_key(synonym)
        if identifier:  # an identifier is matched by its exact name, not by its words
            index[identifier] = target
        else:
            index[label_key(synonym)] = target
    for key, target in list(index.items()):  # 'so hs tiep nhan' finds 'so ho so tiep nhan'
        if not key.startswith("id:"):
            index.setdefault(expand(key), target)
    return index


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def map_label(label: str, index: dict[str, str]) -> tuple[str | None, float, str]:
    """Best target for one joined label ('Parent / Child'): exact, then the child alone, then fuzzy."""
    identifier = identifier_key(label)
    if identifier and identifier in index:
        return index[identifier], 1.0, "exact"
    key = expand(label_key(label))
    if not key:
        return None, 0.0, "none"
    if key in index:
        return index[key], 1.0, "exact"
    parts = [part.strip() for part in key.split("/") if part.strip()]
    if len(parts) > 1 and parts[-1] in index:
        return index[parts[-1]], 0.9, "child"
    close = difflib.get_close_matches(key, list(index), n=1, cutoff=0.75)
    if close:
        target = index[close[0]]
        ratio = difflib.SequenceMatcher(None, key, close[0]).ratio()
        # Only a near-identical label (a typo) loads by itself; a looser likeness is a suggestion, and so
        # is any likeness between a rate and a count, however close the words ('Tỷ lệ' vs 'Số hồ sơ').
        confident = ratio >= FUZZY_ACCEPT_RATIO and _is_rate_label(key) == _is_rate_target(target, index)
        confidence = round(ratio * 0.95, 2) if confident else min(round(ratio * 0.95, 2), AUTO_ACCEPT - 0.01)
        return target, confidence, "fuzzy"
    return None, 0.0, "none"


def _is_rate_label(key: str) -> bool:
    return "ty le" in key


def _is_rate_target(target: str, index: dict[str, str]) -> bool:
    return any(_is_rate_label(key) for key, value in index.items() if value == target)


def map_columns(labels: list[str], index: dict[str, str], saved: dict[str, str] | None = None,
                offset: int = 0, chosen: dict[str, str] | None = None) -> list[ColumnMapping]:
    """Map every labelled column; a person's choice on the upload page (label -> target, "" to ignore)
    wins over a saved profile (label -> target), which wins over guessing.

    When two columns claim the same target, the more confident keeps it and the other becomes
    unmatched, so one value never comes from two columns.
    """
    mappings: list[ColumnMapping] = []
    for i, label in enumerate(labels):
        letter = column_letter(i + offset)
        if chosen and label in chosen:
            target = chosen[label] or None
            mappings.append(ColumnMapping(i, letter, label, target, 1.0 if target else 0.0, "chosen"))
            continue
        if saved and label in saved:
            target = saved[label] or None
            mappings.append(ColumnMapping(i, letter, label, target, 1.0 if target else 0.0, "profile"))
            continue
        target, confidence, how = map_label(label, index)
        mappings.append(ColumnMapping(i, letter, label, target, confidence, how))
    best: dict[str, ColumnMapping] = {}
    for mapping in mappings:
        if mapping.target and mapping.accepted and mapping.target not in REPEATABLE:
            current = best.get(mapping.target)
            if current is None or mapping.confidence > current.confidence:
                best[mapping.target] = mapping
    return [m if (not m.accepted or m.target in REPEATABLE or best.get(m.target) is m)
            else ColumnMapping(m.index, m.letter, m.label, m.target, 0.0, "duplicate") for m in mappings]
