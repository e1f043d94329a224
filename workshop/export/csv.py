"""A tool version as an item bank: one CSV row per item, for spreadsheets and analysis."""

from __future__ import annotations

import csv
import io

from ..core.content import ToolContent
from ..core.drafts import VersionInfo
from .wording import option_list, show_when_phrase, triage_phrase

COLUMNS = (
    "domain",
    "topic",
    "item_id",
    "code",
    "stem",
    "help",
    "response_type",
    "options",
    "respondent",
    "required",
    "triage",
    "show_when",
    "source_note",
)
#: A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    """Return a cell a spreadsheet shows as text: a leading ``'`` keeps it from being run as a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def rows(content: ToolContent) -> list[list[str]]:
    """Return one row per item, in tool order, without the header."""
    result = []
    for domain, topic, item in content.items():
        values = (
            domain.title,
            topic.title,
            item.id,
            item.code,
            item.stem,
            item.help,
            item.response_type,
            option_list(item),
            item.respondent,
            "yes" if item.required else "no",
            triage_phrase(item),
            show_when_phrase(item, content),
            item.source_note,
        )
        result.append([_cell(v) for v in values])
    return result


def render(content: ToolContent, info: VersionInfo) -> bytes:
    """Return the item bank as UTF-8 CSV with a byte order mark, so spreadsheets read its script right."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(rows(content))
    return out.getvalue().encode("utf-8-sig")
