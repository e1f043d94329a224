"""Property tests: consensus aggregates ignore vote order, are exact, and never expose a small group."""

from __future__ import annotations

import json
import statistics
from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from workshop.core.consensus import UNABLE, ConsensusRule, Scale, Suppressed, group_stats, item_stats
from workshop.core.consensus_rules import BAND_NAMES, at_least
from workshop.core.errors import Invalid
from workshop.core.ranking import dot_results, rank_results

FAST = settings(max_examples=200, deadline=None)
SCALES = st.sampled_from([Scale.default(), Scale.five_point(), Scale(0, 10, (0, 3), (4, 6), (7, 10))])
PCT = st.one_of(st.integers(1, 100), st.sampled_from([0.5, 15.5, 33.3, 66.7, 99.99, 100.0]))
GROUPS = st.sampled_from([None, "returner", "supervisor", "oh_professional", "other"])


@st.composite
def rule_and_votes(draw: st.DrawFn, max_size: int = 30) -> tuple[ConsensusRule, list[tuple[str, Any]]]:
    """Draw a rule and a list of (participant, rating) as they might arrive, with repeats for changed votes."""
    scale = draw(SCALES)
    rating = st.one_of(st.integers(scale.min, scale.max), st.just(UNABLE))
    votes = draw(st.lists(st.tuples(st.sampled_from([f"p{i}" for i in range(12)]), rating), max_size=max_size))
    rule = ConsensusRule(70, 15, 70, min_responses=draw(st.integers(1, 4)), scale=scale)
    return rule, votes


def latest(votes: list[tuple[str, Any]]) -> dict[str, Any]:
    """Return each participant's last vote, as the live store keeps it."""
    return dict(votes)


@FAST
@given(rule_and_votes(), st.randoms(use_true_random=False))
def test_aggregates_do_not_depend_on_arrival_order(drawn: Any, rnd: Any) -> None:
    rule, votes = drawn
    final = latest(votes)
    shuffled = list(final.items())
    rnd.shuffle(shuffled)
    assert item_stats(dict(shuffled), rule) == item_stats(final, rule)
    assert item_stats(dict(shuffled), rule).to_dict() == item_stats(final, rule).to_dict()


@FAST
@given(rule_and_votes(), st.data())
def test_changing_a_vote_and_back_restores_the_aggregates(drawn: Any, data: st.DataObject) -> None:
    rule, votes = drawn
    final = latest(votes)
    before = item_stats(final, rule).to_dict()
    if not final:
        return
    who = data.draw(st.sampled_from(sorted(final)))
    original = final[who]
    final[who] = data.draw(st.one_of(st.integers(rule.scale.min, rule.scale.max), st.just(UNABLE)))
    final[who] = original
    assert item_stats(final, rule).to_dict() == before


@FAST
@given(rule_and_votes())
def test_band_percentages_sum_to_exactly_one_hundred(drawn: Any) -> None:
    rule, votes = drawn
    stats = item_stats(latest(votes), rule)
    if stats.n:
        assert sum(stats.band_pct(name) or 0 for name in BAND_NAMES) == 100
        assert sum(stats.band_count(name) for name in BAND_NAMES) == stats.n
    else:
        assert all(stats.band_pct(name) is None for name in BAND_NAMES)


@FAST
@given(rule_and_votes())
def test_quartiles_are_ordered_within_the_ratings_and_match_type_7(drawn: Any) -> None:
    rule, votes = drawn
    points = [v for v in latest(votes).values() if v != UNABLE]
    stats = item_stats(latest(votes), rule)
    if not points:
        assert stats.median is None
        return
    assert stats.q1 is not None and stats.median is not None and stats.q3 is not None
    assert min(points) <= stats.q1 <= stats.median <= stats.q3 <= max(points)
    assert stats.median == Fraction(statistics.median(points))
    if len(points) >= 2:
        # The standard library's "inclusive" method is Hyndman-Fan type 7; quarters are exact in floats.
        q1, _, q3 = statistics.quantiles(points, n=4, method="inclusive")
        assert (stats.q1, stats.q3) == (Fraction(q1), Fraction(q3))


