"""A real server process and real Socket.IO clients, for live tests."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import requests
import socketio

WORKSHOP = Path(sys.executable).parent / "workshop"


def free_port() -> int:
    """Return a free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`workshop serve` in its own process, on a free loopback port."""

    def __init__(self, database_url: str, workdir: Path, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = database_url
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "live-test-secret",
            "WORKSHOP_RATE_LIMITS": "join=100000/minute,event=100000/minute,login=1000/minute",
            "PUBLIC_URL": f"http://127.0.0.1:{self.port}",
            **(env or {}),
        }
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Server:
        """Start the server and wait until /healthz answers."""
        self.log_path = self.workdir / f"server-{self.port}.log"
        self._log = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [str(WORKSHOP), "serve", "--port", str(self.port)],
            env=self.env,
            stdout=self._log,
            stderr=self._log,
            cwd=self.workdir,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).ok:
                    return self
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("server did not start in 30 s")

    def stop(self, kill: bool = False) -> None:
        """Stop the server (SIGKILL when kill is true)."""
        if self.process and self.process.poll() is None:
            self.process.kill() if kill else self.process.terminate()
            self.process.wait(timeout=10)
        self._log.close()


def csrf_token(session: requests.Session, url: str) -> str:
    """Return the CSRF token from a page's form."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', session.get(url, timeout=5).text)
    assert match, "the page has a CSRF token"
    return match.group(1)


#: Every client and HTTP session a test opened, closed by close_all() after each test.
_open: list[Any] = []


def close_all() -> None:
    """Disconnect every client and close every HTTP session the last test opened."""
    while _open:
        thing = _open.pop()
        with contextlib.suppress(Exception):  # a server already gone must not fail the next test
            thing.close()


class Facilitator:
    """A logged-in facilitator: an HTTP session plus helpers for the JSON API."""

    def __init__(self, server: Server, email: str, password: str = "a long enough password", setup: bool = False):
        self.server = server
        self.email, self.password = email, password
        self.http = requests.Session()
        _open.append(self.http)
        page = "/setup" if setup else "/login"
        token = csrf_token(self.http, server.url + page)
        form = {"csrf_token": token, "email": email, "password": password, "confirm": password}
        response = self.http.post(server.url + page, data=form, timeout=10, allow_redirects=False)
        assert response.status_code == 302, response.text
        self.csrf = csrf_token(self.http, server.url + "/console/")

    def log_in_again(self) -> None:
        """Log in afresh (after a logout ended every session of this facilitator)."""
        fresh = Facilitator(self.server, self.email, self.password)
        self.http, self.csrf = fresh.http, fresh.csrf

    def post(self, path: str, data: dict[str, Any]) -> requests.Response:
        """POST JSON with the CSRF header."""
        return self.http.post(self.server.url + path, json=data, headers={"X-CSRF-Token": self.csrf}, timeout=10)

    def new_workshop(self, template: str = "rtw-review") -> dict[str, Any]:
        """Create a tool and open a workshop on it; return the workshop dict."""
        tool = self.post("/api/tools", {"template": template}).json()
        reply = self.post("/api/workshops", {"tool_id": tool["tool_id"], "title": "Test workshop"}).json()
        return dict(reply["workshop"])

    def cookie_header(self) -> str:
        """Return the session cookie as a Cookie header."""
        return "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)


def add_facilitator(server: Server, email: str, password: str) -> None:
    """Create a facilitator account with the CLI, as an administrator would."""
    subprocess.run(
        [str(WORKSHOP), "create-facilitator", email, "--password-stdin"],
        input=password + "\n",
        env=server.env,
        check=True,
        capture_output=True,
        text=True,
    )


def another_facilitator(server: Server, email: str, password: str = "another long password") -> Facilitator:
    """Create a facilitator with the CLI and return them logged in."""
    add_facilitator(server, email, password)
    return Facilitator(server, email, password)


class Client:
    """A real python-socketio client that records every event, tally and participants message it receives."""

    def __init__(self, server: Server, auth: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        self.server = server
        self.auth = auth
        self.headers = headers or {}
        self.events: list[dict[str, Any]] = []
        self.tallies: list[dict[str, Any]] = []
        self.rosters: list[dict[str, Any]] = []
        self.changed = threading.Condition()
        self.sio = socketio.Client(reconnection=False)
        _open.append(self)
        self.sio.on("event", self._on_event)
        self.sio.on("tally", self._on_tally)
        self.sio.on("participants", self._on_roster)

    def _on_event(self, message: dict[str, Any]) -> None:
        with self.changed:
            self.events.append(message)
            self.changed.notify_all()

    def _on_tally(self, message: dict[str, Any]) -> None:
        with self.changed:
            self.tallies.append(message)
            self.changed.notify_all()

    def _on_roster(self, message: dict[str, Any]) -> None:
        with self.changed:
            self.rosters.append(message)
            self.changed.notify_all()

    def roster(self, match: Any, timeout: float = 10) -> dict[str, Any]:
        """Wait for a participants message whose data satisfies match and return it."""
        return self.wait_for(  # type: ignore[no-any-return]
            lambda c: next((r for r in reversed(c.rosters) if match(r)), None), timeout
        )

    def connect(self) -> Client:
        """Connect over WebSocket with this client's credentials."""
        self.sio.connect(
            self.server.url, auth=self.auth, headers=self.headers, transports=["websocket"], wait_timeout=10
        )
        return self

    def disconnect(self) -> None:
        """Drop the connection."""
        self.sio.disconnect()

    def close(self) -> None:
        """Disconnect if connected and release the client's HTTP session."""
        if self.sio.connected:
            self.sio.disconnect()
        if self.sio.eio.http is not None:
            self.sio.eio.http.close()

    def call(self, name: str, data: dict[str, Any] | None = None, op_id: str | None = None) -> dict[str, Any]:
        """Send an action with a fresh (or the given) op id and return the acknowledgement."""
        body = {"op_id": op_id or uuid.uuid4().hex, **(data or {})}
        return dict(self.sio.call(name, body, timeout=15))

    def sync(self, since: int | None = None) -> dict[str, Any]:
        """Ask for what was missed since ``since`` (or a full snapshot)."""
        return dict(self.sio.call("sync", {} if since is None else {"since": since}, timeout=15))

    def wait_for(self, predicate: Any, timeout: float = 10) -> Any:
        """Wait until predicate(self) returns something truthy; return it."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                found = predicate(self)
                if found:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out; events seen: {[e['name'] for e in self.events]}")
                self.changed.wait(left)

    def event(self, name: str, match: Any = None, timeout: float = 10) -> dict[str, Any]:
        """Wait for an event of this name (whose data satisfies match) and return it."""
        return self.wait_for(  # type: ignore[no-any-return]
            lambda c: next((e for e in c.events if e["name"] == name and (match is None or match(e["data"]))), None),
            timeout,
        )


def join(server: Server, code: str, name: str = "", group: str | None = "returner") -> dict[str, Any]:
    """Join a workshop over HTTP as a participant; return the reply with the rejoin token."""
    response = requests.post(
        server.url + "/api/join",
        json={"code": code, "display_name": name, "group": group, "acknowledged": True},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())
