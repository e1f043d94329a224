"""Fixtures for security tests: one real server per module, its facilitators, and direct database access."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.live import harness
from tests.live.harness import Client, Facilitator, Server, add_facilitator
from workshop.core import live_models as m
from workshop.core import models
from workshop.db import Database

OWNER_EMAIL = "owner@example.org"
OTHER_EMAIL = "other@example.org"
OTHER_PASSWORD = "another long password"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Return a server on a fresh SQLite database, shared by the tests of one module."""
    workdir = tmp_path_factory.mktemp("security")
    srv = Server(f"sqlite:///{workdir / 'security.db'}", workdir).start()
    yield srv
    srv.stop()


def persist(*things: Any) -> None:
    """Keep clients and HTTP sessions open across the tests of a module (the harness closes them after each test).

    The module's fixture that made them closes them instead.
    """
    for thing in things:
        for obj in (thing, getattr(thing, "http", None)):
            if obj in harness._open:
                harness._open.remove(obj)


@pytest.fixture(scope="module")
def owner(server: Server) -> Iterator[Facilitator]:
    """Return the first facilitator (created through first-run setup); the workshops under test are theirs."""
    facilitator = Facilitator(server, OWNER_EMAIL, setup=True)
    persist(facilitator)
    yield facilitator
    facilitator.http.close()


@pytest.fixture(scope="module")
def other_facilitator(server: Server, owner: Facilitator) -> Iterator[Facilitator]:
    """Return a second facilitator, made on the command line, who runs nothing of the owner's."""
    add_facilitator(server, OTHER_EMAIL, OTHER_PASSWORD)
    facilitator = Facilitator(server, OTHER_EMAIL, OTHER_PASSWORD)
    persist(facilitator)
    yield facilitator
    facilitator.http.close()


@pytest.fixture(scope="module")
def database(server: Server) -> Iterator[Database]:
    """Return the server's database, for checking what was (not) stored."""
    db = Database(server.database_url)
    yield db
    db.dispose()


def console(server: Server, facilitator: Facilitator, workshop_id: int, view: str | None = None) -> Client:
    """Connect a facilitator's console (or, with view="projector", the room's screen) to a workshop."""
    auth: dict[str, Any] = {"workshop_id": workshop_id}
    if view:
        auth["view"] = view
    return Client(server, auth, {"Cookie": facilitator.cookie_header()}).connect()


def phone(server: Server, token: str, **auth: Any) -> Client:
    """Connect a participant's phone with its rejoin token."""
    return Client(server, {"token": token, **auth}).connect()


def fingerprint(database: Database) -> dict[str, Any]:
    """Return counts and key fields of every table an HTTP or live request could change."""
    tables = (
        m.Facilitator,
        m.Workshop,
        m.Participant,
        m.Proposal,
        m.Comment,
        m.Round,
        m.Vote,
        m.OpRecord,
        m.WorkshopEvent,
        models.Tool,
        models.DraftVersion,
    )
    with database.read() as s:
        counts = {t.__tablename__: s.scalar(select(func.count()).select_from(t)) for t in tables}
        tools = s.execute(select(models.Tool.id, models.Tool.latest_version, models.Tool.agreed_version)).all()
        names = s.execute(select(models.DraftVersion.id, models.DraftVersion.name)).all()
        workshops = s.execute(select(m.Workshop.id, m.Workshop.seq, m.Workshop.title, m.Workshop.phase)).all()
    return {"counts": counts, "tools": sorted(tools), "names": sorted(names), "workshops": sorted(workshops)}
