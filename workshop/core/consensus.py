"""The statistics of one e-Delphi rating round, overall and per stakeholder group, and their decisions.

Pure: ratings in, aggregates out; no database and no web. The scale and rule live in
``consensus_rules`` (re-exported here); feedback, carry-over and provenance in ``consensus_rounds``.
An ``ItemStats`` keeps only the count of ratings at each scale point (and of "unable to rate"), so
nothing it produces can carry an individual rating or depend on the order in which votes arrived.
A changed vote is the participant's new value in the mapping; a participant who leaves is absent from it.

Quartiles use linear interpolation between order statistics, Hyndman & Fan's type 7 (the default of
R's ``quantile`` and NumPy's ``percentile``, and ``statistics.quantiles(method="inclusive")``), computed
in fractions so that the median of 7 and 8 is exactly 7.5.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Final, TypeVar

from .consensus_rules import (
    BAND_NAMES,
    EXCLUDE,
    INCLUDE,
    INSUFFICIENT,
    NO_CONSENSUS,
    UNABLE,
    BandName,
    ConsensusRule,
    Decision,
    Rating,
    Scale,
    check_rating,
    is_whole,
)
from .errors import Invalid

__all__ = [
    "EXCLUDE",
    "INCLUDE",
    "INSUFFICIENT",
    "MIN_GROUP_SIZE",
    "NO_CONSENSUS",
    "QUANTILE_METHOD",
    "UNABLE",
    "ConsensusRule",
    "Decision",
    "GroupStats",
    "ItemStats",
    "Rating",
    "Scale",
    "Suppressed",
    "group_stats",
    "item_stats",
]

P = TypeVar("P", bound=Hashable)
QUANTILE_METHOD: Final = "linear (Hyndman-Fan type 7)"
#: Fewer ratings than this in a stakeholder group and its figures are withheld (anonymity).
MIN_GROUP_SIZE: Final = 3


def _number(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class ItemStats:
    """The aggregate ratings of one item in one round: counts per scale point, never who rated what."""

    rule: ConsensusRule
    #: Ratings at each scale point, lowest point first.
    counts: tuple[int, ...]
    unable: int = 0
    #: Participants who could have answered, when known (for the response rate).
    eligible: int | None = None

    def __post_init__(self) -> None:
        """Refuse counts that do not fit the rule's scale or exceed the eligible participants."""
        points = len(self.rule.scale.points)
        if len(self.counts) != points or not all(is_whole(c) and c >= 0 for c in self.counts):
            raise Invalid(f"counts must be {points} whole numbers, one per scale point (got {self.counts!r})")
        object.__setattr__(self, "counts", tuple(self.counts))
        if not is_whole(self.unable) or self.unable < 0:
            raise Invalid(f"the unable count must be a whole number of at least 0 (got {self.unable!r})")
        if self.eligible is not None:
            if not is_whole(self.eligible) or self.eligible < 0:
                raise Invalid(f"eligible must be a whole number of at least 0 (got {self.eligible!r})")
            if self.responses > self.eligible:
                raise Invalid(f"{self.responses} responses cannot come from {self.eligible} eligible participants")

    @property
    def n(self) -> int:
        """Return the number of ratings ("unable to rate" is not one)."""
        return sum(self.counts)

    @property
    def responses(self) -> int:
        """Return the number of answers, ratings and "unable to rate" alike."""
        return self.n + self.unable

    @property
    def response_rate(self) -> Fraction | None:
        """Return answers per eligible participant (0 to 1), or None when eligibility is unknown or zero."""
        return Fraction(self.responses, self.eligible) if self.eligible else None

    @property
    def distribution(self) -> dict[int, int]:
        """Return the number of ratings at every point of the scale, zeros included."""
        return dict(zip(self.rule.scale.points, self.counts, strict=True))

    def band_count(self, name: BandName) -> int:
        """Return the number of ratings in the named band."""
        first, last = self.rule.scale.band(name)
        return sum(c for point, c in self.distribution.items() if first <= point <= last)

    def band_pct(self, name: BandName) -> Fraction | None:
        """Return the exact percentage of ratings in the named band, or None when there are none."""
        return Fraction(self.band_count(name) * 100, self.n) if self.n else None

    def _order_stat(self, k: int) -> int:
        """Return the ``k``-th smallest rating, counting from 0."""
        seen = 0
        for point, count in self.distribution.items():
            seen += count
            if k < seen:
                return point
        raise IndexError(k)  # unreachable for 0 <= k < n

    def quantile(self, p: Fraction) -> Fraction | None:
        """Return the ``p``-quantile of the ratings by type-7 linear interpolation, or None when there are none."""
        if not 0 <= p <= 1:
            raise Invalid(f"a quantile must be between 0 and 1 (got {p})")
        if not self.n:
            return None
        h = (self.n - 1) * p
        below = int(h)
        low = self._order_stat(below)
        if h == below:
            return Fraction(low)
        return low + (h - below) * (self._order_stat(below + 1) - low)

    @property
    def median(self) -> Fraction | None:
        """Return the median rating, or None when there are none."""
        return self.quantile(Fraction(1, 2))

    @property
    def q1(self) -> Fraction | None:
        """Return the lower quartile (type 7), or None when there are no ratings."""
        return self.quantile(Fraction(1, 4))

    @property
    def q3(self) -> Fraction | None:
        """Return the upper quartile (type 7), or None when there are no ratings."""
        return self.quantile(Fraction(3, 4))

    @property
    def iqr(self) -> Fraction | None:
        """Return the interquartile range q3 - q1, or None when there are no ratings."""
        q1, q3 = self.q1, self.q3
        return None if q1 is None or q3 is None else q3 - q1

    @property
    def decision(self) -> Decision:
        """Return what the round's rule makes of these ratings."""
        return self.rule.decide(self.n, self.band_count("high"), self.band_count("low"))

    def summary_dict(self) -> dict[str, Any]:
        """Return the distribution and its summary figures, as participants may see them."""
        return {
            "n": self.n,
            "unable": self.unable,
            # JSON object keys are strings; making them so here keeps a round trip through JSON equal.
            "distribution": {str(point): count for point, count in self.distribution.items()},
            "bands": {
                name: {
                    "points": list(self.rule.scale.band(name)),
                    "count": self.band_count(name),
                    "pct": _number(self.band_pct(name)),
                }
                for name in BAND_NAMES
            },
            "median": _number(self.median),
            "q1": _number(self.q1),
            "q3": _number(self.q3),
            "iqr": _number(self.iqr),
            "quantile_method": QUANTILE_METHOD,
        }

    def to_dict(self) -> dict[str, Any]:
        """Return the statistics and the decision as a JSON-ready dict, with no individual rating."""
        rate = self.response_rate
        return {
            **self.summary_dict(),
            "responses": self.responses,
            "eligible": self.eligible,
            "response_rate_pct": None if rate is None else float(rate * 100),
            "decision": self.decision,
        }


