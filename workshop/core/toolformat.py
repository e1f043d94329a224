"""The project's own JSON format for a tool (see docs/tool-format.md)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from .content import ToolContent, content_from_dict, content_to_dict
from .errors import Invalid, NotFound
from .validation import validate

FORMAT = "workshop-tool"
FORMAT_VERSION = 1
TEMPLATES = ("rtw-review", "blank")


def to_document(content: ToolContent, version: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the tool-format document for some content (and, optionally, its version)."""
    doc: dict[str, Any] = {"format": FORMAT, "format_version": FORMAT_VERSION}
    if version is not None:
        doc["version"] = version
    doc["tool"] = content_to_dict(content)
    return doc


def dumps(content: ToolContent, version: dict[str, Any] | None = None) -> str:
    """Return the tool-format document as indented JSON text."""
    return json.dumps(to_document(content, version), indent=2, ensure_ascii=False) + "\n"


def from_document(doc: Any) -> ToolContent:
    """Read a tool-format document; raise Invalid with a clear reason if it is not one."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise Invalid(f'not a tool file: expected "format": "{FORMAT}"')
    version = doc.get("format_version")
    if type(version) is not int or version != FORMAT_VERSION:
        raise Invalid(f"unsupported format_version {version!r}; this build reads {FORMAT_VERSION}")
    try:
        content = content_from_dict(doc.get("tool"))
    except (TypeError, KeyError, AttributeError) as exc:
        raise Invalid(f"the tool file is malformed: {exc}") from exc
    return validate(content)


def _reject_constant(name: str) -> None:
    raise Invalid(f"the tool file holds {name}, which is not a JSON number")


def loads(text: str) -> ToolContent:
    """Parse tool-format JSON text."""
    try:
        doc = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise Invalid(f"the tool file is not valid JSON: {exc.msg} at line {exc.lineno}") from exc
    return from_document(doc)


def template(name: str) -> ToolContent:
    """Return the content of a named template."""
    if name not in TEMPLATES:
        raise NotFound(f"there is no template {name!r}; choose one of {', '.join(TEMPLATES)}")
    text = resources.files(__package__).joinpath("templates", f"{name}.json").read_text("utf-8")
    return loads(text)
