"""Proposals: suggested changes to the tool, their comments, moderation and acceptance."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import drafts, payload
from .content import RESPONSE_TYPES, ToolContent, item_from_dict, item_to_dict
from .errors import Invalid, NotAllowed, NotFound
from .live import Event, Outcome, Viewer
from .live_models import Comment, Participant, Proposal, Workshop
from .validation import LABEL_MAX
from .workshops import Closed, WrongPhase

KINDS = ("add_item", "reword", "change_type", "change_options", "change_help", "move", "remove", "merge")
#: Phases in which participants may propose; during "propose" their proposals stay hidden until revealed.
PROPOSE_PHASES = ("propose", "discuss", "refine")
COMMENT_PHASES = ("propose", "discuss", "vote", "results", "refine")
STEM_MAX, HELP_MAX, RATIONALE_MAX, COMMENT_MAX = 2000, 2000, 2000, 1000
#: More options than any question needs; a proposal is refused beyond this.
OPTIONS_MAX = 50


def _item_in(content: ToolContent, item_id: Any) -> str:
    if not isinstance(item_id, str) or content.item(item_id) is None:
        raise Invalid("choose an item of the current draft", details={"field": "item_id"})
    return item_id


def _topic_in(content: ToolContent, topic_id: Any) -> str:
    if not isinstance(topic_id, str) or topic_id not in {t.id for _, t in content.topics()}:
        raise Invalid("choose a topic of the current draft", details={"field": "topic_id"})
    return topic_id


def _options(value: Any) -> list[dict[str, Any]]:
    """Return response options in the tool format's own shape: unknown keys dropped, text checked."""
    if not isinstance(value, list) or len(value) > OPTIONS_MAX:
        raise Invalid(f"options must be a list of at most {OPTIONS_MAX} options", details={"field": "options"})
    try:
        item = item_from_dict({"id": "x", "code": "x", "stem": "x", "options": value})
    except (TypeError, KeyError) as exc:
        raise Invalid(f"options: {exc}", details={"field": "options"}) from None
    options: list[dict[str, Any]] = item_to_dict(item)["options"]
    for option in options:
        payload.text(option, "code", 40)
        payload.text(option, "label", LABEL_MAX)
    return options


def clean_payload(kind: str, data: dict[str, Any], content: ToolContent) -> dict[str, Any]:
    """Check what a proposal of this kind asks for against the current draft; return the clean payload."""
    if kind == "add_item":
        out: dict[str, Any] = {
            "topic_id": _topic_in(content, data.get("topic_id")),
            "stem": payload.text(data, "stem", STEM_MAX, required=True),
            "help": payload.text(data, "help", HELP_MAX),
            "response_type": payload.choice(data, "response_type", RESPONSE_TYPES, required=False) or "agreement",
        }
        if data.get("options") is not None:
            out["options"] = _options(data["options"])
        return out
    out = {"item_id": _item_in(content, data.get("item_id"))}
    if kind == "reword":
        out["stem"] = payload.text(data, "stem", STEM_MAX, required=True)
    elif kind == "change_help":
        out["help"] = payload.text(data, "help", HELP_MAX)
    elif kind == "change_type":
        out["response_type"] = payload.choice(data, "response_type", RESPONSE_TYPES)
        if data.get("options") is not None:
            out["options"] = _options(data["options"])
    elif kind == "change_options":
        out["options"] = _options(data.get("options"))
    elif kind == "move":
        out["topic_id"] = _topic_in(content, data.get("topic_id"))
        out["position"] = payload.integer(data, "position", high=10_000, required=False)
    elif kind == "merge":
        out["other_item_id"] = _item_in(content, data.get("other_item_id"))
        if out["other_item_id"] == out["item_id"]:
            raise Invalid("choose two different items to merge", details={"field": "other_item_id"})
        out["stem"] = payload.text(data, "stem", STEM_MAX)
    # Check now that the change applies, so a proposal that could never be accepted is refused at once.
    from .changes import apply_changes

    apply_changes(content, to_changes(kind, out, content))
    return out


def _new_code(content: ToolContent, topic_id: str) -> str:
    prefix = re.sub(r"[^a-z0-9_]", "", topic_id.lower())[:16] or "item"
    if not prefix[0].isalpha():
        prefix = "q" + prefix[:15]
    taken = {i.code for _, _, i in content.items()}
    n = 1
    while f"{prefix}_{n}" in taken:
        n += 1
    return f"{prefix}_{n}"


def to_changes(kind: str, data: dict[str, Any], content: ToolContent) -> list[dict[str, Any]]:
    """Return the draft changes that accepting a proposal applies."""
    if kind == "add_item":
        item: dict[str, Any] = {k: data[k] for k in ("stem", "help", "response_type", "options") if k in data}
        item["code"] = _new_code(content, data["topic_id"])
        return [{"op": "add_item", "topic_id": data["topic_id"], "item": item}]
    item_id = data["item_id"]
    if kind == "move":
        return [{"op": "move_item", "item_id": item_id, "topic_id": data["topic_id"], "position": data.get("position")}]
    if kind == "remove":
        return [{"op": "remove_item", "item_id": item_id}]
    if kind == "merge":
        merged = [{"op": "update_item", "item_id": item_id, "set": {"stem": data["stem"]}}] if data.get("stem") else []
        return [*merged, {"op": "remove_item", "item_id": data["other_item_id"]}]
    fields = {k: data[k] for k in ("stem", "help", "response_type", "options") if k in data}
    return [{"op": "update_item", "item_id": item_id, "set": fields}]


