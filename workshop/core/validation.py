"""The rules every tool content must keep; broken rules raise ``Invalid``."""

from __future__ import annotations

import re

from .content import (
    CHOICE_TYPES,
    CODE_MAX,
    CODE_PATTERN,
    ID_PATTERN,
    OPTION_CODE_PATTERN,
    RESPONDENTS,
    RESPONSE_TYPES,
    Condition,
    Item,
    Option,
    ToolContent,
)
from .errors import Invalid

TITLE_MAX = 200
DESCRIPTION_MAX = 4000
STEM_MAX = 4000
HELP_MAX = 4000
LABEL_MAX = 500
NOTE_MAX = 2000
#: Variable names REDCap and XLSForm keep for themselves.
RESERVED_CODES = frozenset({"record_id", "meta"})
#: Control characters break DOCX, XLSX and XForm writers; only tab and newline are allowed, in long text.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

AGREEMENT_OPTIONS = (
    Option("1", "Strongly disagree", 1.0),
    Option("2", "Disagree", 2.0),
    Option("3", "Neither agree nor disagree", 3.0),
    Option("4", "Agree", 4.0),
    Option("5", "Strongly agree", 5.0),
)
# Scores are floats, as item_from_dict reads them, so digests agree however an item was built.
YES_NO_NA_OPTIONS = (
    Option("1", "Yes", 1.0),
    Option("0", "No", 0.0),
    Option("na", "Not applicable", None, True),
)


def default_options(response_type: str) -> tuple[Option, ...]:
    """Return the options a new item of this type starts with."""
    if response_type == "agreement":
        return AGREEMENT_OPTIONS
    if response_type == "yes_no_na":
        return YES_NO_NA_OPTIONS
    return ()


def _text(problems: list[str], where: str, value: str, limit: int, *, required: bool, one_line: bool = False) -> None:
    if required and not value.strip():
        problems.append(f"{where} must not be empty")
    if len(value) > limit:
        problems.append(f"{where} is longer than {limit} characters")
    if CONTROL.search(value) or (one_line and ("\n" in value or "\r" in value)):
        problems.append(f"{where} holds control characters" + (" or line breaks" if one_line else ""))


def _bound(cond: Condition) -> float:
    """Return the number an at_most / at_least condition compares with."""
    assert isinstance(cond.value, float), "bounds are read as floats"
    return cond.value


def _condition(problems: list[str], where: str, cond: Condition, target: Item) -> None:
    codes = {o.code for o in target.options}
    if cond.operator == "any_of":
        if target.response_type not in CHOICE_TYPES:
            problems.append(f"{where}: any_of needs a choice item, {target.code} is {target.response_type}")
        elif not cond.value or not set(cond.value) <= codes:  # type: ignore[arg-type]
            problems.append(f"{where}: any_of must name option codes of {target.code}")
    elif target.response_type == "scale_0_10":
        if not 0 <= _bound(cond) <= 10:
            problems.append(f"{where}: {cond.operator} must be between 0 and 10 on a 0-10 scale")
    elif target.response_type in ("agreement", "yes_no_na", "single_choice"):
        # A bound on a single answer compares that option's score; one no option can meet is a mistake.
        scores = [o.score for o in target.options if o.score is not None]
        if not scores:
            problems.append(f"{where}: {cond.operator} needs options with scores")
        elif (cond.operator == "at_most" and _bound(cond) < min(scores)) or (
            cond.operator == "at_least" and _bound(cond) > max(scores)
        ):
            problems.append(f"{where}: no answer of {target.code} can meet {cond.operator} {_bound(cond):g}")
    else:
        problems.append(f"{where}: {cond.operator} needs a 0-10 scale or a single answer with scores")


def _options(problems: list[str], where: str, item: Item) -> None:
    if item.response_type in CHOICE_TYPES:
        if len(item.options) < 2:
            problems.append(f"{where}: a {item.response_type} item needs at least two options")
        seen: set[str] = set()
        for o in item.options:
            if not OPTION_CODE_PATTERN.match(o.code):
                problems.append(f"{where}: option code {o.code!r} must be letters, digits or _")
            # REDCap lower-cases checkbox codes, so codes differing only in case would collide there.
            if o.code.lower() in seen:
                problems.append(f"{where}: option code {o.code!r} is used twice (codes ignore case)")
            seen.add(o.code.lower())
            _text(problems, f"{where}: option {o.code!r} label", o.label, LABEL_MAX, required=True, one_line=True)
    elif item.options:
        problems.append(f"{where}: a {item.response_type} item has no options")


