"""The live state's spine: who is acting, numbered events, and op ids that make actions idempotent.

Shaped like a collaborative-editing authority: one workshop, one integer sequence; every
change is recorded as the next numbered event in the same transaction that makes it, so a
client that saw event N can ask for everything after N.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .actors import Actor
from .errors import NotFound
from .live_models import OpRecord, Participant, Workshop, WorkshopEvent

#: A client further behind than this gets a full snapshot instead of the events it missed.
CATCH_UP_LIMIT = 500


@dataclass(frozen=True)
class Viewer:
    """A connected client: a facilitator, a participant or the projector of one workshop."""

    role: str
    workshop_id: int
    participant_id: int | None = None
    facilitator_id: int | None = None
    label: str = ""
    #: The facilitator's login session version when connected; a logout elsewhere ends the connection's rights.
    session_version: int | None = None

    @property
    def key(self) -> str:
        """Return the actor key op ids are scoped to: ``p:<id>`` or ``f:<id>``."""
        return f"p:{self.participant_id}" if self.role == "participant" else f"f:{self.facilitator_id}"

    @property
    def actor(self) -> Actor:
        """Return the Actor recorded as the author of versions."""
        if self.role == "participant":
            return Actor("participant", self.participant_id, self.label)
        return Actor("facilitator", self.facilitator_id, self.label)

    @property
    def sees_private(self) -> bool:
        """Return whether this client receives the facilitator's view of events."""
        return self.role == "facilitator"


@dataclass(frozen=True)
class Event:
    """Something to broadcast: what participants see, and what facilitators see instead."""

    name: str
    public: dict[str, Any]
    private: dict[str, Any] | None = None


@dataclass
class Outcome:
    """What an action returns: the acknowledgement, events to broadcast, and what to broadcast coalesced.

    A changed tally (``tally_round``) and a changed set of participants (``roster``) are not numbered
    events: they go out a few times a second at most, however fast they change (see docs/protocol.md).
    """

    reply: dict[str, Any] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    tally_round: int | None = None
    roster: bool = False


@dataclass(frozen=True)
class Sent:
    """An event as recorded, with its sequence number."""

    workshop_id: int
    seq: int
    name: str
    public: dict[str, Any]
    private: dict[str, Any] | None

    def message(self, private: bool) -> dict[str, Any]:
        """Return the wire message for one audience."""
        data = self.private if private and self.private is not None else self.public
        return {"seq": self.seq, "name": self.name, "data": data}


def lock_workshop(session: Session, workshop_id: int, *, shared: bool = False) -> Workshop:
    """Return the workshop row locked for update, which serialises its sequence on PostgreSQL.

    ``shared`` locks it for share instead: for an action that numbers no event, which may then run beside
    others like it, while any action that locks the row for update waits for it (and it for them).
    """
    query = select(Workshop).where(Workshop.id == workshop_id).with_for_update(read=shared)
    workshop = session.execute(query.execution_options(populate_existing=True)).scalar_one_or_none()
    if workshop is None:
        raise NotFound(f"there is no workshop {workshop_id}")
    return workshop


def lock_participant(session: Session, participant_id: int | None) -> None:
    """Lock a participant's row for update: one person's actions (and op ids) are applied one at a time."""
    session.execute(select(Participant.id).where(Participant.id == participant_id).with_for_update())


def record(session: Session, workshop: Workshop, events: list[Event]) -> list[Sent]:
    """Give each event the workshop's next sequence number and store it."""
    sent = []
    for event in events:
        workshop.seq += 1
        session.add(
            WorkshopEvent(
                workshop_id=workshop.id, seq=workshop.seq, name=event.name, public=event.public, private=event.private
            )
        )
        sent.append(Sent(workshop.id, workshop.seq, event.name, event.public, event.private))
    session.flush()
    return sent


def missed(session: Session, workshop: Workshop, since: int, private: bool) -> list[dict[str, Any]] | None:
    """Return the messages after ``since``, or None when the client must take a full snapshot."""
    if since > workshop.seq or workshop.seq - since > CATCH_UP_LIMIT:
        return None
    # Bounded by the seq read above, so the reply never runs past the seq it reports, whatever the isolation
    # level of the session (events committed meanwhile would otherwise look like a gap and cost a snapshot).
    rows = session.scalars(
        select(WorkshopEvent)
        .where(WorkshopEvent.workshop_id == workshop.id, WorkshopEvent.seq > since, WorkshopEvent.seq <= workshop.seq)
        .order_by(WorkshopEvent.seq)
    )
    out = [Sent(r.workshop_id, r.seq, r.name, r.public, r.private).message(private) for r in rows]
    if len(out) != workshop.seq - since:
        return None  # a gap (events pruned): start again from a snapshot
    return out


def previous_result(session: Session, workshop_id: int, actor: str, op_id: str) -> dict[str, Any] | None:
    """Return the acknowledgement already given for this op id, if any."""
    return session.scalar(
        select(OpRecord.result).where(
            OpRecord.workshop_id == workshop_id, OpRecord.actor == actor, OpRecord.op_id == op_id
        )
    )


def remember(session: Session, workshop_id: int, actor: str, op_id: str, result: dict[str, Any]) -> None:
    """Store the acknowledgement of an op id (in the same transaction as its effects)."""
    session.add(OpRecord(workshop_id=workshop_id, actor=actor, op_id=op_id, result=result))
    session.flush()
