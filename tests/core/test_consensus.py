"""Consensus methods worked by hand: scales, rules and their edges, item and group statistics, rounds, ranking."""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import pytest

from workshop.core.consensus import (
    QUANTILE_METHOD,
    UNABLE,
    ConsensusRule,
    GroupStats,
    ItemStats,
    Scale,
    Suppressed,
    group_stats,
    item_stats,
)
from workshop.core.consensus_rounds import accepted, carry_over, decisions, feedback, provenance
from workshop.core.consensus_rules import at_least, check_rating
from workshop.core.errors import Invalid
from workshop.core.ranking import check_dots, check_ranking, dot_results, rank_results, rows_to_dicts

RULE = ConsensusRule()
FIVE = ConsensusRule(scale=Scale.five_point())


def ratings(*values: Any) -> dict[str, Any]:
    """Return ratings keyed by made-up participant ids p0, p1, ..."""
    return {f"p{i}": v for i, v in enumerate(values)}


def json_round_trip(data: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(json.dumps(data, allow_nan=False))
    return result


# --- Scale -------------------------------------------------------------------------------------------------


def test_default_scale_is_one_to_nine_in_three_bands() -> None:
    scale = Scale.default()
    assert scale.to_dict() == {"min": 1, "max": 9, "bands": {"low": [1, 3], "mid": [4, 6], "high": [7, 9]}}
    assert [scale.band_of(p) for p in (1, 3, 4, 6, 7, 9)] == ["low", "low", "mid", "mid", "high", "high"]
    assert (scale.label("low"), scale.label("high")) == ("1-3", "7-9")


def test_five_point_scale_has_a_one_point_middle_band() -> None:
    scale = Scale.five_point()
    assert scale.to_dict() == {"min": 1, "max": 5, "bands": {"low": [1, 2], "mid": [3, 3], "high": [4, 5]}}
    assert scale.label("mid") == "3"
    assert list(scale.points) == [1, 2, 3, 4, 5]


def test_scale_round_trips_through_json_and_stays_hashable() -> None:
    scale = Scale(0, 10, (0, 3), (4, 6), (7, 10))
    again = Scale.from_dict(json_round_trip(scale.to_dict()))
    assert again == scale
    assert hash(again) == hash(scale)  # lists from JSON became tuples


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"min": 9, "max": 1, "bands": {"low": [1, 3], "mid": [4, 6], "high": [7, 9]}}, "greater than its minimum"),
        ({"min": 1.0, "max": 9, "bands": {"low": [1, 3], "mid": [4, 6], "high": [7, 9]}}, "whole numbers"),
        ({"min": 1, "max": 9, "bands": {"low": [1, 2], "mid": [4, 6], "high": [7, 9]}}, "mid band must start at 3"),
        ({"min": 1, "max": 9, "bands": {"low": [1, 4], "mid": [4, 6], "high": [7, 9]}}, "mid band must start at 5"),
        ({"min": 1, "max": 9, "bands": {"low": [2, 3], "mid": [4, 6], "high": [7, 9]}}, "low band must start at 1"),
        ({"min": 1, "max": 9, "bands": {"low": [1, 3], "mid": [4, 6], "high": [7, 8]}}, "must end at the scale's max"),
        ({"min": 1, "max": 9, "bands": {"low": [1, 3], "mid": [4, 3], "high": [4, 9]}}, "mid band 4-3 is empty"),
        ({"min": 1, "max": 9, "bands": {"low": [1, 3], "mid": [4, 6], "high": [7]}}, "pair [first, last]"),
        ({"min": 1, "max": 9, "bands": {"low": [1, 3], "mid": [4, 6], "high": "7-9"}}, "pair [first, last]"),
        ({"min": 1, "max": 2, "bands": {"low": [1, 1], "mid": [2, 2], "high": [3, 2]}}, "at least 3 points"),
        ({"min": 0, "max": 200, "bands": {"low": [0, 9], "mid": [10, 19], "high": [20, 200]}}, "at most 101 points"),
        ({"min": 1, "max": 9, "bands": {"low": [1, 3], "high": [7, 9]}}, "missing field(s): mid"),
        ({"min": 1, "max": 9, "bands": {"low": [1, 3], "mid": [4, 6], "high": [7, 9], "top": [9, 9]}}, "unknown"),
        ({"max": 9, "bands": {}}, "missing field(s): min"),
        ([1, 9], "must be an object"),
    ],
)
def test_bad_scales_are_refused_with_a_clear_message(data: Any, message: str) -> None:
    with pytest.raises(Invalid) as caught:
        Scale.from_dict(data)
    assert message in caught.value.message


