"""Nominal group ranking and dot voting: each participant's top-N list or dots, totalled into a shared ranking.

Ties are reported as ties, by standard competition ranking ("1, 2, 2, 4"): equal totals share a rank
and no secondary key (first places, voters, name) breaks them in the rank number. Within a tie, rows
are listed in a fixed, neutral order (that of ``subjects`` when given, otherwise numbers then names,
ascending) so the display is deterministic without favouring anyone. With ``subjects`` given, every
subject gets a row, those nobody chose with 0; without it, only the subjects somebody chose.

A subject is anything being ranked (an item or a proposal), named by its id: a string or an integer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Generic, TypeVar

from .consensus_rules import is_whole
from .errors import Invalid

Subject = str | int
#: One vote's subject type: ``str`` ids or ``int`` ids, so that ``dict[str, int]`` dots type-check.
S = TypeVar("S", bound=str | int)
P = TypeVar("P", bound=Hashable)
#: Nominal group technique: each participant ranks their top five, scored 5, 4, 3, 2, 1.
DEFAULT_TOP_N: Final = 5
DEFAULT_BUDGET: Final = 5
#: Fewer dots per item than the budget, so that one voice cannot pour everything into one item.
DEFAULT_CAP: Final = 3


def _positive(value: object, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise Invalid(f"{name} must be a whole number of at least 1 (got {value!r})")
    return value


def _subject_set(subjects: Sequence[S] | None) -> set[S] | None:
    """Return the known subjects as a set, after checking each is a valid id and listed once."""
    if subjects is None:
        return None
    for subject in subjects:
        _check_subject(subject, None)
    if len(set(subjects)) != len(subjects):
        raise Invalid("the subjects to rank must be listed once each")
    return set(subjects)


def _check_subject(subject: object, known: set[S] | None) -> None:
    if isinstance(subject, bool) or not isinstance(subject, str | int):
        raise Invalid(f"an item to rank or vote on is named by its id, a string or a number (got {subject!r})")
    if known is not None and subject not in known:
        raise Invalid(f"{subject!r} is not one of the items being ranked or voted on")


def _natural(subject: Subject) -> tuple[int, int, str]:
    # Numbers and names do not compare with each other; this orders numbers first, then names.
    return (0, subject, "") if isinstance(subject, int) else (1, 0, subject)


def _ranked(totals: Mapping[S, int], subjects: Sequence[S] | None) -> list[tuple[S, int, bool]]:
    """Return (subject, competition rank, tied) by total, highest first, ties in neutral order."""
    order = list(subjects) if subjects is not None else sorted(totals, key=_natural)
    # sorted is stable, so subjects with equal totals keep the neutral order chosen above.
    order.sort(key=lambda s: -totals.get(s, 0))
    share = Counter(totals.get(s, 0) for s in order)
    rows, higher = [], 0
    for i, subject in enumerate(order):
        total = totals.get(subject, 0)
        if i and total != totals.get(order[i - 1], 0):
            higher = i
        rows.append((subject, higher + 1, share[total] > 1))
    return rows


def check_ranking(ranking: Sequence[S], n: int = DEFAULT_TOP_N, subjects: Sequence[S] | None = None) -> tuple[S, ...]:
    """Return a participant's ranking, best first, after checking it names at most ``n`` distinct known subjects."""
    n = _positive(n, "n")
    known = _subject_set(subjects)
    if isinstance(ranking, str | bytes) or not isinstance(ranking, Sequence):
        raise Invalid("a ranking must be a list of items, best first")
    if len(ranking) > n:
        raise Invalid(f"rank at most {n} items (this ranking has {len(ranking)})")
    seen: set[S] = set()
    for subject in ranking:
        _check_subject(subject, known)
        if subject in seen:
            raise Invalid(f"{subject!r} is ranked more than once; rank each item at most once")
        seen.add(subject)
    return tuple(ranking)


