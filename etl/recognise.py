"""Recognising a sheet's columns from evidence: the header's words (abbreviations expanded, with the group
label, sheet name and title as context), what the column holds (integers or decimals, their range, unit
names or codes) and how columns relate (on time + overdue = received; a rate = on time ÷ received).

Every candidate target gets a score; targets are then given out one per column, best total first. Each
decision keeps its reasons as (catalog key, params) pairs, rendered in the analyst's language by i18n.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from etl.columns import AUTO_ACCEPT, REPEATABLE, ColumnMapping, column_letter, identifier_key, label_key
from etl.text import expand
from etl.values import parse_number

Reason = tuple[str, tuple[tuple[str, Any], ...]]

# Words that say nothing about which indicator a column is.
_STOP = frozenset({"cua", "cac", "va", "trong", "do", "hanh", "chinh", "thang", "ky", "bao", "cao", "nam", "tong", "so", "luong",
                   "/", "%", "the", "of", "number", "cot", "tai", "duoc", "da", "theo"})
# A header this bare needs the sheet's name or the group label to say which indicator it is.
_BARE = frozenset({"diem", "ty le", "so luong", "so ho so", "gia tri", "so lieu", "ket qua", "tong diem", "diem so",
                   "so", "ty le %", "points", "rate", "count"})
_UNIT_SAMPLE = 40  # cells looked at to decide whether a column holds unit names or codes


def norm(text: object) -> str:
    """A header as compared: folded, '%' and brackets gone, abbreviations expanded."""
    return expand(label_key(text))


def _tokens(key: str) -> frozenset[str]:
    words = [w for w in key.replace("/", " ").split() if not w.isdigit()]  # '(22 điểm)', 'Bộ chỉ số 766
    # 'so' matters before 'hoa' (số hóa), not as 'số lượng'/'số hồ sơ'
    return frozenset(w for w in words if w not in _STOP or w == "so" and "hoa" in words)


@dataclass(frozen=True)
class Vocabulary:
    """The synonym index in the forms recognition compares: exact keys and token sets per target."""

    exact: dict[str, str]  # normalised key -> target
    token_sets: tuple[tuple[frozenset[str], str, str], ...]  # (tokens, target, key)


@cache
def vocabulary(index_items: tuple[tuple[str, str], ...]) -> Vocabulary:
    exact: dict[str, str] = {}
    sets = []
    for key, target in index_items:
        expanded = expand(key)
        exact.setdefault(expanded, target)
        tokens = _tokens(expanded)
        if tokens and not key.startswith("id:"):  # identifiers match as written only
            sets.append((tokens, target, key))
    return Vocabulary(exact, tuple(sets))


def vocabulary_of(index: dict[str, str]) -> Vocabulary:
    return vocabulary(tuple(index.items()))


def word_candidates(label: str, vocab: Vocabulary, context: tuple[str, ...] = ()) -> dict[str, tuple[float, Reason]]:
    """target -> (word score 0..1, reason) from the header alone and, for a bare header, with its context."""
    key = norm(label)
    found: dict[str, tuple[float, Reason]] = {}
    if "ky so" in key and " ks" in f" {label_key(label)}":  # KS is ký số (signing) or khảo sát (survey)
        found = word_candidates(re.sub(r"\bks\b", "khao sat", label_key(label)), vocab, context)

    def offer(target: str, score: float, reason: Reason) -> None:
        if score > found.get(target, (0.0,))[0]:
            found[target] = (score, reason)

    identifier = identifier_key(label)
    if identifier and identifier in vocab.exact:  # a name like 'muc_do_hai_long' is matched as written
        offer(vocab.exact[identifier], 1.0, ("reason.header_exact", (("label", label),)))
        return found
    if not key:
        return found
    parts = [p.strip() for p in key.split("/") if p.strip()]
    child = parts[-1] if parts else key
    bare = child in _BARE or len(_tokens(child)) <= 1
    # a bare 'Điểm' says little by itself: its likeness to 'Tổng điểm' counts less than the sheet's name
    loose = 0.7 if bare else 1.0
    variants = [(key, 1.0, None), (child, 0.92, None)]
    if len(parts) > 1:
        variants.append((" ".join(parts), 0.97, None))
        variants += [(part, 0.88, None) for part in parts[:-1]]
    if bare:
        for text in context:
            variants.append((f"{child} {norm(text)}", 0.9, text))
    child_words = _tokens(child)
    for variant, weight, via in variants:
        target = vocab.exact.get(variant)
        if target:
            reason = ("reason.header_exact", (("label", label),)) if via is None else \
                ("reason.header_context", (("label", label), ("context", via)))
            offer(target, weight, reason)
        words = _tokens(variant)
        if not words:
            continue
        for tokens, target, synonym in vocab.token_sets:
            common = len(words & tokens)
            if not common or via is not None and not (words - child_words) & tokens:
                continue  # the sheet's name must be what matches, not the bare header again
            # how much of the known name the header carries, then how much of the header it explains:
            # 'Số HS DVCTT' carries all of 'hồ sơ trực tuyến' and says a little more
            dice = common / len(tokens) * (0.7 + 0.3 * common / len(words))
            if dice >= 0.45:
                reason = ("reason.header_words", (("label", label), ("synonym", synonym))) if via is None else \
                    ("reason.header_context", (("label", label), ("context", via)))
                offer(target, round(dice * weight * 0.97 * (loose if via is None else 1.0), 3), reason)
    return found


@dataclass(frozen=True)
class Profile:
    """What a column holds, from its data cells. Shares, not all-or-nothing: a few wrong cells are errors the
    checks report, not evidence that the column is something else."""

    numbers: int
    texts: int
    integers: bool  # at least 90% whole numbers
    low: float
    high: float
    typical_high: float  # the 90th percentile: one typo does not make a rate a count
    negative: bool  # mostly below zero
    decimals: int  # most decimals written
    percent: bool  # any cell written with '%'
    values: np.ndarray

    @property
    def numeric(self) -> bool:
        return self.numbers > 0 and self.numbers >= self.texts

    @property
    def fraction(self) -> bool:
        return self.numbers > 0 and not self.percent and 0 <= self.low and self.high <= 1 and not self.integers


def profile(cells: list[Any]) -> Profile:
    values = []
    texts = decimals = 0
    percent = False
    for cell in cells:
        if cell is None:
            continue
        if type(cell) is float or type(cell) is int:
            values.append(float(cell))
            if type(cell) is float and not cell.is_integer():
                decimals = max(decimals, min(len(repr(cell).partition(".")[2]), 4))
            continue
        parsed = parse_number(cell)
        if parsed.value is None:
            if not parsed.missing:
                texts += 1
            continue
        values.append(parsed.value)
        percent = percent or parsed.percent_sign
        decimals = max(decimals, parsed.decimals or 0)
    array = np.array(values, dtype=float)
    if not array.size:
        return Profile(0, texts, False, 0.0, 0.0, 0.0, False, 0, False, array)
    whole = float((array == np.floor(array)).mean())
    return Profile(int(array.size), texts, whole >= 0.9, float(array.min()), float(array.max()),
                   float(np.percentile(array, 90)), float((array < 0).mean()) > 0.5, decimals, percent, array)


def value_fit(prof: Profile, indicator: Any, maximum: float | None) -> tuple[float, Reason]:
    """How well a column's values suit an indicator (0..1), with the reason in words."""
    span = (("low", prof.low), ("high", prof.high))
    if prof.integers:
        shape: Reason = ("reason.integers", span)
    elif prof.fraction:
        shape = ("reason.fraction", span)
    else:
        shape = ("reason.decimals", span)
    kind, unit = indicator.kind, indicator.unit
    if prof.negative:
        return 0.1, ("reason.negative", span)
    if kind == "count":
        return (1.0, shape) if prof.integers else (0.15, ("reason.not_whole", span))
    if maximum is not None and prof.typical_high > maximum * 1.0001:
        return 0.05, ("reason.above_max", (*span, ("maximum", maximum)))
    if kind == "rate" and unit == "percent":
        if prof.fraction or prof.percent:
            return 1.0, shape
        if prof.typical_high <= 25 and not prof.integers:  # points of a 766 group, not a share of dossiers
            return 0.45, ("reason.small_for_rate", span)
        return (0.95, shape) if not prof.integers else (0.8, shape)
    if kind in ("score", "composite"):
        if prof.fraction and (maximum or 100) > 1:
            return 0.5, shape
        return (1.0, ("reason.within_max", (*span, ("maximum", maximum or 100))))
    if kind == "mean":
        return (0.9, shape) if prof.typical_high <= 90 else (0.3, shape)
    return 0.8, shape