def test_a_point_off_the_scale_has_no_band() -> None:
    with pytest.raises(Invalid, match="not on the 1-9 scale"):
        Scale.default().band_of(10)


@pytest.mark.parametrize("value", [0, 10, 7.0, True, "7", None, "Unable"])
def test_check_rating_refuses_anything_but_a_point_or_unable(value: Any) -> None:
    with pytest.raises(Invalid):
        check_rating(value, Scale.default())


def test_check_rating_accepts_points_and_unable() -> None:
    assert [check_rating(v, Scale.default()) for v in (1, 9, UNABLE)] == [1, 9, "unable"]


# --- Consensus rule: configuration ---------------------------------------------------------------------------


def test_default_rule_describes_itself_in_one_sentence() -> None:
    assert RULE.describe() == (
        "On a 1-9 scale, an item is included when at least 70% of its ratings are 7-9 and fewer than 15% are 1-3, "
        "excluded when at least 70% of its ratings are 1-3, and otherwise without consensus; "
        '"unable to rate" answers are not counted as ratings, and an item with no ratings is left undecided.'
    )


def test_describe_follows_the_configuration() -> None:
    rule = ConsensusRule(66.7, None, None, min_responses=5, scale=Scale.five_point())
    assert rule.describe() == (
        "On a 1-5 scale, an item is included when at least 66.7% of its ratings are 4-5, and otherwise without "
        'consensus; "unable to rate" answers are not counted as ratings, and an item with fewer than 5 ratings '
        "is left undecided."
    )
    assert "at least 80% of its ratings are 1-2" in ConsensusRule(75.0, 20, 80, scale=Scale.five_point()).describe()
    assert "at least 75% of its ratings are 4-5" in ConsensusRule(75.0, 20, 80, scale=Scale.five_point()).describe()


def test_rule_round_trips_and_partial_dicts_take_defaults() -> None:
    rule = ConsensusRule(80, 10, 75.5, min_responses=4, scale=Scale.five_point())
    assert ConsensusRule.from_dict(json_round_trip(rule.to_dict())) == rule
    assert ConsensusRule.from_dict({}) == RULE
    assert ConsensusRule.from_dict({"include_top_min_pct": 75}).include_bottom_max_pct == 15
    assert RULE.to_dict() == {
        "scale": Scale.default().to_dict(),
        "include_top_min_pct": 70,
        "include_bottom_max_pct": 15,
        "exclude_bottom_min_pct": 70,
        "min_responses": 1,
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"include_top_min_pct": 0}, "include_top_min_pct must be a percentage above 0 and at most 100"),
        ({"include_top_min_pct": 100.5}, "include_top_min_pct must be a percentage"),
        ({"include_top_min_pct": None}, "include_top_min_pct must be a percentage"),
        ({"include_top_min_pct": "70"}, "include_top_min_pct must be a percentage"),
        ({"include_top_min_pct": True}, "include_top_min_pct must be a percentage"),
        ({"include_top_min_pct": float("nan")}, "include_top_min_pct must be a percentage"),
        ({"include_bottom_max_pct": -5}, "include_bottom_max_pct must be a percentage"),
        ({"exclude_bottom_min_pct": float("inf")}, "exclude_bottom_min_pct must be a percentage"),
        ({"min_responses": 0}, "min_responses must be a whole number of at least 1"),
        ({"min_responses": 2.5}, "min_responses must be a whole number"),
        ({"min_responses": True}, "min_responses must be a whole number"),
        ({"include_top": 70}, "unknown field(s): include_top"),
        ({"scale": {"min": 1}}, "missing field(s)"),
        ("70%", "must be an object"),
    ],
)
def test_bad_rules_are_refused_with_a_clear_message(data: Any, message: str) -> None:
    with pytest.raises(Invalid) as caught:
        ConsensusRule.from_dict(data)
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("top", "cap", "bottom"),
    [
        # 60% in 7-9 and 40% in 1-3 fit together in 100% and nothing caps the bottom: both would hold.
        (60, None, 40),
        # 50% + 20% <= 100%, and 20% in 1-3 is still below the 30% cap: n=10, 5 high, 2 low meets both.
        (50, 30, 20),
        (50, 30.0, 29.99),
    ],
)
def test_a_rule_that_could_include_and_exclude_at_once_is_refused(top: float, cap: float | None, bottom: float) -> None:
    with pytest.raises(Invalid, match="could both include and exclude"):
        ConsensusRule(top, cap, bottom)


