"""Health check for load balancers and the test-suite."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from .. import __version__
from ..db import get_db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Report that the app runs and whether its database answers at the newest schema."""
    database = get_db()
    try:
        current = database.schema_revision()
        ok = current == database.head_revision()
    except Exception as exc:  # the point of a health check is to report, not to crash
        return jsonify(status="error", database=type(exc).__name__, version=__version__), 503
    return jsonify(status="ok" if ok else "degraded", schema=current, version=__version__), 200 if ok else 503
