"""Between and after e-Delphi rounds: each participant's feedback, what carries over, what is decided and why.

Pure functions over the statistics of ``consensus``: the lead's workshop code stores the results.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from .consensus import GroupStats, ItemStats, Suppressed
from .consensus_rules import INCLUDE, INSUFFICIENT, NO_CONSENSUS, UNABLE, ConsensusRule, Decision, Rating, check_rating
from .errors import Invalid

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Feedback:
    """What one participant sees before re-rating an item: the group's previous answers and their own."""

    previous: ItemStats | Suppressed
    own: Rating | None

    def to_dict(self) -> dict[str, Any]:
        """Return the feedback as a JSON-ready dict; it holds this participant's own rating, for them alone."""
        group = self.previous.to_dict() if isinstance(self.previous, Suppressed) else self.previous.summary_dict()
        return {"group": group, "your_previous_rating": self.own}


def feedback(previous: ItemStats | Suppressed, own_rating: object | None) -> Feedback:
    """Return what a participant is shown for an item: the previous round's distribution and their own rating.

    ``previous`` is usually the overall statistics; a stakeholder group's (or its suppression) also
    works. ``own_rating`` is None for someone who did not answer the previous round. The decision is
    left out on purpose: an item is re-rated only when it had none, and people should respond to the
    distribution, not to a verdict.
    """
    if own_rating is None:
        return Feedback(previous, None)
    if isinstance(previous, Suppressed):
        # A withheld group has no scale to check against; the own rating is still shown, so check its shape.
        if own_rating == UNABLE and isinstance(own_rating, str):
            return Feedback(previous, UNABLE)
        if isinstance(own_rating, int) and not isinstance(own_rating, bool):
            return Feedback(previous, own_rating)
        raise Invalid(f'a previous rating must be a whole number or "{UNABLE}" (got {own_rating!r})')
    own = check_rating(own_rating, previous.rule.scale)
    # The own rating must be among the answers summarised, or these are another round's figures.
    if not (previous.unable if own == UNABLE else previous.distribution[int(own)]):
        raise Invalid("the previous rating given is not among the previous round's answers")
    return Feedback(previous, own)


def decisions(stats_by_item: Mapping[K, ItemStats | GroupStats]) -> dict[K, Decision]:
    """Return each item's decision under its round's rule (overall, for statistics split by group)."""
    return {item: stats.decision for item, stats in stats_by_item.items()}


def accepted(stats_by_item: Mapping[K, ItemStats | GroupStats]) -> list[K]:
    """Return the items that meet the include rule, in the order given."""
    return [item for item, decision in decisions(stats_by_item).items() if decision == INCLUDE]


def carry_over(stats_by_item: Mapping[K, ItemStats | GroupStats]) -> list[K]:
    """Return the items to rate again next round, in the order given: no consensus, or too few ratings."""
    return [item for item, decision in decisions(stats_by_item).items() if decision in (NO_CONSENSUS, INSUFFICIENT)]


def provenance(rule: ConsensusRule, round_info: Mapping[str, Any], stats: ItemStats | GroupStats) -> dict[str, Any]:
    """Return the JSON-ready record of why a change was made: the rule, the round and the figures behind it."""
    overall = stats.overall if isinstance(stats, GroupStats) else stats
    if overall.rule != rule:
        raise Invalid("these statistics were computed under a different consensus rule than the one given")
    if not isinstance(round_info, Mapping) or not all(isinstance(key, str) for key in round_info):
        raise Invalid("round information must be an object with string keys")
    try:
        # A copy through JSON proves the record can be stored and keeps later edits of round_info out of it.
        round_record = json.loads(json.dumps(round_info, allow_nan=False))
    except (TypeError, ValueError) as error:
        raise Invalid(f"round information must be JSON-ready: {error}") from None
    return {
        "method": "e-Delphi rating",
        "rule": rule.to_dict(),
        "rule_text": rule.describe(),
        "round": round_record,
        "stats": stats.to_dict(),
        "decision": overall.decision,
    }