def role_fit(role: str, prof: Profile, unit_share: float, code_share: float, count: int) -> float:
    """How well a column's cells suit a role (unit code, name, sequence ...)."""
    if role == "_unit_name":
        return max(unit_share, 0.5 if prof.texts > prof.numbers else 0.1)
    if role == "_unit_code":
        return max(code_share, 0.3 if prof.numbers else 0.1)
    if role == "_seq":
        return 1.0 if prof.integers and prof.low >= 0 and prof.high <= count + 5 else 0.3
    if role in ("_value",):
        return 1.0 if prof.numbers else 0.3
    return 1.0


@dataclass
class ColumnEvidence:
    index: int
    label: str
    profile: Profile
    unit_share: float = 0.0
    code_share: float = 0.0


def recognise(labels: list[str], data: list[list[Any]], index: dict[str, str], catalog: Any, matcher: Any,
              context: tuple[str, ...] = (), offset: int = 0, saved: dict[str, str] | None = None,
              chosen: dict[str, str] | None = None, accept_guesses: bool = False) -> list[ColumnMapping]:
    """One mapping per column from words, values and relations; targets given out one-to-one."""
    vocab = vocabulary_of(index)
    width = len(labels)
    sample = data[:400] if len(data) > 400 else data
    columns = list(zip(*(row[:width] + [None] * (width - len(row)) for row in sample))) if sample else []
    evidence = []
    for i, label in enumerate(labels):
        cells = list(columns[i]) if i < len(columns) else []
        evidence.append(_evidence(i, label, cells, matcher))
    scores: list[dict[str, tuple[float, list[Reason]]]] = []
    fixed: dict[int, tuple[str | None, str]] = {}
    for ev in evidence:
        if chosen and ev.label in chosen:
            fixed[ev.index] = (chosen[ev.label] or None, "chosen")
        elif saved and ev.label in saved:
            fixed[ev.index] = (saved[ev.label] or None, "profile")
        scores.append(_score_column(ev, vocab, catalog, context, len(data)))
    assignment = _assign(scores, fixed)
    _discover_rates(assignment, evidence, scores, catalog)
    _relations(assignment, evidence, scores, catalog)
    _clear_margins(assignment, evidence, scores)
    mappings = []
    for ev in evidence:
        letter = column_letter(ev.index + offset)
        if ev.index in fixed:
            target, how = fixed[ev.index]
            mappings.append(ColumnMapping(ev.index, letter, ev.label, target, 1.0 if target else 0.0, how,
                                          ((f"reason.{how}", ()),)))
            continue
        target = assignment.get(ev.index)
        if target is None:
            ranked = sorted(scores[ev.index].items(), key=lambda item: -item[1][0])
            taken = [t for t, _ in ranked if t in assignment.values()]
            if ranked and ranked[0][0] in taken:
                score, reasons = ranked[0][1]
                mappings.append(ColumnMapping(ev.index, letter, ev.label, ranked[0][0], 0.0, "duplicate",
                                              tuple(reasons), ((ranked[0][0], round(score, 2)),
                                                               *_alternatives(scores[ev.index], ranked[0][0]))))
            else:
                mappings.append(ColumnMapping(ev.index, letter, ev.label, None, 0.0, "none"))
            continue
        score, reasons = scores[ev.index][target]
        how = _HOW.get(reasons[0][0], "evidence") if reasons else "evidence"
        if accept_guesses and score < AUTO_ACCEPT:
            how = "guess"
        mappings.append(ColumnMapping(ev.index, letter, ev.label, target, round(min(score, 1.0), 2), how,
                                      tuple(reasons), _alternatives(scores[ev.index], target)))
    return mappings