@pytest.mark.parametrize(
    ("top", "cap", "bottom"),
    [
        (60, None, 41),  # 60% + 41% > 100%
        (50, 20, 20),  # excluding needs >= 20% in 1-3, including needs < 20%: disjoint
        (50, 30, None),  # never excludes
        (70, 15, 70),  # the default
    ],
)
def test_rules_where_include_and_exclude_cannot_meet_are_accepted(
    top: float, cap: float | None, bottom: float | None
) -> None:
    ConsensusRule(top, cap, bottom)


# --- Consensus rule: the edges --------------------------------------------------------------------------------


def test_exactly_seventy_percent_in_the_top_band_includes() -> None:
    # 7 of 10 rate 7-9: 7*100 = 700 >= 70*10 = 700; none rate 1-3.
    assert RULE.decide(10, 7, 0) == "include"
    assert item_stats(ratings(7, 8, 9, 7, 8, 9, 7, 4, 5, 6), RULE).decision == "include"


def test_just_under_seventy_percent_does_not_include() -> None:
    # 6999 of 10000 is 69.99%: 699900 < 700000.
    assert RULE.decide(10000, 6999, 0) == "no_consensus"
    assert RULE.decide(10, 6, 0) == "no_consensus"


def test_exactly_fifteen_percent_in_the_bottom_band_blocks_include() -> None:
    # n=20: 14 in 7-9 is 70% (include threshold met), 3 in 1-3 is exactly 15%, not "fewer than 15%".
    assert RULE.decide(20, 14, 3) == "no_consensus"
    # 2 in 1-3 is 10% < 15%: included.
    assert RULE.decide(20, 14, 2) == "include"
    # 7 in 7-9 of 10 with 2 in 1-3 (20%): blocked.
    assert item_stats(ratings(7, 7, 7, 8, 8, 9, 9, 1, 2, 5), RULE).decision == "no_consensus"


def test_exactly_seventy_percent_in_the_bottom_band_excludes() -> None:
    # 7 of 10 in 1-3: 700 >= 700. 6 of 10 is 60%: no consensus.
    assert RULE.decide(10, 0, 7) == "exclude"
    assert RULE.decide(10, 3, 7) == "exclude"
    assert RULE.decide(10, 0, 6) == "no_consensus"


def test_thresholds_are_compared_exactly_not_in_floats() -> None:
    # In floats 57/100*100 is 56.99999999999999, so a naive check would miss "at least 57%".
    assert 57 / 100 * 100 < 57
    assert at_least(57, 100, 57)
    rule = ConsensusRule(57, None, None)
    assert rule.decide(100, 57, 0) == "include"
    assert rule.decide(50, 29, 0) == "include"  # 58% of 50 is 29; 29/50*100 is 57.99999999999999 in floats
    # A decimal threshold means that decimal: 667 of 1000 is exactly 66.7%.
    decimal = ConsensusRule(66.7, None, None)
    assert decimal.decide(1000, 667, 0) == "include"
    assert decimal.decide(1000, 666, 0) == "no_consensus"


def test_too_few_ratings_is_insufficient_not_a_decision() -> None:
    rule = ConsensusRule(min_responses=5)
    assert rule.decide(4, 4, 0) == "insufficient"  # 100% in 7-9, but only 4 ratings
    assert rule.decide(5, 5, 0) == "include"
    assert RULE.decide(0, 0, 0) == "insufficient"


def test_decide_refuses_impossible_counts() -> None:
    with pytest.raises(Invalid, match="band counts"):
        RULE.decide(5, 4, 2)  # 6 ratings in two bands out of 5


# --- Item statistics ------------------------------------------------------------------------------------------


def test_item_statistics_worked_by_hand() -> None:
    # Ratings, sorted: 2 5 7 7 7 8 8 9 9 (n = 9), plus one "unable to rate"; 12 eligible.
    stats = item_stats(ratings(9, 7, 2, 8, UNABLE, 7, 9, 5, 8, 7), RULE, eligible=12)
    assert (stats.n, stats.unable, stats.responses) == (9, 1, 10)
    assert stats.response_rate == Fraction(10, 12)
    assert stats.distribution == {1: 0, 2: 1, 3: 0, 4: 0, 5: 1, 6: 0, 7: 3, 8: 2, 9: 2}
    # Bands: 1-3 -> {2} = 1, 4-6 -> {5} = 1, 7-9 -> 7; percentages of 9, unable excluded.
    assert [stats.band_count(b) for b in ("low", "mid", "high")] == [1, 1, 7]
    assert stats.band_pct("high") == Fraction(700, 9)  # 77.78%
    # Type 7: h = (n - 1) * p. Median h = 4 -> x[4] = 7; q1 h = 2 -> x[2] = 7; q3 h = 6 -> x[6] = 8.
    assert (stats.median, stats.q1, stats.q3, stats.iqr) == (7, 7, 8, 1)
    # 77.8% >= 70% in 7-9 and 11.1% < 15% in 1-3.
    assert stats.decision == "include"


