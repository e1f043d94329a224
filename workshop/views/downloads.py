"""Downloads for the console: any tool version in any export format, and a workshop's record."""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, g, url_for
from flask.typing import ResponseReturnValue

from ..core import accounts, drafts, record
from ..core.errors import DomainError, NotFound
from ..db import get_db
from ..export import formats, html, pdf
from ..export import record as record_export
from .auth import login_required

bp = Blueprint("downloads", __name__, url_prefix="/console")
RECORD_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "md": "text/markdown; charset=utf-8",
    "votes-csv": "text/csv; charset=utf-8",
}


RECORD_LABELS = {
    "html": "Record (HTML, printable)",
    "pdf": "Record (PDF)",
    "md": "Record (Markdown)",
    "votes-csv": "Anonymised votes (CSV)",
}


def version_links(tool_id: int, spec: int | str) -> list[dict[str, str]]:
    """Return a download link per export format for one version (a number, latest or agreed)."""
    return [
        {"label": f.label, "url": url_for("downloads.export_version", tool_id=tool_id, spec=spec, fmt=name)}
        for name, f in formats.FORMATS.items()
    ]


def record_links(workshop_id: int) -> list[dict[str, str]]:
    """Return a download link per record format for one workshop."""
    return [
        {"label": label, "url": url_for("downloads.workshop_record", workshop_id=workshop_id, fmt=fmt)}
        for fmt, label in RECORD_LABELS.items()
    ]


def _attachment(body: bytes, mimetype: str, name: str) -> Response:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "download"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{safe}"'
    return response


@bp.get("/tools/<int:tool_id>/versions/<spec>/export/<fmt>")
@login_required
def export_version(tool_id: int, spec: str, fmt: str) -> ResponseReturnValue:
    """Download one version (a number, latest or agreed) of a tool in an export format."""
    try:
        chosen = formats.get(fmt)
        with get_db().read() as s:
            accounts.check_tool(s, g.facilitator_id, tool_id)
            number = drafts.resolve(s, tool_id, spec)
            info = drafts.version(s, tool_id, number)
            content = drafts.read(s, tool_id, number)
    except NotFound:
        abort(404)
    except DomainError as exc:
        abort(400, description=exc.message)
    # PDF is typeset in a child process: it takes seconds of CPU that would stall every live connection.
    body = pdf.html_to_pdf_in_child(html.render_page(content, info)) if fmt == "pdf" else chosen.render(content, info)
    return _attachment(body, chosen.mimetype, formats.filename(content, info, fmt))


@bp.get("/workshops/<int:workshop_id>/record/<fmt>")
@login_required
def workshop_record(workshop_id: int, fmt: str) -> ResponseReturnValue:
    """Download the record of a workshop (html, pdf, md) or its anonymised votes (votes-csv)."""
    if fmt not in RECORD_TYPES:
        abort(404)
    try:
        with get_db().read() as s:
            workshop = accounts.check_workshop(s, g.facilitator_id, workshop_id)
            data = record.workshop_record(s, workshop)
            votes = record.anonymised_votes(s, workshop)
    except NotFound:
        abort(404)
    if fmt == "pdf":
        body = pdf.html_to_pdf_in_child(record_export.render_html(data))
    else:
        body = record_export.render(data, votes, fmt)
    extension = {"votes-csv": "votes.csv"}.get(fmt, fmt)
    return _attachment(body, RECORD_TYPES[fmt], f"workshop-{workshop_id}-record.{extension}")
