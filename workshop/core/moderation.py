"""What the facilitator does with proposals: reveal, hide, edit, merge, accept, reject."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import drafts, payload, rounds
from .errors import Invalid, NotAllowed
from .live import Event, Outcome, Sent, Viewer, lock_workshop, record
from .live_models import Participant, Proposal, Workshop
from .proposals import _get, clean_payload, event_for, public_dict, to_changes


def _facilitator(viewer: Viewer) -> None:
    if viewer.role != "facilitator":
        raise NotAllowed("only the facilitator can do this")


def _open(proposal: Proposal) -> None:
    if proposal.status != "open":
        raise Invalid(f"proposal {proposal.id} is already {proposal.status}")


def reveal(session: Session, viewer: Viewer, workshop: Workshop, data: dict[str, Any]) -> Outcome:
    """Reveal hidden proposals (all, or the listed ids) to every participant."""
    _facilitator(viewer)
    ids = payload.id_list(data, "proposal_ids")
    query = select(Proposal).where(Proposal.workshop_id == workshop.id, Proposal.revealed.is_(False))
    if ids is not None:
        query = query.where(Proposal.id.in_(ids))
    revealed = list(session.scalars(query.order_by(Proposal.id)))
    for proposal in revealed:
        proposal.revealed = True
    session.flush()
    return Outcome(reply={"revealed": [p.id for p in revealed]}, events=[event_for(session, p) for p in revealed])


def set_hidden(session: Session, viewer: Viewer, workshop: Workshop, data: dict[str, Any]) -> Outcome:
    """Hide an off-topic proposal from participants, or show it again."""
    _facilitator(viewer)
    proposal = _get(session, workshop, data)
    hidden = data.get("hidden", True)
    if not isinstance(hidden, bool):
        raise Invalid("hidden must be true or false", details={"field": "hidden"})
    proposal.hidden = hidden
    return Outcome(reply={"hidden": hidden}, events=[event_for(session, proposal)])


def edit(session: Session, viewer: Viewer, workshop: Workshop, data: dict[str, Any]) -> Outcome:
    """Edit a proposal for clarity; the first submitted wording is kept as the original."""
    _facilitator(viewer)
    proposal = _get(session, workshop, data)
    _open(proposal)
    content = drafts.read(session, workshop.tool_id, drafts.get_tool(session, workshop.tool_id).latest_version)
    clean = clean_payload(proposal.kind, payload.obj(data.get("change", {})), content)
    if proposal.original is None:
        proposal.original = {"payload": proposal.payload, "rationale": proposal.rationale}
    proposal.payload = clean
    if "rationale" in data:
        proposal.rationale = payload.text(data, "rationale", 2000)
    return Outcome(
        reply={"proposal": public_dict(session, proposal, private=True)}, events=[event_for(session, proposal)]
    )


def merge(session: Session, viewer: Viewer, workshop: Workshop, data: dict[str, Any]) -> Outcome:
    """Merge a duplicate proposal into another; the duplicate's fate follows the one it joined."""
    _facilitator(viewer)
    duplicate = _get(session, workshop, data)
    target = _get(session, workshop, data, "into_id")
    if duplicate.id == target.id:
        raise Invalid("a proposal cannot be merged into itself")
    _open(duplicate)
    _open(target)
    duplicate.status = "merged"
    duplicate.merged_into_id = target.id
    if not target.revealed and duplicate.revealed:
        target.revealed = True
    return Outcome(reply={"merged_into": target.id}, events=[event_for(session, duplicate), event_for(session, target)])


def provenance(session: Session, workshop: Workshop, proposal: Proposal) -> dict[str, Any]:
    """Return what a version records about the proposal behind a change."""
    author = session.get(Participant, proposal.author_id) if proposal.author_id else None
    vote = rounds.proposal_votes(session, workshop.id, proposal.id)
    return {
        "workshop_id": workshop.id,
        "workshop": workshop.title,
        "proposal_id": proposal.id,
        "proposal_kind": proposal.kind,
        "proposer": author.pseudonym if author else "facilitator",
        "proxy": proposal.proxy,
        "rationale": proposal.rationale,
        "round": vote["round"] if vote else None,
        "votes": vote["counts"] if vote else None,
        "merged": sorted(session.scalars(select(Proposal.id).where(Proposal.merged_into_id == proposal.id)).all()),
    }


def accept(session: Session, viewer: Viewer, workshop: Workshop, data: dict[str, Any]) -> Outcome:
    """Accept a proposal: its change becomes the tool's next version, on every screen at once."""
    _facilitator(viewer)
    proposal = _get(session, workshop, data)
    _open(proposal)
    tool = drafts.get_tool(session, workshop.tool_id, lock=True)
    content = drafts.read(session, tool.id, tool.latest_version)
    clean = clean_payload(proposal.kind, proposal.payload, content)  # the draft may have moved on
    changes = [
        {**c, "provenance": provenance(session, workshop, proposal)} for c in to_changes(proposal.kind, clean, content)
    ]
    note = payload.text(data, "note", 2000) or f"Accepted proposal #{proposal.id} in {workshop.title}"
    info = drafts.commit(session, tool.id, tool.latest_version, changes, viewer.actor, note=note)
    proposal.status = "accepted"
    proposal.decided_version = info.number if info else tool.latest_version
    events = [event_for(session, proposal)]
    for dup in session.scalars(select(Proposal).where(Proposal.merged_into_id == proposal.id)):
        dup.decided_version = proposal.decided_version
        events.append(event_for(session, dup))
    if info is not None:
        events.insert(0, version_event(info, proposal.id))
    return Outcome(reply={"version": proposal.decided_version, "changed": info is not None}, events=events)


def reject(session: Session, viewer: Viewer, workshop: Workshop, data: dict[str, Any]) -> Outcome:
    """Reject a proposal."""
    _facilitator(viewer)
    proposal = _get(session, workshop, data)
    _open(proposal)
    proposal.status = "rejected"
    return Outcome(reply={"status": "rejected"}, events=[event_for(session, proposal)])


def version_event(info: drafts.VersionInfo, proposal_id: int | None = None) -> Event:
    """Return the broadcast announcing a new draft version."""
    data = info.to_dict(with_changes=False)
    data["proposal_id"] = proposal_id
    data["changes"] = [{k: v for k, v in c.items() if k != "provenance"} for c in info.changes]
    return Event("version", data)


def announce_version(session: Session, tool_id: int, event: Event, *, skip: int | None = None) -> list[Sent]:
    """Record a new-version event in every open workshop on the tool (but ``skip``), so all their screens follow."""
    sent: list[Sent] = []
    ids = session.scalars(
        select(Workshop.id).where(Workshop.tool_id == tool_id, Workshop.status == "open").order_by(Workshop.id)
    )
    for workshop_id in list(ids):
        if workshop_id != skip:
            sent += record(session, lock_workshop(session, workshop_id), [event])
    return sent
