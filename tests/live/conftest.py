"""Fixtures for live tests: a real server on SQLite (and PostgreSQL where marked)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live.harness import Facilitator, Server


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """Return a running server on a fresh SQLite database."""
    srv = Server(f"sqlite:///{tmp_path / 'live.db'}", tmp_path).start()
    yield srv
    srv.stop()


@pytest.fixture
def facilitator(server: Server) -> Facilitator:
    """Return the first facilitator, created through the first-run setup page."""
    return Facilitator(server, "facilitator@example.org", setup=True)
