"""Workshops and their participants: open, join, rejoin, phases, timer, remove."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import accounts, drafts, payload
from .errors import Invalid, NotAllowed, NotFound
from .live import Event, Outcome, Viewer
from .live_models import Participant, Workshop

PHASES = ("review", "propose", "discuss", "vote", "results", "refine", "closed")
#: Letters and digits that cannot be mistaken for one another when read off a projector.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 7
DEFAULT_GROUPS = [
    {"id": "returner", "label": "Returning doctor"},
    {"id": "supervisor", "label": "Supervisor"},
    {"id": "oh_professional", "label": "OH professional"},
    {"id": "other", "label": "Other"},
]
DEFAULT_CONSENT = (
    "What you propose, comment and vote is recorded to build the tool and to report how it was agreed. "
    "Votes are secret: only totals are ever shown. Your name is never shown to other participants and never "
    "appears in exports; the record uses a random pseudonym."
)
TIMER_MAX_SECONDS = 4 * 3600


class WrongPhase(NotAllowed):
    """The action is not possible in the workshop's current phase."""

    code = "wrong_phase"


class Closed(NotAllowed):
    """The workshop is closed."""

    code = "workshop_closed"


def now() -> datetime:
    """Return the current UTC time."""
    return datetime.now(UTC)


def _aware(moment: datetime | None) -> datetime | None:
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC)


def _code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    """Return a join code as typed (any case, spaces or dashes) in its stored form."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def token_digest(token: str) -> str:
    """Return the stored digest of a rejoin token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _groups(raw: Any) -> list[dict[str, str]]:
    if raw is None:
        return [dict(g) for g in DEFAULT_GROUPS]
    if not isinstance(raw, list) or not 1 <= len(raw) <= 12:
        raise Invalid("groups must be a list of 1 to 12 stakeholder groups")
    out, seen = [], set()
    for entry in raw:
        label = payload.text(payload.obj(entry), "label", 60, required=True)
        gid = payload.text(entry, "id", 40) or "".join(c if c.isalnum() else "_" for c in label.lower())[:40]
        if gid in seen:
            raise Invalid(f"stakeholder group {gid!r} is listed twice")
        seen.add(gid)
        out.append({"id": gid, "label": label})
    return out


def open_workshop(
    session: Session,
    facilitator_id: int,
    tool_id: int,
    title: str = "",
    groups: Any = None,
    consent_text: str | None = None,
) -> Workshop:
    """Open a workshop on a tool's latest version, with a fresh join code."""
    tool = accounts.check_tool(session, facilitator_id, tool_id)
    title = payload.text({"title": title}, "title", 200) or f"Workshop on {tool.title}"
    consent = payload.text({"c": consent_text}, "c", 2000) or DEFAULT_CONSENT
    for _ in range(20):
        code = _code()
        if not session.scalar(select(Workshop.id).where(Workshop.join_code == code)):
            break
    workshop = Workshop(
        tool_id=tool.id,
        facilitator_id=facilitator_id,
        title=title,
        join_code=code,
        start_version=tool.latest_version,
        groups=_groups(groups),
        consent_text=consent,
    )
    session.add(workshop)
    session.flush()
    return workshop


def by_code(session: Session, code: str) -> Workshop:
    """Return the open workshop with this join code, or NotFound."""
    workshop = session.scalar(select(Workshop).where(Workshop.join_code == normalise_code(code)))
    if workshop is None:
        raise NotFound("there is no workshop with that code; check the code on the screen")
    return workshop


def workshop_dict(workshop: Workshop) -> dict[str, Any]:
    """Return what every client may know about the workshop itself."""
    ends = _aware(workshop.timer_ends_at)
    return {
        "id": workshop.id,
        "title": workshop.title,
        "code": workshop.join_code,
        "tool_id": workshop.tool_id,
        "status": workshop.status,
        "phase": workshop.phase,
        "timer_ends_at": ends.isoformat() if ends else None,
        "groups": workshop.groups,
        "show_names": workshop.show_names,
        "consent_text": workshop.consent_text,
        "start_version": workshop.start_version,
    }


