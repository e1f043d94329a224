"""Live editing of an item's wording in the refine phase, without silent overwrites."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from . import drafts, payload
from .content import item_to_dict
from .errors import Conflict, Invalid, NotFound
from .live import Outcome, Viewer
from .live_models import Workshop
from .moderation import version_event
from .workshops import Closed, WrongPhase

EDITABLE = ("stem", "help")


def edit_item(session: Session, viewer: Viewer, workshop: Workshop, data: dict[str, Any]) -> Outcome:
    """Apply an edit made against ``base_version``; refuse it with the current text if the item changed since."""
    if workshop.status != "open":
        raise Closed("this workshop is closed")
    if viewer.role != "facilitator" and workshop.phase != "refine":
        raise WrongPhase("wording can be edited in the refine phase")
    item_id = data.get("item_id")
    base = int(payload.integer(data, "base_version", low=1) or 0)  # required: never None
    fields = payload.obj(data.get("set"))
    if not fields or set(fields) - set(EDITABLE):
        raise Invalid("set must change stem and/or help", details={"field": "set"})
    clean = {k: payload.text(fields, k, 2000, required=k == "stem") for k in fields}
    tool = drafts.get_tool(session, workshop.tool_id, lock=True)
    latest = drafts.read(session, tool.id, tool.latest_version)
    item = latest.item(item_id) if isinstance(item_id, str) else None
    if item is None:
        raise NotFound("that item is no longer in the draft")
    try:
        before = drafts.read(session, tool.id, base).item(item.id)
    except NotFound:
        raise Invalid(f"base_version {base} does not exist") from None
    if before != item:
        # Someone changed this item after the editor's copy: hand back the current text to reapply.
        raise Conflict(
            "this item was changed by someone else while you were editing; here is the current text",
            current={"version": tool.latest_version, "item": item_to_dict(item)},
        )
    change = {
        "op": "update_item",
        "item_id": item.id,
        "set": clean,
        "provenance": {
            "workshop_id": workshop.id,
            "workshop": workshop.title,
            "phase": "refine",
            "editor": viewer.actor.describe(),
        },
    }
    info = drafts.commit(
        session, tool.id, tool.latest_version, [change], viewer.actor, note="Live edit in the refine phase"
    )
    if info is None:
        return Outcome(reply={"version": tool.latest_version, "changed": False})
    return Outcome(reply={"version": info.number, "changed": True}, events=[version_event(info)])
