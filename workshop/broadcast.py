"""Sending to workshop rooms: numbered events at once, tallies coalesced to a few per second.

A round's tally goes out at once when its votes change after a quiet spell, then at most once every
TALLY_INTERVAL while they keep changing, whatever the vote rate. With several server processes
(MESSAGE_QUEUE_URL names Redis) that schedule is shared: the rounds waiting to be sent are kept in Redis,
and a process sends them only after claiming the one broadcast slot (SET NX PX), so the deployment as a
whole sends at most one tally per interval, and a vote counted by any process reaches every phone.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from .core import tallies
from .core.live import Sent
from .core.live_models import Round
from .realtime import socketio

#: Seconds between tally broadcasts of one workshop, whatever the vote rate.
TALLY_INTERVAL = 0.25
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


class LocalSchedule:
    """The rounds to send and the broadcast slot, for one server process."""

    def __init__(self) -> None:
        self._dirty: dict[int, int] = {}  # round id -> workshop id
        self._last = float("-inf")

    def add(self, round_id: int, workshop_id: int) -> None:
        """Note a round whose tally changed."""
        self._dirty[round_id] = workshop_id

    def pending(self) -> bool:
        """Return whether any round waits to be sent."""
        return bool(self._dirty)

    def claim(self) -> float:
        """Take the broadcast slot and return 0, or return the seconds until it is free."""
        now = time.monotonic()
        wait = self._last + TALLY_INTERVAL - now
        if wait > 0:
            return wait
        self._last = now
        return 0.0

    def take(self) -> dict[int, int]:
        """Return and forget the rounds waiting to be sent."""
        dirty, self._dirty = self._dirty, {}
        return dirty


class RedisSchedule:
    """The rounds to send and the broadcast slot, shared by every server process through Redis."""

    DIRTY = "workshop:tallies:dirty"
    SLOT = "workshop:tallies:slot"

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url)

    def add(self, round_id: int, workshop_id: int) -> None:
        """Note a round whose tally changed."""
        self._redis.sadd(self.DIRTY, f"{round_id}:{workshop_id}")

    def pending(self) -> bool:
        """Return whether any round waits to be sent (by any process)."""
        return bool(self._redis.scard(self.DIRTY))

    def claim(self) -> float:
        """Take the broadcast slot and return 0, or return the seconds until it is free."""
        if self._redis.set(self.SLOT, b"1", nx=True, px=int(TALLY_INTERVAL * 1000)):
            return 0.0
        return max(int(self._redis.pttl(self.SLOT)), 1) / 1000

    def take(self) -> dict[int, int]:
        """Return and forget the rounds waiting to be sent (atomically: no other process gets them too)."""
        pipe = self._redis.pipeline(transaction=True)
        pipe.smembers(self.DIRTY)
        pipe.delete(self.DIRTY)
        members, _ = pipe.execute()
        pairs = (member.decode().split(":") for member in members)
        return {int(round_id): int(workshop_id) for round_id, workshop_id in pairs}


class TallyCoalescer:
    """Broadcasts the tallies of rounds whose votes changed, on the schedule described above."""

    def __init__(self, app: Any) -> None:
        self.app = app
        queue = app.config.get("MESSAGE_QUEUE_URL")
        self._schedule: LocalSchedule | RedisSchedule = RedisSchedule(queue) if is_redis(queue) else LocalSchedule()
        self._lock = threading.Lock()
        self._task: Any = None

    def mark(self, workshop_id: int, round_id: int) -> None:
        """Note that a round's tally changed; it goes out now, or when the slot is next free."""
        self._schedule.add(round_id, workshop_id)
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
            log.exception("tally broadcast failed")
            with self._lock:
                self._task = None

    def _send(self, dirty: dict[int, int]) -> None:
        from .db import get_db

        with self.app.app_context(), get_db(self.app).read() as session:
            for round_id, workshop_id in dirty.items():
                row = session.get(Round, round_id)
                if row is None:
                    continue
                full = tallies.tally(session, row)
                public = full if row.revealed else tallies.public_tally(session, row)
                socketio.emit("tally", full, to=private_room(workshop_id))
                socketio.emit("tally", public, to=public_room(workshop_id))
