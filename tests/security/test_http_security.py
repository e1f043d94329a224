"""HTTP and connection hardening on a real server with the default rate limits.

CSRF on every state-changing request, the CSP on every page, explicit Socket.IO origins, session
fixation, and the rate limits on live events, join attempts and logins. The tests that use up a
limit for this address run last.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import websocket

from tests.figures import report
from tests.live.harness import Client, Facilitator, Server, join
from tests.security import authorization as table
from tests.security.conftest import OWNER_EMAIL, console, fingerprint
from tests.security.test_authorization import _request_for
from workshop.db import Database
from workshop.security import CSP

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_EXEMPT = {("api.join", "POST")}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Return a server with the default rate limits (the harness raises them for other tests)."""
    workdir = tmp_path_factory.mktemp("limits")
    srv = Server(f"sqlite:///{workdir / 'limits.db'}", workdir, env={"WORKSHOP_RATE_LIMITS": ""}).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def target(owner: Facilitator) -> dict[str, Any]:
    """Return the owner's workshop the requests aim at."""
    return {"workshop": owner.new_workshop(), "owner_facilitator": owner}


def _send(owner: Facilitator, method: str, path: str, body: dict[str, Any] | None, token: str | None) -> Any:
    headers = {"X-CSRF-Token": token} if token else {}
    if path.startswith("/api/"):
        return owner.http.request(method, owner.server.url + path, json=body, headers=headers, timeout=10)
    form = dict(body or {})
    if token:
        form["csrf_token"] = token
    return owner.http.request(method, owner.server.url + path, data=form, timeout=10, allow_redirects=False)


@pytest.mark.parametrize("route", [r for r in table.HTTP if r.method in UNSAFE], ids=lambda r: r.endpoint)
def test_state_changing_requests_need_the_csrf_token(
    route: table.Route, owner: Facilitator, target: dict[str, Any], database: Database
) -> None:
    path, body = _request_for(route, target)
    path = path.replace("{fresh}", str(target["workshop"]["id"]))
    for token in (None, "not-the-token", owner.csrf[:-2]):
        before = fingerprint(database)
        response = _send(owner, route.method, path, body, token)
        if (route.endpoint, route.method) in CSRF_EXEMPT:
            assert response.status_code == 201, "joining needs no token: no cookie gives it authority"
            return
        assert response.status_code == 400, f"{route.method} {route.endpoint} without a valid token"
        assert fingerprint(database) == before, f"a refused {route.endpoint} changed something"


def test_every_page_has_the_csp_and_no_inline_script(owner: Facilitator, target: dict[str, Any]) -> None:
    pages = 0
    for route in table.HTTP:
        if route.method != "GET":
            continue
        path, _body = _request_for(route, target)
        for session in (owner.http, requests.Session()):
            response = session.get(owner.server.url + path, timeout=10)
            assert response.headers.get("Content-Security-Policy") == CSP, path
            assert response.headers.get("X-Content-Type-Options") == "nosniff", path
            assert response.headers.get("X-Frame-Options") == "DENY", path
            if response.headers.get("Content-Type", "").startswith("text/html"):
                pages += 1
                assert "unsafe-inline" not in CSP and "unsafe-eval" not in CSP
                for tag in re.findall(r"<script\b[^>]*>", response.text):
                    assert "src=" in tag, f"inline script on {path}"
                assert not re.search(r"<[^>]+\son[a-z]+\s*=", response.text), f"inline event handler on {path}"
            session.close() if session is not owner.http else None
    assert pages >= 8


def _websocket_accepted(server: Server, origin: str, cookie: str = "") -> bool:
    """Return whether an Engine.IO WebSocket handshake with this Origin header is accepted."""
    url = f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket"
    try:
        ws = websocket.create_connection(url, origin=origin, cookie=cookie or None, timeout=5)
    except websocket.WebSocketBadStatusException as exc:
        assert exc.status_code == 400
        return False
    ws.close()
    return True