def test_quartiles_interpolate_linearly_type_7() -> None:
    # Sorted 3 5 6 9 (n = 4). Median: h = 1.5 -> 5 + 0.5 * (6 - 5) = 5.5.
    # q1: h = 0.75 -> 3 + 0.75 * (5 - 3) = 4.5. q3: h = 2.25 -> 6 + 0.25 * (9 - 6) = 6.75. IQR 2.25.
    # (Tukey's hinges would give 4 and 7.5: the method matters, hence its name in the output.)
    stats = item_stats(ratings(9, 3, 6, 5), RULE)
    assert (stats.median, stats.q1, stats.q3, stats.iqr) == (5.5, 4.5, 6.75, 2.25)  # exact: quarters are exact
    assert stats.to_dict()["quantile_method"] == QUANTILE_METHOD == "linear (Hyndman-Fan type 7)"


def test_one_rating_is_its_own_median_and_quartiles() -> None:
    stats = item_stats(ratings(4), RULE)
    assert (stats.median, stats.q1, stats.q3, stats.iqr) == (4, 4, 4, 0)
    assert stats.decision == "no_consensus"  # 4 is mid-band: 0% top, 0% bottom


def test_all_unable_to_rate_has_no_statistics_and_no_decision() -> None:
    stats = item_stats(ratings(UNABLE, UNABLE, UNABLE), RULE, eligible=4)
    assert (stats.n, stats.unable) == (0, 3)
    assert stats.response_rate == Fraction(3, 4)
    assert stats.band_pct("high") is None
    assert (stats.median, stats.q1, stats.q3, stats.iqr) == (None, None, None, None)
    assert stats.decision == "insufficient"
    data = stats.to_dict()
    assert data["bands"]["high"] == {"points": [7, 9], "count": 0, "pct": None}
    assert data["median"] is None
    assert set(data["distribution"].values()) == {0}


def test_no_answers_at_all() -> None:
    stats = item_stats({}, RULE, eligible=5)
    assert (stats.n, stats.unable, stats.response_rate, stats.decision) == (0, 0, Fraction(0), "insufficient")
    assert item_stats({}, RULE, eligible=0).response_rate is None
    assert item_stats({}, RULE).to_dict()["response_rate_pct"] is None


def test_more_answers_than_eligible_participants_is_refused() -> None:
    with pytest.raises(Invalid, match="3 responses cannot come from 2 eligible"):
        item_stats(ratings(7, 8, UNABLE), RULE, eligible=2)


def test_a_bad_rating_is_refused() -> None:
    with pytest.raises(Invalid, match="from 1 to 5"):
        item_stats(ratings(4, 9), FIVE)


def test_a_changed_vote_counts_once_with_its_new_value() -> None:
    votes = ratings(7, 8, 9, 2)  # 3 of 4 in 7-9 (75%), 1 in 1-3 (25%): blocked
    assert item_stats(votes, RULE).decision == "no_consensus"
    votes["p3"] = 8  # the participant changes 2 to 8: 4 of 4 in 7-9
    stats = item_stats(votes, RULE)
    assert (stats.n, stats.band_count("low"), stats.decision) == (4, 0, "include")


def test_a_participant_who_leaves_takes_their_rating_with_them() -> None:
    votes = ratings(7, 8, 9, 2, 5)
    stats = item_stats(votes, RULE, eligible=5)
    del votes["p3"]  # they leave; they are no longer eligible either
    after = item_stats(votes, RULE, eligible=4)
    assert (stats.n, after.n) == (5, 4)
    assert after.distribution[2] == 0
    assert after.response_rate == 1