def participation(session: Session, workshop_id: int) -> dict[str, Any]:
    """Return how many take part, in total and per stakeholder group (counts only)."""
    rows = session.execute(
        select(Participant.group, func.count())
        .where(Participant.workshop_id == workshop_id, Participant.removed_at.is_(None))
        .group_by(Participant.group)
    ).all()
    by_group = {group or "none": n for group, n in rows}
    return {"total": sum(by_group.values()), "by_group": by_group}


def people(session: Session, workshop_id: int) -> list[dict[str, Any]]:
    """Return every participant as the facilitator sees them (names included), in joining order."""
    rows = session.scalars(select(Participant).where(Participant.workshop_id == workshop_id).order_by(Participant.id))
    return [{**participant_dict(p, private=True), "removed": p.removed_at is not None} for p in rows]


def roster(session: Session, workshop_id: int, *, private: bool) -> dict[str, Any]:
    """Return who takes part: counts for everyone, and with ``private`` (facilitators) the list of people too."""
    counts = participation(session, workshop_id)
    return {**counts, "people": people(session, workshop_id)} if private else counts


def _pseudonym(session: Session, workshop_id: int) -> str:
    """Draw a pseudonym no one in the workshop has (about a million to draw from: rarely more than one try)."""
    while True:
        name = "P-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(4))
        taken = session.scalar(
            select(Participant.id).where(Participant.workshop_id == workshop_id, Participant.pseudonym == name)
        )
        if taken is None:
            return name


def join(
    session: Session, workshop: Workshop, data: dict[str, Any], *, proxy: bool = False
) -> tuple[Participant, str, Outcome]:
    """Add a participant; return them, their rejoin token (shown once) and the outcome (counts changed)."""
    if workshop.status != "open":
        raise Closed("this workshop is closed")
    if not proxy and data.get("acknowledged") is not True:
        raise Invalid("please confirm that you have read how your input is used", details={"field": "acknowledged"})
    name = payload.text(data, "display_name", 60)
    group = data.get("group") or None
    if group is not None and (not isinstance(group, str) or group not in {g["id"] for g in workshop.groups}):
        raise Invalid("choose one of the stakeholder groups offered", details={"field": "group"})
    token = secrets.token_urlsafe(24)
    participant = Participant(
        workshop_id=workshop.id,
        token_digest=token_digest(token),
        pseudonym=_pseudonym(session, workshop.id),
        display_name=name,
        group=group,
        is_proxy=proxy,
    )
    session.add(participant)
    try:
        session.flush()
    except IntegrityError:  # two joins drew the same pseudonym at once: vanishingly rare, say so plainly
        raise Invalid("please try joining again") from None
    return participant, token, Outcome(roster=True)


def resume(session: Session, token: str) -> Participant:
    """Return the participant a rejoin token belongs to; NotAllowed if removed, NotFound if unknown."""
    if not isinstance(token, str) or not 10 <= len(token) <= 100:
        raise NotFound("unknown participant token; join again with the code")
    participant = session.scalar(select(Participant).where(Participant.token_digest == token_digest(token)))
    if participant is None:
        raise NotFound("unknown participant token; join again with the code")
    if participant.removed_at is not None:
        raise NotAllowed("the facilitator has removed you from this workshop")
    return participant


def participant_dict(participant: Participant, *, private: bool) -> dict[str, Any]:
    """Return a participant as the facilitator (private) or the participant themself sees them."""
    data: dict[str, Any] = {"id": participant.id, "pseudonym": participant.pseudonym, "group": participant.group}
    if private:
        data.update(display_name=participant.display_name, proxy=participant.is_proxy)
    return data


def _require_facilitator(viewer: Viewer) -> None:
    if viewer.role != "facilitator":
        raise NotAllowed("only the facilitator can do this")


