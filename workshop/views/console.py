"""The facilitator's console: tools, workshops, and a workshop's live control page."""

from __future__ import annotations

from flask import Blueprint, g, render_template
from flask.typing import ResponseReturnValue

from ..core import accounts, workshops
from ..db import get_db
from .api import join_url
from .auth import login_required

bp = Blueprint("console", __name__, url_prefix="/console")


@bp.get("/")
@login_required
def home() -> ResponseReturnValue:
    """List the facilitator's tools and workshops."""
    with get_db().read() as s:
        tools = accounts.visible_tools(s, g.facilitator_id)
        rows = [workshops.workshop_dict(w) for w in accounts.visible_workshops(s, g.facilitator_id)]
    return render_template("console/home.html", tools=tools, workshops=rows)


@bp.get("/workshops/<int:workshop_id>")
@login_required
def workshop(workshop_id: int) -> ResponseReturnValue:
    """The live control page of one workshop."""
    with get_db().read() as s:
        info = workshops.workshop_dict(accounts.check_workshop(s, g.facilitator_id, workshop_id))
    return render_template("console/workshop.html", workshop=info, join_url=join_url(info["code"]))


@bp.post("/tools")
@login_required
def create_tool() -> ResponseReturnValue:
    """Create a tool from a template (form post)."""
    from dataclasses import replace

    from flask import redirect, request, url_for

    from ..core import drafts, toolformat
    from ..core.actors import Actor

    content = toolformat.template(request.form.get("template", "rtw-review"))
    if request.form.get("title", "").strip():
        content = replace(content, title=request.form["title"].strip()[:200])
    with get_db().write() as s:
        info = drafts.create_tool(
            s,
            Actor("facilitator", g.facilitator_id),
            content,
            origin={"template": request.form.get("template", "rtw-review")},
        )
        drafts.get_tool(s, info.tool_id).owner_id = g.facilitator_id
    return redirect(url_for("console.home"))


@bp.post("/workshops")
@login_required
def open_workshop() -> ResponseReturnValue:
    """Open a workshop on a tool (form post) and go to its control page."""
    from flask import redirect, request, url_for

    with get_db().write() as s:
        created = workshops.open_workshop(
            s, g.facilitator_id, int(request.form.get("tool_id", "0") or 0), request.form.get("title", "")
        )
        workshop_id = created.id
    return redirect(url_for("console.workshop", workshop_id=workshop_id))
