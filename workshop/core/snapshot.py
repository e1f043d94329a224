"""The whole state a client needs on connect, shaped for its role."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import ballots, drafts, proposals, rounds, tallies, workshops
from .content import content_to_dict
from .live import Viewer
from .live_models import Participant, Proposal, Round, Workshop


def snapshot(session: Session, viewer: Viewer, workshop: Workshop, *, with_draft: bool = True) -> dict[str, Any]:
    """Return the state as this viewer may see it, with the sequence number it is current as of."""
    tool = drafts.get_tool(session, workshop.tool_id)
    info = drafts.version(session, tool.id, tool.latest_version)
    private = viewer.sees_private
    rows = session.scalars(select(Proposal).where(Proposal.workshop_id == workshop.id).order_by(Proposal.id))
    visible = [p for p in rows if proposals.visible_to(p, viewer)]
    state: dict[str, Any] = {
        "seq": workshop.seq,
        "role": viewer.role,
        "workshop": workshops.workshop_dict(workshop),
        "version": info.to_dict(with_changes=False),
        "participants": workshops.roster(session, workshop.id, private=private),
        "hidden_proposals": proposals.count_hidden(session, workshop.id),
        "proposals": [
            {**proposals.public_dict(session, p, private=private), "mine": p.author_id == viewer.participant_id}
            for p in visible
        ],
        "rounds": [],
    }
    if with_draft:
        state["draft"] = content_to_dict(drafts.read(session, tool.id, tool.latest_version))
    for row in session.scalars(select(Round).where(Round.workshop_id == workshop.id).order_by(Round.number)):
        entry = rounds.round_dict(row)
        entry["tally"] = tallies.tally(session, row) if private else tallies.public_tally(session, row)
        if viewer.role == "participant" and viewer.participant_id is not None:
            entry["my_votes"] = ballots.my_votes(session, viewer.participant_id, row.id)
            if row.kind == "rating" and row.status == "open":
                entry["feedback"] = tallies.feedback(session, row, viewer.participant_id)
        state["rounds"].append(entry)
    if viewer.role == "participant" and viewer.participant_id is not None:
        me = session.get(Participant, viewer.participant_id)
        assert me is not None
        state["me"] = {**workshops.participant_dict(me, private=True)}
    return state
