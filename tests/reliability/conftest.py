"""Fixtures for reliability tests: a real server that can be killed and started again on the same database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live.harness import Server


class Restartable:
    """A `workshop serve` process that can be SIGKILLed and started again on the same port and database."""

    def __init__(self, database_url: str, workdir: Path, env: dict[str, str] | None = None) -> None:
        self.database_url = database_url
        self.workdir = workdir
        self.env = env
        self.server = Server(database_url, workdir, env)
        self.starts = 0

    @property
    def url(self) -> str:
        """Return the server's base URL (the same across restarts)."""
        return self.server.url

    def start(self) -> Server:
        """Start the server process and wait until it answers."""
        self.starts += 1
        return self.server.start()

    def kill(self) -> None:
        """Kill the server process with SIGKILL: no cleanup, no goodbye to clients."""
        self.server.stop(kill=True)

    def restart(self) -> Server:
        """Start a new process on the same port and database as the killed one."""
        port = self.server.port
        fresh = Server(self.database_url, self.workdir, self.env)
        fresh.port, fresh.url = port, f"http://127.0.0.1:{port}"
        fresh.env["PUBLIC_URL"] = fresh.url
        self.server = fresh
        return self.start()

    def stop(self) -> None:
        """Stop the server if it still runs."""
        if self.server.process is not None:
            self.server.stop()


@pytest.fixture
def restartable(database_url: str, tmp_path: Path) -> Iterator[Restartable]:
    """Return a started, restartable server on a fresh database: SQLite, then PostgreSQL."""
    server = Restartable(database_url, tmp_path)
    server.start()
    yield server
    server.stop()
