"""Aggregates of a round's secret votes, per kind; nothing here returns an individual vote to others."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import consensus_rounds
from .consensus import UNABLE, ConsensusRule, GroupStats, group_stats
from .live_models import Participant, Round, Vote
from .ranking import dot_results, rank_results, rows_to_dicts

CHOICES = ("agree", "disagree", "abstain")


def _rating(value: str) -> int | str:
    return value if value == UNABLE else int(value)


def voters(session: Session, row: Round) -> int:
    """Return how many people have voted in the round."""
    return session.scalar(select(func.count(func.distinct(Vote.participant_id))).where(Vote.round_id == row.id)) or 0


def _votes(session: Session, row: Round) -> list[tuple[int, str, str]]:
    return list(
        session.execute(select(Vote.participant_id, Vote.subject, Vote.value).where(Vote.round_id == row.id)).all()
    )


def rating_stats(session: Session, row: Round) -> dict[str, GroupStats]:
    """Return each subject's statistics, overall and per stakeholder group, under the round's frozen rule."""
    rule = ConsensusRule.from_dict(row.config["rule"])
    people = session.execute(
        select(Participant.id, Participant.group).where(
            Participant.workshop_id == row.workshop_id, Participant.removed_at.is_(None)
        )
    ).all()
    group_of = dict(people)
    eligible_by_group: dict[str, int] = defaultdict(int)
    for _, group in people:
        if group:
            eligible_by_group[group] += 1
    ratings: dict[str, dict[int, int | str]] = {s: {} for s in row.subjects}
    for participant, subject, value in _votes(session, row):
        if participant in group_of and subject in ratings:  # a removed participant's ratings no longer count
            ratings[subject][participant] = _rating(value)
    return {
        subject: group_stats(
            by_person,
            group_of,
            rule,
            eligible=len(people),
            eligible_by_group=eligible_by_group,
            min_group_size=row.config.get("min_group_size", 3),
        )
        for subject, by_person in ratings.items()
    }


def tally(session: Session, row: Round) -> dict[str, Any]:
    """Return the round's aggregates as the facilitator (and, once revealed, everyone) sees them."""
    result: dict[str, Any] = {"round_id": row.id, "kind": row.kind, "voters": voters(session, row)}
    if row.kind == "proposal_vote":
        counts: dict[str, dict[str, int]] = {s: dict.fromkeys(CHOICES, 0) for s in row.subjects}
        for subject, value, n in session.execute(
            select(Vote.subject, Vote.value, func.count())
            .where(Vote.round_id == row.id)
            .group_by(Vote.subject, Vote.value)
        ):
            counts.setdefault(subject, dict.fromkeys(CHOICES, 0))[value] = n
        result["subjects"] = counts
    elif row.kind == "rating":
        stats = rating_stats(session, row)
        result["rule_text"] = row.config["rule_text"]
        result["subjects"] = {s: g.to_dict() for s, g in stats.items()}
        result["decisions"] = consensus_rounds.decisions(stats)
    else:
        ballots: dict[int, dict[str, int]] = defaultdict(dict)
        for participant, subject, value in _votes(session, row):
            ballots[participant][subject] = int(value)
        rows: list[Any]
        if row.kind == "ranking":
            rankings = {p: [s for s, _ in sorted(b.items(), key=lambda kv: kv[1])] for p, b in ballots.items()}
            rows = rank_results(rankings, row.config["n"], row.subjects)
        else:
            rows = dot_results(ballots, row.config["budget"], row.config["cap"], row.subjects)
        result["results"] = rows_to_dicts(rows)
    return result


def public_tally(session: Session, row: Round) -> dict[str, Any]:
    """Return what participants may see: everything once revealed, otherwise only how many voted."""
    if row.revealed:
        return tally(session, row)
    return {"round_id": row.id, "kind": row.kind, "voters": voters(session, row)}


def carry_over(session: Session, row: Round) -> list[str]:
    """Return the subjects of a rating round that reached no consensus (to rate again)."""
    return consensus_rounds.carry_over(rating_stats(session, row))


def feedback(session: Session, row: Round, participant_id: int) -> dict[str, Any]:
    """Return, for a later rating round, each subject's previous distribution and this participant's own rating."""
    previous_id = row.config.get("previous_round")
    previous = session.get(Round, previous_id) if previous_id else None
    if previous is None:
        return {}
    stats = rating_stats(session, previous)
    own = {subject: _rating(value) for _, subject, value in _votes(session, previous) if _ == participant_id}
    return {
        subject: consensus_rounds.feedback(stats[subject].overall, own.get(subject)).to_dict()
        for subject in row.subjects
        if subject in stats
    }
