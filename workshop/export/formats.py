"""The export formats a saved tool version can be written in, by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..core import toolformat
from ..core.content import ToolContent
from ..core.drafts import VersionInfo
from ..core.errors import Invalid
from . import csv as csv_export
from . import docx as docx_export
from . import fhir, pdf, redcap, xlsform
from . import html as html_export
from . import markdown as markdown_export
from .wording import slug

Renderer = Callable[[ToolContent, VersionInfo], bytes]


@dataclass(frozen=True)
class ExportFormat:
    """One way to write a tool version: its name, how a file of it is named and served, and its renderer."""

    name: str
    label: str
    extension: str
    mimetype: str
    render: Renderer
    #: Text formats may go to standard output; binary ones only to a file.
    is_text: bool = False


def _json(content: ToolContent, info: VersionInfo) -> bytes:
    """Return the version in the project's own tool format, with its metadata."""
    return toolformat.dumps(content, info.to_dict(with_changes=False)).encode("utf-8")


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("json", "Tool file (JSON, re-importable)", "json", "application/json", _json, True),
        ExportFormat("md", "Markdown document", "md", "text/markdown; charset=utf-8", markdown_export.render, True),
        ExportFormat("html", "Printable web page (HTML)", "html", "text/html; charset=utf-8", html_export.render, True),
        ExportFormat("pdf", "Printable document (PDF)", "pdf", "application/pdf", pdf.render),
        ExportFormat(
            "docx",
            "Paper form (Word)",
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            docx_export.render,
        ),
        ExportFormat("redcap", "REDCap data dictionary (CSV)", "csv", "text/csv; charset=utf-8", redcap.render, True),
        ExportFormat(
            "fhir-r4",
            "FHIR R4 Questionnaire (JSON)",
            "json",
            "application/fhir+json; fhirVersion=4.0",
            fhir.render_r4,
            True,
        ),
        ExportFormat(
            "fhir-r5",
            "FHIR R5 Questionnaire (JSON)",
            "json",
            "application/fhir+json; fhirVersion=5.0",
            fhir.render_r5,
            True,
        ),
        ExportFormat(
            "xlsform",
            "ODK XLSForm (Excel)",
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            xlsform.render,
        ),
        ExportFormat("csv", "Item bank (CSV)", "csv", "text/csv; charset=utf-8", csv_export.render, True),
    )
}


def get(fmt: str) -> ExportFormat:
    """Return a format by name, or raise Invalid naming the formats there are."""
    try:
        return FORMATS[fmt]
    except KeyError:
        raise Invalid(f"there is no export format {fmt!r}; choose one of {', '.join(FORMATS)}") from None


def export(content: ToolContent, info: VersionInfo, fmt: str) -> bytes:
    """Return a saved version's content written in the named format."""
    return get(fmt).render(content, info)


def filename(content: ToolContent, info: VersionInfo, fmt: str) -> str:
    """Return a file name for an export, e.g. ``returning-doctors-needs-assessment-v3.fhir-r4.json``."""
    chosen = get(fmt)
    # Only formats that share an extension with another need their name in the file name.
    shared = sum(f.extension == chosen.extension for f in FORMATS.values()) > 1
    middle = f".{chosen.name}" if shared and chosen.name != chosen.extension else ""
    return f"{slug(content.title)}-v{info.number}{middle}.{chosen.extension}"
