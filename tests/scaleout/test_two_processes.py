"""Two server processes serving one workshop through Redis and PostgreSQL, directly and behind nginx.

Phones are split between process A, process B and nginx (running deploy/nginx.conf in front of both, over
WebSocket and over long-polling, which needs its sticky routing); the facilitator is on B. Every client must
see every numbered event, every vote must be counted once (also when a phone moves to the other process and
repeats an action), tallies must stay coalesced across processes, and rate limits must count across them.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.live.harness import Client, Facilitator, Server, csrf_token, join
from tests.pgcluster import PostgresCluster
from tests.scaleout.services import Nginx, RedisServer, find_binary
from workshop.broadcast import TALLY_INTERVAL

IN_CI = os.environ.get("CI", "").lower() == "true"
pytestmark = pytest.mark.postgres


def _need(binary: str, package: str) -> None:
    if find_binary(binary) is None:
        message = f"{binary} is not installed (Debian package {package})"
        if IN_CI:
            pytest.fail(f"{message}; CI must run the scale-out test")
        pytest.skip(message)


@dataclass
class Entry:
    """Somewhere a phone can connect: a server process or nginx."""

    url: str


class PollingClient(Client):
    """A live client on the long-polling transport (what a phone falls back to when WebSockets are blocked)."""

    def connect(self) -> PollingClient:
        """Connect over long-polling only."""
        self.sio.connect(self.server.url, auth=self.auth, headers=self.headers, transports=["polling"], wait_timeout=10)
        return self


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[RedisServer]:
    """Return a running redis-server."""
    _need("redis-server", "redis-server")
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def deployment(tmp_path: Path, redis: RedisServer, pg_cluster: PostgresCluster) -> Iterator[dict[str, Any]]:
    """Start processes A and B on one PostgreSQL database and one Redis, and nginx in front of both."""
    _need("nginx", "nginx")
    rates = "join=100000/minute,event=100000/minute,login=3/minute"
    env = {"MESSAGE_QUEUE_URL": redis.url, "WORKSHOP_RATE_LIMITS": rates, "WORKSHOP_PROXIES": "1"}
    database = pg_cluster.new_database()
    a = Server(database, tmp_path, env).start()  # A migrates the database before B starts
    b = Server(database, tmp_path, env).start()
    nginx = Nginx(tmp_path, (a.port, b.port)).start()
    yield {"a": a, "b": b, "nginx": nginx}
    nginx.stop()
    for server in (a, b):
        server.stop()


def _seqs_complete(client: Client, last: int) -> bool:
    seqs = [e["seq"] for e in client.events]
    return bool(seqs) and seqs == list(range(seqs[0], seqs[0] + len(seqs))) and seqs[-1] == last


def test_two_processes_serve_one_workshop(deployment: dict[str, Any]) -> None:
    a, b, nginx = deployment["a"], deployment["b"], deployment["nginx"]
    facilitator = Facilitator(a, "facilitator@example.org", setup=True)
    workshop = facilitator.new_workshop()
    # The facilitator's session cookie works on B as well: the processes share SECRET_KEY and the database.
    console = Client(b, {"workshop_id": workshop["id"]}, {"Cookie": facilitator.cookie_header()}).connect()
    entries: list[tuple[str, Any, type[Client]]] = [
        ("A", a, Client),
        ("A", a, Client),
        ("B", b, Client),
        ("B", b, Client),
        ("nginx", Entry(nginx.url), Client),
        ("nginx", Entry(nginx.url), Client),
        ("nginx-polling", Entry(nginx.url), PollingClient),
        ("nginx-polling", Entry(nginx.url), PollingClient),
    ]
    phones = []
    for _name, entry, kind in entries:
        token = join(entry, workshop["code"])["token"]
        phones.append(kind(entry, {"token": token}).connect())
    # Each polling session was told which process holds it; without that, nginx would spread its requests
    # over both and the other process would refuse the unknown session.
    backends = {c.sio.eio.http.cookies.get("workshop_backend") for c in phones if isinstance(c, PollingClient)}
    assert backends and backends <= {f"127.0.0.1:{a.port}", f"127.0.0.1:{b.port}"}

    assert console.call("phase.set", {"phase": "discuss"})["ok"]
    item = phones[0].sync()["snapshot"]["draft"]["domains"][0]["topics"][0]["items"][0]
    proposals = []
    for n, phone in enumerate(phones[:4]):
        change = {"item_id": item["id"], "stem": f"Wording number {n} from another process."}
        reply = phone.call("proposal.submit", {"kind": "reword", "change": change})
        assert reply["ok"], reply
        proposals.append(reply["proposal"]["id"])
    round_id = console.call("round.open", {"proposal_ids": proposals})["round"]["id"]

    expected = {f"proposal:{p}": {"agree": 0, "disagree": 0, "abstain": 0} for p in proposals}
    values = ("agree", "disagree", "abstain")
    repeat: dict[str, Any] = {}
    for n, phone in enumerate(phones):
        for m, proposal in enumerate(proposals):
            subject, value = f"proposal:{proposal}", values[(n + m) % 3]
            op_id = uuid.uuid4().hex
            reply = phone.call("vote.cast", {"round_id": round_id, "subject": subject, "value": value}, op_id=op_id)
            assert reply["ok"], reply
            expected[subject][value] += 1
            repeat = {"phone": n, "op_id": op_id, "subject": subject, "reply": reply}

    # The last phone moves from nginx to process A and sends its last vote again, changed: counted once.
    moved = phones.pop(repeat["phone"])
    moved.disconnect()
    again = Client(a, moved.auth).connect()
    vote = {"round_id": round_id, "subject": repeat["subject"], "value": "agree"}
    assert again.call("vote.cast", vote, op_id=repeat["op_id"]) == repeat["reply"]
    mine = next(r for r in again.sync()["snapshot"]["rounds"] if r["id"] == round_id)["my_votes"]
    assert mine[repeat["subject"]] == repeat["reply"]["value"]

    last = console.sync()["seq"]
    for client in [console, *phones]:
        client.wait_for(lambda c: _seqs_complete(c, last))
        client.wait_for(lambda c: c.tallies and c.tallies[-1].get("voters") == len(entries))
    final = console.wait_for(lambda c: next((t for t in reversed(c.tallies) if t["subjects"] == expected), None))
    assert final["voters"] == len(entries)
    snapshot = console.sync()["snapshot"]
    assert next(r for r in snapshot["rounds"] if r["id"] == round_id)["tally"]["subjects"] == expected
    for client in (console, again, *phones):
        client.disconnect()


def _wrong_login(url: str, forwarded_for: str | None = None) -> bool:
    """Try a wrong password; return whether the attempt was refused as too many."""
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    with requests.Session() as http:
        http.headers.update(headers)
        form = {"csrf_token": csrf_token(http, url + "/login"), "email": "x@example.org", "password": "wrong"}
        return bool(re.search("too many login attempts", http.post(url + "/login", data=form, timeout=10).text))


def test_rate_limits_count_across_processes(deployment: dict[str, Any]) -> None:
    a, b = deployment["a"], deployment["b"]
    Facilitator(a, "facilitator@example.org", setup=True)
    # login=3/minute per address, counted in Redis: the fourth attempt is refused whichever process gets it.
    assert [_wrong_login(server.url) for server in (a, b, a, b)] == [False, False, False, True]


def test_limits_see_the_phone_behind_the_proxy(deployment: dict[str, Any]) -> None:
    a, nginx = deployment["a"], deployment["nginx"]
    Facilitator(a, "facilitator@example.org", setup=True)
    # WORKSHOP_PROXIES=1: the address the one proxy saw counts, so two phones behind it are two devices ...
    assert [_wrong_login(a.url, "10.1.0.1") for _ in range(4)] == [False, False, False, True]
    assert not _wrong_login(a.url, "10.1.0.2")
    # ... and through nginx a phone cannot pose as another by sending its own X-Forwarded-For.
    assert [_wrong_login(nginx.url, f"10.2.0.{n}") for n in range(4)] == [False, False, False, True]


def test_tallies_stay_coalesced_across_processes(deployment: dict[str, Any]) -> None:
    a, b = deployment["a"], deployment["b"]
    facilitator = Facilitator(a, "facilitator@example.org", setup=True)
    workshop = facilitator.new_workshop()
    console = Client(a, {"workshop_id": workshop["id"]}, {"Cookie": facilitator.cookie_header()}).connect()
    phones = [Client(server, {"token": join(server, workshop["code"])["token"]}).connect() for server in (a, b)]
    item = phones[0].sync()["snapshot"]["draft"]["domains"][0]["topics"][0]["items"][0]
    console.call("phase.set", {"phase": "discuss"})
    proposal = phones[0].call("proposal.submit", {"kind": "remove", "change": {"item_id": item["id"]}})["proposal"]
    round_id = console.call("round.open")["round"]["id"]
    subject = f"proposal:{proposal['id']}"
    started = time.monotonic()
    for n in range(80):  # for four seconds or more, both processes count a vote every 50 ms
        vote = {"round_id": round_id, "subject": subject, "value": ("agree", "disagree", "abstain")[n % 3]}
        assert phones[n % 2].call("vote.cast", vote)["ok"]
        time.sleep(0.05)
    last = {"agree": 0, "disagree": 0, "abstain": 0}
    for n in (78, 79):  # the last vote of each phone (on A and on B) is what counts
        last[("agree", "disagree", "abstain")[n % 3]] += 1
    console.wait_for(lambda c: c.tallies and c.tallies[-1]["subjects"][subject] == last)
    elapsed = time.monotonic() - started
    # One broadcast slot for the whole deployment: at most one tally per TALLY_INTERVAL (each process on its
    # own would send about twice as many).
    assert len(console.tallies) <= elapsed / TALLY_INTERVAL + 3
    for client in (console, *phones):
        client.disconnect()
