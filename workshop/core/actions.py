"""Every action a live client can take, who may take it, and how it is applied exactly once.

The table ``ACTIONS`` is the authorization matrix of the live protocol: an action not
listed for a role is refused before anything is read or written.

It also says which rows an action locks first (on PostgreSQL; SQLite has one writer at a time anyway):

- ``WORKSHOP`` (most actions): the workshop row for update, which numbers its events one at a time.
- ``VOTE``: votes record no numbered event (tallies are coalesced), so a participant's vote takes the workshop
  row for share and their own participant row for update: many people's votes commit side by side, one
  person's votes (and op ids) one at a time, and an action that takes the workshop for update (closing the
  round) waits for the votes under way and goes before any that come after.
- ``VERSION``: an action that may make a draft version takes the tool row before the workshop row, as every
  other maker of versions does (restoring from the history page), then the rows of the other workshops open on
  the tool to announce it there; taking the tool first means two workshops never wait for each other's rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from . import accounts, ballots, decide, drafts, moderation, payload, proposals, refine, rounds, workshops
from .errors import NotAllowed, NotFound
from .live import Outcome, Sent, Viewer, lock_participant, lock_workshop, previous_result, record, remember
from .live_models import Participant, Workshop

Handler = Callable[[Session, Viewer, Workshop, dict[str, Any]], Outcome]
WORKSHOP, VOTE, VERSION = "workshop", "vote", "version"
PARTICIPANT, FACILITATOR = "participant", "facilitator"
BOTH = frozenset({PARTICIPANT, FACILITATOR})
ONLY_FACILITATOR = frozenset({FACILITATOR})


@dataclass(frozen=True)
class Action:
    """An action: the roles allowed to take it, the core function that applies it, what it locks first."""

    roles: frozenset[str]
    handler: Handler
    lock: str = WORKSHOP


def add_proxy(session: Session, viewer: Viewer, workshop: Workshop, data: dict[str, Any]) -> Outcome:
    """Add a participant without a phone, whose proposals and votes the facilitator enters."""
    participant, _token, outcome = workshops.join(session, workshop, data, proxy=True)
    outcome.reply = {"participant": workshops.participant_dict(participant, private=True)}
    return outcome


ACTIONS: dict[str, Action] = {
    "proposal.submit": Action(BOTH, proposals.submit),
    "proposal.withdraw": Action(BOTH, proposals.withdraw),
    "comment.add": Action(BOTH, proposals.comment),
    "vote.cast": Action(BOTH, ballots.cast, VOTE),
    "vote.rank": Action(BOTH, ballots.rank, VOTE),
    "vote.dots": Action(BOTH, ballots.place_dots, VOTE),
    "item.edit": Action(BOTH, refine.edit_item, VERSION),
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
    "proposal.accept": Action(ONLY_FACILITATOR, moderation.accept, VERSION),
    "proposal.reject": Action(ONLY_FACILITATOR, moderation.reject),
    "round.open": Action(ONLY_FACILITATOR, rounds.open_round),
    "round.close": Action(ONLY_FACILITATOR, rounds.close_round),
    "round.reveal": Action(ONLY_FACILITATOR, rounds.reveal),
    "round.decide": Action(ONLY_FACILITATOR, decide.decide, VERSION),
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


def _lock(session: Session, viewer: Viewer, mode: str) -> Workshop:
    """Take the rows the action's lock mode names (see the module's docstring); return the workshop."""
    if mode == VOTE and viewer.role == PARTICIPANT:
        workshop = lock_workshop(session, viewer.workshop_id, shared=True)
        lock_participant(session, viewer.participant_id)
        return workshop
    if mode == VERSION:
        found = session.get(Workshop, viewer.workshop_id)
        if found is None:
            raise NotFound(f"there is no workshop {viewer.workshop_id}")
        drafts.get_tool(session, found.tool_id, lock=True)
    return lock_workshop(session, viewer.workshop_id)


def perform(session: Session, viewer: Viewer, name: str, data: Any) -> Performed:
    """Apply a client action once: a repeated op id returns the first acknowledgement and changes nothing."""
    action = ACTIONS.get(name)
    if action is None:
        raise NotFound(f"unknown action {name!r}")
    if viewer.role not in action.roles:
        raise NotAllowed("only the facilitator can do this")
    data = payload.obj(data)
    op_id = payload.op_id(data)
    workshop = _lock(session, viewer, action.lock)
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