def _get(session: Session, workshop: Workshop, data: dict[str, Any], key: str = "proposal_id") -> Proposal:
    pid = payload.integer(data, key, low=1)
    proposal = session.get(Proposal, pid)
    if proposal is None or proposal.workshop_id != workshop.id:
        raise NotFound(f"there is no proposal {pid} in this workshop")
    return proposal


def visible_to(proposal: Proposal, viewer: Viewer) -> bool:
    """Return whether a client may see this proposal."""
    if viewer.role == "facilitator":
        return True
    if viewer.role == "participant" and proposal.author_id == viewer.participant_id:
        return True
    return proposal.revealed and not proposal.hidden


def public_dict(session: Session, proposal: Proposal, *, private: bool = False) -> dict[str, Any]:
    """Return a proposal as participants (or, with private, the facilitator) see it: never who proposed it."""
    comments = session.scalars(select(Comment).where(Comment.proposal_id == proposal.id).order_by(Comment.id))
    data: dict[str, Any] = {
        "id": proposal.id,
        "kind": proposal.kind,
        "payload": proposal.payload,
        "rationale": proposal.rationale,
        "status": proposal.status,
        "proxy": proposal.proxy,
        "revealed": proposal.revealed,
        "edited": proposal.original is not None,
        "merged_into": proposal.merged_into_id,
        "decided_version": proposal.decided_version,
        "comments": [
            {"id": c.id, "body": c.body, "by": "facilitator" if c.author_id is None else "participant"}
            for c in comments
        ],
    }
    author = session.get(Participant, proposal.author_id) if proposal.author_id else None
    workshop = session.get(Workshop, proposal.workshop_id)
    if not private and author is not None and workshop is not None and workshop.show_names and author.display_name:
        data["author_name"] = author.display_name  # only when the facilitator chose to show names
    if private:
        data.update(
            revealed=proposal.revealed,
            hidden=proposal.hidden,
            original=proposal.original,
            author=None if author is None else {"pseudonym": author.pseudonym, "display_name": author.display_name},
        )
    return data


def event_for(session: Session, proposal: Proposal) -> Event:
    """Return the broadcast for a changed proposal: hidden ones reach only facilitators."""
    public = (
        public_dict(session, proposal)
        if proposal.revealed and not proposal.hidden
        else {"id": proposal.id, "visible": False}
    )
    return Event("proposal", public, public_dict(session, proposal, private=True))


def submit(session: Session, viewer: Viewer, workshop: Workshop, data: dict[str, Any]) -> Outcome:
    """Make a proposal (a participant, or the facilitator entering one as a proxy)."""
    if workshop.status != "open":
        raise Closed("this workshop is closed")
    kind = payload.choice(data, "kind", KINDS)
    content = drafts.read(session, workshop.tool_id, drafts.get_tool(session, workshop.tool_id).latest_version)
    clean = clean_payload(str(kind), payload.obj(data.get("change", {})), content)
    author_id, proxy = viewer.participant_id, False
    if viewer.role == "facilitator":
        proxy = True
        author_id = payload.integer(data, "proxy_participant_id", low=1, required=False)
        if author_id is not None:
            proxied = session.get(Participant, author_id)
            if proxied is None or proxied.workshop_id != workshop.id or not proxied.is_proxy:
                raise NotFound("choose a proxy participant of this workshop")
    elif workshop.phase not in PROPOSE_PHASES:
        raise WrongPhase("proposals are taken in the propose, discuss and refine phases")
    proposal = Proposal(
        workshop_id=workshop.id,
        author_id=author_id,
        proxy=proxy,
        kind=kind,
        payload=clean,
        rationale=payload.text(data, "rationale", RATIONALE_MAX),
        # Silent generation: hidden from other participants until the facilitator reveals.
        revealed=workshop.phase != "propose",
    )
    session.add(proposal)
    session.flush()
    return Outcome(reply={"proposal": public_dict(session, proposal)}, events=[event_for(session, proposal)])


def withdraw(session: Session, viewer: Viewer, workshop: Workshop, data: dict[str, Any]) -> Outcome:
    """Withdraw one's own open proposal."""
    proposal = _get(session, workshop, data)
    if viewer.role != "facilitator" and proposal.author_id != viewer.participant_id:
        raise NotAllowed("you can only withdraw your own proposals")
    if proposal.status != "open":
        raise Invalid(f"proposal {proposal.id} is already {proposal.status}")
    proposal.status = "withdrawn"
    return Outcome(reply={"status": "withdrawn"}, events=[event_for(session, proposal)])


def comment(session: Session, viewer: Viewer, workshop: Workshop, data: dict[str, Any]) -> Outcome:
    """Comment on a proposal one can see."""
    proposal = _get(session, workshop, data)
    if not visible_to(proposal, viewer):
        raise NotFound(f"there is no proposal {proposal.id} in this workshop")
    if viewer.role == "participant" and workshop.phase not in COMMENT_PHASES:
        raise WrongPhase("comments are taken from the propose phase to the refine phase")
    body = payload.text(data, "body", COMMENT_MAX, required=True)
    row = Comment(proposal_id=proposal.id, author_id=viewer.participant_id, body=body)
    session.add(row)
    session.flush()
    return Outcome(reply={"comment_id": row.id}, events=[event_for(session, proposal)])


def count_hidden(session: Session, workshop_id: int) -> int:
    """Return how many proposals wait to be revealed."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Proposal)
            .where(Proposal.workshop_id == workshop_id, Proposal.revealed.is_(False), Proposal.status == "open")
        )
        or 0
    )
