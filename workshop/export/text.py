"""A plain-text rendering of a tool version, for terminals."""

from __future__ import annotations

from ..core.content import ToolContent
from ..core.drafts import VersionInfo


def render(content: ToolContent, info: VersionInfo | None = None) -> str:
    """Return the tool as indented plain text, one line per item."""
    lines = [content.title]
    if info is not None:
        label = f"version {info.number}"
        if info.name:
            label += f' "{info.name}"'
        if info.agreed:
            label += " (agreed)"
        lines.append(label)
    if content.description:
        lines += ["", content.description]
    for domain in content.domains:
        lines += ["", f"# {domain.title}"]
        for topic in domain.topics:
            lines.append(f"  ## {topic.title}")
            for item in topic.items:
                flags = " *" if item.required else ""
                lines.append(f"    - [{item.code}] {item.stem}  ({item.response_type}, {item.respondent}){flags}")
                for option in item.options:
                    lines.append(f"        {option.code} = {option.label}")
    return "\n".join(lines) + "\n"
