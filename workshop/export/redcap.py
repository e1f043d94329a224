"""A tool version as a REDCap data dictionary: a CSV that uploads as one instrument.

REDCap stores choice answers as raw codes, which must be whole numbers or simple
names. Numeric option codes are kept; other codes (``na``, ``before``...) are
numbered after the largest kept one, in option order. Branching logic and the
field annotation use the same numbers, and the annotation lists the mapping so
the data can be read back against the tool's own codes.
"""

from __future__ import annotations

import csv
import io
import re
from html import escape

from ..core.content import Condition, Item, ToolContent
from ..core.drafts import VersionInfo
from .markup import to_inline_html, to_plain
from .wording import (
    RESPONDENT_LABELS,
    number,
    options_meeting,
    question_numbers,
    slug,
    triage_phrase,
    version_line,
)

HEADERS = (
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
)
FIELD_TYPES = {
    "agreement": "radio",
    "yes_no_na": "radio",
    "single_choice": "radio",
    "multiple_choice": "checkbox",
    "short_text": "text",
    "long_text": "notes",
    "scale_0_10": "radio",
    "date": "text",
    "display": "descriptive",
}
RECORD_ID = "record_id"
FORM_NAME_MAX = 50
_WHOLE_NUMBER = re.compile(r"^(0|[1-9][0-9]{0,8})$")
#: ``@`` and a capital letter would be read as an action tag such as @HIDDEN.
_ACTION_TAG = re.compile(r"@(?=[A-Z])")


def form_name(content: ToolContent) -> str:
    """Return the instrument name: the title as lower-case letters, digits and ``_``, starting with a letter."""
    codes = {item.code for _, _, item in content.items()}
    name = ""
    for limit, suffix in ((FORM_NAME_MAX, ""), (FORM_NAME_MAX - 5, "_form")):
        name = slug(content.title, sep="_", limit=limit, fallback="needs_assessment") + suffix
        if not name[0].isalpha():
            name = f"form_{name}"[:FORM_NAME_MAX]
        # REDCap adds a field "<form>_complete"; no item may already be called that.
        if f"{name}_complete" not in codes:
            break
    return name


def choice_codes(item: Item) -> dict[str, str]:
    """Map each option code to the raw value REDCap stores for it."""
    kept = [o.code for o in item.options if _WHOLE_NUMBER.match(o.code)]
    following = max((int(c) for c in kept), default=0) + 1
    codes = {}
    for option in item.options:
        if option.code in kept:
            codes[option.code] = option.code
        else:
            codes[option.code] = str(following)
            following += 1
    return codes


def _text(text: str) -> str:
    """Return plain text as REDCap label HTML: escaped, and ``[`` kept from being read as piping."""
    return escape(text, quote=False).replace("[", "&#91;")


def _label(text: str) -> str:
    return to_inline_html(text).replace("[", "&#91;")


def _choices(item: Item) -> str:
    if item.response_type == "scale_0_10":
        return " | ".join(f"{n}, {n}" for n in range(11))
    codes = choice_codes(item)
    # "|" separates choices and a line break ends one, so neither may stand in a label.
    labels = {o.code: _text(" ".join(o.label.split())).replace("|", "&#124;") for o in item.options}
    return " | ".join(f"{codes[o.code]}, {labels[o.code]}" for o in item.options)


def logic(cond: Condition, target: Item) -> str:
    """Return REDCap branching logic that holds when the answer to ``target`` meets ``cond``."""
    var = target.code
    options = options_meeting(cond, target)
    if options is None:
        operator = "<=" if cond.operator == "at_most" else ">="
        return f"[{var}] <> '' and [{var}] {operator} '{number(cond.value)}'"  # type: ignore[arg-type]
    if not options:
        return f"[{var}] = '' and [{var}] <> ''"  # no option meets it: never shown
    codes = choice_codes(target)
    if target.response_type == "multiple_choice":
        tests = [f"[{var}({codes[o.code]})] = '1'" for o in options]
    else:
        tests = [f"[{var}] = '{codes[o.code]}'" for o in options]
    return tests[0] if len(tests) == 1 else "(" + " or ".join(tests) + ")"


def _annotation(item: Item) -> str:
    lines = [f"Tool item {item.id}; respondent: {RESPONDENT_LABELS.get(item.respondent, item.respondent)}."]
    codes = choice_codes(item)
    changed = [f"{raw} = {code}" for code, raw in codes.items() if raw != code]
    if changed:
        lines.append(f"Stored codes for the tool's option codes: {'; '.join(changed)}.")
    if item.triage is not None:
        lines.append(f"TRIAGE: {triage_phrase(item)} (logic: {logic(item.triage.when, item)})")
    if item.source_note.strip():
        lines.append(f"Source: {' '.join(item.source_note.split())}")
    return _ACTION_TAG.sub("@\u200b", "\n".join(lines))


def _row(**values: str) -> list[str]:
    keys = (
        "name",
        "form",
        "section",
        "type",
        "label",
        "choices",
        "note",
        "validation",
        "min",
        "max",
        "identifier",
        "branching",
        "required",
        "alignment",
        "number",
        "matrix",
        "ranking",
        "annotation",
    )
    return [values.get(k, "") for k in keys]


def rows(content: ToolContent, info: VersionInfo) -> list[list[str]]:
    """Return the data dictionary's rows, without the header."""
    form = form_name(content)
    numbers = question_numbers(content)
    origin = _ACTION_TAG.sub("@\u200b", f"Data dictionary of {content.title}, {version_line(info)}.")
    result = [_row(name=RECORD_ID, form=form, type="text", label="Record ID", annotation=origin)]
    for domain in content.domains:
        for topic in domain.topics:
            section = f"{_text(domain.title)}: {_text(topic.title)}"
            for item in topic.items:
                branching = ""
                if item.show_when is not None and (target := content.item(item.show_when.item_id)) is not None:
                    branching = logic(item.show_when.when, target)
                result.append(
                    _row(
                        name=item.code,
                        form=form,
                        section=section,
                        type=FIELD_TYPES[item.response_type],
                        label=_label(item.stem),
                        choices=_choices(item) if item.options or item.response_type == "scale_0_10" else "",
                        note=_text(to_plain(item.help)),
                        validation="date_ymd" if item.response_type == "date" else "",
                        branching=branching,
                        required="y" if item.required and item.response_type != "display" else "",
                        alignment="RH" if item.response_type == "scale_0_10" else "",
                        number=str(numbers[item.id]) if item.id in numbers else "",
                        annotation=_annotation(item),
                    )
                )
                section = ""
    return result


def render(content: ToolContent, info: VersionInfo) -> bytes:
    """Return the version as a REDCap data dictionary CSV (UTF-8, no byte order mark)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerows(rows(content, info))
    return out.getvalue().encode("utf-8")
