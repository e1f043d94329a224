"""Sending to workshop rooms: numbered events at once, tallies coalesced to a few per second."""

from __future__ import annotations

import threading
from typing import Any

from .core import tallies
from .core.live import Sent
from .core.live_models import Round
from .realtime import socketio

#: Seconds between tally broadcasts of one workshop, whatever the vote rate.
TALLY_INTERVAL = 0.25


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


class TallyCoalescer:
    """Collects rounds whose votes changed and broadcasts their tallies at most every TALLY_INTERVAL."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._dirty: dict[int, int] = {}  # round id -> workshop id
        self._lock = threading.Lock()
        self._task: Any = None

    def mark(self, workshop_id: int, round_id: int) -> None:
        """Note that a round's tally changed; it goes out with the next tick."""
        with self._lock:
            self._dirty[round_id] = workshop_id
            if self._task is None:
                self._task = socketio.start_background_task(self._run)

    def _take(self) -> dict[int, int]:
        with self._lock:
            dirty, self._dirty = self._dirty, {}
            if not dirty:
                self._task = None
            return dirty

    def _run(self) -> None:
        from .db import get_db

        while True:
            socketio.sleep(TALLY_INTERVAL)
            dirty = self._take()
            if not dirty:
                return
            with self.app.app_context(), get_db(self.app).read() as session:
                for round_id, workshop_id in dirty.items():
                    row = session.get(Round, round_id)
                    if row is None:
                        continue
                    full = tallies.tally(session, row)
                    public = full if row.revealed else tallies.public_tally(session, row)
                    socketio.emit("tally", full, to=private_room(workshop_id))
                    socketio.emit("tally", public, to=public_room(workshop_id))