def test_five_point_scale_statistics_and_decision() -> None:
    # 1-5 scale, bands 1-2 / 3 / 4-5. Ratings 4 5 5 3 1 4 4 5 2 5: low {1, 2} = 2 (20%), mid {3} = 1,
    # high = 7 (70%): top threshold met but 20% in 1-2 is not fewer than 15%.
    votes = ratings(4, 5, 5, 3, 1, 4, 4, 5, 2, 5)
    stats = item_stats(votes, FIVE)
    assert stats.distribution == {1: 1, 2: 1, 3: 1, 4: 3, 5: 4}
    assert [stats.band_pct(b) for b in ("low", "mid", "high")] == [20, 10, 70]
    # Sorted 1 2 3 4 4 4 5 5 5 5: median h = 4.5 -> 4 + 0.5 * 0 = 4; q1 h = 2.25 -> 3 + 0.25 * 1 = 3.25;
    # q3 h = 6.75 -> 5.
    assert (stats.median, stats.q1, stats.q3) == (4, Fraction(13, 4), 5)
    assert stats.decision == "no_consensus"
    votes["p8"] = 4  # the 2 becomes 4: low 1 (10%), high 8 (80%)
    assert item_stats(votes, FIVE).decision == "include"


def test_item_stats_dict_is_json_ready_and_holds_no_individual_rating() -> None:
    votes = {"alice-secret-id": 9, "bob-secret-id": 2, "carol-secret-id": UNABLE}
    data = item_stats(votes, RULE, eligible=3).to_dict()
    assert json_round_trip(data) == data
    assert "secret" not in json.dumps(data)
    assert set(data) == {
        "n", "unable", "distribution", "bands", "median", "q1", "q3", "iqr", "quantile_method",
        "responses", "eligible", "response_rate_pct", "decision",
    }  # fmt: skip
    assert data["distribution"] == {str(p): (1 if p in (2, 9) else 0) for p in range(1, 10)}
    assert data["response_rate_pct"] == 100.0
    assert data["median"] == 5.5


def test_item_stats_refuses_counts_that_do_not_fit_the_scale() -> None:
    with pytest.raises(Invalid, match="9 whole numbers"):
        ItemStats(RULE, (1, 2, 3))


# --- Per stakeholder group ------------------------------------------------------------------------------------

GROUP_OF = {
    **{f"r{i}": "returner" for i in range(4)},
    "o0": "oh_professional",
    "o1": "oh_professional",
    **{f"s{i}": "supervisor" for i in range(3)},
    "x0": None,  # chose no group
}
GROUP_VOTES = {"r0": 9, "r1": 8, "r2": 7, "r3": 7, "o0": 2, "o1": 3, "s0": 7, "s1": 8, "s2": UNABLE, "x0": 9}


def test_group_statistics_show_large_groups_and_suppress_small_ones() -> None:
    result = group_stats(GROUP_VOTES, GROUP_OF, RULE)
    # Overall: ratings 9 8 7 7 2 3 7 8 9 (n = 9), 1 unable; 7 in 7-9 (77.8%), 2 in 1-3 (22.2%): blocked.
    assert (result.overall.n, result.overall.unable, result.overall.decision) == (9, 1, "no_consensus")
    returners = result.group("returner")
    assert isinstance(returners, ItemStats)
    assert (returners.n, returners.decision) == (4, "include")  # 9 8 7 7: 100% in 7-9
    # OH professionals: 2 ratings < 3. Supervisors: 3 answers but only 2 ratings (one unable) < 3.
    assert result.group("oh_professional") == Suppressed("fewer than 3 ratings in this group")
    assert result.group("supervisor") == Suppressed("fewer than 3 ratings in this group")
    # Overall minus the returners leaves 5 ratings, enough not to expose anyone: no further suppression.
    assert result.decision == "no_consensus"


def test_suppressed_groups_carry_no_counts() -> None:
    data = group_stats(GROUP_VOTES, GROUP_OF, RULE).to_dict()
    assert data["groups"]["oh_professional"] == {"suppressed": True, "reason": "fewer than 3 ratings in this group"}
    assert data["groups"]["returner"]["n"] == 4
    assert data["min_group_size"] == 3
    assert json_round_trip(data) == data
    assert not any(key in json.dumps(data) for key in GROUP_VOTES)


def test_a_group_of_exactly_the_minimum_is_shown() -> None:
    votes = {"s0": 7, "s1": 8, "s2": 1, "r0": 9, "r1": 9, "r2": 9}
    groups = {"s0": "supervisor", "s1": "supervisor", "s2": "supervisor", "r0": "returner", "r1": "returner"}
    groups["r2"] = "returner"
    result = group_stats(votes, groups, RULE)
    assert isinstance(result.group("supervisor"), ItemStats)
    assert isinstance(result.group("returner"), ItemStats)


