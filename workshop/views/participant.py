"""The participant's phone page: join by code, then take part."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from ..core.workshops import normalise_code

bp = Blueprint("participant", __name__)


@bp.get("/")
def join_page() -> ResponseReturnValue:
    """The join page people reach by typing the address shown on the projector."""
    return render_template("participant.html", code="")


@bp.get("/join/<code>")
def join_with_code(code: str) -> ResponseReturnValue:
    """The join page reached from the QR code, with the code filled in."""
    return render_template("participant.html", code=normalise_code(code)[:16])
