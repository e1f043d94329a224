"""Voting rounds and secret votes: open, cast (changeable until closed), close, reveal, tally."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import payload
from .errors import Invalid, NotAllowed, NotFound
from .live import Event, Outcome, Viewer
from .live_models import Participant, Proposal, Round, Vote, Workshop
from .workshops import Closed

KINDS = ("proposal_vote",)
CHOICES = ("agree", "disagree", "abstain")
SUBJECT_MAX = 500


def _facilitator(viewer: Viewer) -> None:
    if viewer.role != "facilitator":
        raise NotAllowed("only the facilitator can do this")


def current(session: Session, workshop_id: int) -> Round | None:
    """Return the newest round of the workshop, if any."""
    return session.scalar(select(Round).where(Round.workshop_id == workshop_id).order_by(Round.number.desc()).limit(1))


def get(session: Session, workshop: Workshop, round_id: Any) -> Round:
    """Return a round of this workshop, or NotFound."""
    if not isinstance(round_id, int) or isinstance(round_id, bool):
        raise Invalid("round_id must be a round's id", details={"field": "round_id"})
    row = session.get(Round, round_id)
    if row is None or row.workshop_id != workshop.id:
        raise NotFound(f"there is no round {round_id} in this workshop")
    return row


def round_dict(row: Round) -> dict[str, Any]:
    """Return what every client may know about a round (not its votes)."""
    return {
        "id": row.id,
        "number": row.number,
        "kind": row.kind,
        "status": row.status,
        "subjects": row.subjects,
        "config": row.config,
        "revealed": row.revealed,
    }


def open_round(session: Session, viewer: Viewer, workshop: Workshop, data: dict[str, Any]) -> Outcome:
    """Open a round on the given proposals (default: every revealed, open one); close any open round first."""
    _facilitator(viewer)
    if workshop.status != "open":
        raise Closed("this workshop is closed")
    kind = payload.choice(data, "kind", KINDS, required=False) or "proposal_vote"
    ids = payload.id_list(data, "proposal_ids", limit=SUBJECT_MAX)
    query = select(Proposal.id).where(
        Proposal.workshop_id == workshop.id, Proposal.status == "open", Proposal.hidden.is_(False)
    )
    query = query.where(Proposal.id.in_(ids)) if ids is not None else query.where(Proposal.revealed.is_(True))
    found = list(session.scalars(query.order_by(Proposal.id)))
    if ids is not None and set(found) != set(ids):
        raise NotFound(f"proposals {sorted(set(ids) - set(found))} are not open proposals of this workshop")
    if not found:
        raise Invalid("there are no revealed, open proposals to vote on")
    events = []
    previous = current(session, workshop.id)
    if previous is not None and previous.status == "open":
        events.append(_close(previous))
    row = Round(
        workshop_id=workshop.id,
        number=(previous.number + 1) if previous else 1,
        kind=kind,
        subjects=[f"proposal:{pid}" for pid in found],
        config={},
    )
    session.add(row)
    for proposal in session.scalars(select(Proposal).where(Proposal.id.in_(found))):
        proposal.revealed = True
    workshop.phase = "vote"
    session.flush()
    from .workshops import workshop_dict

    events += [Event("round", round_dict(row)), Event("workshop", workshop_dict(workshop))]
    return Outcome(reply={"round": round_dict(row)}, events=events, tally_round=row.id)


def _close(row: Round) -> Event:
    row.status = "closed"
    row.closed_at = datetime.now(UTC)
    return Event("round", round_dict(row))


def close_round(session: Session, viewer: Viewer, workshop: Workshop, data: dict[str, Any]) -> Outcome:
    """Close a round: votes are final."""
    _facilitator(viewer)
    row = get(session, workshop, data.get("round_id"))
    if row.status != "open":
        raise Invalid(f"round {row.number} is already closed")
    return Outcome(reply={"round": round_dict(row)}, events=[_close(row)], tally_round=row.id)


def reveal(session: Session, viewer: Viewer, workshop: Workshop, data: dict[str, Any]) -> Outcome:
    """Show a round's results to everyone (the tally, never who voted how)."""
    _facilitator(viewer)
    row = get(session, workshop, data.get("round_id"))
    row.revealed = True
    session.flush()
    return Outcome(
        reply={"round": round_dict(row)},
        events=[Event("round", {**round_dict(row), "results": tally(session, row)})],
        tally_round=row.id,
    )


def cast(session: Session, viewer: Viewer, workshop: Workshop, data: dict[str, Any]) -> Outcome:
    """Cast or change a secret vote while the round is open (the facilitator may cast for a proxy participant)."""
    row = get(session, workshop, data.get("round_id"))
    if row.status != "open":
        raise NotAllowed(f"round {row.number} is closed; votes can no longer change")
    subject = data.get("subject")
    if subject not in row.subjects:
        raise Invalid("vote on one of the round's subjects", details={"field": "subject"})
    value = payload.choice(data, "value", CHOICES)
    voter, proxy = viewer.participant_id, False
    if viewer.role == "facilitator":
        voter, proxy = payload.integer(data, "proxy_participant_id", low=1), True
        proxied = session.get(Participant, voter)
        if proxied is None or proxied.workshop_id != workshop.id or not proxied.is_proxy:
            raise NotFound("choose a proxy participant of this workshop")
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


def my_votes(session: Session, participant_id: int, round_id: int) -> dict[str, Any]:
    """Return one participant's own votes in a round (sent only to that participant)."""
    rows = session.execute(
        select(Vote.subject, Vote.value).where(Vote.round_id == round_id, Vote.participant_id == participant_id)
    )
    return dict(rows.all())


def tally(session: Session, row: Round) -> dict[str, Any]:
    """Return the counts per subject and choice, and how many took part (aggregates only)."""
    counts: dict[str, dict[str, int]] = {s: dict.fromkeys(CHOICES, 0) for s in row.subjects}
    for subject, value, n in session.execute(
        select(Vote.subject, Vote.value, func.count()).where(Vote.round_id == row.id).group_by(Vote.subject, Vote.value)
    ):
        counts.setdefault(subject, dict.fromkeys(CHOICES, 0))[value] = n
    voters = session.scalar(select(func.count(func.distinct(Vote.participant_id))).where(Vote.round_id == row.id)) or 0
    return {"round_id": row.id, "voters": voters, "subjects": counts}


def public_tally(session: Session, row: Round) -> dict[str, Any]:
    """Return the tally participants may see: everything once revealed, otherwise only how many voted."""
    if row.revealed:
        return tally(session, row)
    voters = session.scalar(select(func.count(func.distinct(Vote.participant_id))).where(Vote.round_id == row.id)) or 0
    return {"round_id": row.id, "voters": voters}


def proposal_votes(session: Session, workshop_id: int, proposal_id: int) -> dict[str, Any] | None:
    """Return the newest round's counts on a proposal, for the provenance of its acceptance."""
    subject = f"proposal:{proposal_id}"
    rows = session.scalars(select(Round).where(Round.workshop_id == workshop_id).order_by(Round.number.desc()))
    for row in rows:
        if subject in row.subjects:
            return {"round": row.number, "counts": tally(session, row)["subjects"][subject]}
    return None