# how a mapping was found, named after its first reason (the page shows it)
_HOW = {"reason.header_exact": "exact", "reason.header_words": "words", "reason.header_context": "context",
        "reason.unit_names": "content", "reason.unit_codes": "content"}


def _alternatives(candidates: dict[str, tuple[float, list[Reason]]], target: str) -> tuple[tuple[str, float], ...]:
    ranked = sorted(((t, round(s, 2)) for t, (s, _r) in candidates.items() if t != target), key=lambda x: -x[1])
    return tuple(ranked[:2])


def _evidence(i: int, label: str, cells: list[Any], matcher: Any) -> ColumnEvidence:
    prof = profile(cells)
    ev = ColumnEvidence(i, label, prof)
    texts = [cell for cell in cells if isinstance(cell, str) and cell.strip()][:_UNIT_SAMPLE]
    if texts and matcher is not None and prof.texts > prof.numbers:
        ev.unit_share = sum(1 for cell in texts if matcher.looks_like_unit(cell)) / len(texts)
    if prof.numbers and matcher is not None and 1000 <= prof.low and prof.high <= 99999 and prof.integers:
        shown = [cell for cell in cells if cell is not None][:_UNIT_SAMPLE]
        ev.code_share = sum(1 for cell in shown if matcher.by_code(cell).matched) / max(len(shown), 1)
    elif matcher is not None and texts and all(t.strip().isdigit() and 4 <= len(t.strip()) <= 5 for t in texts):
        ev.code_share = sum(1 for cell in texts if matcher.by_code(cell).matched) / len(texts)
    return ev


