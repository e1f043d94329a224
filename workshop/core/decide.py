"""Decide a rating round in one step: everything that meets the pre-set rule goes into one new version."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from . import drafts, rounds
from .consensus import EXCLUDE, INCLUDE, ConsensusRule
from .consensus_rounds import provenance
from .errors import Invalid, NotAllowed
from .live import Event, Outcome, Viewer
from .live_models import Proposal, Workshop
from .moderation import version_event
from .proposals import clean_payload, event_for, to_changes
from .tallies import rating_stats


def decide(session: Session, viewer: Viewer, workshop: Workshop, data: dict[str, Any]) -> Outcome:
    """Apply a rating round's decisions: included proposals are accepted, excluded items removed, in one version.

    Items the rule includes are already in the tool and stay; excluded proposals are rejected. Each
    change records the rule, the round and the item's statistics as its provenance.
    """
    if viewer.role != "facilitator":
        raise NotAllowed("only the facilitator can do this")
    row = rounds.get(session, workshop, data.get("round_id"))
    if row.kind != "rating":
        raise Invalid("only a rating round has a consensus rule to decide by")
    events: list[Event] = []
    if row.status == "open":
        events.append(rounds._close(row))
    rule = ConsensusRule.from_dict(row.config["rule"])
    stats = rating_stats(session, row)
    tool = drafts.get_tool(session, workshop.tool_id, lock=True)
    content = drafts.read(session, tool.id, tool.latest_version)
    round_info = {"workshop_id": workshop.id, "workshop": workshop.title, "round": row.number, "round_id": row.id}
    changes: list[dict[str, Any]] = []
    accepted: list[Proposal] = []
    outcome: dict[str, list[str]] = {"accepted": [], "rejected": [], "removed": [], "kept": [], "undecided": []}
    for subject, figures in stats.items():
        decision = figures.decision
        kind, _, ident = subject.partition(":")
        record = provenance(rule, round_info, figures)
        if kind == "proposal":
            proposal = session.get(Proposal, int(ident))
            if proposal is None or proposal.status != "open":
                continue
            if decision == INCLUDE:
                clean = clean_payload(proposal.kind, proposal.payload, content)
                changes += [
                    {**c, "provenance": {**record, "proposal_id": proposal.id}}
                    for c in to_changes(proposal.kind, clean, content)
                ]
                accepted.append(proposal)
                outcome["accepted"].append(subject)
            elif decision == EXCLUDE:
                proposal.status = "rejected"
                events.append(event_for(session, proposal))
                outcome["rejected"].append(subject)
            else:
                outcome["undecided"].append(subject)
        elif decision == EXCLUDE and content.item(ident) is not None:
            changes.append({"op": "remove_item", "item_id": ident, "provenance": record})
            outcome["removed"].append(subject)
        else:
            outcome["kept" if decision == INCLUDE else "undecided"].append(subject)
    info = None
    if changes:
        note = f"Decided by the consensus rule of round {row.number} in {workshop.title}"
        info = drafts.commit(session, tool.id, tool.latest_version, changes, viewer.actor, note=note)
    number = info.number if info else tool.latest_version
    for proposal in accepted:
        proposal.status = "accepted"
        proposal.decided_version = number
        events.append(event_for(session, proposal))
    if info is not None:
        events.insert(0, version_event(info))
    return Outcome(reply={"version": number, "changed": info is not None, **outcome}, events=events, tally_round=row.id)