def set_phase(session: Session, viewer: Viewer, workshop: Workshop, data: dict[str, Any]) -> Outcome:
    """Move the workshop to another phase, optionally starting a timer."""
    _require_facilitator(viewer)
    phase = payload.choice(data, "phase", PHASES)
    seconds = payload.integer(data, "timer_seconds", low=0, high=TIMER_MAX_SECONDS, required=False)
    if workshop.status != "open":
        raise Closed("reopen the workshop first")
    workshop.phase = phase  # type: ignore[assignment]
    if seconds is not None:
        workshop.timer_ends_at = now() + timedelta(seconds=seconds) if seconds else None
    if phase == "closed":
        workshop.timer_ends_at = None
    return Outcome(reply={"phase": phase}, events=[Event("workshop", workshop_dict(workshop))])


def set_timer(session: Session, viewer: Viewer, workshop: Workshop, data: dict[str, Any]) -> Outcome:
    """Start (seconds > 0) or stop (0) the timer."""
    _require_facilitator(viewer)
    seconds = payload.integer(data, "seconds", low=0, high=TIMER_MAX_SECONDS)
    workshop.timer_ends_at = now() + timedelta(seconds=seconds) if seconds else None
    return Outcome(reply=workshop_dict(workshop), events=[Event("workshop", workshop_dict(workshop))])


def set_status(session: Session, viewer: Viewer, workshop: Workshop, data: dict[str, Any]) -> Outcome:
    """Close or reopen the workshop; a closed one takes no joins or actions."""
    _require_facilitator(viewer)
    status = payload.choice(data, "status", ("open", "closed"))
    workshop.status = status  # type: ignore[assignment]
    if status == "closed":
        workshop.closed_at = now()
        workshop.phase = "closed"
        workshop.timer_ends_at = None
    elif workshop.phase == "closed":
        workshop.phase = "review"
    return Outcome(reply=workshop_dict(workshop), events=[Event("workshop", workshop_dict(workshop))])


def update_settings(session: Session, viewer: Viewer, workshop: Workshop, data: dict[str, Any]) -> Outcome:
    """Change the title, stakeholder groups, consent text or whether names are shown to participants."""
    _require_facilitator(viewer)
    if "title" in data:
        workshop.title = payload.text(data, "title", 200, required=True)
    if "groups" in data:
        workshop.groups = _groups(data["groups"])
    if "consent_text" in data:
        workshop.consent_text = payload.text(data, "consent_text", 2000, required=True)
    if "show_names" in data:
        if not isinstance(data["show_names"], bool):
            raise Invalid("show_names must be true or false", details={"field": "show_names"})
        workshop.show_names = data["show_names"]
    return Outcome(reply=workshop_dict(workshop), events=[Event("workshop", workshop_dict(workshop))])


def remove_participant(session: Session, viewer: Viewer, workshop: Workshop, data: dict[str, Any]) -> Outcome:
    """Remove a participant: their token stops working; what they contributed stays in the record."""
    _require_facilitator(viewer)
    pid = payload.integer(data, "participant_id", low=1)
    participant = session.get(Participant, pid)
    if participant is None or participant.workshop_id != workshop.id:
        raise NotFound(f"there is no participant {pid} in this workshop")
    if participant.removed_at is None:
        participant.removed_at = now()
        session.flush()
    return Outcome(reply={"removed": pid}, events=[Event("removed", {"participant_id": pid})], roster=True)


def latest_version(session: Session, workshop: Workshop) -> int:
    """Return the tool's current version number."""
    return drafts.get_tool(session, workshop.tool_id).latest_version


def delete_workshop(session: Session, facilitator_id: int, workshop_id: int) -> dict[str, Any]:
    """Delete a workshop and everything said in it (participants, proposals, comments, rounds, votes, log).

    The tool's versions stay: they are the tool's history, and their provenance names only pseudonyms.
    """
    workshop = accounts.check_workshop(session, facilitator_id, workshop_id)
    counts = {"participants": session.scalar(select(func.count()).where(Participant.workshop_id == workshop.id)) or 0}
    session.execute(delete(Workshop).where(Workshop.id == workshop.id))  # the database cascades the rest
    session.flush()
    return {"deleted": workshop_id, **counts}
