"""The built-in templates load, validate and match the systematic review's Table 1."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from workshop.core import toolformat
from workshop.core.content import CODE_MAX, CODE_PATTERN, content_to_dict
from workshop.core.errors import NotFound
from workshop.core.validation import problems_in

#: The needs areas of Table 1, per domain, in the order PRODUCT.md lists them.
EXPECTED_TOPICS = {
    "Personal": [
        "Work-life balance",
        "Emotional regulation",
        "Self-perception & identity",
        "Engagement with RTW",
    ],
    "Social": [
        "Professional culture",
        "Awareness of RTW",
        "Peer support",
        "Social network",
    ],
    "Organisational": [
        "Flexibility & job control",
        "Work design",
        "OH services",
        "Organisational culture",
        "Prior job satisfaction",
        "Paid leave",
        "Training provision",
        "Childcare facility & flexibility",
        "Stigma reduction",
        "Consistent supervisor",
        "Clear policy & information",
        "Tailored OH services",
        "Increased flexibility",
        "Improved staffing",
    ],
}


@pytest.fixture(scope="module")
def rtw():
    """Return the rtw-review template's content."""
    return toolformat.template("rtw-review")


def test_rtw_review_loads_and_validates(rtw):
    assert rtw.title == "Returning doctors' needs assessment (starter draft)"
    assert problems_in(rtw) == []


def test_rtw_review_domains_are_personal_social_organisational(rtw):
    assert [(d.id, d.title) for d in rtw.domains] == [
        ("personal", "Personal"),
        ("social", "Social"),
        ("organisational", "Organisational"),
    ]
    assert all(d.description for d in rtw.domains)


def test_rtw_review_topics_are_table_1_needs_areas_in_order(rtw):
    assert {d.title: [t.title for t in d.topics] for d in rtw.domains} == EXPECTED_TOPICS
    assert len(rtw.topics()) == 22


def test_every_topic_has_a_description_and_at_least_one_item(rtw):
    for _, topic in rtw.topics():
        assert topic.description, topic.id
        assert topic.items, f"topic {topic.id} has no items"


def test_every_item_is_marked_as_a_starter_item_naming_its_topic(rtw):
    for _, topic, item in rtw.items():
        note = item.source_note
        assert "starter item" in note.lower(), item.id
        assert "Table 1" in note, item.id
        assert topic.title in note, item.id


def test_item_codes_are_unique_export_safe_names(rtw):
    codes = [item.code for _, _, item in rtw.items()]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert CODE_PATTERN.match(code) and len(code) <= CODE_MAX, code


def test_rtw_review_has_triage_rules_and_a_conditional_item(rtw):
    items = [item for _, _, item in rtw.items()]
    assert sum(1 for i in items if i.triage) >= 2
    shown = [i for i in items if i.show_when]
    assert shown
    for item in shown:
        assert rtw.item(item.show_when.item_id) is not None


def test_rtw_review_file_spells_out_every_field():
    # The file doubles as an example of the format, so no field is left to its default.
    text = resources.files("workshop.core").joinpath("templates", "rtw-review.json").read_text("utf-8")
    tool = json.loads(text)["tool"]
    assert tool == content_to_dict(toolformat.loads(text))


def test_blank_loads_with_no_domains():
    blank = toolformat.template("blank")
    assert blank.title
    assert blank.domains == ()


@pytest.mark.parametrize("name", toolformat.TEMPLATES)
def test_template_survives_export_and_import(name):
    content = toolformat.template(name)
    assert toolformat.loads(toolformat.dumps(content)) == content


def test_unknown_template_is_not_found():
    with pytest.raises(NotFound):
        toolformat.template("no-such-template")