def test_a_small_remainder_forces_a_second_suppression() -> None:
    # Returners 5, OH professionals 5, one person without a group. Overall minus the two groups would be that
    # one person's rating, so the smaller shown group (a tie at 5: the first by name) is withheld too.
    votes = {**{f"r{i}": 9 for i in range(5)}, **{f"o{i}": 8 for i in range(5)}, "x": 1}
    groups: dict[str, str | None] = {**{f"r{i}": "returner" for i in range(5)}, **{f"o{i}": "oh" for i in range(5)}}
    result = group_stats(votes, groups, RULE)
    assert isinstance(result.group("oh"), Suppressed)
    assert "worked out" in result.group("oh").to_dict()["reason"]
    assert isinstance(result.group("returner"), ItemStats)


def test_one_small_group_beside_one_large_one_hides_both() -> None:
    # 6 returners, 1 OH professional: overall minus returners would reveal the one OH rating.
    votes = {**{f"r{i}": 9 for i in range(6)}, "o": 1}
    groups = {**{f"r{i}": "returner" for i in range(6)}, "o": "oh"}
    result = group_stats(votes, groups, RULE)
    assert all(isinstance(stats, Suppressed) for _, stats in result.groups)
    assert result.overall.n == 7  # the whole panel is still reported


def test_empty_groups_are_reported_suppressed_so_absence_says_nothing() -> None:
    result = group_stats(
        {"r0": 7, "r1": 8, "r2": 9},
        {"r0": "returner", "r1": "returner", "r2": "returner", "s0": "supervisor"},
        RULE,
        eligible=5,
        eligible_by_group={"returner": 3, "supervisor": 1, "other": 1},
    )
    assert [name for name, _ in result.groups] == ["other", "returner", "supervisor"]
    assert isinstance(result.group("other"), Suppressed)
    assert isinstance(result.group("supervisor"), Suppressed)
    returners = result.group("returner")
    assert isinstance(returners, ItemStats) and returners.response_rate == 1
    assert result.overall.response_rate == Fraction(3, 5)
    with pytest.raises(Invalid, match="no stakeholder group 'oh'"):
        result.group("oh")


def test_min_group_size_is_configurable() -> None:
    result = group_stats(GROUP_VOTES, GROUP_OF, RULE, min_group_size=2)
    # Supervisors' 2 ratings now suffice. OH professionals' 2 would too, but with every group shown, overall
    # minus the groups is the one rating of x0 (no group): the smaller tied group (by name) is withheld for it.
    assert isinstance(result.group("supervisor"), ItemStats)
    assert isinstance(result.group("returner"), ItemStats)
    assert "worked out" in result.group("oh_professional").to_dict()["reason"]
    everyone = group_stats(GROUP_VOTES, GROUP_OF, RULE, min_group_size=1)
    assert all(isinstance(stats, ItemStats) for _, stats in everyone.groups)
    with pytest.raises(Invalid, match="min_group_size"):
        group_stats(GROUP_VOTES, GROUP_OF, RULE, min_group_size=0)


def test_group_names_must_be_strings() -> None:
    with pytest.raises(Invalid, match="non-empty strings"):
        group_stats({"a": 7}, {"a": ""}, RULE)


# --- Later rounds, decisions, provenance ------------------------------------------------------------------------


def test_feedback_shows_the_group_distribution_and_the_own_previous_rating() -> None:
    previous = item_stats(ratings(9, 7, 2, 8, UNABLE, 7, 9, 5, 8, 7), RULE)
    shown = feedback(previous, 2).to_dict()
    assert shown["your_previous_rating"] == 2
    assert shown["group"] == previous.summary_dict()
    assert "decision" not in shown["group"]
    assert json_round_trip(shown) == shown
    assert feedback(previous, UNABLE).to_dict()["your_previous_rating"] == "unable"
    assert feedback(previous, None).to_dict()["your_previous_rating"] is None  # did not take part


def test_feedback_refuses_a_rating_not_in_the_previous_round() -> None:
    previous = item_stats(ratings(7, 8), RULE)
    with pytest.raises(Invalid, match="not among the previous round's answers"):
        feedback(previous, 3)
    with pytest.raises(Invalid, match="not among"):
        feedback(previous, UNABLE)
    with pytest.raises(Invalid, match="from 1 to 9"):
        feedback(previous, 10)


def test_feedback_for_a_suppressed_group_shows_only_the_suppression() -> None:
    withheld = Suppressed("fewer than 3 ratings in this group")
    assert feedback(withheld, 4).to_dict() == {"group": withheld.to_dict(), "your_previous_rating": 4}
    with pytest.raises(Invalid, match="whole number"):
        feedback(withheld, "four")