def _score_column(ev: ColumnEvidence, vocab: Vocabulary, catalog: Any, context: tuple[str, ...],
                  count: int) -> dict[str, tuple[float, list[Reason]]]:
    out: dict[str, tuple[float, list[Reason]]] = {}
    clear: dict[str, float] = {}
    prof = ev.profile
    for target, (word, reason) in word_candidates(ev.label, vocab, context).items():
        if target.startswith("_"):
            fit = role_fit(target, prof, ev.unit_share, ev.code_share, count)
            # an exact header keeps its word; a looser one is helped or hindered by what the cells hold
            out[target] = (word if word >= 0.97 and fit >= 0.3 else word * (0.8 + 0.2 * fit), [reason])
        elif target in catalog.rows:
            if not prof.numbers:
                out[target] = (word * (0.6 if prof.texts == 0 else 0.2), [reason])
                continue
            fit, why = value_fit(prof, catalog.rows[target], catalog.maximum(target))
            if prof.numbers < 3:  # too few cells to overrule the header
                fit = max(fit, 0.8)
            out[target] = (word if fit >= 0.8 else word * fit, [reason, why])
            clear[target] = word
    # A header that clearly names an indicator keeps it when no other reading fits the values better: the
    # values are then checked (and wrong ones reported row by row) rather than the column dropped.
    for target, word in clear.items():
        others = max((score for t, (score, _r) in out.items() if t != target and not t.startswith("_")), default=0)
        if word >= 0.9 and out[target][0] < word * 0.9 and others < 0.6:
            out[target] = (word * 0.9, out[target][1][:1])
    # content alone: a column of unit names or codes is the unit column whatever its header says
    if ev.unit_share >= 0.5:
        score = 0.55 + 0.45 * ev.unit_share
        if score > out.get("_unit_name", (0.0,))[0]:
            out["_unit_name"] = (score, [("reason.unit_names", (("share", round(100 * ev.unit_share)),))])
    if ev.code_share >= 0.5:
        score = 0.55 + 0.45 * ev.code_share
        if score > out.get("_unit_code", (0.0,))[0]:
            out["_unit_code"] = (score, [("reason.unit_codes", (("share", round(100 * ev.code_share)),))])
    return out


