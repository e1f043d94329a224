"""The database layer: a read sees one moment of the database, on SQLite and on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select

from workshop.core import drafts, toolformat
from workshop.core.actors import CLI
from workshop.core.models import Tool
from workshop.db import Database


def _new_tool(db: Database) -> int:
    with db.write() as s:
        return drafts.create_tool(s, CLI, toolformat.template("blank"), origin={"template": "blank"}).tool_id


def test_a_read_sees_one_moment_even_while_others_commit(db: Database) -> None:
    _new_tool(db)
    with db.read() as reading:
        before = reading.scalar(select(func.count()).select_from(Tool))
        _new_tool(db)  # committed by another transaction while the read is open
        assert reading.scalar(select(func.count()).select_from(Tool)) == before == 1
    with db.read() as later:
        assert later.scalar(select(func.count()).select_from(Tool)) == 2