@dataclass(frozen=True)
class RankRow(Generic[S]):
    """One subject's result in a nominal group ranking."""

    subject: S
    #: Sum of points: first place is worth n, the n-th place 1.
    score: int
    first_places: int
    #: Participants who put it anywhere in their top n.
    voters: int
    #: Standard competition rank: 1 + the number of subjects with a higher score.
    rank: int
    tied: bool

    def to_dict(self) -> dict[str, Any]:
        """Return the row as a JSON-ready dict."""
        return {
            "subject": self.subject,
            "score": self.score,
            "first_places": self.first_places,
            "voters": self.voters,
            "rank": self.rank,
            "tied": self.tied,
        }


def rank_results(
    rankings: Mapping[P, Sequence[S]], n: int = DEFAULT_TOP_N, subjects: Sequence[S] | None = None
) -> list[RankRow[S]]:
    """Return the totals of every participant's top-``n`` ranking (first place = ``n`` points), best first."""
    scores: Counter[S] = Counter()
    firsts: Counter[S] = Counter()
    voters: Counter[S] = Counter()
    for ranking in rankings.values():
        ranked = check_ranking(ranking, n, subjects)
        for position, subject in enumerate(ranked):
            scores[subject] += n - position
            voters[subject] += 1
        if ranked:
            firsts[ranked[0]] += 1
    return [
        RankRow(subject, scores[subject], firsts[subject], voters[subject], rank, tied)
        for subject, rank, tied in _ranked(scores, subjects)
    ]


def check_dots(
    allocation: Mapping[S, int],
    budget: int = DEFAULT_BUDGET,
    cap: int | None = DEFAULT_CAP,
    subjects: Sequence[S] | None = None,
) -> dict[S, int]:
    """Return a participant's dots per subject (zeros dropped) after checking the budget and per-item cap.

    ``cap`` None lets a participant put their whole budget on one item. Placing fewer dots than the
    budget is allowed: unused dots are simply not cast.
    """
    budget = _positive(budget, "the dot budget")
    cap = budget if cap is None else _positive(cap, "the dots allowed on one item")
    known = _subject_set(subjects)
    if not isinstance(allocation, Mapping):
        raise Invalid("dots must be given as an object of item id to number of dots")
    for subject, dots in allocation.items():
        _check_subject(subject, known)
        if not is_whole(dots) or dots < 0:
            raise Invalid(f"dots must be whole numbers of at least 0 (got {dots!r} on {subject!r})")
        if dots > cap:
            raise Invalid(f"at most {cap} dots may go on one item (got {dots} on {subject!r})")
    total = sum(allocation.values())
    if total > budget:
        raise Invalid(f"you have {budget} dots to place; this places {total}")
    return {subject: dots for subject, dots in allocation.items() if dots}


@dataclass(frozen=True)
class DotRow(Generic[S]):
    """One subject's result in a dot vote."""

    subject: S
    dots: int
    #: Participants who put at least one dot on it.
    voters: int
    #: Standard competition rank: 1 + the number of subjects with more dots.
    rank: int
    tied: bool

    def to_dict(self) -> dict[str, Any]:
        """Return the row as a JSON-ready dict."""
        return {"subject": self.subject, "dots": self.dots, "voters": self.voters, "rank": self.rank, "tied": self.tied}


def dot_results(
    allocations: Mapping[P, Mapping[S, int]],
    budget: int = DEFAULT_BUDGET,
    cap: int | None = DEFAULT_CAP,
    subjects: Sequence[S] | None = None,
) -> list[DotRow[S]]:
    """Return the dot totals of every participant's allocation, most dots first."""
    dots: Counter[S] = Counter()
    voters: Counter[S] = Counter()
    for allocation in allocations.values():
        for subject, placed in check_dots(allocation, budget, cap, subjects).items():
            dots[subject] += placed
            voters[subject] += 1
    return [
        DotRow(subject, dots[subject], voters[subject], rank, tied) for subject, rank, tied in _ranked(dots, subjects)
    ]


def rows_to_dicts(rows: Iterable[RankRow[S] | DotRow[S]]) -> list[dict[str, Any]]:
    """Return result rows as a JSON-ready list."""
    return [row.to_dict() for row in rows]
