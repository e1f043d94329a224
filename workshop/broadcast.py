"""Sending to workshop rooms: numbered events at once; tallies and participant counts coalesced.

A round's tally, and a workshop's count of participants, go out at once when they change after a quiet
spell, then at most once every TALLY_INTERVAL while they keep changing, whatever the rate of votes or joins:
a room of N filling up costs N small messages per interval, not one message per join to everyone (N^2/2).
With several server processes (MESSAGE_QUEUE_URL names Redis) that schedule is shared: what waits to be
sent is kept in Redis, and a process sends it only after claiming the one broadcast slot (SET NX PX), so the
deployment as a whole sends at most one batch per interval, and a change made through any process reaches
every phone.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from .core import tallies, workshops
from .core.live import Sent
from .core.live_models import Round
from .realtime import socketio

#: Seconds between coalesced broadcasts (tallies, participant counts), whatever the rate of changes.
TALLY_INTERVAL = 0.2
log = logging.getLogger(__name__)


def public_room(workshop_id: int) -> str:
    """Return the room of participants and projectors."""
    return f"w{workshop_id}:p"


def private_room(workshop_id: int) -> str:
    """Return the room of the workshop's facilitators."""
    return f"w{workshop_id}:f"


def send(sent: list[Sent]) -> None:
    """Broadcast recorded events: the public view to participants, the private view to facilitators."""
    for event in sent:
        socketio.emit("event", event.message(private=False), to=public_room(event.workshop_id))
        socketio.emit("event", event.message(private=True), to=private_room(event.workshop_id))


def is_redis(url: str | None) -> bool:
    """Return whether a message queue URL names Redis (so that processes can share state through it)."""
    return bool(url) and str(url).startswith(("redis://", "rediss://"))


def tally_key(workshop_id: int, round_id: int) -> str:
    """Return what the schedule holds for a round whose tally changed."""
    return f"t:{workshop_id}:{round_id}"


def roster_key(workshop_id: int) -> str:
    """Return what the schedule holds for a workshop whose participants changed."""
    return f"r:{workshop_id}"


class LocalSchedule:
    """What waits to be sent and the broadcast slot, for one server process."""

    def __init__(self) -> None:
        self._dirty: set[str] = set()
        self._last = float("-inf")

    def add(self, key: str) -> None:
        """Note a changed tally or roster (see tally_key, roster_key)."""
        self._dirty.add(key)

    def pending(self) -> bool:
        """Return whether anything waits to be sent."""
        return bool(self._dirty)

    def claim(self) -> float:
        """Take the broadcast slot and return 0, or return the seconds until it is free."""
        now = time.monotonic()
        wait = self._last + TALLY_INTERVAL - now
        if wait > 0:
            return wait
        self._last = now
        return 0.0

    def take(self) -> set[str]:
        """Return and forget what waits to be sent."""
        dirty, self._dirty = self._dirty, set()
        return dirty


class RedisSchedule:
    """What waits to be sent and the broadcast slot, shared by every server process through Redis."""

    DIRTY = "workshop:coalesced:dirty"
    SLOT = "workshop:coalesced:slot"

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url)

    def add(self, key: str) -> None:
        """Note a changed tally or roster (see tally_key, roster_key)."""
        self._redis.sadd(self.DIRTY, key)

    def pending(self) -> bool:
        """Return whether anything waits to be sent (by any process)."""
        return bool(self._redis.scard(self.DIRTY))

    def claim(self) -> float:
        """Take the broadcast slot and return 0, or return the seconds until it is free."""
        if self._redis.set(self.SLOT, b"1", nx=True, px=int(TALLY_INTERVAL * 1000)):
            return 0.0
        return max(int(self._redis.pttl(self.SLOT)), 1) / 1000

    def take(self) -> set[str]:
        """Return and forget what waits to be sent (atomically: no other process gets it too)."""
        pipe = self._redis.pipeline(transaction=True)
        pipe.smembers(self.DIRTY)
        pipe.delete(self.DIRTY)
        members, _ = pipe.execute()
        return {member.decode() for member in members}


class Coalescer:
    """Broadcasts changed tallies and participant counts, on the schedule described above."""

    def __init__(self, app: Any) -> None:
        self.app = app
        queue = app.config.get("MESSAGE_QUEUE_URL")
        self._schedule: LocalSchedule | RedisSchedule = RedisSchedule(queue) if is_redis(queue) else LocalSchedule()
        self._lock = threading.Lock()
        self._task: Any = None

    def tally(self, workshop_id: int, round_id: int) -> None:
        """Note that a round's tally changed; it goes out now, or when the slot is next free."""
        self._mark(tally_key(workshop_id, round_id))

    def roster(self, workshop_id: int) -> None:
        """Note that who takes part in a workshop changed; the counts go out now, or when the slot is next free."""
        self._mark(roster_key(workshop_id))

    def _mark(self, key: str) -> None:
        self._schedule.add(key)
        with self._lock:
            if self._task is None:
                self._task = socketio.start_background_task(self._run)

    def _run(self) -> None:
        try:
            while True:
                with self._lock:
                    if not self._schedule.pending():
                        self._task = None
                        return
                wait = self._schedule.claim()
                if wait > 0:
                    socketio.sleep(wait)
                    continue
                dirty = self._schedule.take()
                if dirty:
                    self._send(dirty)
        except Exception:  # Redis or the database failed: log it; the next vote starts a new sender
            log.exception("coalesced broadcast failed")
            with self._lock:
                self._task = None

    def _send(self, dirty: set[str]) -> None:
        from .db import get_db

        with self.app.app_context(), get_db(self.app).read() as session:
            for key in sorted(dirty):
                kind, workshop, *rest = key.split(":")
                workshop_id = int(workshop)
                if kind == "r":
                    full = workshops.roster(session, workshop_id, private=True)
                    counts = {k: v for k, v in full.items() if k != "people"}
                    socketio.emit("participants", counts, to=public_room(workshop_id))
                    socketio.emit("participants", full, to=private_room(workshop_id))
                    continue
                row = session.get(Round, int(rest[0]))
                if row is None:
                    continue
                full = tallies.tally(session, row)
                public = full if row.revealed else tallies.public_tally(session, row)
                socketio.emit("tally", full, to=private_room(workshop_id))
                socketio.emit("tally", public, to=public_room(workshop_id))


def coalescer() -> Coalescer:
    """Return the application's coalescer (made on first use)."""
    from flask import current_app

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if "workshop.coalescer" not in app.extensions:
        app.extensions["workshop.coalescer"] = Coalescer(app)
    return app.extensions["workshop.coalescer"]  # type: ignore[no-any-return]


def after_commit(workshop_id: int, sent: list[Sent], tally_round: int | None = None, roster: bool = False) -> None:
    """Broadcast what a committed transaction changed: its numbered events now, tallies and counts coalesced."""
    send(sent)
    if tally_round is not None:
        coalescer().tally(workshop_id, tally_round)
    if roster:
        coalescer().roster(workshop_id)