def _assign(scores: list[dict[str, tuple[float, list[Reason]]]], fixed: dict[int, tuple[str | None, str]]
            ) -> dict[int, str]:
    """Column -> target, one-to-one, the best scores first (a person's and a profile's choices first of all)."""
    taken = {target for target, _how in fixed.values() if target}
    pairs = sorted(((s, i, t) for i, cands in enumerate(scores) if i not in fixed for t, (s, _r) in cands.items()
                    if s >= 0.3), key=lambda x: (-x[0], x[1]))
    out: dict[int, str] = {}
    for _score, i, target in pairs:
        if i in out or (target in taken and target not in REPEATABLE):
            continue
        out[i] = target
        taken.add(target)
    return out


def _relations(assignment: dict[int, str], evidence: list[ColumnEvidence],
               scores: list[dict[str, tuple[float, list[Reason]]]], catalog: Any) -> None:
    """Columns whose values agree with their neighbours' (sum, ratio) become sure; the reason says why."""
    by_target = {t: i for i, t in assignment.items()}

    def values(target: str) -> np.ndarray | None:
        i = by_target.get(target)
        if i is None:
            return None
        v = evidence[i].profile.values
        return v if len(v) == len(evidence[by_target[target]].profile.values) else None

    def confirm(target: str, reason: Reason) -> None:
        i = by_target[target]
        score, reasons = scores[i][target]
        scores[i][target] = (max(score, 0.97), [*reasons, reason])

    received, on_time, overdue = (values(t) for t in ("dossiers_received", "dossiers_on_time", "dossiers_overdue"))
    if received is not None and on_time is not None and overdue is not None and \
            len(received) == len(on_time) == len(overdue) and len(received):
        if np.allclose(on_time + overdue, received, atol=0.5):
            names = tuple((k, evidence[by_target[t]].label) for k, t in
                          (("a", "dossiers_on_time"), ("b", "dossiers_overdue")))
            confirm("dossiers_received", ("reason.sum_of", names))
            for target in ("dossiers_on_time", "dossiers_overdue"):
                confirm(target, ("reason.part_of", (("total", evidence[by_target["dossiers_received"]].label),)))
    for code, row in catalog.rows.items():
        if row.kind not in ("rate", "score") or not row.numerator or code not in by_target:
            continue
        n, d, given = values(row.numerator), values(row.denominator), values(code)
        if n is None or d is None or given is None or not (len(n) == len(d) == len(given)):
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(d > 0, n / d, np.nan)
        if row.kind == "rate":
            scale = 100.0 if not evidence[by_target[code]].profile.fraction else 1.0
            expected = scale * share
        else:
            threshold = row.full_score_threshold if row.full_score_threshold == row.full_score_threshold and \
                row.full_score_threshold else 1.0
            expected = catalog.maximum(code) * np.minimum(share / threshold, 1.0)
        ok = ~np.isnan(expected)
        if ok.sum() and np.allclose(given[ok], expected[ok], atol=max(0.06, 0.011 * np.nanmax(np.abs(expected)))):
            confirm(code, ("reason.ratio_of", (("a", evidence[by_target[row.numerator]].label),
                                               ("b", evidence[by_target[row.denominator]].label))))


