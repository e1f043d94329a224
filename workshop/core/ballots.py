"""Casting secret votes: one answer per subject, a whole ranking, or a dot allocation; changeable while open."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from . import payload, rounds
from .consensus import UNABLE, ConsensusRule
from .consensus_rules import check_rating
from .errors import Invalid, NotAllowed, NotFound
from .live import Outcome, Viewer
from .live_models import Participant, Round, Vote, Workshop
from .ranking import check_dots, check_ranking
from .tallies import CHOICES


def _open_round(session: Session, workshop: Workshop, data: dict[str, Any], kinds: tuple[str, ...]) -> Round:
    row = rounds.get(session, workshop, data.get("round_id"))
    if row.kind not in kinds:
        raise Invalid(f"round {row.number} is a {row.kind} round; use the matching vote event")
    if row.status != "open":
        raise NotAllowed(f"round {row.number} is closed; votes can no longer change")
    return row


def _voter(session: Session, viewer: Viewer, workshop: Workshop, data: dict[str, Any]) -> tuple[int, bool]:
    """Return who the vote is for: the participant, or the proxy participant the facilitator names."""
    if viewer.role != "facilitator":
        assert viewer.participant_id is not None
        return viewer.participant_id, False
    voter = payload.integer(data, "proxy_participant_id", low=1)
    proxied = session.get(Participant, voter)
    if proxied is None or proxied.workshop_id != workshop.id or not proxied.is_proxy:
        raise NotFound("choose a proxy participant of this workshop")
    return int(voter or 0), True


def cast(session: Session, viewer: Viewer, workshop: Workshop, data: dict[str, Any]) -> Outcome:
    """Cast or change one vote: agree/disagree/abstain, or a rating on the round's scale (or "unable")."""
    row = _open_round(session, workshop, data, ("proposal_vote", "rating"))
    subject = data.get("subject")
    if subject not in row.subjects:
        raise Invalid("vote on one of the round's subjects", details={"field": "subject"})
    if row.kind == "proposal_vote":
        value = str(payload.choice(data, "value", CHOICES))
    else:
        rule = ConsensusRule.from_dict(row.config["rule"])
        try:
            value = str(check_rating(data.get("value"), rule.scale))
        except Invalid as exc:
            raise Invalid(
                f'rate from {rule.scale.min} to {rule.scale.max}, or "{UNABLE}"', details={"field": "value"}
            ) from exc
    voter, proxy = _voter(session, viewer, workshop, data)
    existing = session.scalar(
        select(Vote).where(Vote.round_id == row.id, Vote.participant_id == voter, Vote.subject == subject)
    )
    if existing is None:
        session.add(Vote(round_id=row.id, participant_id=voter, subject=subject, value=value, proxy=proxy))
    else:
        existing.value = value
        existing.updated_at = datetime.now(UTC)
    session.flush()
    return Outcome(reply={"round_id": row.id, "subject": subject, "value": value}, tally_round=row.id)


def _replace(session: Session, row: Round, voter: int, proxy: bool, values: dict[str, int]) -> None:
    session.execute(delete(Vote).where(Vote.round_id == row.id, Vote.participant_id == voter))
    session.add_all(
        Vote(round_id=row.id, participant_id=voter, subject=s, value=str(v), proxy=proxy) for s, v in values.items()
    )
    session.flush()


def rank(session: Session, viewer: Viewer, workshop: Workshop, data: dict[str, Any]) -> Outcome:
    """Cast or replace a top-N ranking (best first) in a ranking round."""
    row = _open_round(session, workshop, data, ("ranking",))
    ranking = check_ranking(data.get("ranking"), row.config["n"], row.subjects)  # type: ignore[arg-type]
    voter, proxy = _voter(session, viewer, workshop, data)
    _replace(session, row, voter, proxy, {subject: place for place, subject in enumerate(ranking, start=1)})
    return Outcome(reply={"round_id": row.id, "ranking": list(ranking)}, tally_round=row.id)


def place_dots(session: Session, viewer: Viewer, workshop: Workshop, data: dict[str, Any]) -> Outcome:
    """Cast or replace a dot allocation within the round's budget and per-item cap."""
    row = _open_round(session, workshop, data, ("dots",))
    allocation = check_dots(payload.obj(data.get("allocation")), row.config["budget"], row.config["cap"], row.subjects)
    voter, proxy = _voter(session, viewer, workshop, data)
    _replace(session, row, voter, proxy, dict(allocation))
    return Outcome(reply={"round_id": row.id, "allocation": allocation}, tally_round=row.id)


def my_votes(session: Session, participant_id: int, round_id: int) -> dict[str, str]:
    """Return one participant's own votes in a round (sent only to that participant)."""
    rows = session.execute(
        select(Vote.subject, Vote.value).where(Vote.round_id == round_id, Vote.participant_id == participant_id)
    )
    return {subject: value for subject, value in rows.all()}
