"""A tool version as a Markdown document, for reading, review and version control."""

from __future__ import annotations

import re

from ..core.content import Item, ToolContent
from ..core.drafts import VersionInfo
from .wording import (
    INSTRUCTIONS,
    RESPONDENT_LABELS,
    RESPONSE_TYPE_LABELS,
    question_numbers,
    show_when_phrase,
    triage_phrase,
    version_line,
)

#: Characters escaped with a backslash (the ones Python-Markdown and CommonMark both accept).
_SPECIAL = re.compile(r"([\\`*_\[\]])")
#: A line start Markdown would read as a heading, quote, list item or numbered item.
_LINE_START = re.compile(r"^(\s*)(\d+)?([#>+.)-])", re.MULTILINE)
_BREAK = "  \n"


def escape(text: str) -> str:
    """Return plain text that Markdown shows as written (line breaks kept as hard breaks)."""
    text = _SPECIAL.sub(r"\\\1", text).replace("<", "&lt;")
    text = _LINE_START.sub(lambda m: f"{m.group(1)}{m.group(2) or ''}\\{m.group(3)}", text)
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(_BREAK.join(line.strip() for line in p.splitlines()) for p in paragraphs)


def one_line(text: str) -> str:
    """Return plain text escaped for a heading or a list line: whitespace runs become one space."""
    return escape(" ".join(text.split()))


def limited(text: str) -> str:
    """Return limited Markdown as written, with ``<`` neutralised so no renderer sees raw HTML."""
    return text.strip().replace("<", "&lt;")


def _quote(text: str) -> str:
    return "\n".join(f"> {line}".rstrip() for line in limited(text).splitlines())


def _response(item: Item) -> list[str]:
    if item.options:
        return [f"- ☐ {one_line(o.label)} (`{o.code}`)" for o in item.options]
    if item.response_type == "scale_0_10":
        return ["  ".join(f"☐ {n}" for n in range(11))]
    if item.response_type in ("short_text", "long_text", "date"):
        return [f"*{RESPONSE_TYPE_LABELS[item.response_type]}:* ________________"]
    return []


def _item(item: Item, content: ToolContent, numbers: dict[str, int]) -> list[str]:
    label = f"Q{numbers[item.id]}" if item.id in numbers else "Information"
    required = " (required)" if item.required else ""
    lines = [f"#### {label} · `{item.code}`{required}", "", limited(item.stem), ""]
    if item.help.strip():
        lines += [_quote(item.help), ""]
    response = _response(item)
    if response:
        lines += [*response, ""]
    facts = []
    if item.response_type != "display":
        instruction = INSTRUCTIONS[item.response_type]
        facts.append(f"**Response:** {RESPONSE_TYPE_LABELS[item.response_type]}. {instruction}")
    facts.append(f"**Respondent:** {RESPONDENT_LABELS.get(item.respondent, item.respondent)}")
    if item.show_when is not None:
        target = content.item(item.show_when.item_id)
        if target is not None:
            name = f"Q{numbers[target.id]} ({target.code})" if target.id in numbers else target.code
            facts.append(f"**Condition:** {one_line(show_when_phrase(item, content, name))}")
    if item.triage is not None:
        facts.append(f"**Triage:** {one_line(triage_phrase(item))}")
    if item.source_note.strip():
        facts.append(f"**Source:** {one_line(item.source_note)}")
    return [*lines, _BREAK.join(facts), ""]


def render_text(content: ToolContent, info: VersionInfo) -> str:
    """Return the version as Markdown text."""
    numbers = question_numbers(content)
    lines = [f"# {one_line(content.title)}", "", f"*{one_line(version_line(info))}*", ""]
    if info.note.strip():
        lines += [f"Note: {one_line(info.note)}", ""]
    if content.description.strip():
        lines += [escape(content.description), ""]
    for domain in content.domains:
        lines += [f"## {one_line(domain.title)}", ""]
        if domain.description.strip():
            lines += [escape(domain.description), ""]
        for topic in domain.topics:
            lines += [f"### {one_line(topic.title)}", ""]
            if topic.description.strip():
                lines += [escape(topic.description), ""]
            for item in topic.items:
                lines += _item(item, content, numbers)
    return "\n".join(lines).rstrip("\n") + "\n"


def render(content: ToolContent, info: VersionInfo) -> bytes:
    """Return the version as UTF-8 Markdown."""
    return render_text(content, info).encode("utf-8")
