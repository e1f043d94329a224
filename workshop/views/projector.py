"""The projector view: the join QR code and code, the phase, the timer, results, new versions."""

from __future__ import annotations

from flask import Blueprint, g, render_template
from flask.typing import ResponseReturnValue

from ..core import accounts, workshops
from ..core.errors import DomainError
from ..db import get_db
from .api import join_url
from .auth import login_required

bp = Blueprint("projector", __name__, url_prefix="/console")


@bp.errorhandler(DomainError)
def domain_error(exc: DomainError) -> ResponseReturnValue:
    """Show a refused request as a page with the reason."""
    return render_template("console/error.html", message=exc.message), exc.status


@bp.get("/workshops/<int:workshop_id>/projector")
@login_required
def projector(workshop_id: int) -> ResponseReturnValue:
    """Show a workshop on the room's screen (read-only; it connects as the projector)."""
    with get_db().read() as s:
        info = workshops.workshop_dict(accounts.check_workshop(s, g.facilitator_id, workshop_id))
    return render_template("projector.html", workshop=info, join_url=join_url(info["code"]))
