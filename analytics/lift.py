"""What would it take? For a commune's weakest 766 groups that the catalog computes from counts
(progress = 20 × on time ÷ received), the smallest change in its own counts that lifts it a place in its
province on the service index, and what that does to its score and rank.

The rules are the rest of the app's: the group score from the counts by analytics.values.derive, the
index as the sum of the six groups, ranks on the index rounded to its decimals against the other units'
current figures (analytics.ranking: rank = 1 + units strictly better). Where no number of extra
successes gains a place (already first, or the others too far ahead), the change that reaches the
group's full score is given instead, with the places it gains (possibly none).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.ranking import rounded
from analytics.values import Indicator, derive, group_codes
from i18n import format_number, translate

LIFTS_SHOWN = 3


@dataclass(frozen=True)
class Lift:
    """One group: `added` more successes (numerator) out of the same `denominator`, and what follows."""

    code: str  # the group's indicator code
    numerator_code: str
    denominator_code: str
    numerator: float
    denominator: float
    added: int
    score: float  # the group score from the counts now
    new_score: float
    rank: int | None  # the index rank in the province now (None: the unit has no index)
    new_rank: int | None
    rank_of: int

    @property
    def gain(self) -> float:
        return self.new_score - self.score

    @property
    def places(self) -> int:
        return 0 if self.rank is None or self.new_rank is None else self.rank - self.new_rank


def count_groups(indicators: dict[str, Indicator]) -> list[str]:
    """The 766 groups the catalog derives from a numerator and a denominator."""
    return [code for code in group_codes(indicators)
            if indicators[code].numerator and indicators[code].denominator
            and indicators[code].period_aggregation == "ratio"]


def lifts(indicators: dict[str, Indicator], counts: pd.DataFrame, scores: pd.Series, index_decimals: int,
          own_index: float | None, others_index: np.ndarray) -> tuple[Lift, ...]:
    """The unit's lifts, weakest group first (lowest share of its maximum).

    counts: indicator_code -> numerator, denominator of the unit this month (stored with the group);
    scores: the unit's group scores this month; own_index / others_index: the unit's index and the other
    province units' (NaN for those without one).
    """
    others = rounded(others_index[~np.isnan(others_index)], index_decimals)
    candidates = []
    for code in count_groups(indicators):
        ind = indicators[code]
        if code not in counts.index or pd.isna(counts.at[code, "denominator"]):
            continue
        n, d = float(counts.at[code, "numerator"]), float(counts.at[code, "denominator"])
        if d <= 0 or n >= d:
            continue  # nothing to count from, or already all on time
        share = scores.get(code, np.nan) / float(ind.maximum) if ind.maximum else np.nan
        candidates.append((share, code, n, d))
    out = []
    for _share, code, n, d in sorted(candidates, key=lambda c: (np.nan_to_num(c[0], nan=1.0), c[1]))[:LIFTS_SHOWN]:
        ind = indicators[code]
        now = float(derive(ind, np.array([n / d]))[0])
        added = np.arange(1, int(d - n) + 1)
        new = derive(ind, (n + added) / d)
        if own_index is None or np.isnan(own_index):
            k = len(added) - 1  # no index to rank: the full score is the step
            out.append(Lift(code, ind.numerator, ind.denominator, n, d, int(added[k]), now, float(new[k]), None, None,
                            0))
            continue
        rank_now = 1 + int((others > rounded([own_index], index_decimals)[0]).sum())
        indices = rounded(own_index - float(scores.get(code, now)) + new, index_decimals)
        ranks = 1 + (others[None, :] > indices[:, None]).sum(axis=1)
        better = np.flatnonzero(ranks < rank_now)
        k = int(better[0]) if len(better) else len(added) - 1
        out.append(Lift(code, ind.numerator, ind.denominator, n, d, int(added[k]), now, float(new[k]), rank_now,
                        int(ranks[k]), len(others) + 1))
    return tuple(out)


def describe(lift: Lift, indicators: dict[str, Indicator], lang: str) -> str:
    """One sentence in `lang`: 'Điểm tiến độ giải quyết: thêm 12 hồ sơ … trên 401: +0,60 điểm, lên 9 bậc …'."""
    group, numerator = indicators[lift.code], indicators[lift.numerator_code]
    fields = {"group": group.name_en if lang == "en" else group.name_vi,
              "numerator": _mid_sentence(numerator.name_en if lang == "en" else numerator.name_vi),
              "added": format_number(lift.added, lang), "denominator": format_number(lift.denominator, lang),
              "gain": format_number(lift.gain, lang, 2), "rank": format_number(lift.rank, lang),
              "new_rank": format_number(lift.new_rank, lang), "rank_of": format_number(lift.rank_of, lang),
              "places": format_number(lift.places, lang)}
    kind = "item_no_rank" if lift.rank is None else "item" if lift.places > 0 else "item_full"
    return translate(f"profile.lift.{kind}", lang, **fields)


def _mid_sentence(name: str) -> str:
    """'Hồ sơ giải quyết …' -> 'hồ sơ giải quyết …' inside a sentence; acronyms (VNeID) kept."""
    return name if len(name) < 2 or name[1].isupper() else name[0].lower() + name[1:]