@FAST
@given(rule_and_votes())
def test_decision_matches_the_rule_read_with_fractions(drawn: Any) -> None:
    rule, votes = drawn
    stats = item_stats(latest(votes), rule)
    n, top, bottom = stats.n, stats.band_count("high"), stats.band_count("low")
    if n < rule.min_responses:
        expected = "insufficient"
    elif Fraction(top, n) >= Fraction(7, 10) and Fraction(bottom, n) < Fraction(15, 100):
        expected = "include"
    elif Fraction(bottom, n) >= Fraction(7, 10):
        expected = "exclude"
    else:
        expected = "no_consensus"
    assert stats.decision == expected


@FAST
@given(PCT, st.one_of(st.none(), PCT), st.one_of(st.none(), PCT), st.integers(1, 300), st.data())
def test_a_rule_is_refused_exactly_when_include_and_exclude_can_meet(
    top: float, cap: float | None, bottom: float | None, n: int, data: st.DataObject
) -> None:
    try:
        rule = ConsensusRule(top, cap, bottom)
    except Invalid:
        # Refused: then some round meets both. Thresholds have at most two decimals, so with 10000 ratings
        # exactly top% and bottom% are whole counts.
        assert bottom is not None
        big = 10000
        high, low = int(Fraction(repr(top)) * 100), int(Fraction(repr(bottom)) * 100)
        assert high + low <= big
        assert at_least(high, big, top) and (cap is None or not at_least(low, big, cap))
        assert at_least(low, big, bottom)
        return
    high = data.draw(st.integers(0, n))
    low = data.draw(st.integers(0, n - high))
    assert not (rule.includes(n, high, low) and rule.excludes(n, high, low))


@FAST
@given(rule_and_votes(max_size=40), st.dictionaries(st.sampled_from([f"p{i}" for i in range(12)]), GROUPS))
def test_group_statistics_add_up_and_never_let_a_small_remainder_show(drawn: Any, group_of: Any) -> None:
    rule, votes = drawn
    final = latest(votes)
    result = group_stats(final, group_of, rule)
    assert result.overall == item_stats(final, rule)
    shown = [stats for _, stats in result.groups if not isinstance(stats, Suppressed)]
    assert all(stats.n >= result.min_group_size for stats in shown)
    remainder = result.overall.n - sum(stats.n for stats in shown)
    # With no group shown the remainder is just the overall figures, which are reported anyway.
    assert not shown or remainder == 0 or remainder >= result.min_group_size
    data = result.to_dict()
    assert json.loads(json.dumps(data)) == data
    for name, stats in result.groups:
        if isinstance(stats, Suppressed):
            assert set(data["groups"][name]) == {"suppressed", "reason"}


RANKINGS = st.dictionaries(
    st.sampled_from([f"p{i}" for i in range(10)]),
    st.lists(st.sampled_from(["a", "b", "c", "d", "e", "f", "g"]), max_size=5, unique=True),
)


@FAST
@given(RANKINGS, st.randoms(use_true_random=False))
def test_rank_results_ignore_participant_order_and_rank_as_competition(rankings: Any, rnd: Any) -> None:
    shuffled = list(rankings.items())
    rnd.shuffle(shuffled)
    rows = rank_results(rankings)
    assert rank_results(dict(shuffled)) == rows
    assert sum(r.score for r in rows) == sum(sum(range(5, 5 - len(r), -1)) for r in rankings.values())
    for row in rows:
        assert row.rank == 1 + sum(other.score > row.score for other in rows)
        assert row.tied == (sum(other.score == row.score for other in rows) > 1)
    assert [r.score for r in rows] == sorted((r.score for r in rows), reverse=True)


@FAST
@given(
    st.dictionaries(
        st.sampled_from([f"p{i}" for i in range(10)]),
        st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), st.integers(0, 3), max_size=4).filter(
            lambda d: sum(d.values()) <= 5
        ),
    ),
    st.randoms(use_true_random=False),
)
def test_dot_results_ignore_participant_order(allocations: Any, rnd: Any) -> None:
    shuffled = list(allocations.items())
    rnd.shuffle(shuffled)
    rows = dot_results(allocations)
    assert dot_results(dict(shuffled)) == rows
    assert sum(r.dots for r in rows) == sum(sum(a.values()) for a in allocations.values())
    for row in rows:
        assert row.rank == 1 + sum(other.dots > row.dots for other in rows)
