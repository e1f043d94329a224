"""A tool version as an ODK XLSForm (.xlsx): survey, choices and settings sheets.

Domains and topics become nested groups (each topic one screen); an item's code is
its field name. A triage rule becomes a ``calculate`` field ``<code>_triage`` that is
1 when the answer should prompt the action (its label) and 0 otherwise.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from ..core.content import Condition, Item, ToolContent
from ..core.drafts import VersionInfo
from ..core.errors import Invalid
from .markup import xml_safe
from .wording import number, options_meeting, slug

SURVEY_COLUMNS = (
    "type",
    "name",
    "label",
    "hint",
    "required",
    "relevant",
    "constraint",
    "constraint_message",
    "appearance",
    "calculation",
)
CHOICE_COLUMNS = ("list_name", "name", "label")
SETTINGS_COLUMNS = ("form_title", "form_id", "version", "style")
#: Field names XLSForm keeps for itself (the tool's own rules reserve others).
RESERVED_NAMES = frozenset({"meta"})
SIMPLE_TYPES = {"short_text": "text", "long_text": "text", "scale_0_10": "integer", "date": "date", "display": "note"}


def _text(text: str) -> str:
    """Return text for a label or hint: no XML-illegal characters, and ``${`` not read as a reference."""
    return xml_safe(text).strip().replace("${", "$\u200b{")


def relevant(cond: Condition, target: Item) -> str:
    """Return an XPath expression that holds when the answer to ``target`` meets ``cond``."""
    ref = f"${{{target.code}}}"
    options = options_meeting(cond, target)
    if options is None:
        operator = "<=" if cond.operator == "at_most" else ">="
        return f"{ref} != '' and {ref} {operator} {number(cond.value)}"  # type: ignore[arg-type]
    if not options:
        return "false()"
    tests = [f"selected({ref}, '{o.code}')" for o in options]
    return tests[0] if len(tests) == 1 else "(" + " or ".join(tests) + ")"


class _Form:
    """The rows of the three sheets, built item by item."""

    def __init__(self, content: ToolContent) -> None:
        self.content = content
        self.survey: list[dict[str, str]] = []
        self.choices: list[dict[str, str]] = []
        self.lists: dict[tuple[tuple[str, str], ...], str] = {}
        self.names = {i.code for _, _, i in content.items()}

    def list_name(self, item: Item) -> str:
        """Return the choice list for an item's options, sharing one list between equal option sets."""
        key = tuple((o.code, o.label) for o in item.options)
        if key not in self.lists:
            self.lists[key] = item.code
            self.choices += [{"list_name": item.code, "name": o.code, "label": _text(o.label)} for o in item.options]
        return self.lists[key]

    def unique(self, name: str) -> str:
        """Return ``name``, or it with a number appended, so that no two fields share a name."""
        candidate, n = name, 1
        while candidate in self.names:
            n += 1
            candidate = f"{name}{n}"
        self.names.add(candidate)
        return candidate

    def item(self, item: Item) -> None:
        """Add the rows for one item (and its triage flag)."""
        row = {"name": item.code, "label": _text(item.stem), "hint": _text(item.help)}
        if item.response_type == "multiple_choice":
            row["type"] = f"select_multiple {self.list_name(item)}"
        elif item.options:
            row["type"] = f"select_one {self.list_name(item)}"
        else:
            row["type"] = SIMPLE_TYPES[item.response_type]
        if item.response_type == "long_text":
            row["appearance"] = "multiline"
        if item.response_type == "scale_0_10":
            row["constraint"] = ". >= 0 and . <= 10"
            row["constraint_message"] = "Enter a whole number from 0 to 10."
        if item.required and item.response_type != "display":
            row["required"] = "yes"
        if item.show_when is not None and (target := self.content.item(item.show_when.item_id)) is not None:
            row["relevant"] = relevant(item.show_when.when, target)
        self.survey.append(row)
        if item.triage is not None:
            self.survey.append(
                {
                    "type": "calculate",
                    "name": self.unique(f"{item.code}_triage"),
                    "label": _text(f"Triage: {item.triage.action}"),
                    "calculation": f"if({relevant(item.triage.when, item)}, 1, 0)",
                }
            )

    def build(self) -> None:
        """Add every domain and topic as groups around their items."""
        for domain in self.content.domains:
            topics = [t for t in domain.topics if t.items]
            if not topics:
                continue
            self.survey.append({"type": "begin_group", "name": f"domain-{domain.id}", "label": _text(domain.title)})
            for topic in topics:
                self.survey.append(
                    {
                        "type": "begin_group",
                        "name": f"topic-{topic.id}",
                        "label": _text(topic.title),
                        "appearance": "field-list",
                    }
                )
                for item in topic.items:
                    self.item(item)
                self.survey.append({"type": "end_group", "name": f"topic-{topic.id}"})
            self.survey.append({"type": "end_group", "name": f"domain-{domain.id}"})


def form_id(content: ToolContent) -> str:
    """Return the form id: the title as lower-case letters, digits and ``_``, starting with a letter."""
    name = slug(content.title, sep="_", limit=60, fallback="needs_assessment")
    return name if name[0].isalpha() else f"form_{name}"


def _sheet(workbook: Any, title: str, columns: tuple[str, ...], rows: list[dict[str, str]], first: bool) -> None:
    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = title
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in rows:
        sheet.append([values.get(c, "") for c in columns])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            # openpyxl reads a string starting with "=" as a formula; a label is never one.
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    sheet.freeze_panes = "A2"


def render(content: ToolContent, info: VersionInfo) -> bytes:
    """Return the version as an XLSForm workbook; raise Invalid if an item code is reserved in XLSForm."""
    clashes = sorted(RESERVED_NAMES & {item.code for _, _, item in content.items()})
    if clashes:
        raise Invalid(f"item code {clashes[0]!r} is reserved in XLSForm; give the item another code to export it")
    form = _Form(content)
    form.build()
    settings = {"form_title": _text(content.title), "form_id": form_id(content), "version": str(info.number)}
    settings["style"] = "pages"
    workbook = Workbook()
    _sheet(workbook, "survey", SURVEY_COLUMNS, form.survey, True)
    _sheet(workbook, "choices", CHOICE_COLUMNS, form.choices, False)
    _sheet(workbook, "settings", SETTINGS_COLUMNS, [settings], False)
    workbook.properties.title = xml_safe(content.title)[:255]
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()
