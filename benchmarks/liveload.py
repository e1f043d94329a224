"""One load-generator process of the live benchmark: many phones as python-socketio asyncio clients.

Started by benchmarks/live.py with a JSON plan on the command line; talks to it by lines on stdin/stdout:
prints ``{"ready": ...}`` once every phone has joined and connected, waits for ``go <monotonic start>``,
votes, verifies, writes its raw results to the plan's ``out`` file and prints ``{"done": true}``.

Times are ``time.monotonic()``, one clock for every process on the machine, so the orchestrator can
compare a vote sent here with a tally seen in another load process.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import socketio

VALUES = ("agree", "disagree", "abstain")
#: Joins (HTTP + connect + first sync) in flight at once: a room filling up, not a thundering herd.
JOIN_CONCURRENCY = 25
ACK_TIMEOUT = 30.0


@dataclass
class Phone:
    """One participant: its connection, its tally log and its own votes."""

    index: int
    url: str
    token: str = ""
    sio: Any = None
    #: (monotonic time, total of each load process's subjects) whenever a tally changed those totals.
    tallies: list[list[float]] = field(default_factory=list)
    #: Numbered events received, and how many arrived after a later one (from another process, say).
    seen: set[int] = field(default_factory=set)
    highest: int = 0
    reordered: int = 0
    first_seq: int = 0
    #: subject -> value of every acknowledged vote.
    acked: dict[str, str] = field(default_factory=dict)
    #: draft version number -> when its ``version`` event arrived (benchmarks/fanout.py).
    versions: dict[int, float] = field(default_factory=dict)
    sample: dict[str, Any] | None = None  # one version event as received


class Load:
    """The phones of one load process and what they measured."""

    def __init__(self, plan: dict[str, Any]) -> None:
        self.plan = plan
        self.groups: list[list[str]] = plan["groups"]
        self.mine: list[str] = self.groups[plan["index"]]
        self.phones = [Phone(i, plan["urls"][i % len(plan["urls"])]) for i in range(plan["clients"])]
        self.join_ms: list[float] = []
        self.errors: dict[str, int] = {}
        self.votes: list[list[Any]] = []  # [k, sent, acked or None, ok, late_ms]
        self.loop_lag_ms: list[float] = []
        self.dropped: list[list[float]] = []  # [phone index, when] of connections lost before the end
        self.closing = False

    def error(self, kind: str) -> None:
        """Count one failure of a kind."""
        self.errors[kind] = self.errors.get(kind, 0) + 1

    # --- joining -------------------------------------------------------------------

    async def join_all(self) -> None:
        """Join every phone (HTTP), connect it (WebSocket) and sync it, a few at a time."""
        gate = asyncio.Semaphore(JOIN_CONCURRENCY)
        connector = aiohttp.TCPConnector(limit=JOIN_CONCURRENCY * 2)
        # The relay has no joins to announce: its phones connect as fast as the gate lets them.
        start, rate = time.monotonic(), float("inf") if self.plan["baseline"] else self.plan["join_rate"]
        async with aiohttp.ClientSession(connector=connector) as http:

            async def one(phone: Phone) -> None:
                # The room fills at a steady rate (people scanning the QR code), not all in the same instant.
                await asyncio.sleep(max(0.0, start + phone.index / rate - time.monotonic()))
                async with gate:
                    await self.join(http, phone)

            await asyncio.gather(*(one(p) for p in self.phones))

    async def join(self, http: aiohttp.ClientSession, phone: Phone) -> None:
        """Join one phone as the participant page does: POST /api/join, connect, sync."""
        if self.plan["baseline"]:
            phone.token = f"bench-{self.plan['index']}-{phone.index}"
        else:
            body = {"code": self.plan["code"], "display_name": "", "group": None, "acknowledged": True}
            started = time.monotonic()
            try:
                async with http.post(phone.url + "/api/join", json=body, timeout=aiohttp.ClientTimeout(60)) as r:
                    reply = await r.json()
                    ok = r.status == 201
            except (aiohttp.ClientError, TimeoutError, ValueError):
                ok, reply = False, {}
            if not ok:
                self.error("join")
                return
            self.join_ms.append((time.monotonic() - started) * 1000)
            phone.token = reply["token"]
        sio = socketio.AsyncClient(
            reconnection=False,
            handle_sigint=False,
            request_timeout=30,
            # Browsers offer per-message deflate; aiohttp only when asked.
            websocket_extra_options={"compress": 15} if self.plan["compress"] else {},
        )
        sio.on("tally", self._tally_handler(phone))
        sio.on("event", self._event_handler(phone))
        sio.on("disconnect", self._disconnect_handler(phone))
        try:
            await sio.connect(phone.url, auth={"token": phone.token}, transports=["websocket"], wait_timeout=30)
            reply = await sio.call("sync", {"draft": False}, timeout=60)
        except (socketio.exceptions.SocketIOError, TimeoutError, aiohttp.ClientError):
            self.error("connect")
            await sio.disconnect()
            return
        if not reply.get("ok"):
            self.error("sync")
            return
        phone.sio = sio
        phone.first_seq = reply["seq"] + 1  # the sync reply covers everything before

    def _tally_handler(self, phone: Phone) -> Any:
        groups = self.groups

        def on_tally(message: dict[str, Any]) -> None:
            now = time.monotonic()
            subjects = message.get("subjects")
            if not subjects:
                return
            totals = [sum(sum(subjects[s].values()) for s in group) for group in groups]
            if not phone.tallies or phone.tallies[-1][1:] != totals:
                phone.tallies.append([now, *totals])

        return on_tally

    def _disconnect_handler(self, phone: Phone) -> Any:
        def on_disconnect(reason: Any = None) -> None:
            if not self.closing:
                self.error(f"disconnected:{reason}")
                self.dropped.append([phone.index, time.monotonic()])

        return on_disconnect

    def _event_handler(self, phone: Phone) -> Any:
        def on_event(message: dict[str, Any]) -> None:
            if message.get("name") == "version":
                phone.versions.setdefault(int(message["data"]["number"]), time.monotonic())
                phone.sample = message
            seq = int(message.get("seq", 0))
            if seq < phone.highest:
                phone.reordered += 1
            phone.highest = max(phone.highest, seq)
            phone.seen.add(seq)

        return on_event

    # --- voting --------------------------------------------------------------------

    async def vote_all(self, start: float) -> None:
        """Send this process's share of the votes on schedule; each (phone, subject) pair votes once."""
        live = [p for p in self.phones if p.sio is not None]
        rate, seconds = self.plan["rate"], self.plan["seconds"]
        total = min(int(rate * seconds), len(live) * len(self.mine))
        pending = []
        monitor = asyncio.create_task(self._watch_loop(start + seconds + 2))
        for k in range(1, total + 1):
            due = start + (k - 1) / rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            phone = live[(k - 1) % len(live)]
            subject = self.mine[(k - 1) // len(live)]
            pending.append(asyncio.create_task(self._vote(phone, k, subject, VALUES[k % 3], due)))
        await asyncio.gather(*pending)
        await monitor

    async def _vote(self, phone: Phone, k: int, subject: str, value: str, due: float) -> None:
        sent = time.monotonic()
        record: list[Any] = [k, sent, None, False, (sent - due) * 1000]
        self.votes.append(record)
        body = {"op_id": f"bench-{self.plan['index']}-{k:08d}", "round_id": self.plan["round_id"]}
        try:
            reply = await phone.sio.call("vote.cast", {**body, "subject": subject, "value": value}, timeout=ACK_TIMEOUT)
        except (socketio.exceptions.SocketIOError, TimeoutError):
            self.error("ack_timeout")
            return
        record[2] = time.monotonic()
        record[3] = bool(reply.get("ok"))
        if record[3]:
            phone.acked[subject] = value
        else:
            self.error("refused:" + str(reply.get("error", {}).get("code")))

    async def _watch_loop(self, until: float) -> None:
        """Measure how late this event loop wakes up: latency the load generator itself adds."""
        while time.monotonic() < until:
            asked = time.monotonic()
            await asyncio.sleep(0.05)
            self.loop_lag_ms.append((time.monotonic() - asked - 0.05) * 1000)

    # --- checking ------------------------------------------------------------------

    async def verify(self) -> dict[str, Any]:
        """Ask every phone for its own recorded votes and compare them with what was acknowledged."""
        missing = unexpected = events_missing = 0
        counted: list[int] | None = None
        gate = asyncio.Semaphore(50)
        round_id = self.plan["round_id"]

        async def one(phone: Phone) -> None:
            nonlocal missing, unexpected, counted, events_missing
            async with gate:
                try:
                    reply = await phone.sio.call("sync", {"draft": False}, timeout=60)
                except (socketio.exceptions.SocketIOError, TimeoutError):
                    self.error("verify")
                    return
            if phone.first_seq:  # every event after the phone's first sync must have arrived
                events_missing += sum(1 for seq in range(phone.first_seq, reply["seq"] + 1) if seq not in phone.seen)
            rounds = {r["id"]: r for r in reply["snapshot"]["rounds"]}
            recorded = rounds[round_id]["my_votes"]
            missing += sum(1 for s, v in phone.acked.items() if recorded.get(s) != v)
            unexpected += sum(1 for s in recorded if s not in phone.acked)
            if counted is None:
                tally = rounds[round_id]["tally"]["subjects"]
                counted = [sum(sum(tally[s].values()) for s in group) for group in self.groups]

        await asyncio.gather(*(one(p) for p in self.phones if p.sio is not None))
        return {"missing": missing, "unexpected": unexpected, "counted": counted, "events_missing": events_missing}

    async def close(self) -> None:
        """Disconnect every phone."""
        self.closing = True
        await asyncio.gather(*(p.sio.disconnect() for p in self.phones if p.sio is not None))


async def _line() -> str:
    return await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)