def test_decisions_accepted_and_carry_over() -> None:
    rule = ConsensusRule(min_responses=3)
    stats: dict[str, ItemStats | GroupStats] = {
        "q1": item_stats(ratings(9, 8, 7), rule),  # include
        "q2": item_stats(ratings(1, 2, 3), rule),  # exclude
        "q3": item_stats(ratings(5, 9, 1), rule),  # no consensus
        "q4": item_stats(ratings(9, UNABLE), rule),  # 1 rating < 3: insufficient
        "q5": group_stats(ratings(7, 7, 7, 7), {}, rule),  # include, with groups
    }
    assert decisions(stats) == {
        "q1": "include",
        "q2": "exclude",
        "q3": "no_consensus",
        "q4": "insufficient",
        "q5": "include",
    }
    assert accepted(stats) == ["q1", "q5"]
    assert carry_over(stats) == ["q3", "q4"]


def test_provenance_records_rule_round_and_figures() -> None:
    stats = group_stats(GROUP_VOTES, GROUP_OF, RULE)
    info = {"workshop": "w1", "round": 2, "closed_at": "2025-03-01T10:00:00Z"}
    record = provenance(RULE, info, stats)
    assert record["rule"] == RULE.to_dict()
    assert record["rule_text"] == RULE.describe()
    assert record["round"] == info
    assert record["stats"] == stats.to_dict()
    assert record["decision"] == "no_consensus"
    assert json_round_trip(record) == record
    info["round"] = 3  # the record is a copy: editing the caller's dict later changes nothing
    assert record["round"]["round"] == 2


def test_provenance_refuses_a_mismatched_rule_or_unstorable_round_info() -> None:
    stats = item_stats(ratings(7), RULE)
    with pytest.raises(Invalid, match="different consensus rule"):
        provenance(ConsensusRule(80), {}, stats)
    with pytest.raises(Invalid, match="JSON-ready"):
        provenance(RULE, {"opened": object()}, stats)
    with pytest.raises(Invalid, match="string keys"):
        provenance(RULE, {1: "x"}, stats)  # type: ignore[dict-item]


def test_group_stats_is_a_frozen_value() -> None:
    stats = group_stats({"a": 7}, {}, RULE)
    assert isinstance(stats, GroupStats)
    with pytest.raises(AttributeError):
        stats.overall = stats.overall  # type: ignore[misc]


# --- Nominal group ranking --------------------------------------------------------------------------------------


def test_rank_results_worked_by_hand() -> None:
    # n = 3, so 1st = 3 points, 2nd = 2, 3rd = 1.
    # A: x y z -> x 3, y 2, z 1.  B: y x -> y 3, x 2.  C: z y x -> z 3, y 2, x 1.
    # Totals: y 7, x 6, z 4. First places: one each. Voters: x 3, y 3, z 2.
    rows = rank_results({"A": ["x", "y", "z"], "B": ["y", "x"], "C": ["z", "y", "x"]}, n=3)
    assert [(r.subject, r.score, r.first_places, r.voters, r.rank, r.tied) for r in rows] == [
        ("y", 7, 1, 3, 1, False),
        ("x", 6, 1, 3, 2, False),
        ("z", 4, 1, 2, 3, False),
    ]


def test_ties_share_a_rank_and_the_next_rank_skips() -> None:
    # n = 3. A: a b c -> a 3, b 2, c 1. B: a c b -> a 3, c 2, b 1. C: d e -> d 3, e 2.
    # Totals: a 6, b 3, c 3, d 3, e 2 -> ranks 1, 2, 2, 2, 5. d has a first place and b, c none: still tied.
    rows = rank_results({"A": ["a", "b", "c"], "B": ["a", "c", "b"], "C": ["d", "e"]}, n=3)
    assert [(r.subject, r.score, r.rank, r.tied) for r in rows] == [
        ("a", 6, 1, False),
        ("b", 3, 2, True),
        ("c", 3, 2, True),
        ("d", 3, 2, True),
        ("e", 2, 5, False),
    ]
    assert rows[3].first_places == 1


def test_known_subjects_all_get_a_row_in_their_given_order_within_ties() -> None:
    rows = rank_results({"A": ["q2"]}, n=5, subjects=["q9", "q2", "q1"])
    assert [(r.subject, r.score, r.rank, r.tied) for r in rows] == [
        ("q2", 5, 1, False),
        ("q9", 0, 2, True),
        ("q1", 0, 2, True),
    ]
    assert rows_to_dicts(rows)[0] == {
        "subject": "q2",
        "score": 5,
        "first_places": 1,
        "voters": 1,
        "rank": 1,
        "tied": False,
    }


