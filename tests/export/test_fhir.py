"""FHIR Questionnaires, checked by fhir.resources' models and FHIRPath invariants (fhirpathpy)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fhir.resources.questionnaire import Questionnaire as QuestionnaireR5
from fhir.resources.R4B.questionnaire import Questionnaire as QuestionnaireR4B
from fhirpathpy import evaluate

from workshop.core.content import ToolContent
from workshop.core.drafts import VersionInfo
from workshop.export.fhir import EXT_ITEM_CONTROL
from workshop.export.formats import export

from .conftest import missing

ITEM_TYPES = {
    "fhir-r4": {
        "group", "display", "boolean", "decimal", "integer", "date", "dateTime", "time", "string", "text", "url",
        "choice", "open-choice", "attachment", "reference", "quantity",
    },
    "fhir-r5": {
        "group", "display", "question", "boolean", "decimal", "integer", "date", "dateTime", "time", "string",
        "text", "url", "coding", "attachment", "reference", "quantity",
    },
}  # fmt: skip
CHOICE_TYPE = {"fhir-r4": "choice", "fhir-r5": "coding"}
#: Invariants of the FHIR specification (Questionnaire and its items), as FHIRPath that must be true.
INVARIANTS = {
    "que-0 name is computable": "name.exists() implies name.matches('^[A-Z]([A-Za-z0-9_]){0,254}$')",
    "que-2 linkIds are unique": "descendants().linkId.isDistinct()",
    "que-1 groups have items, display items none": (
        "repeat(item).all((type = 'group' implies item.exists()) and (type = 'display' implies item.empty()))"
    ),
    "que-6 display items are neither required nor repeating": (
        "repeat(item).where(type = 'display').all(required.empty() and repeats.empty())"
    ),
    "que-3 display items have no code": "repeat(item).where(type = 'display').all(code.empty())",
    "que-12 several conditions say how they combine": (
        "repeat(item).all(enableWhen.count() > 1 implies enableBehavior.exists())"
    ),
    "que-7 exists compares with a boolean": (
        "repeat(item).enableWhen.all(operator = 'exists' implies answerBoolean.exists())"
    ),
    "enableWhen asks about a question of this questionnaire": (
        "repeat(item).enableWhen.question.subsetOf(%resource.repeat(item).linkId)"
    ),
    "status is draft": "status = 'draft'",
}  # fmt: skip


def _resource(content: ToolContent, info: VersionInfo, fmt: str) -> dict[str, Any]:
    return json.loads(export(content, info, fmt))


def _items(resource: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    stack = list(resource.get("item", []))
    while stack:
        item = stack.pop(0)
        found.append(item)
        stack[:0] = item.get("item", [])
    return found


@pytest.mark.parametrize("fmt", ["fhir-r4", "fhir-r5"])
def test_resource_validates_against_the_release_model(content: ToolContent, info: VersionInfo, fmt: str) -> None:
    resource = _resource(content, info, fmt)
    model = QuestionnaireR4B if fmt == "fhir-r4" else QuestionnaireR5
    parsed = model.model_validate(resource)
    assert parsed.status == "draft" and parsed.version == "12" and parsed.title == content.title.strip()


def test_r5_only_fields_are_rejected_by_the_r4_model(template: ToolContent, info: VersionInfo) -> None:
    # Shows the check above can fail: the R4B model forbids R5's answerConstraint.
    with pytest.raises(ValueError, match="answerConstraint"):
        QuestionnaireR4B.model_validate(_resource(template, info, "fhir-r5"))


@pytest.mark.parametrize("fmt", ["fhir-r4", "fhir-r5"])
@pytest.mark.parametrize("name", list(INVARIANTS))
def test_fhirpath_invariants_hold(content: ToolContent, info: VersionInfo, fmt: str, name: str) -> None:
    resource = _resource(content, info, fmt)
    assert evaluate(resource, INVARIANTS[name], {"resource": resource}) == [True], name


@pytest.mark.parametrize("fmt", ["fhir-r4", "fhir-r5"])
def test_item_types_belong_to_the_release(content: ToolContent, info: VersionInfo, fmt: str) -> None:
    resource = _resource(content, info, fmt)
    types = set(evaluate(resource, "Questionnaire.repeat(item).type"))
    assert types <= ITEM_TYPES[fmt]
    with_options = set(evaluate(resource, "Questionnaire.repeat(item).where(answerOption.exists()).type"))
    assert with_options <= {CHOICE_TYPE[fmt]}


@pytest.mark.parametrize("fmt", ["fhir-r4", "fhir-r5"])
def test_items_map_the_tool(template: ToolContent, info: VersionInfo, fmt: str) -> None:
    resource = _resource(template, info, fmt)
    by_link = {i["linkId"]: i for i in _items(resource)}
    assert [g["linkId"] for g in resource["item"]] == [f"domain-{d.id}" for d in template.domains]
    for _, topic, item in template.items():
        entry = by_link[item.code]
        assert f"topic-{topic.id}" in by_link
        assert entry.get("required", False) == item.required
        if item.options:
            codes = [o["valueCoding"]["code"] for o in entry["answerOption"]]
            assert codes == [o.code for o in item.options]
            assert entry["type"] == CHOICE_TYPE[fmt]
        assert entry.get("repeats", False) == (item.response_type == "multiple_choice")
        if item.help and item.response_type != "display":
            (help_item,) = entry["item"]
            assert help_item["type"] == "display" and help_item["linkId"] == f"{item.code}.help"
            control = [e for e in help_item["extension"] if e["url"] == EXT_ITEM_CONTROL]
            assert control[0]["valueCodeableConcept"]["coding"][0]["code"] == "help"
    if fmt == "fhir-r5":
        choice = by_link["emo_coping"]
        assert choice["answerConstraint"] == "optionsOnly"
    scale = by_link["spi_confidence"]
    assert scale["type"] == "integer"
    assert {e["url"].rsplit("/", 1)[1]: e.get("valueInteger") for e in scale["extension"]}["minValue"] == 0


def test_show_when_becomes_enable_when(awkward: ToolContent, info: VersionInfo) -> None:
    by_link = {i["linkId"]: i for i in _items(_resource(awkward, info, "fhir-r4"))}
    multi = by_link["q_multi"]
    assert multi["enableBehavior"] == "any"
    assert [w["answerCoding"]["code"] for w in multi["enableWhen"]] == ["a", "x_y"]
    assert by_link["q_long"]["enableWhen"] == [{"question": "q_scale", "operator": "<=", "answerInteger": 3}]
    emph = by_link["q_emph"]["enableWhen"]
    assert [w["answerCoding"]["code"] for w in emph] == ["a"], "at_least 2 on scores picks the options scored 2+"
    never = by_link["q_never"]
    assert [w["answerCoding"]["code"] for w in never["enableWhen"]] == ["B2"], "at_most 1 picks the options scored 1-"


def test_awkward_text_survives(awkward: ToolContent, info: VersionInfo) -> None:
    for fmt in ("fhir-r4", "fhir-r5"):
        resource = _resource(awkward, info, fmt)
        texts = evaluate(resource, "Questionnaire.descendants().select(text | display | valueMarkdown | title)")
        assert not missing(" ".join(str(t) for t in texts)), fmt
        emph = {i["linkId"]: i for i in _items(resource)}["q_emph"]
        assert emph["text"] == "I feel strongly supported by my team"
        assert emph["_text"]["extension"][0]["valueMarkdown"] == "I feel **strongly supported** by *my team*"


def test_the_invariants_catch_a_broken_questionnaire() -> None:
    broken = {
        "resourceType": "Questionnaire",
        "status": "active",
        "name": "not computable",
        "item": [
            {"linkId": "a", "type": "display", "required": True, "code": [{"code": "x"}], "item": [{"linkId": "a"}]},
            {"linkId": "g", "type": "group"},
            {
                "linkId": "q",
                "type": "string",
                "enableWhen": [
                    {"question": "nowhere", "operator": "exists", "answerString": "x"},
                    {"question": "a", "operator": "=", "answerString": "y"},
                ],
            },
        ],
    }
    for name, expression in INVARIANTS.items():
        assert evaluate(broken, expression, {"resource": broken}) == [False], name