def item_stats(ratings: Mapping[P, object], rule: ConsensusRule, *, eligible: int | None = None) -> ItemStats:
    """Return the statistics of one item's ratings, keyed by participant, under ``rule``."""
    scale = rule.scale
    counts = [0] * len(scale.points)
    unable = 0
    for value in ratings.values():
        rating = check_rating(value, scale)
        if rating == UNABLE:
            unable += 1
        else:
            counts[int(rating) - scale.min] += 1
    return ItemStats(rule, tuple(counts), unable, eligible)


@dataclass(frozen=True)
class Suppressed:
    """A stakeholder group's figures withheld to protect anonymity; it holds no count on purpose."""

    reason: str

    def to_dict(self) -> dict[str, Any]:
        """Return the suppression as a JSON-ready dict."""
        return {"suppressed": True, "reason": self.reason}


@dataclass(frozen=True)
class GroupStats:
    """One item's statistics overall and for each stakeholder group, small groups suppressed."""

    overall: ItemStats
    #: (group, its statistics or why they are withheld), by group name.
    groups: tuple[tuple[str, ItemStats | Suppressed], ...]
    min_group_size: int = MIN_GROUP_SIZE

    def group(self, name: str) -> ItemStats | Suppressed:
        """Return one group's statistics, or its suppression."""
        for group, stats in self.groups:
            if group == name:
                return stats
        raise Invalid(f"no stakeholder group {name!r} in these statistics")

    @property
    def decision(self) -> Decision:
        """Return the overall decision: groups inform the discussion, the whole panel decides."""
        return self.overall.decision

    def to_dict(self) -> dict[str, Any]:
        """Return overall and per-group statistics as a JSON-ready dict, with no individual rating."""
        return {
            "overall": self.overall.to_dict(),
            "groups": {group: stats.to_dict() for group, stats in self.groups},
            "min_group_size": self.min_group_size,
        }


def group_stats(
    ratings: Mapping[P, object],
    group_of: Mapping[P, str | None],
    rule: ConsensusRule,
    *,
    eligible: int | None = None,
    eligible_by_group: Mapping[str, int] | None = None,
    min_group_size: int = MIN_GROUP_SIZE,
) -> GroupStats:
    """Return one item's statistics overall and per stakeholder group, withholding groups too small to be anonymous.

    Every group named in ``group_of`` or ``eligible_by_group`` is reported, so a group's absence says
    nothing. A participant with no group (missing or None) counts overall only. A group with fewer than
    ``min_group_size`` ratings is suppressed; so is the next smallest group, as often as needed, while
    overall minus the groups shown would still reveal fewer than ``min_group_size`` ratings.
    """
    if not is_whole(min_group_size) or min_group_size < 1:
        raise Invalid(f"min_group_size must be a whole number of at least 1 (got {min_group_size!r})")
    eligible_by_group = dict(eligible_by_group or {})
    names = {g for g in group_of.values() if g is not None} | set(eligible_by_group)
    if not all(isinstance(g, str) and g for g in names):
        raise Invalid("stakeholder group names must be non-empty strings")
    overall = item_stats(ratings, rule, eligible=eligible)
    by_group: dict[str, dict[P, object]] = {g: {} for g in names}
    for participant, value in ratings.items():
        group = group_of.get(participant)
        if group is not None:
            by_group[group][participant] = value
    stats = {g: item_stats(by_group[g], rule, eligible=eligible_by_group.get(g)) for g in sorted(names)}
    withheld: dict[str, Suppressed] = {
        g: Suppressed(f"fewer than {min_group_size} ratings in this group")
        for g, s in stats.items()
        if s.n < min_group_size
    }
    shown = {g: s for g, s in stats.items() if g not in withheld}
    # Whatever the groups shown leave unexplained (small groups, people without a group) is overall
    # minus those groups: if that remainder is small, subtraction would reveal it, so hide more.
    remainder = overall.n - sum(s.n for s in shown.values())
    while 0 < remainder < min_group_size and shown:
        smallest = min(shown, key=lambda g: (shown[g].n, g))
        remainder += shown.pop(smallest).n
        withheld[smallest] = Suppressed("withheld so that a smaller group's ratings cannot be worked out from totals")
    return GroupStats(overall, tuple((g, withheld.get(g) or stats[g]) for g in sorted(names)), min_group_size)
