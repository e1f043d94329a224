"""JSON API: participants join by code; facilitators manage tools and workshops."""

from __future__ import annotations

import io
from typing import Any

import segno
from flask import Blueprint, Response, current_app, g, jsonify, request
from flask.typing import ResponseReturnValue

from .. import csrf
from ..broadcast import after_commit
from ..core import accounts, drafts, toolformat, workshops
from ..core.actors import Actor
from ..core.errors import DomainError, Invalid, NotFound
from ..db import get_db
from ..limits import limiter
from ..netaddr import public_base
from .auth import login_required

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.errorhandler(DomainError)
def domain_error(exc: DomainError) -> ResponseReturnValue:
    """Turn a domain error into its HTTP status and the protocol's error body."""
    return jsonify(ok=False, error=exc.to_dict()), exc.status


def _json() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise Invalid("send a JSON object")
    return data


def join_url(code: str) -> str:
    """Return the URL the QR code and the projector show for a join code."""
    return f"{public_base(request.host_url, current_app.config['PUBLIC_URL'])}/join/{code}"


@bp.get("/join/<code>")
def join_info(code: str) -> ResponseReturnValue:
    """What the join form shows for a code: title, stakeholder groups, how input is used."""
    address = request.remote_addr or "?"
    limiter(current_app).check_join(address)
    with get_db().read() as s:
        try:
            workshop = workshops.by_code(s, code)
        except NotFound:
            limiter(current_app).join_failed(address)
            raise
        info = workshops.workshop_dict(workshop)
    return jsonify(
        ok=True, workshop={k: info[k] for k in ("title", "code", "status", "phase", "groups", "consent_text")}
    )


@bp.post("/join")
@csrf.exempt  # no cookie gives this request authority: it creates a participant from the code alone
def join() -> ResponseReturnValue:
    """Join a workshop by code; returns the rejoin token the phone keeps."""
    data = _json()
    address = request.remote_addr or "?"
    lim = limiter(current_app)
    lim.check_join(address)
    code = str(data.get("code", ""))[:32]

    def add(s: Any) -> dict[str, Any]:
        try:
            workshop = workshops.by_code(s, code)
        except NotFound:
            lim.join_failed(address)
            raise
        lim.hit_join(address)  # refused here, before anything is written
        participant, token, _outcome = workshops.join(s, workshop, data)
        return {
            "ok": True,
            "token": token,
            "workshop_id": workshop.id,
            "participant": workshops.participant_dict(participant, private=True),
        }

    # Committed with the other joins and actions of the same moment; the counts go out coalesced.
    reply = get_db().batched(add, after=lambda done: after_commit(done["workshop_id"], [], roster=True))
    return jsonify(reply), 201


@bp.get("/tools")
@login_required
def list_tools() -> ResponseReturnValue:
    """The facilitator's tools."""
    with get_db().read() as s:
        tools = accounts.visible_tools(s, g.facilitator_id)
        return jsonify(
            ok=True,
            tools=[
                {"id": t.id, "title": t.title, "latest": t.latest_version, "agreed": t.agreed_version} for t in tools
            ],
        )


@bp.post("/tools")
@login_required
def create_tool() -> ResponseReturnValue:
    """Create a tool from a template; the facilitator owns it."""
    data = _json()
    content = toolformat.template(str(data.get("template", "rtw-review")))
    title = data.get("title")
    if title:
        from dataclasses import replace

        content = replace(content, title=str(title))
    with get_db().write() as s:
        origin = {"template": data.get("template", "rtw-review")}
        actor = Actor("facilitator", g.facilitator_id)
        info = drafts.create_tool(s, actor, content, origin=origin, owner_id=g.facilitator_id)
    return jsonify(ok=True, tool_id=info.tool_id, version=info.number), 201


@bp.post("/workshops")
@login_required
def open_workshop() -> ResponseReturnValue:
    """Open a workshop on a tool's latest version."""
    data = _json()
    tool_id = data.get("tool_id")
    if not isinstance(tool_id, int):
        raise Invalid("tool_id must be a tool's id")
    with get_db().write() as s:
        workshop = workshops.open_workshop(
            s, g.facilitator_id, tool_id, str(data.get("title", "")), data.get("groups"), data.get("consent_text")
        )
        info = workshops.workshop_dict(workshop)
    return jsonify(ok=True, workshop=info, join_url=join_url(info["code"])), 201


@bp.get("/workshops")
@login_required
def list_workshops() -> ResponseReturnValue:
    """The workshops this facilitator may run."""
    with get_db().read() as s:
        rows = [workshops.workshop_dict(w) for w in accounts.visible_workshops(s, g.facilitator_id)]
    return jsonify(ok=True, workshops=rows)


@bp.get("/workshops/<int:workshop_id>/qr.svg")
@login_required
def qr_code(workshop_id: int) -> ResponseReturnValue:
    """The join URL as an SVG QR code (made here, nothing fetched)."""
    with get_db().read() as s:
        workshop = accounts.check_workshop(s, g.facilitator_id, workshop_id)
        code = workshop.join_code
    buffer = io.BytesIO()
    segno.make(join_url(code), error="m").save(
        buffer, kind="svg", scale=8, border=2, xmldecl=False, svgns=True, title="Join code QR"
    )
    return Response(buffer.getvalue(), mimetype="image/svg+xml")


@bp.delete("/workshops/<int:workshop_id>")
@login_required
def delete_workshop(workshop_id: int) -> ResponseReturnValue:
    """Delete a workshop and all that was said in it (export its record first)."""
    with get_db().write() as s:
        result = workshops.delete_workshop(s, g.facilitator_id, workshop_id)
    return jsonify(ok=True, **result)
