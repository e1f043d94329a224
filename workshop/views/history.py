"""A tool's version history in the console: list, compare side by side, restore, name, mark agreed."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ..broadcast import send
from ..core import accounts, drafts
from ..core.actors import Actor
from ..core.diff import compare, summary
from ..core.errors import DomainError, NotFound
from ..core.moderation import announce_version, version_event
from ..db import get_db
from .auth import login_required
from .downloads import version_links

bp = Blueprint("history", __name__, url_prefix="/console/tools")


def _number(name: str) -> int:
    try:
        return int(request.values.get(name, ""))
    except ValueError:
        raise NotFound(f"choose a version to compare ({name})") from None


@bp.get("/<int:tool_id>/versions")
@login_required
def versions(tool_id: int) -> ResponseReturnValue:
    """List a tool's versions, newest first, with what can be done to each."""
    with get_db().read() as s:
        tool = accounts.check_tool(s, g.facilitator_id, tool_id)
        rows = [v.to_dict(with_changes=False) for v in reversed(drafts.versions(s, tool_id))]
        title, latest = tool.title, tool.latest_version
    links = {v["number"]: version_links(tool_id, v["number"]) for v in rows}
    return render_template(
        "console/versions.html", tool_id=tool_id, title=title, latest=latest, versions=rows, links=links
    )


@bp.get("/<int:tool_id>/compare")
@login_required
def compare_versions(tool_id: int) -> ResponseReturnValue:
    """Compare two versions side by side, with word-level highlighting of rewording."""
    with get_db().read() as s:
        tool = accounts.check_tool(s, g.facilitator_id, tool_id)
        a, b = _number("a"), _number("b")
        old, new = drafts.version(s, tool_id, a), drafts.version(s, tool_id, b)
        before, after = drafts.read(s, tool_id, a), drafts.read(s, tool_id, b)
        diff = compare(before, after)
        # Each changed item is headed by its wording, the newer one where it still exists.
        stems = {i.id: i.stem for content in (before, after) for _, _, i in content.items()}
        title = tool.title
    return render_template(
        "console/compare.html",
        tool_id=tool_id,
        title=title,
        old=old.to_dict(with_changes=False),
        new=new.to_dict(with_changes=False),
        diff=diff,
        counts=summary(diff),
        stems=stems,
    )


@bp.post("/<int:tool_id>/versions/<int:number>/restore")
@login_required
def restore(tool_id: int, number: int) -> ResponseReturnValue:
    """Make a new version equal to an old one (history is never rewritten)."""
    with get_db().write() as s:
        accounts.check_tool(s, g.facilitator_id, tool_id)
        info = drafts.restore(s, tool_id, number, Actor("facilitator", g.facilitator_id))
        sent = announce_version(s, tool_id, version_event(info)) if info else []
    send(sent)
    flash(f"Version {info.number} is a copy of version {number}." if info else "That is already the current content.")
    return redirect(url_for("history.versions", tool_id=tool_id))


@bp.post("/<int:tool_id>/versions/<int:number>/name")
@login_required
def name(tool_id: int, number: int) -> ResponseReturnValue:
    """Give a version a name (an empty name removes it)."""
    with get_db().write() as s:
        accounts.check_tool(s, g.facilitator_id, tool_id)
        info = drafts.name_version(s, tool_id, number, request.form.get("name", ""))
    flash(f'Version {number} is named "{info.name}".' if info.name else f"Version {number} has no name now.")
    return redirect(url_for("history.versions", tool_id=tool_id))


@bp.post("/<int:tool_id>/versions/<int:number>/agree")
@login_required
def agree(tool_id: int, number: int) -> ResponseReturnValue:
    """Mark a version as the agreed one."""
    with get_db().write() as s:
        accounts.check_tool(s, g.facilitator_id, tool_id)
        drafts.mark_agreed(s, tool_id, number)
    flash(f"Version {number} is marked agreed.")
    return redirect(url_for("history.versions", tool_id=tool_id))


@bp.errorhandler(DomainError)
def domain_error(exc: DomainError) -> ResponseReturnValue:
    """Show a refused request as a page with the reason."""
    return render_template("console/error.html", message=exc.message), exc.status
