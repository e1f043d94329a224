"""A tool version as an HL7 FHIR Questionnaire (R4 or R5), as JSON.

Domains and topics become groups (linkIds ``domain-<id>`` and ``topic-<id>``), items
become questions whose linkId is the item's code (so answers line up with the other
exports), help text a child display item (``<code>.help``) marked with the ``help``
item control. No two linkIds can meet: codes hold no ``-`` or ``.``.
"""

from __future__ import annotations

import json
import math
from typing import Any

from ..core.content import Condition, Item, Option, ToolContent
from ..core.drafts import VersionInfo
from .markdown import escape, limited
from .markup import to_plain
from .wording import options_meeting, slug

EXT_ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
ITEM_CONTROL_SYSTEM = "http://hl7.org/fhir/questionnaire-item-control"
EXT_MIN = "http://hl7.org/fhir/StructureDefinition/minValue"
EXT_MAX = "http://hl7.org/fhir/StructureDefinition/maxValue"
EXT_SLIDER_STEP = "http://hl7.org/fhir/StructureDefinition/questionnaire-sliderStepValue"
EXT_MARKDOWN = "http://hl7.org/fhir/StructureDefinition/rendering-markdown"
#: An option's score: on the Coding in R4, on the answer option in R5.
EXT_ORDINAL_R4 = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
EXT_WEIGHT_R5 = "http://hl7.org/fhir/StructureDefinition/itemWeight"

SIMPLE_TYPES = {"short_text": "string", "long_text": "text", "scale_0_10": "integer", "date": "date"}


def _item_control(code: str) -> dict[str, Any]:
    coding = {"system": ITEM_CONTROL_SYSTEM, "code": code}
    return {"url": EXT_ITEM_CONTROL, "valueCodeableConcept": {"coding": [coding]}}


def _texts(entry: dict[str, Any], markdown_text: str) -> None:
    """Set an item's plain ``text``, and its Markdown rendering where that differs."""
    plain = to_plain(markdown_text) or markdown_text.strip()
    entry["text"] = plain
    source = limited(markdown_text)
    if source != plain:
        entry["_text"] = {"extension": [{"url": EXT_MARKDOWN, "valueMarkdown": source}]}


def _coding(option: Option) -> dict[str, Any]:
    return {"code": option.code, "display": " ".join(option.label.split())}


def _answer_option(option: Option, release: str) -> dict[str, Any]:
    coding = _coding(option)
    answer: dict[str, Any] = {"valueCoding": coding}
    if option.score is not None:
        if release == "R4":
            coding["extension"] = [{"url": EXT_ORDINAL_R4, "valueDecimal": option.score}]
        else:
            answer["extension"] = [{"url": EXT_WEIGHT_R5, "valueDecimal": option.score}]
    return answer


def enable_when(cond: Condition, target: Item) -> tuple[list[dict[str, Any]], str | None]:
    """Return the enableWhen entries that hold when ``target``'s answer meets ``cond``, and the behaviour."""
    options = options_meeting(cond, target)
    if options is None:
        bound = float(cond.value)  # type: ignore[arg-type]
        # The answer is a whole number, so a fractional bound rounds towards the answers it admits.
        if cond.operator == "at_most":
            return [{"question": target.code, "operator": "<=", "answerInteger": math.floor(bound)}], None
        return [{"question": target.code, "operator": ">=", "answerInteger": math.ceil(bound)}], None
    if not options:
        # No option meets the condition: an answer that both exists and does not is never there.
        never = [{"question": target.code, "operator": "exists", "answerBoolean": flag} for flag in (True, False)]
        return never, "all"
    tests = [{"question": target.code, "operator": "=", "answerCoding": _coding(o)} for o in options]
    return tests, "any" if len(tests) > 1 else None


def _question(item: Item, content: ToolContent, release: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"linkId": item.code}
    if item.response_type == "display":
        text = item.stem if not item.help.strip() else f"{item.stem}\n\n{item.help}"
        _texts(entry, text)
        entry["type"] = "display"
    else:
        _texts(entry, item.stem)
        if item.options:
            entry["type"] = "choice" if release == "R4" else "coding"
            if release == "R5":
                entry["answerConstraint"] = "optionsOnly"
        else:
            entry["type"] = SIMPLE_TYPES[item.response_type]
        if item.required:
            entry["required"] = True
        if item.response_type == "multiple_choice":
            entry["repeats"] = True
    if item.show_when is not None and (target := content.item(item.show_when.item_id)) is not None:
        tests, behaviour = enable_when(item.show_when.when, target)
        entry["enableWhen"] = tests
        if behaviour:
            entry["enableBehavior"] = behaviour
    if item.options:
        entry["answerOption"] = [_answer_option(o, release) for o in item.options]
    if item.response_type == "scale_0_10":
        entry["extension"] = [
            {"url": EXT_MIN, "valueInteger": 0},
            {"url": EXT_MAX, "valueInteger": 10},
            _item_control("slider"),
            {"url": EXT_SLIDER_STEP, "valueInteger": 1},
        ]
    if item.help.strip() and item.response_type != "display":
        help_item: dict[str, Any] = {"linkId": f"{item.code}.help", "extension": [_item_control("help")]}
        _texts(help_item, item.help)
        help_item["type"] = "display"
        entry["item"] = [help_item]
    return entry


def _description(link_id: str, text: str) -> list[dict[str, Any]]:
    return [{"linkId": f"{link_id}.description", "text": text.strip(), "type": "display"}] if text.strip() else []


def _computable_name(title: str) -> str:
    words = slug(title, sep=" ", limit=200, fallback="needs assessment").split()
    name = "".join(w.capitalize() for w in words)
    return name if name[0].isalpha() else f"Tool{name}"


def questionnaire(content: ToolContent, info: VersionInfo, release: str) -> dict[str, Any]:
    """Return the version as a Questionnaire resource (a JSON-ready dict) for FHIR ``R4`` or ``R5``."""
    if release not in ("R4", "R5"):
        raise ValueError(f"unknown FHIR release {release!r}")
    groups = []
    for domain in content.domains:
        topics = []
        for topic in domain.topics:
            if topic.items:
                link = f"topic-{topic.id}"
                questions = [_question(i, content, release) for i in topic.items]
                items = _description(link, topic.description) + questions
                topics.append({"linkId": link, "text": topic.title.strip(), "type": "group", "item": items})
        if topics:
            link = f"domain-{domain.id}"
            items = _description(link, domain.description) + topics
            groups.append({"linkId": link, "text": domain.title.strip(), "type": "group", "item": items})
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": f"tool-{info.tool_id}-v{info.number}",
        "version": str(info.number),
        "name": _computable_name(content.title),
        "title": content.title.strip(),
        "status": "draft",
        "date": info.created_at.isoformat(),
    }
    if content.description.strip():
        resource["description"] = escape(content.description)  # a markdown element; the tool's is plain text
    if groups:
        resource["item"] = groups
    return resource


def _dumps(resource: dict[str, Any]) -> bytes:
    return (json.dumps(resource, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def render_r4(content: ToolContent, info: VersionInfo) -> bytes:
    """Return the version as a FHIR R4 Questionnaire in JSON."""
    return _dumps(questionnaire(content, info, "R4"))


def render_r5(content: ToolContent, info: VersionInfo) -> bytes:
    """Return the version as a FHIR R5 Questionnaire in JSON."""
    return _dumps(questionnaire(content, info, "R5"))
