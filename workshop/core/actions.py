"""Every action a live client can take, who may take it, and how it is applied exactly once.

The table ``ACTIONS`` is the authorization matrix of the live protocol: an action not
listed for a role is refused before anything is read or written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from . import accounts, ballots, decide, moderation, payload, proposals, refine, rounds, workshops
from .errors import NotAllowed, NotFound
from .live import Outcome, Sent, Viewer, lock_workshop, previous_result, record, remember
from .live_models import Participant, Workshop

Handler = Callable[[Session, Viewer, Workshop, dict[str, Any]], Outcome]
PARTICIPANT, FACILITATOR = "participant", "facilitator"
BOTH = frozenset({PARTICIPANT, FACILITATOR})
ONLY_FACILITATOR = frozenset({FACILITATOR})


@dataclass(frozen=True)
class Action:
    """An action: the roles allowed to take it and the core function that applies it."""

    roles: frozenset[str]
    handler: Handler


def add_proxy(session: Session, viewer: Viewer, workshop: Workshop, data: dict[str, Any]) -> Outcome:
    """Add a participant without a phone, whose proposals and votes the facilitator enters."""
    participant, _token, outcome = workshops.join(session, workshop, data, proxy=True)
    outcome.reply = {"participant": workshops.participant_dict(participant, private=True)}
    return outcome


ACTIONS: dict[str, Action] = {
    "proposal.submit": Action(BOTH, proposals.submit),
    "proposal.withdraw": Action(BOTH, proposals.withdraw),
    "comment.add": Action(BOTH, proposals.comment),
    "vote.cast": Action(BOTH, ballots.cast),
    "vote.rank": Action(BOTH, ballots.rank),
    "vote.dots": Action(BOTH, ballots.place_dots),
    "item.edit": Action(BOTH, refine.edit_item),
    "phase.set": Action(ONLY_FACILITATOR, workshops.set_phase),
    "timer.set": Action(ONLY_FACILITATOR, workshops.set_timer),
    "workshop.status": Action(ONLY_FACILITATOR, workshops.set_status),
    "workshop.settings": Action(ONLY_FACILITATOR, workshops.update_settings),
    "participant.remove": Action(ONLY_FACILITATOR, workshops.remove_participant),
    "proxy.add": Action(ONLY_FACILITATOR, add_proxy),
    "proposals.reveal": Action(ONLY_FACILITATOR, moderation.reveal),
    "proposal.hide": Action(ONLY_FACILITATOR, moderation.set_hidden),
    "proposal.edit": Action(ONLY_FACILITATOR, moderation.edit),
    "proposal.merge": Action(ONLY_FACILITATOR, moderation.merge),
    "proposal.accept": Action(ONLY_FACILITATOR, moderation.accept),
    "proposal.reject": Action(ONLY_FACILITATOR, moderation.reject),
    "round.open": Action(ONLY_FACILITATOR, rounds.open_round),
    "round.close": Action(ONLY_FACILITATOR, rounds.close_round),
    "round.reveal": Action(ONLY_FACILITATOR, rounds.reveal),
    "round.decide": Action(ONLY_FACILITATOR, decide.decide),
}


@dataclass
class Performed:
    """The result of one action: the acknowledgement, the recorded events, what changed to broadcast coalesced."""

    reply: dict[str, Any]
    sent: list[Sent] = field(default_factory=list)
    tally_round: int | None = None
    roster: bool = False
    duplicate: bool = False


def check_viewer(session: Session, viewer: Viewer) -> None:
    """Refuse a viewer who is no longer allowed in the workshop (removed, or access withdrawn)."""
    if viewer.role == PARTICIPANT:
        participant = session.get(Participant, viewer.participant_id)
        if participant is None or participant.workshop_id != viewer.workshop_id:
            raise NotFound("unknown participant")
        if participant.removed_at is not None:
            raise NotAllowed("the facilitator has removed you from this workshop")
    elif viewer.facilitator_id is not None:
        if viewer.session_version is not None and not accounts.session_valid(
            session, viewer.facilitator_id, viewer.session_version
        ):
            raise NotAllowed("your login session has ended; log in again")
        accounts.check_workshop(session, viewer.facilitator_id, viewer.workshop_id)
    else:
        raise NotAllowed("the projector view cannot act")


def perform(session: Session, viewer: Viewer, name: str, data: Any) -> Performed:
    """Apply a client action once: a repeated op id returns the first acknowledgement and changes nothing."""
    action = ACTIONS.get(name)
    if action is None:
        raise NotFound(f"unknown action {name!r}")
    if viewer.role not in action.roles:
        raise NotAllowed("only the facilitator can do this")
    data = payload.obj(data)
    op_id = payload.op_id(data)
    workshop = lock_workshop(session, viewer.workshop_id)
    check_viewer(session, viewer)
    earlier = previous_result(session, workshop.id, viewer.key, op_id)
    if earlier is not None:
        return Performed(earlier, duplicate=True)
    outcome = action.handler(session, viewer, workshop, data)
    sent = record(session, workshop, outcome.events)
    for event in outcome.events:
        if event.name == "version":  # other workshops open on the same tool follow the new version too
            sent += moderation.announce_version(session, workshop.tool_id, event, skip=workshop.id)
    reply = {"ok": True, **outcome.reply, "seq": workshop.seq}
    remember(session, workshop.id, viewer.key, op_id, reply)
    return Performed(reply, sent, outcome.tally_round, roster=outcome.roster)
