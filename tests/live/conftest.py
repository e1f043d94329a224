"""Fixtures for live tests: a real server on SQLite (and PostgreSQL where marked)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live.harness import Facilitator, Server


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    """Return a running server on a fresh database: SQLite, then PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'live.db'}"
    else:
        url = request.getfixturevalue("pg_cluster").new_database()
    srv = Server(url, tmp_path).start()
    yield srv
    srv.stop()


@pytest.fixture
def facilitator(server: Server) -> Facilitator:
    """Return the first facilitator, created through the first-run setup page."""
    return Facilitator(server, "facilitator@example.org", setup=True)
