"""Shared fixtures: databases (SQLite and a throwaway PostgreSQL), the app, the CLI."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pgcluster import PostgresCluster, binaries_missing
from workshop.db import Database

IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    """Start one PostgreSQL cluster for the whole run (skip here, fail in CI, if impossible)."""
    reason = binaries_missing()
    if reason:
        if IN_CI:
            pytest.fail(f"{reason}; CI must run the PostgreSQL tests")
        pytest.skip(reason)
    cluster = PostgresCluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Return the URL of a new, empty database: SQLite file, then PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
    return cluster.new_database()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """Return a migrated Database on each backend."""
    database = Database(database_url)
    database.upgrade()
    yield database
    database.dispose()


@pytest.fixture
def app(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Return an app on a fresh SQLite database."""
    from workshop import create_app

    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
            "SECRET_KEY": "t",
            "ASYNC_MODE": "threading",
        }
    )


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    """Return a test client of the app."""
    return app.test_client()


@pytest.fixture(autouse=True)
def _close_live_clients() -> Iterator[None]:
    """Close the Socket.IO clients and HTTP sessions a live test opened, so none leaks into the next test."""
    yield
    harness = sys.modules.get("tests.live.harness")
    if harness is not None:
        harness.close_all()
