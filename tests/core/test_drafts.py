"""The draft store: versions numbered without gaps, stale changes refused, restore, names."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from workshop.core import drafts, toolformat
from workshop.core.actors import CLI, Actor
from workshop.core.content import ToolContent, content_to_dict
from workshop.core.errors import Conflict, Invalid, NotFound
from workshop.core.models import DraftVersion, ItemRevision
from workshop.db import Database

ALICE = Actor("facilitator", 1, "alice@example.org")


def _new_tool(db: Database) -> tuple[int, ToolContent]:
    content = toolformat.template("rtw-review")
    with db.write() as s:
        info = drafts.create_tool(s, CLI, content, origin={"template": "rtw-review"})
    return info.tool_id, content


def _first_item(content: ToolContent) -> str:
    return content.items()[0][2].id


def test_create_tool_saves_version_one_exactly(db: Database) -> None:
    tool_id, content = _new_tool(db)
    with db.read() as s:
        assert [v.number for v in drafts.versions(s, tool_id)] == [1]
        assert drafts.read(s, tool_id, 1) == content
        info = drafts.version(s, tool_id, 1)
    assert info.kind == "create" and info.parent_number is None
    assert info.changes == [{"op": "create", "template": "rtw-review"}]


def test_commit_makes_next_version_with_author_note_and_changes(db: Database) -> None:
    tool_id, content = _new_tool(db)
    item_id = _first_item(content)
    change = {"op": "update_item", "item_id": item_id, "set": {"stem": "New wording"}, "provenance": {"proposal": 7}}
    with db.write() as s:
        info = drafts.commit(s, tool_id, 1, [change], ALICE, note="clearer")
    assert info is not None and info.number == 2 and info.parent_number == 1
    assert info.author == "facilitator: alice@example.org" and info.note == "clearer"
    assert info.changes[0]["provenance"] == {"proposal": 7}
    with db.read() as s:
        assert drafts.read(s, tool_id, 2).item(item_id).stem == "New wording"  # type: ignore[union-attr]
        assert drafts.read(s, tool_id, 1) == content  # the old version is untouched


def test_stale_base_is_refused_with_current_version_and_changes_nothing(db: Database) -> None:
    tool_id, content = _new_tool(db)
    item_id = _first_item(content)
    with db.write() as s:
        drafts.commit(s, tool_id, 1, [{"op": "update_item", "item_id": item_id, "set": {"stem": "A"}}], ALICE)
    with pytest.raises(Conflict) as caught, db.write() as s:
        drafts.commit(s, tool_id, 1, [{"op": "update_item", "item_id": item_id, "set": {"stem": "B"}}], ALICE)
    assert caught.value.current == {"version": 2}
    assert "modified in the meantime" in caught.value.message
    with db.read() as s:
        assert drafts.get_tool(s, tool_id).latest_version == 2
        assert drafts.read(s, tool_id, 2).item(item_id).stem == "A"  # type: ignore[union-attr]


def test_change_that_changes_nothing_makes_no_version(db: Database) -> None:
    tool_id, content = _new_tool(db)
    item = content.items()[0][2]
    with db.write() as s:
        assert (
            drafts.commit(s, tool_id, 1, [{"op": "update_item", "item_id": item.id, "set": {"stem": item.stem}}], ALICE)
            is None
        )
    with db.read() as s:
        assert len(drafts.versions(s, tool_id)) == 1


def test_invalid_change_is_refused_and_rolls_back(db: Database) -> None:
    tool_id, content = _new_tool(db)
    first, second = content.items()[0][2], content.items()[1][2]
    bad = [
        {"op": "update_item", "item_id": first.id, "set": {"stem": "fine"}},
        {"op": "update_item", "item_id": second.id, "set": {"code": first.code}},
    ]
    with pytest.raises(Invalid, match="used twice"), db.write() as s:
        drafts.commit(s, tool_id, 1, bad, ALICE)
    with db.read() as s:
        assert drafts.get_tool(s, tool_id).latest_version == 1
        assert drafts.read(s, tool_id, 1) == content


def test_restore_makes_a_new_version_equal_to_the_old(db: Database) -> None:
    tool_id, content = _new_tool(db)
    item_id = _first_item(content)
    with db.write() as s:
        drafts.commit(s, tool_id, 1, [{"op": "remove_item", "item_id": item_id}], ALICE)
    with db.write() as s:
        info = drafts.restore(s, tool_id, 1, ALICE)
    assert info is not None and info.number == 3 and info.kind == "restore"
    assert info.changes == [{"op": "restore", "from_version": 1}]
    with db.read() as s:
        assert drafts.read(s, tool_id, 3) == content
        assert drafts.read(s, tool_id, 2).item(item_id) is None  # history is not rewritten
    with db.write() as s:
        assert drafts.restore(s, tool_id, 3, ALICE) is None  # already the latest content


def test_name_and_agree_and_resolve(db: Database) -> None:
    tool_id, _content = _new_tool(db)
    with db.write() as s:
        drafts.commit(s, tool_id, 1, [{"op": "set_tool", "set": {"title": "Renamed"}}], ALICE)
        drafts.name_version(s, tool_id, 1, "  starting point  ")
    with db.read() as s, pytest.raises(NotFound, match="no agreed version"):
        drafts.resolve(s, tool_id, "agreed")
    with db.write() as s:
        drafts.mark_agreed(s, tool_id, 1)
    with db.read() as s:
        assert drafts.resolve(s, tool_id, "latest") == 2
        assert drafts.resolve(s, tool_id, "agreed") == 1
        listed = drafts.versions(s, tool_id)
        assert [(v.number, v.name, v.agreed) for v in listed] == [(1, "starting point", True), (2, None, False)]
        assert drafts.get_tool(s, tool_id).title == "Renamed"
        with pytest.raises(NotFound):
            drafts.resolve(s, tool_id, 9)
        with pytest.raises(Invalid):
            drafts.resolve(s, tool_id, "newest")
    with pytest.raises(NotFound), db.write() as s:
        drafts.mark_agreed(s, tool_id, 5)


def test_unchanged_items_are_stored_once(db: Database) -> None:
    tool_id, content = _new_tool(db)
    n_items = len(content.items())
    item_id = _first_item(content)
    for number in range(1, 6):
        with db.write() as s:
            drafts.commit(
                s, tool_id, number, [{"op": "update_item", "item_id": item_id, "set": {"help": f"h{number}"}}], ALICE
            )
    with db.read() as s:
        revisions = s.scalar(select(func.count()).select_from(ItemRevision).where(ItemRevision.tool_id == tool_id))
        versions = s.scalar(select(func.count()).select_from(DraftVersion).where(DraftVersion.tool_id == tool_id))
    assert versions == 6
    assert revisions == n_items + 5


def test_content_survives_a_fresh_process_cache(db: Database) -> None:
    tool_id, content = _new_tool(db)
    drafts._content_cache.clear()
    with db.read() as s:
        assert content_to_dict(drafts.read(s, tool_id, 1)) == content_to_dict(content)


def test_unknown_tool_is_not_found(db: Database) -> None:
    with pytest.raises(NotFound, match="no tool 999"), db.write() as s:
        drafts.commit(s, 999, 1, [{"op": "set_tool", "set": {"title": "x"}}], ALICE)
