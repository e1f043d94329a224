"""Every cell of tests/security/authorization.py, checked against a real server; docs/authorization.md in step."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio
from sqlalchemy import select

from tests.live.harness import Client, Facilitator, Server, csrf_token, join
from tests.security import authorization as table
from tests.security.conftest import console, fingerprint, persist
from workshop.core.actions import ACTIONS
from workshop.core.live_models import Workshop
from workshop.core.models import Tool
from workshop.db import Database

DOC = Path(__file__).resolve().parents[2] / "docs" / "authorization.md"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
_unique = itertools.count(1)


def test_every_route_and_event_has_a_row(tmp_path: Path) -> None:
    from workshop import create_app

    app = create_app(
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'routes.db'}", "SECRET_KEY": "t", "ASYNC_MODE": "threading"}
    )
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }
    rows = {(r.endpoint, r.method) for r in table.HTTP}
    assert routes - rows == set(), "routes without a row in tests/security/authorization.py"
    assert rows - routes == set(), "rows for routes that no longer exist"
    assert len(rows) == len(table.HTTP), "one row per route and method"
    assert set(table.EVENTS) == {"connect", "sync", *ACTIONS}, "every live event has a row"
    for access in [r.access for r in table.HTTP] + list(table.EVENTS.values()):
        assert set(access) >= set(table.HTTP_ROLES)


def test_docs_authorization_md_is_generated_from_the_table() -> None:
    assert DOC.read_text() == table.render(), "run: python -m tests.security.authorization > docs/authorization.md"


# --- HTTP ---------------------------------------------------------------------------------------------


class Browser:
    """An HTTP client in one role: its cookies and CSRF token, copied afresh for every request."""

    def __init__(self, server: Server, session: requests.Session, csrf: str) -> None:
        self.server = server
        self.session = session
        self.csrf = csrf

    def request(self, method: str, path: str, body: dict[str, Any] | None) -> requests.Response:
        """Send one request from a copy of this browser's cookies (a login in it leaves this browser as it was)."""
        with requests.Session() as http:
            http.cookies.update(self.session.cookies)
            headers = {"X-CSRF-Token": self.csrf} if method in UNSAFE else {}
            if path.startswith("/api/"):
                return http.request(
                    method, self.server.url + path, json=body, headers=headers, timeout=10, allow_redirects=False
                )
            form = {**(body or {}), "csrf_token": self.csrf} if method in UNSAFE else None
            return http.request(method, self.server.url + path, data=form, timeout=10, allow_redirects=False)


def _anonymous(server: Server) -> Browser:
    session = requests.Session()
    return Browser(server, session, csrf_token(session, server.url + "/login"))


@pytest.fixture(scope="module")
def browsers(server: Server, owner: Facilitator, other_facilitator: Facilitator) -> Iterator[dict[str, Any]]:
    """Return a browser per HTTP role, and the owner's workshop and tool they aim at."""
    workshop = owner.new_workshop()
    elsewhere = owner.new_workshop()
    out: dict[str, Any] = {role: _anonymous(server) for role in ("anonymous", "participant", "other_participant")}
    out["removed"] = _anonymous(server)
    join(server, workshop["code"])
    join(server, elsewhere["code"])
    removed = join(server, workshop["code"])
    owner_console = console(server, owner, workshop["id"])
    assert owner_console.call("participant.remove", {"participant_id": removed["participant"]["id"]})["ok"]
    owner_console.disconnect()
    out["owner"] = Browser(server, owner.http, owner.csrf)
    out["other_facilitator"] = Browser(server, other_facilitator.http, other_facilitator.csrf)
    out["workshop"] = workshop
    out["owner_facilitator"] = owner
    out["other_facilitator_person"] = other_facilitator
    yield out
    for role in table.HTTP_ROLES:
        if role not in ("owner", "other_facilitator"):
            out[role].session.close()


