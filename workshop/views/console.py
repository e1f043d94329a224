"""The facilitator's console: tools, workshops, and a workshop's live control page."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ..core import accounts, drafts, toolformat, workshops
from ..core.actors import Actor
from ..core.errors import DomainError
from ..db import get_db
from .api import join_url
from .auth import login_required
from .downloads import record_links, version_links

bp = Blueprint("console", __name__, url_prefix="/console")
TEMPLATES = (("rtw-review", "Returning doctors' needs (from the review)"), ("blank", "Blank"))


def _home(error: str | None = None) -> ResponseReturnValue:
    with get_db().read() as s:
        tools = [
            {"id": t.id, "title": t.title, "latest": t.latest_version, "agreed": t.agreed_version}
            for t in accounts.visible_tools(s, g.facilitator_id)
        ]
        rows = [workshops.workshop_dict(w) for w in accounts.visible_workshops(s, g.facilitator_id)]
    return render_template("console/home.html", tools=tools, workshops=rows, templates=TEMPLATES, error=error), (
        200 if error is None else 422
    )


@bp.errorhandler(DomainError)
def domain_error(exc: DomainError) -> ResponseReturnValue:
    """Show a refused request as a page with the reason (e.g. a workshop that is not yours)."""
    return render_template("console/error.html", message=exc.message), exc.status


@bp.get("/")
@login_required
def home() -> ResponseReturnValue:
    """List the facilitator's tools and workshops."""
    return _home()


@bp.get("/workshops/<int:workshop_id>")
@login_required
def workshop(workshop_id: int) -> ResponseReturnValue:
    """The live control page of one workshop."""
    with get_db().read() as s:
        info = workshops.workshop_dict(accounts.check_workshop(s, g.facilitator_id, workshop_id))
    return render_template(
        "console/workshop.html",
        workshop=info,
        join_url=join_url(info["code"]),
        exports=version_links(info["tool_id"], "latest"),
        records=record_links(info["id"]),
    )


@bp.post("/tools")
@login_required
def create_tool() -> ResponseReturnValue:
    """Create a tool from a template (form post) and go to its version history."""
    try:
        content = toolformat.template(request.form.get("template", "rtw-review"))
        if request.form.get("title", "").strip():
            content = replace(content, title=request.form["title"].strip()[:200])
        with get_db().write() as s:
            origin = {"template": request.form.get("template", "rtw-review")}
            actor = Actor("facilitator", g.facilitator_id)
            info = drafts.create_tool(s, actor, content, origin=origin, owner_id=g.facilitator_id)
    except DomainError as exc:
        return _home(exc.message)
    return redirect(url_for("history.versions", tool_id=info.tool_id))


@bp.post("/workshops")
@login_required
def open_workshop() -> ResponseReturnValue:
    """Open a workshop on a tool (form post) and go to its control page."""
    try:
        tool_id = int(request.form.get("tool_id", "0") or 0)
        with get_db().write() as s:
            created = workshops.open_workshop(s, g.facilitator_id, tool_id, request.form.get("title", ""))
            workshop_id = created.id
    except (DomainError, ValueError) as exc:
        return _home(getattr(exc, "message", "choose a tool"))
    return redirect(url_for("console.workshop", workshop_id=workshop_id))


@bp.post("/workshops/<int:workshop_id>/delete")
@login_required
def delete_workshop(workshop_id: int) -> ResponseReturnValue:
    """Delete a workshop and everything said in it, once the facilitator confirms the record was exported."""
    if request.form.get("confirm") != "yes":
        return _home("Tick the box to confirm that you have exported the record before deleting a workshop's data.")
    with get_db().write() as s:
        workshops.delete_workshop(s, g.facilitator_id, workshop_id)
    return redirect(url_for("console.home"))