def test_socketio_refuses_a_foreign_origin(server: Server, owner: Facilitator) -> None:
    for origin in (
        "http://evil.example",
        "null",
        f"http://127.0.0.1:{server.port + 1}",
        f"https://127.0.0.1:{server.port}",
    ):
        polling = requests.get(
            server.url + "/socket.io/?EIO=4&transport=polling", headers={"Origin": origin}, timeout=5
        )
        assert polling.status_code == 400, origin
        assert not _websocket_accepted(server, origin), origin
        assert not _websocket_accepted(server, origin, owner.cookie_header()), "a facilitator's cookie changes nothing"
    assert requests.get(server.url + "/socket.io/?EIO=4&transport=polling", headers={"Origin": server.url}).ok
    assert _websocket_accepted(server, server.url)


def test_login_gives_a_new_session(server: Server, owner: Facilitator) -> None:
    with requests.Session() as http:
        page = http.get(server.url + "/login", timeout=5)
        planted = http.cookies.get("session")
        assert planted, "the login page sets a session (for its CSRF token)"
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        form = {"csrf_token": token, "email": OWNER_EMAIL, "password": "a long enough password"}
        assert http.post(server.url + "/login", data=form, timeout=5, allow_redirects=False).status_code == 302
        assert http.cookies.get("session") != planted, "the session cookie changes on login"
        cookie = http.get(server.url + "/login", timeout=5, allow_redirects=False).headers.get("Set-Cookie", "")
        assert "HttpOnly" in cookie or cookie == ""
    with requests.Session() as attacker:
        attacker.cookies.set("session", planted)
        response = attacker.get(server.url + "/console/", timeout=5, allow_redirects=False)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), (
            "the cookie from before the login grants nothing"
        )


def test_live_events_are_rate_limited_per_person(server: Server, owner: Facilitator, target: dict[str, Any]) -> None:
    workshop = target["workshop"]
    fast = Client(server, {"token": join(server, workshop["code"])["token"]}).connect()
    calm = Client(server, {"token": join(server, workshop["code"])["token"]}).connect()
    codes = [fast.call("comment.add", {"proposal_id": 999_999, "body": "x"})["error"]["code"] for _ in range(45)]
    assert codes[:40] == ["not_found"] * 40, "40 events in 5 seconds are fine"
    assert set(codes[40:]) == {"rate_limited"}
    assert calm.call("comment.add", {"proposal_id": 999_999, "body": "x"})["error"]["code"] == "not_found"
    facilitator = console(server, owner, workshop["id"])
    assert facilitator.call("timer.set", {"seconds": 0})["ok"], "the limit is per person"
    report("rate_limits", {"events": {"sent": len(codes), "limited": codes.count("rate_limited")}})


def test_wrong_join_codes_are_rate_limited(server: Server, target: dict[str, Any]) -> None:
    statuses = [
        requests.post(server.url + "/api/join", json={"code": "WRONG12", "acknowledged": True}, timeout=5).status_code
        for _ in range(12)
    ]
    assert statuses[:10] == [404] * 10 and statuses[10:] == [429, 429]
    blocked = requests.post(
        server.url + "/api/join", json={"code": target["workshop"]["code"], "acknowledged": True}, timeout=5
    )
    assert blocked.status_code == 429 and blocked.json()["error"]["code"] == "rate_limited"
    assert requests.get(server.url + "/api/join/WRONG12", timeout=5).status_code == 429
    report("rate_limits", {"join_wrong_codes": {"tried": 12, "refused_429": statuses.count(429)}})


def test_login_attempts_are_rate_limited(server: Server, owner: Facilitator) -> None:
    with requests.Session() as http:
        token = re.search(  # type: ignore[union-attr]
            r'name="csrf_token" value="([^"]+)"', http.get(server.url + "/login", timeout=5).text
        ).group(1)
        statuses = []
        for password in [f"wrong password {i}" for i in range(12)] + ["a long enough password"]:
            form = {"csrf_token": token, "email": OWNER_EMAIL, "password": password}
            response = http.post(server.url + "/login", data=form, timeout=10, allow_redirects=False)
            statuses.append((response.status_code, "too many" in response.text))
    # Earlier tests in this module logged in too: the limit (10 a minute per address) counts them all.
    first_refused = statuses.index((401, True))
    assert 8 <= first_refused <= 10 and statuses[:first_refused] == [(401, False)] * first_refused
    assert all(s == (401, True) for s in statuses[first_refused:]), "refused, even with the right password"
    report("rate_limits", {"logins": {"tried": len(statuses), "refused": sum(1 for _, limited in statuses if limited)}})
