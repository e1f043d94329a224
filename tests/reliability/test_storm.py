"""Reconnect storm: 200 phones of one workshop drop at once and come back at once, while the workshop moves on."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio
from sqlalchemy import func, select

from tests.figures import report
from tests.live.harness import Client, Facilitator, Server
from tests.reliability.outbox import EventLog
from workshop.core.live_models import Participant
from workshop.db import Database

PHONES = 200
#: How many phones connect at the same moment when they first arrive (the storm itself is all 200 at once).
ARRIVAL_BATCH = 50


@pytest.fixture
def storm_server(tmp_path: Path) -> Iterator[Server]:
    """Return a running server on a fresh SQLite database."""
    server = Server(f"sqlite:///{tmp_path / 'storm.db'}", tmp_path).start()
    yield server
    server.stop()


class Phone:
    """A phone as an asyncio Socket.IO client: its token, its identity and the events it applied."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.token = token
        self.log = EventLog()
        self.me: dict[str, Any] | None = None
        self.sio: socketio.AsyncClient | None = None
        self.resumed_with: str = ""

    async def _on_event(self, message: dict[str, Any]) -> None:
        self.log.take(message)

    async def connect(self) -> None:
        """Connect with the rejoin token and catch up (a snapshot the first time, then events since the last seq)."""
        sio = socketio.AsyncClient(reconnection=False)
        sio.on("event", self._on_event)
        await sio.connect(self.url, auth={"token": self.token}, transports=["websocket"], wait_timeout=30)
        self.sio = sio
        first = self.me is None
        reply = await sio.call("sync", {"draft": False} if first else {"since": self.log.seq, "draft": False})
        assert reply["ok"], reply
        self.resumed_with = "snapshot" if "snapshot" in reply else "events"
        if "snapshot" in reply and first:
            self.me = reply["snapshot"]["me"]
        self.log.catch_up(reply)

    async def drop(self, abrupt: bool) -> None:
        """Lose the connection: a clean disconnect, or the WebSocket closing under it (as when Wi-Fi fails)."""
        assert self.sio is not None
        if abrupt:
            await self.sio.eio.ws.close()
            await self.sio.wait()  # the client notices the lost transport and cleans up
        else:
            await self.sio.disconnect()
        self.sio = None

    async def snapshot(self) -> dict[str, Any]:
        """Return a fresh snapshot without the draft."""
        assert self.sio is not None
        reply = await self.sio.call("sync", {"draft": False})
        return dict(reply["snapshot"])


def _join_all(server: Server, code: str) -> list[str]:
    """Join PHONES participants over HTTP; return their rejoin tokens."""
    with requests.Session() as http:
        tokens = []
        for i in range(PHONES):
            body = {"code": code, "display_name": f"Storm {i}", "group": "returner", "acknowledged": True}
            reply = http.post(server.url + "/api/join", json=body, timeout=10)
            assert reply.status_code == 201, reply.text
            tokens.append(reply.json()["token"])
    return tokens


async def _storm(phones: list[Phone], console: Client, during: threading.Event) -> dict[str, Any]:
    """Connect every phone, drop them all at once, move the workshop on, bring them all back at once."""
    for start in range(0, len(phones), ARRIVAL_BATCH):
        await asyncio.gather(*(p.connect() for p in phones[start : start + ARRIVAL_BATCH]))
    before = [p.log.seq for p in phones]
    await asyncio.gather(*(p.drop(abrupt=i % 2 == 0) for i, p in enumerate(phones)))
    # While they are away the workshop moves on; and it goes on moving while they come back.
    await asyncio.to_thread(console.call, "phase.set", {"phase": "discuss"})
    await asyncio.to_thread(console.call, "timer.set", {"seconds": 300})
    missed = (await asyncio.to_thread(console.sync))["seq"]
    during.set()
    started = time.monotonic()
    results = await asyncio.gather(*(p.connect() for p in phones), return_exceptions=True)
    seconds = time.monotonic() - started
    during.clear()
    failures = [repr(r) for r in results if isinstance(r, BaseException)]
    return {"seq_before_drop": max(before), "seq_after_drop": missed, "failures": failures, "seconds": seconds}


def _keep_moving(console: Client, during: threading.Event, stop: threading.Event, acted: list[int]) -> None:
    """Change the timer again and again while the phones reconnect (events racing their sync)."""
    while not stop.is_set():
        if during.wait(0.05):
            reply = console.call("timer.set", {"seconds": 60 + len(acted)})
            assert reply["ok"], reply
            acted.append(reply["seq"])


@pytest.mark.slow
def test_two_hundred_phones_drop_and_resume(storm_server: Server) -> None:
    facilitator = Facilitator(storm_server, "storm@example.org", setup=True)
    workshop = facilitator.new_workshop()
    console = Client(storm_server, {"workshop_id": workshop["id"]}, {"Cookie": facilitator.cookie_header()}).connect()
    phones = [Phone(storm_server.url, token) for token in _join_all(storm_server, workshop["code"])]
    during, stop, acted = threading.Event(), threading.Event(), []
    mover = threading.Thread(target=_keep_moving, args=(console, during, stop, acted), daemon=True)
    mover.start()

    async def scenario() -> tuple[dict[str, Any], list[dict[str, Any]]]:
        figures = await _storm(phones, console, during)
        stop.set()
        await asyncio.to_thread(mover.join, 10)
        # Let the last live events arrive, then compare every phone with the server.
        server_seq = (await asyncio.to_thread(console.sync))["seq"]
        for _ in range(100):
            if all(p.log.seq >= server_seq for p in phones):
                break
            await asyncio.sleep(0.05)
        snapshots = await asyncio.gather(*(p.snapshot() for p in phones))
        figures["server_seq"] = server_seq
        await asyncio.gather(*(p.sio.disconnect() for p in phones if p.sio is not None))
        return figures, snapshots

    figures, snapshots = asyncio.run(scenario())
    console.disconnect()
    assert not figures["failures"], figures["failures"][:5]
    server_seq = figures["server_seq"]
    resumed = 0
    for phone, state in zip(phones, snapshots, strict=True):
        assert phone.resumed_with == "events", "a phone this close behind catches up from events"
        assert phone.log.contiguous(), "every event applied exactly once, in order"
        assert phone.log.seq == server_seq == state["seq"]
        assert state["me"] == phone.me, "the same participant after the storm"
        assert state["participants"]["total"] == PHONES
        assert state["workshop"]["phase"] == "discuss"
        resumed += 1
    database = Database(storm_server.database_url)
    with database.read() as s:
        assert s.scalar(select(func.count()).select_from(Participant)) == PHONES, "no duplicate participants"
    database.dispose()
    assert acted, "the workshop moved on while the phones reconnected"
    report(
        "storm",
        {
            "phones": PHONES,
            "resumed": resumed,
            "reconnect_seconds": round(figures["seconds"], 2),
            "events_missed_while_away": figures["seq_after_drop"] - figures["seq_before_drop"],
            "events_during_reconnect": len(acted),
            "participants_after": PHONES,
        },
    )
