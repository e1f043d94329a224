"""Property tests: random edits, restores, stale edits and no-ops keep the draft store's invariants."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workshop.core import drafts
from workshop.core.actors import CLI
from workshop.core.content import ToolContent, content_to_dict
from workshop.core.errors import Conflict
from workshop.db import Database

try:
    from workshop.core.diff import compare
except ImportError:  # pragma: no cover - the diff module arrives with its own change
    compare = None

WORDS = st.sampled_from(["need", "support", "return", "work", "team", "shift", "leave", "help"])
TEXT = st.lists(WORDS, min_size=1, max_size=5).map(" ".join)

# Each step: (kind, a, b, text). Indices are taken modulo what exists when the step runs.
STEP = st.tuples(
    st.sampled_from(["add", "reword", "move", "remove", "title", "restore", "stale", "noop"]),
    st.integers(0, 50),
    st.integers(0, 50),
    TEXT,
)

START = ToolContent(
    title="Property tool",
    domains=(),
)


def _seed_changes() -> list[dict[str, Any]]:
    return [
        {"op": "add_domain", "domain": {"id": "d1", "title": "Personal"}},
        {"op": "add_topic", "domain_id": "d1", "topic": {"id": "t1", "title": "Work-life balance"}},
        {"op": "add_topic", "domain_id": "d1", "topic": {"id": "t2", "title": "Peer support"}},
    ]


def _change_for(kind: str, a: int, b: int, text: str, content: ToolContent, counter: int) -> list[dict[str, Any]]:
    items = [i for _, _, i in content.items()]
    topics = ["t1", "t2"]
    if kind == "add" or not items:
        return [
            {"op": "add_item", "topic_id": topics[a % 2], "position": 0, "item": {"code": f"q{counter}", "stem": text}}
        ]
    item = items[a % len(items)]
    if kind == "reword":
        return [{"op": "update_item", "item_id": item.id, "set": {"stem": text}}]
    if kind == "move":
        return [{"op": "move_item", "item_id": item.id, "topic_id": topics[b % 2], "position": 0}]
    if kind == "remove":
        return [{"op": "remove_item", "item_id": item.id}]
    if kind == "noop":
        return [{"op": "update_item", "item_id": item.id, "set": {"stem": item.stem}}]
    return [{"op": "set_tool", "set": {"title": text}}]


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEP, min_size=1, max_size=12))
def test_random_histories_keep_the_invariants(db: Database, steps: list[tuple[str, int, int, str]]) -> None:
    with db.write() as s:
        created = drafts.create_tool(s, CLI, START)
    tool_id = created.tool_id
    with db.write() as s:
        drafts.commit(s, tool_id, 1, _seed_changes(), CLI)
    # What we expect each version to hold, built independently of the store's reads.
    expected: dict[int, dict[str, Any]] = {}
    with db.read() as s:
        expected[1] = content_to_dict(drafts.read(s, tool_id, 1))
        expected[2] = content_to_dict(drafts.read(s, tool_id, 2))
    latest = 2
    for counter, (kind, a, b, text) in enumerate(steps):
        with db.read() as s:
            current = drafts.read(s, tool_id, latest)
        if kind == "restore":
            target = 2 + a % (latest - 1)  # version 1 predates the topics
            with db.write() as s:
                info = drafts.restore(s, tool_id, target, CLI)
            if expected[target] == expected[latest]:
                assert info is None
            else:
                assert info is not None and info.number == latest + 1
                latest = info.number
                expected[latest] = expected[target]
            continue
        if kind == "stale" and latest > 1:
            with pytest.raises(Conflict), db.write() as s:
                drafts.commit(s, tool_id, latest - 1, [{"op": "set_tool", "set": {"title": text + " stale"}}], CLI)
            continue
        changes = _change_for(kind, a, b, text, current, counter)
        with db.write() as s:
            info = drafts.commit(s, tool_id, latest, changes, CLI)
        with db.read() as s:
            saved = content_to_dict(drafts.read(s, tool_id, latest if info is None else info.number))
        if info is None:
            assert saved == expected[latest], "a change that changed nothing must make no version"
        else:
            assert info.number == latest + 1
            assert saved != expected[latest]
            latest = info.number
            expected[latest] = saved

    drafts._content_cache.clear()  # read back from the database, not from the cache
    with db.read() as s:
        numbers = [v.number for v in drafts.versions(s, tool_id)]
        assert numbers == list(range(1, latest + 1)), "versions are numbered 1..n without gaps"
        contents = {n: drafts.read(s, tool_id, n) for n in numbers}
    for n in numbers:
        assert content_to_dict(contents[n]) == expected[n], "every version reads back exactly as saved"
    if compare is not None:
        for x in numbers:
            for y in numbers[-3:]:
                equal = content_to_dict(contents[x]) == content_to_dict(contents[y])
                assert compare(contents[x], contents[y])["equal"] == equal, "diff is empty exactly when equal"
