"""Rounds: open one (its method and rules frozen as it opens), close it, reveal its results.

Kinds: ``proposal_vote`` (agree / disagree / abstain on proposals), ``rating`` (e-Delphi rating of
items or proposals under a consensus rule), ``ranking`` (nominal group top-N) and ``dots``
(dot voting from a budget). Votes are cast in ballots.py and tallied in tallies.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import drafts, payload, tallies
from .consensus import ConsensusRule, Scale
from .errors import Invalid, NotAllowed, NotFound
from .live import Event, Outcome, Viewer
from .live_models import Proposal, Round, Workshop
from .workshops import Closed, workshop_dict

KINDS = ("proposal_vote", "rating", "ranking", "dots")
SUBJECT_MAX = 500
SCALES = {"1-9": Scale.default, "1-5": Scale.five_point}


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
    row = session.get(Round, round_id) if payload.is_row_id(round_id) else None
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


def _proposal_subjects(session: Session, workshop: Workshop, ids: list[int] | None, *, default: bool) -> list[str]:
    if ids is None and not default:
        return []
    query = select(Proposal.id).where(
        Proposal.workshop_id == workshop.id, Proposal.status == "open", Proposal.hidden.is_(False)
    )
    query = query.where(Proposal.id.in_(ids)) if ids is not None else query.where(Proposal.revealed.is_(True))
    found = list(session.scalars(query.order_by(Proposal.id)))
    if ids is not None and set(found) != set(ids):
        raise NotFound(f"proposals {sorted(set(ids) - set(found))} are not open proposals of this workshop")
    return [f"proposal:{pid}" for pid in found]


def _item_subjects(session: Session, workshop: Workshop, data: dict[str, Any], *, default: bool) -> list[str]:
    tool = drafts.get_tool(session, workshop.tool_id)
    content = drafts.read(session, tool.id, tool.latest_version)
    in_tool = [i.id for _, _, i in content.items() if i.response_type != "display"]
    if data.get("carry_over_from") is not None:
        previous = get(session, workshop, data["carry_over_from"])
        if previous.kind != "rating":
            raise Invalid("carry_over_from must name a rating round")
        carried = tallies.carry_over(session, previous)
        return [s for s in carried if not s.startswith("item:") or s[5:] in in_tool]
    ids = data.get("item_ids")
    if ids is None:
        return [f"item:{i}" for i in in_tool] if default else []
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids) or len(ids) > SUBJECT_MAX:
        raise Invalid("item_ids must be a list of item ids", details={"field": "item_ids"})
    missing = [i for i in ids if i not in in_tool]
    if missing:
        raise NotFound(f"items {missing} are not questions of the current draft")
    return [f"item:{i}" for i in dict.fromkeys(ids)]


def _config(kind: str, data: dict[str, Any], subjects: list[str]) -> dict[str, Any]:
    if kind == "rating":
        scale_spec = data.get("scale", "1-9")
        if isinstance(scale_spec, str):
            if scale_spec not in SCALES:
                raise Invalid(f"scale must be one of {', '.join(SCALES)} or a scale object", details={"field": "scale"})
            scale = SCALES[scale_spec]()
        else:
            scale = Scale.from_dict(scale_spec)
        rule = ConsensusRule.from_dict({**payload.obj(data.get("rule") or {}), "scale": scale.to_dict()})
        min_group = payload.integer(data, "min_group_size", low=1, high=50, required=False) or 3
        config: dict[str, Any] = {"rule": rule.to_dict(), "rule_text": rule.describe(), "min_group_size": min_group}
        if data.get("carry_over_from") is not None:
            config["previous_round"] = data["carry_over_from"]
        return config
    if kind == "ranking":
        n = payload.integer(data, "n", low=1, high=20, required=False) or min(5, len(subjects))
        return {"n": min(n, len(subjects))}
    if kind == "dots":
        budget = payload.integer(data, "budget", low=1, high=100, required=False) or 5
        cap = payload.integer(data, "cap", low=1, high=100, required=False) or min(3, budget)
        return {"budget": budget, "cap": min(cap, budget)}
    return {}


def open_round(session: Session, viewer: Viewer, workshop: Workshop, data: dict[str, Any]) -> Outcome:
    """Open a round on proposals and/or items, with its rules frozen now; an open round is closed first."""
    _facilitator(viewer)
    if workshop.status != "open":
        raise Closed("this workshop is closed")
    kind = payload.choice(data, "kind", KINDS, required=False) or "proposal_vote"
    ids = payload.id_list(data, "proposal_ids", limit=SUBJECT_MAX)
    if kind == "proposal_vote":
        subjects = _proposal_subjects(session, workshop, ids, default=True)
    else:
        explicit = ids is not None or data.get("item_ids") is not None or data.get("carry_over_from") is not None
        subjects = _proposal_subjects(session, workshop, ids, default=False) + _item_subjects(
            session, workshop, data, default=not explicit
        )
    if not subjects:
        raise Invalid("there is nothing to vote on: reveal proposals or choose items first")
    config = _config(kind, data, subjects)
    events = []
    previous = current(session, workshop.id)
    if previous is not None and previous.status == "open":
        events.append(_close(previous))
    row = Round(
        workshop_id=workshop.id,
        number=(previous.number + 1) if previous else 1,
        kind=kind,
        subjects=subjects,
        config=config,
    )
    session.add(row)
    proposal_ids = [int(s.split(":")[1]) for s in subjects if s.startswith("proposal:")]
    for proposal in session.scalars(select(Proposal).where(Proposal.id.in_(proposal_ids))):
        proposal.revealed = True
    workshop.phase = "vote"
    session.flush()
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
    """Show a round's results to everyone (the aggregates, never who voted how)."""
    _facilitator(viewer)
    row = get(session, workshop, data.get("round_id"))
    row.revealed = True
    session.flush()
    return Outcome(
        reply={"round": round_dict(row)},
        events=[Event("round", {**round_dict(row), "results": tallies.tally(session, row)})],
        tally_round=row.id,
    )


def proposal_votes(session: Session, workshop_id: int, proposal_id: int) -> dict[str, Any] | None:
    """Return the newest agree/disagree round's counts on a proposal, for the provenance of its acceptance."""
    subject = f"proposal:{proposal_id}"
    rows = session.scalars(
        select(Round)
        .where(Round.workshop_id == workshop_id, Round.kind == "proposal_vote")
        .order_by(Round.number.desc())
    )
    for row in rows:
        if subject in row.subjects:
            return {"round": row.number, "counts": tallies.tally(session, row)["subjects"][subject]}
    return None