def _request_for(route: table.Route, ctx: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
    """Return the path and body of a plausible request to the route, aimed at the owner's workshop W."""
    workshop = ctx["workshop"]
    wid, tid, code = workshop["id"], workshop["tool_id"], workshop["code"]
    paths: dict[str, tuple[str, dict[str, Any] | None]] = {
        "participant.join_page": ("/", None),
        "participant.join_with_code": (f"/join/{code}", None),
        "api.join_info": (f"/api/join/{code}", None),
        "api.join": ("/api/join", {"code": code, "acknowledged": True, "group": None}),
        "health.healthz": ("/healthz", None),
        "static": ("/static/css/base.css", None),
        "auth.login": ("/login", {"email": "nobody@example.org", "password": "not the password"}),
        "auth.logout": ("/logout", {}),
        "auth.setup": ("/setup", {"email": "late@example.org", "password": "x" * 12, "confirm": "x" * 12}),
        "api.list_tools": ("/api/tools", None),
        "api.create_tool": ("/api/tools", {"template": "blank"}),
        "api.list_workshops": ("/api/workshops", None),
        "console.home": ("/console/", None),
        "console.create_tool": ("/console/tools", {"template": "blank"}),
        "api.open_workshop": ("/api/workshops", {"tool_id": tid}),
        "console.open_workshop": ("/console/workshops", {"tool_id": str(tid)}),
        "api.qr_code": (f"/api/workshops/{wid}/qr.svg", None),
        "api.delete_workshop": ("/api/workshops/{fresh}", None),
        "console.delete_workshop": ("/console/workshops/{fresh}/delete", {"confirm": "yes"}),
        "console.workshop": (f"/console/workshops/{wid}", None),
        "projector.projector": (f"/console/workshops/{wid}/projector", None),
        "history.versions": (f"/console/tools/{tid}/versions", None),
        "history.compare_versions": (f"/console/tools/{tid}/compare?a=1&b=1", None),
        "history.restore": (f"/console/tools/{tid}/versions/1/restore", {}),
        "history.name": (f"/console/tools/{tid}/versions/1/name", {"name": f"named {next(_unique)}"}),
        "history.agree": (f"/console/tools/{tid}/versions/1/agree", {}),
        "downloads.export_version": (f"/console/tools/{tid}/versions/latest/export/json", None),
        "downloads.workshop_record": (f"/console/workshops/{wid}/record/md", None),
    }
    return paths[route.endpoint]


def _check_http(route: table.Route, role: str, response: requests.Response) -> None:
    """Assert that one response is what the table's cell says."""
    expected = route.access[role]
    where = f"{route.method} {route.endpoint} as {role}: {response.status_code}"
    location = response.headers.get("Location", "")
    if expected == table.YES:
        if route.endpoint == "auth.login" and route.method == "POST":
            assert response.status_code == 401 and "do not match" in response.text, where  # the password is checked
        elif route.endpoint == "auth.logout":
            assert response.status_code == 302 and location.startswith("/login"), where
        else:
            assert response.status_code < 400 and not location.startswith("/login"), where
    elif expected == table.LOGIN:
        if route.endpoint.startswith("api."):
            assert response.status_code == 401 and response.json()["error"]["code"] == "login_required", where
        else:
            assert response.status_code == 302 and location.startswith("/login"), where
    elif expected == table.HIDDEN:
        assert response.status_code in (404, 422), where
    else:
        assert expected == table.CLOSED and response.status_code == 302 and location.startswith("/login"), where


@pytest.mark.parametrize("route", table.HTTP, ids=lambda r: f"{r.method}-{r.endpoint}")
def test_http_route(route: table.Route, browsers: dict[str, Any], database: Database) -> None:
    for role in table.HTTP_ROLES:
        path, body = _request_for(route, browsers)
        fresh = None
        if "{fresh}" in path:
            fresh = browsers["owner_facilitator"].new_workshop()
            path = path.format(fresh=fresh["id"])
        before = fingerprint(database)
        response = browsers[role].request(route.method, path, body)
        _check_http(route, role, response)
        if route.endpoint == "auth.logout" and role in ("owner", "other_facilitator"):
            # Logging out ends every session of that facilitator, the fixtures' too: log them in again.
            person = browsers["owner_facilitator" if role == "owner" else "other_facilitator_person"]
            person.log_in_again()
            browsers[role] = Browser(browsers[role].server, person.http, person.csrf)
        if route.access[role] != table.YES and route.method in UNSAFE:
            assert fingerprint(database) == before, f"a refused {route.method} {route.endpoint} changed something"
        if fresh is not None:
            with database.read() as s:
                gone = s.get(Workshop, fresh["id"]) is None
            assert gone == (route.access[role] == table.YES), f"{route.endpoint} as {role}"


# --- Live events --------------------------------------------------------------------------------------


class World:
    """The owner's workshop W and a client in every role, with helpers that make what an event needs."""

    def __init__(self, server: Server, owner: Facilitator, other: Facilitator, database: Database) -> None:
        self.server = server
        self.database = database
        self.w = owner.new_workshop()
        self.b = owner.new_workshop()
        self.owner = console(server, owner, self.w["id"])
        self.projector = console(server, owner, self.w["id"], view="projector")
        self.participant = Client(server, {"token": join(server, self.w["code"])["token"]}).connect()
        self.other_participant = Client(
            server, {"token": join(server, self.b["code"])["token"], "workshop_id": self.w["id"]}
        ).connect()
        removed = join(server, self.w["code"])
        self.removed_token = removed["token"]
        # Connected before the facilitator removes them: the open connection must stop working too.
        self.removed = Client(server, {"token": removed["token"]}).connect()
        assert self.owner.call("participant.remove", {"participant_id": removed["participant"]["id"]})["ok"]
        self.proxy_id = self.owner.call("proxy.add", {"display_name": "No phone", "group": None})["participant"]["id"]
        draft = self.owner.sync()["snapshot"]["draft"]
        self.items = [i["id"] for d in draft["domains"] for t in d["topics"] for i in t["items"]]
        self.other_facilitator = other
        self.connected = {
            "participant": self.participant,
            "other_participant": self.other_participant,
            "owner": self.owner,
            "projector": self.projector,
        }

    def close(self) -> None:
        """Disconnect every client."""
        for client in (self.owner, self.projector, self.participant, self.other_participant, self.removed):
            client.close()

    def seq(self, workshop_id: int | None = None) -> int:
        """Return a workshop's sequence number (W's by default), read from the database."""
        with self.database.read() as s:
            return int(s.scalar(select(Workshop.seq).where(Workshop.id == (workshop_id or self.w["id"]))) or 0)

    def latest_version(self) -> int:
        """Return the tool's latest version number."""
        with self.database.read() as s:
            return int(s.scalar(select(Tool.latest_version).where(Tool.id == self.w["tool_id"])) or 0)

    def do(self, name: str, data: dict[str, Any]) -> dict[str, Any]:
        """Take an action as the owner; it must succeed."""
        reply = self.owner.call(name, data)
        assert reply["ok"], (name, reply)
        return reply

    def phase(self, phase: str) -> None:
        """Put W in a phase."""
        self.do("phase.set", {"phase": phase})

    def proposal(self, by: Client | None = None) -> int:
        """Make a fresh, revealed, open proposal (by a participant, or entered by the owner)."""
        self.phase("refine")
        item = self.items[next(_unique) % 10]
        data = {"kind": "reword", "change": {"item_id": item, "stem": f"Reworded {uuid.uuid4().hex}"}}
        reply = (by or self.owner).call("proposal.submit", data)
        assert reply["ok"], reply
        return int(reply["proposal"]["id"])

    def round(self, kind: str, **config: Any) -> dict[str, Any]:
        """Open a fresh round of this kind (closing any open one)."""
        if kind == "proposal_vote":
            config.setdefault("proposal_ids", [self.proposal()])
        else:
            config.setdefault("item_ids", self.items[:3])
        return dict(self.do("round.open", {"kind": kind, **config})["round"])


def _proxy(world: World, role: str, data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "proxy_participant_id": world.proxy_id} if role == "owner" else data


def _vote(world: World, role: str) -> dict[str, Any]:
    row = world.round("proposal_vote")
    return _proxy(world, role, {"round_id": row["id"], "subject": row["subjects"][0], "value": "agree"})


def _rank(world: World, role: str) -> dict[str, Any]:
    row = world.round("ranking", n=2)
    return _proxy(world, role, {"round_id": row["id"], "ranking": row["subjects"][:2]})


def _dots(world: World, role: str) -> dict[str, Any]:
    row = world.round("dots", budget=3, cap=2)
    return _proxy(world, role, {"round_id": row["id"], "allocation": {row["subjects"][0]: 1}})


def _edit(world: World, role: str) -> dict[str, Any]:
    world.phase("refine")
    item = world.items[10 + next(_unique) % 10]
    return {"item_id": item, "base_version": world.latest_version(), "set": {"stem": f"Edited {uuid.uuid4().hex}"}}


def _withdraw(world: World, role: str) -> dict[str, Any]:
    # A participant may withdraw their own proposals; the owner any.
    return {"proposal_id": world.proposal(world.participant if role == "participant" else None)}


def _submit(world: World, role: str) -> dict[str, Any]:
    world.phase("refine")
    return {"kind": "reword", "change": {"item_id": world.items[0], "stem": f"Proposed {uuid.uuid4().hex}"}}


def _fresh_participant(world: World, role: str) -> dict[str, Any]:
    return {"participant_id": join(world.server, world.w["code"])["participant"]["id"]}


Prepare = Callable[[World, str], dict[str, Any]]
#: For each event, a payload that the allowed roles can send successfully, made fresh for each role.
PAYLOADS: dict[str, Prepare] = {
    "proposal.submit": _submit,
    "proposal.withdraw": _withdraw,
    "comment.add": lambda w, r: {"proposal_id": w.proposal(), "body": "A comment"},
    "vote.cast": _vote,
    "vote.rank": _rank,
    "vote.dots": _dots,
    "item.edit": _edit,
    "phase.set": lambda w, r: {"phase": "refine"},
    "timer.set": lambda w, r: {"seconds": 0},
    "workshop.status": lambda w, r: {"status": "open"},
    "workshop.settings": lambda w, r: {"title": f"Workshop W {next(_unique)}"},
    "participant.remove": _fresh_participant,
    "proxy.add": lambda w, r: {"display_name": "Another proxy", "group": None},
    "proposals.reveal": lambda w, r: {},
    "proposal.hide": lambda w, r: {"proposal_id": w.proposal(), "hidden": True},
    "proposal.edit": lambda w, r: {
        "proposal_id": w.proposal(),
        "change": {"item_id": w.items[1], "stem": "Clearer wording"},
    },
    "proposal.merge": lambda w, r: {"proposal_id": w.proposal(), "into_id": w.proposal()},
    "proposal.accept": lambda w, r: {"proposal_id": w.proposal()},
    "proposal.reject": lambda w, r: {"proposal_id": w.proposal()},
    "round.open": lambda w, r: {"kind": "proposal_vote", "proposal_ids": [w.proposal()]},
    "round.close": lambda w, r: {"round_id": w.round("proposal_vote")["id"]},
    "round.reveal": lambda w, r: {"round_id": w.round("proposal_vote")["id"]},
    "round.decide": lambda w, r: {"round_id": w.round("rating", item_ids=w.items[:1])["id"]},
}


def _refused(server: Server, auth: dict[str, Any], headers: dict[str, str] | None = None) -> bool:
    """Return whether a Socket.IO connection with these credentials is refused."""
    try:
        Client(server, auth, headers).connect().disconnect()
    except socketio.exceptions.ConnectionError:
        return True
    return False


@pytest.fixture(scope="module")
def world(server: Server, owner: Facilitator, other_facilitator: Facilitator, database: Database) -> Iterator[World]:
    """Return the owner's workshop with a client in every role."""
    w = World(server, owner, other_facilitator, database)
    persist(w.owner, w.projector, w.participant, w.other_participant, w.removed)
    yield w
    w.close()


def test_connect(world: World, server: Server) -> None:
    wid = world.w["id"]
    access = table.EVENTS["connect"]
    assert access["anonymous"] == table.REFUSED
    for auth in ({}, {"workshop_id": wid}, {"token": "x" * 32}, {"workshop_id": wid, "view": "projector"}):
        assert _refused(server, auth), auth
    assert access["removed"] == table.REFUSED and _refused(server, {"token": world.removed_token})
    assert access["other_facilitator"] == table.REFUSED
    assert _refused(server, {"workshop_id": wid}, {"Cookie": world.other_facilitator.cookie_header()})
    for role in ("participant", "owner", "projector"):
        assert access[role] == table.YES
        assert world.connected[role].sync()["snapshot"]["workshop"]["id"] == wid, role
    # A participant's token decides the workshop, whatever workshop_id it sends.
    assert access["other_participant"] == table.OWN_ONLY
    assert world.other_participant.sync()["snapshot"]["workshop"]["id"] == world.b["id"]


def test_sync(world: World) -> None:
    access = table.EVENTS["sync"]
    for role, client in world.connected.items():
        reply = client.sync()
        expected_workshop = world.b["id"] if access[role] == table.OWN_ONLY else world.w["id"]
        assert reply["ok"] and reply["snapshot"]["workshop"]["id"] == expected_workshop, role
    assert "people" not in world.participant.sync()["snapshot"]["participants"], "participants never get names"
    refused = world.removed.sync()
    assert refused["ok"] is False and refused["error"]["code"] == "not_allowed"


@pytest.mark.parametrize("name", list(PAYLOADS))
def test_event(name: str, world: World) -> None:
    access = table.EVENTS[name]
    for role in table.ROLES:
        expected = access[role]
        if expected == table.REFUSED:
            continue  # no connection to send it on: test_connect proves it
        data = PAYLOADS[name](world, role)
        before, elsewhere = world.seq(), world.seq(world.b["id"])
        reply = world.connected[role].call(name, data)
        where = f"{name} as {role}: {reply}"
        if expected == table.YES:
            assert reply["ok"] is True, where
            assert world.seq() >= before, where
        elif expected == table.NOT_ALLOWED:
            assert reply["ok"] is False and reply["error"]["code"] == "not_allowed", where
            assert world.seq() == before, where
        else:
            assert expected == table.OWN_ONLY
            assert world.seq() == before, f"{where}: workshop W changed"
            if reply["ok"]:
                assert world.seq(world.b["id"]) > elsewhere, f"{where}: acted, but not in its own workshop"
            else:
                assert reply["error"]["code"] in ("not_found", "not_allowed", "invalid", "wrong_phase"), where
    # A participant removed while connected is refused on that open connection too.
    data = PAYLOADS[name](world, "participant")
    before = world.seq()
    reply = world.removed.call(name, data)
    assert reply["ok"] is False and reply["error"]["code"] == "not_allowed", reply
    assert world.seq() == before


def test_every_event_has_a_payload() -> None:
    assert set(PAYLOADS) == set(ACTIONS)