def _item(problems: list[str], item: Item, content: ToolContent) -> None:
    where = f"item {item.code or item.id}"
    if not CODE_PATTERN.match(item.code) or len(item.code) > CODE_MAX:
        problems.append(
            f"{where}: code must start with a lower-case letter, hold only a-z, 0-9 and _, "
            f"and be at most {CODE_MAX} characters"
        )
    if item.code in RESERVED_CODES or item.code.startswith("redcap_") or item.code.endswith("_complete"):
        problems.append(f"{where}: code {item.code!r} is reserved by REDCap or XLSForm")
    _text(problems, f"{where}: stem", item.stem, STEM_MAX, required=True)
    _text(problems, f"{where}: help", item.help, HELP_MAX, required=False)
    _text(problems, f"{where}: source note", item.source_note, NOTE_MAX, required=False)
    if item.response_type not in RESPONSE_TYPES:
        problems.append(f"{where}: response type must be one of {', '.join(RESPONSE_TYPES)}")
        return
    if item.respondent not in RESPONDENTS:
        problems.append(f"{where}: respondent must be one of {', '.join(RESPONDENTS)}")
    _options(problems, where, item)
    if item.response_type == "display" and (item.required or item.triage):
        problems.append(f"{where}: display text cannot be required or have a triage rule")
    if item.triage:
        _text(problems, f"{where}: triage action", item.triage.action, LABEL_MAX, required=True)
        _condition(problems, f"{where}: triage", item.triage.when, item)
    if item.show_when:
        target = content.item(item.show_when.item_id)
        if target is None or target.id == item.id:
            problems.append(f"{where}: show_when must refer to another item of this tool")
        else:
            _condition(problems, f"{where}: show_when", item.show_when.when, target)


def _show_when_cycles(content: ToolContent) -> list[str]:
    depends = {i.id: i.show_when.item_id for _, _, i in content.items() if i.show_when}
    problems = []
    for start in depends:
        seen, current = {start}, depends.get(start)
        while current is not None:
            if current in seen:
                problems.append(f"item {content.item(start).code}: show_when conditions form a loop")  # type: ignore[union-attr]
                break
            seen.add(current)
            current = depends.get(current)
    return problems


def problems_in(content: ToolContent) -> list[str]:
    """Return every rule the content breaks, as readable sentences."""
    problems: list[str] = []
    _text(problems, "tool title", content.title, TITLE_MAX, required=True, one_line=True)
    _text(problems, "tool description", content.description, DESCRIPTION_MAX, required=False)
    ids: set[str] = set()
    codes: set[str] = set()
    for d in content.domains:
        for kind, obj in [("domain", d)] + [("topic", t) for t in d.topics]:
            if not ID_PATTERN.match(obj.id) or obj.id in ids:
                problems.append(f"{kind} id {obj.id!r} must be unique letters, digits, - or _")
            ids.add(obj.id)
            _text(problems, f"{kind} {obj.id} title", obj.title, TITLE_MAX, required=True, one_line=True)
            _text(problems, f"{kind} {obj.id} description", obj.description, DESCRIPTION_MAX, required=False)
    for _, _, item in content.items():
        if not ID_PATTERN.match(item.id) or item.id in ids:
            problems.append(f"item id {item.id!r} must be unique letters, digits, - or _")
        ids.add(item.id)
        if item.code in codes:
            problems.append(f"item code {item.code!r} is used twice")
        codes.add(item.code)
        _item(problems, item, content)
    return problems + _show_when_cycles(content)


def validate(content: ToolContent) -> ToolContent:
    """Return the content unchanged, or raise Invalid listing what is wrong."""
    problems = problems_in(content)
    if problems:
        raise Invalid("; ".join(problems[:5]), details={"problems": problems})
    return content