def _say(message: dict[str, Any]) -> None:
    print(json.dumps(message), flush=True)


async def run(plan: dict[str, Any]) -> None:
    """Join, report ready, vote on the go signal, verify, write results."""
    load = Load(plan)
    await load.join_all()
    _say({"ready": True, "connected": sum(p.sio is not None for p in load.phones), "errors": load.errors})
    command = (await _line()).split()
    start = float(command[1])
    await load.vote_all(start)
    _say({"voted": True})
    await asyncio.sleep(plan["settle"])  # the last coalesced tallies arrive
    check = await load.verify()
    result = {
        "index": plan["index"],
        "clients": len(load.phones),
        "connected": sum(p.sio is not None for p in load.phones),
        "join_ms": load.join_ms,
        "errors": load.errors,
        "votes": load.votes,
        "tallies": [p.tallies for p in load.phones if p.sio is not None],
        "events_reordered": sum(p.reordered for p in load.phones),
        "loop_lag_ms": load.loop_lag_ms,
        "dropped": load.dropped,
        **check,
    }
    await load.close()
    with open(plan["out"], "w") as out:
        json.dump(result, out)
    _say({"done": True})


def main() -> None:
    """Run one load process from the JSON plan given as the only argument."""
    asyncio.run(run(json.loads(sys.argv[1])))


if __name__ == "__main__":
    main()