def test_default_top_five_scores_five_to_one() -> None:
    rows = rank_results({"A": [1, 2, 3, 4, 5]})
    assert [(r.subject, r.score) for r in rows] == [(1, 5), (2, 4), (3, 3), (4, 2), (5, 1)]


def test_a_changed_ranking_counts_once_and_an_empty_one_not_at_all() -> None:
    rankings = {"A": ["x", "y"], "B": ["x"]}
    rankings["A"] = ["y", "x"]  # A changes their mind
    rankings["C"] = []  # C ranks nothing
    rows = rank_results(rankings, n=2)
    assert [(r.subject, r.score, r.voters) for r in rows] == [("x", 3, 2), ("y", 2, 1)]


@pytest.mark.parametrize(
    ("ranking", "subjects", "message"),
    [
        (["a", "b", "a"], None, "'a' is ranked more than once"),
        (["a", "b", "c", "d"], None, "rank at most 3 items (this ranking has 4)"),
        ("abc", None, "must be a list"),
        (["a", "z"], ["a", "b"], "'z' is not one of the items"),
        ([True], None, "named by its id"),
        ([["a"]], None, "named by its id"),
    ],
)
def test_bad_rankings_are_refused(ranking: Any, subjects: list[str] | None, message: str) -> None:
    with pytest.raises(Invalid) as caught:
        check_ranking(ranking, 3, subjects)
    assert message in caught.value.message
    with pytest.raises(Invalid):
        rank_results({"A": ranking}, 3, subjects)


def test_bad_ranking_settings_are_refused() -> None:
    with pytest.raises(Invalid, match="n must be a whole number of at least 1"):
        check_ranking(["a"], 0)
    with pytest.raises(Invalid, match="listed once each"):
        check_ranking(["a"], 3, ["a", "a"])


# --- Dot voting ---------------------------------------------------------------------------------------------------


def test_check_dots_accepts_a_valid_allocation_and_drops_zeros() -> None:
    assert check_dots({"a": 3, "b": 2, "c": 0}) == {"a": 3, "b": 2}
    assert check_dots({"a": 1}) == {"a": 1}  # unused dots are allowed
    assert check_dots({"a": 5}, cap=None) == {"a": 5}  # no per-item cap: the whole budget on one item


@pytest.mark.parametrize(
    ("allocation", "message"),
    [
        ({"a": 3, "b": 3}, "you have 5 dots to place; this places 6"),
        ({"a": 4}, "at most 3 dots may go on one item (got 4 on 'a')"),
        ({"a": -1, "b": 3}, "at least 0 (got -1 on 'a')"),
        ({"a": 1.5}, "whole numbers"),
        ({"a": True}, "whole numbers"),
        ({"z": 1}, "'z' is not one of the items"),
        (["a", "b"], "must be given as an object"),
    ],
)
def test_bad_dot_allocations_are_refused(allocation: Any, message: str) -> None:
    with pytest.raises(Invalid) as caught:
        check_dots(allocation, subjects=["a", "b"])
    assert message in caught.value.message


def test_bad_dot_settings_are_refused() -> None:
    with pytest.raises(Invalid, match="the dot budget must be a whole number of at least 1"):
        check_dots({}, budget=0)
    with pytest.raises(Invalid, match="the dots allowed on one item"):
        check_dots({}, cap=0)


def test_dot_results_worked_by_hand_with_ties() -> None:
    # Budget 5, cap 3. A: a 3, b 2. B: b 3, c 1. C: a 2, c 3. Totals a 5, b 5, c 4 -> ranks 1, 1, 3.
    allocations = {"A": {"a": 3, "b": 2}, "B": {"b": 3, "c": 1}, "C": {"a": 2, "c": 3}}
    rows = dot_results(allocations)
    assert [(r.subject, r.dots, r.voters, r.rank, r.tied) for r in rows] == [
        ("a", 5, 2, 1, True),
        ("b", 5, 2, 1, True),
        ("c", 4, 2, 3, False),
    ]
    assert rows[0].to_dict() == {"subject": "a", "dots": 5, "voters": 2, "rank": 1, "tied": True}
    with pytest.raises(Invalid, match="this places 6"):
        dot_results({**allocations, "D": {"a": 3, "b": 3}})