def _clear_margins(assignment: dict[int, str], evidence: list[ColumnEvidence],
                   scores: list[dict[str, tuple[float, list[Reason]]]]) -> None:
    """A header of several words that is far more like one free indicator than any other is sure enough:
    'Số HS DVCTT' is 'hồ sơ trực tuyến' rather than 'toàn trình' or 'thanh toán'."""
    taken = set(assignment.values())
    for i, target in assignment.items():
        score, reasons = scores[i][target]
        if not 0.55 <= score < AUTO_ACCEPT or target.startswith("_") or reasons[0][0] != "reason.header_words":
            continue
        if len(_tokens(norm(evidence[i].label).split("/")[-1])) < 2:
            continue  # a bare header needs its context, not a margin
        runner = max((s for t, (s, _r) in scores[i].items() if t != target and t not in taken), default=0.0)
        if score - runner >= 0.1:
            scores[i][target] = (AUTO_ACCEPT, [*reasons, ("reason.clear_margin", (("runner", round(100 * runner)),))])


def _discover_rates(assignment: dict[int, str], evidence: list[ColumnEvidence],
                    scores: list[dict[str, tuple[float, list[Reason]]]], catalog: Any) -> None:
    """A column of shares whose header is unsure ('Tỷ lệ (%)' with its group label lost) is the rate its
    values equal: numerator ÷ denominator of two columns already placed."""
    by_target = {t: i for i, t in assignment.items()}
    for i, ev in enumerate(evidence):
        current = assignment.get(i)
        if current is not None and scores[i][current][0] >= AUTO_ACCEPT:
            continue
        given = ev.profile.values
        if not ev.profile.numbers or ev.profile.integers or len(given) < 2:
            continue
        for code, row in catalog.rows.items():
            if row.kind != "rate" or row.unit != "percent" or code in by_target:
                continue
            if row.numerator not in by_target or row.denominator not in by_target:
                continue
            n = evidence[by_target[row.numerator]].profile.values
            d = evidence[by_target[row.denominator]].profile.values
            if not len(n) == len(d) == len(given):
                continue
            with np.errstate(divide="ignore", invalid="ignore"):
                expected = np.where(d > 0, n / d, np.nan) * (1.0 if ev.profile.fraction else 100.0)
            ok = ~np.isnan(expected)
            if ok.sum() >= 2 and np.allclose(given[ok], expected[ok], atol=0.06):
                if current is not None:
                    del by_target[current]
                assignment[i] = code
                by_target[code] = i
                reason = ("reason.ratio_of", (("a", evidence[by_target[row.numerator]].label),
                                              ("b", evidence[by_target[row.denominator]].label)))
                scores[i][code] = (0.97, [reason])
                break


def indicator_of_words(name: object, index: dict[str, str], catalog_codes: set[str]) -> str | None:
    """A long file's indicator cell in words or abbreviations: the best sure catalog target, else None."""
    if name is None:
        return None
    key = label_key(name)
    if key in index and index[key] in catalog_codes:
        return index[key]
    vocab = vocabulary_of(index)
    cands = {t: s for t, (s, _r) in word_candidates(str(name), vocab).items() if t in catalog_codes}
    if not cands:
        return None
    ranked = sorted(cands.items(), key=lambda x: -x[1])
    best, score = ranked[0]
    runner = ranked[1][1] if len(ranked) > 1 else 0.0
    return best if score >= AUTO_ACCEPT and score - runner >= 0.05 else None


def looks_like_indicator(cells: list[Any]) -> bool:
    """Numbers that are not a running number, a year or a phone number: worth a question if left out."""
    prof = profile(cells)
    if not prof.numeric or prof.numbers < 1:
        return False
    if prof.integers and prof.numbers > 2 and np.array_equal(prof.values, np.arange(prof.low, prof.low + prof.numbers)):
        return False  # 1, 2, 3 ...
    if prof.integers and prof.low >= 1900 and prof.high <= 2100:
        return False  # a year
    return not (prof.integers and prof.low >= 1e8)  # phone numbers
