"""Applying changes to tool content: what each op does, and the clear refusals."""

from __future__ import annotations

import pytest

from workshop.core.changes import apply_changes
from workshop.core.content import ToolContent
from workshop.core.errors import Invalid, NotFound
from workshop.core.toolformat import template


def _base() -> ToolContent:
    content, _ = apply_changes(
        ToolContent("T"),
        [
            {"op": "add_domain", "domain": {"id": "d", "title": "Personal"}},
            {"op": "add_topic", "domain_id": "d", "topic": {"id": "t", "title": "Topic"}},
            {
                "op": "add_item",
                "topic_id": "t",
                "item": {"id": "q1", "code": "q1", "stem": "One", "response_type": "yes_no_na"},
            },
            {"op": "add_item", "topic_id": "t", "item": {"id": "q2", "code": "q2", "stem": "Two"}},
        ],
    )
    return content


def test_removing_an_item_clears_conditions_that_depended_on_it() -> None:
    content = template("rtw-review")
    target = next(
        i
        for _, _, i in content.items()
        if any(o.show_when and o.show_when.item_id == i.id for _, _, o in content.items())
    )
    dependants = [i.id for _, _, i in content.items() if i.show_when and i.show_when.item_id == target.id]
    after, recorded = apply_changes(content, [{"op": "remove_item", "item_id": target.id}])
    assert after.item(target.id) is None
    assert recorded[0]["cleared_show_when"] == dependants
    assert all(after.item(d).show_when is None for d in dependants)  # type: ignore[union-attr]


def test_changing_response_type_takes_that_types_default_options() -> None:
    content = _base()
    after, _ = apply_changes(content, [{"op": "update_item", "item_id": "q1", "set": {"response_type": "short_text"}}])
    assert after.item("q1").options == ()  # type: ignore[union-attr]
    after, _ = apply_changes(
        content, [{"op": "update_item", "item_id": "q1", "set": {"response_type": "single_choice"}}]
    )
    assert [o.label for o in after.item("q1").options] == ["Yes", "No", "Not applicable"]  # type: ignore[union-attr]


def test_structure_ops() -> None:
    content = _base()
    after, _ = apply_changes(
        content,
        [
            {"op": "add_topic", "domain_id": "d", "topic": {"id": "t2", "title": "Second"}, "position": 0},
            {"op": "move_item", "item_id": "q2", "topic_id": "t2"},
            {"op": "update_topic", "topic_id": "t", "set": {"title": "Renamed"}},
            {"op": "add_domain", "domain": {"id": "d2", "title": "Social"}},
            {"op": "move_topic", "topic_id": "t", "domain_id": "d2"},
            {"op": "move_domain", "domain_id": "d2", "position": 0},
        ],
    )
    assert [d.id for d in after.domains] == ["d2", "d"]
    assert [(t.id, t.title, [i.id for i in t.items]) for _, t in after.topics()] == [
        ("t", "Renamed", ["q1"]),
        ("t2", "Second", ["q2"]),
    ]


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"op": "explode"}, Invalid, "unknown change op"),
        ("not a dict", Invalid, "must be an object"),
        ({"op": "remove_item", "item_id": "nope"}, NotFound, "no item 'nope'"),
        ({"op": "remove_topic", "topic_id": "t"}, Invalid, "still has items"),
        ({"op": "remove_domain", "domain_id": "d"}, Invalid, "still has topics"),
        ({"op": "move_item", "item_id": "q1", "topic_id": "t", "position": 9}, Invalid, "position must be"),
        ({"op": "update_item", "item_id": "q1", "set": {"colour": "red"}}, Invalid, "unknown fields colour"),
        ({"op": "update_item", "item_id": "q1", "set": {"stem": ""}}, Invalid, "stem must not be empty"),
        ({"op": "add_item", "topic_id": "t", "item": {"code": "q1", "stem": "Dup"}}, Invalid, "used twice"),
        ({"op": "set_tool", "set": {"title": 5}}, Invalid, "title must be text"),
        ({"op": "set_tool", "set": {"title": "Two\nlines"}}, Invalid, "control characters or line breaks"),
        ({"op": "update_item", "item_id": "q2", "set": {"stem": "bell\x07"}}, Invalid, "control characters"),
        ({"op": "update_item", "item_id": "q2", "set": {"code": "redcap_x"}}, Invalid, "reserved"),
        ({"op": "update_item", "item_id": "q2", "set": {"code": "form_complete"}}, Invalid, "reserved"),
        (
            {
                "op": "update_item",
                "item_id": "q2",
                "set": {"options": [{"code": "a", "label": "A"}, {"code": "A", "label": "B"}]},
            },
            Invalid,
            "ignore case",
        ),
        (
            {
                "op": "update_item",
                "item_id": "q2",
                "set": {"show_when": {"item_id": "q1", "when": {"operator": "at_most", "value": -1}}},
            },
            Invalid,
            "no answer of q1 can meet",
        ),
    ],
)
def test_refusals_are_clear(change: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        apply_changes(_base(), [change])
