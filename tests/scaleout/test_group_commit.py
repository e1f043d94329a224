"""Group commit on SQLite: actions share transactions, yet each caller returns only once its action is committed."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from workshop.core.errors import Invalid
from workshop.db import Database


def test_every_returned_action_is_committed_and_a_failed_one_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "group.db"
    db = Database(f"sqlite:///{path}")
    with db.write() as session:
        session.execute(text("CREATE TABLE probe (id INTEGER PRIMARY KEY AUTOINCREMENT, n INTEGER UNIQUE)"))
    broadcast: list[int] = []
    outcome: dict[int, str] = {}

    def action(n: int) -> None:
        def work(session: Session) -> int:
            session.execute(text("INSERT INTO probe (n) VALUES (:n)"), {"n": n})
            if n % 7 == 0:
                raise Invalid(f"refused {n}")  # after writing: the savepoint must undo the insert
            return n

        try:
            db.batched(work, after=broadcast.append)
        except Invalid:
            outcome[n] = "refused"
            return
        # Acknowledged means committed: another connection sees the row the moment the caller returns.
        with sqlite3.connect(path) as other:
            outcome[n] = "committed" if other.execute("SELECT 1 FROM probe WHERE n = ?", (n,)).fetchone() else "lost"

    threads = [threading.Thread(target=action, args=(n,)) for n in range(1, 121)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    refused = {n for n in range(1, 121) if n % 7 == 0}
    assert {n for n, what in outcome.items() if what == "refused"} == refused
    assert {n for n, what in outcome.items() if what == "committed"} == set(range(1, 121)) - refused
    with sqlite3.connect(path) as other:
        stored = [n for (n,) in other.execute("SELECT n FROM probe ORDER BY id")]
    assert sorted(stored) == sorted(set(range(1, 121)) - refused)
    # After-commit steps (broadcasts) run once per committed action, in the order the actions were applied.
    assert broadcast == stored
    db.dispose()
