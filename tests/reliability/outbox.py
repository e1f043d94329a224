"""A live client that behaves as docs/protocol.md asks of a phone: numbered events, an outbox, resync, resend.

Every action gets an op id and waits in the outbox until acknowledged. When the connection fails,
the client reconnects by itself (with a bounded number of attempts), sends ``sync`` with the last
``seq`` it applied, and resends every unacknowledged action with its original op id.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from typing import Any

import socketio

CALL_TIMEOUT = 6


class Unreachable(Exception):
    """The server did not answer (connection lost, refused, or a call timed out)."""


def close_transport(sio: socketio.Client) -> None:
    """Disconnect and close the WebSocket, which python-engineio leaves open when the server vanished."""
    with contextlib.suppress(Exception):  # the transport may already be gone; closing the socket is what matters
        sio.disconnect()
    ws = getattr(sio.eio, "ws", None)
    if ws is not None:
        ws.shutdown()


class EventLog:
    """The numbered events a client applied: each exactly once, in order, whatever order they arrive in."""

    def __init__(self) -> None:
        #: The last event applied, and every seq applied in order (to prove nothing was skipped or doubled).
        self.seq = 0
        self.applied: list[int] = []
        self.snapshots = 0
        self._early: dict[int, dict[str, Any]] = {}

    def take(self, message: dict[str, Any]) -> None:
        """Apply an event if it is the next one; keep a later one until the gap is filled."""
        seq = message["seq"]
        if seq <= self.seq:
            return  # already applied (a sync overtook the broadcast)
        self._early[seq] = message
        while self.seq + 1 in self._early:
            self.seq += 1
            self.applied.append(self.seq)
            self._early.pop(self.seq)

    def catch_up(self, reply: dict[str, Any]) -> None:
        """Apply a ``sync`` reply: the events missed, or a snapshot that replaces everything."""
        if "snapshot" in reply:
            self.snapshots += 1
            self.seq = reply["seq"]
            self.applied.append(self.seq)
            self._early = {s: m for s, m in self._early.items() if s > self.seq}
        for message in reply.get("events", []):
            self.take(message)
        while self.seq + 1 in self._early:  # live events that arrived before the reply
            self.seq += 1
            self.applied.append(self.seq)
            self._early.pop(self.seq)

    def contiguous(self) -> bool:
        """Return whether every seq from the first applied to the last was applied exactly once, in order."""
        first = self.applied[0] if self.applied else 0
        return self.applied == list(range(first, first + len(self.applied)))


class OutboxClient:
    """One participant (or facilitator) with an outbox of unacknowledged actions."""

    def __init__(self, url: str, auth: dict[str, Any], headers: dict[str, str] | None = None, name: str = "") -> None:
        self.url = url
        self.auth = auth
        self.headers = headers or {}
        self.name = name
        self.lock = threading.Lock()
        self.log = EventLog()
        #: op id -> (event name, payload) of actions not yet acknowledged, in the order they were made.
        self.outbox: dict[str, tuple[str, dict[str, Any]]] = {}
        #: op id -> the acknowledgement received (the first one, or the one received on resend).
        self.acks: dict[str, dict[str, Any]] = {}
        #: op id -> (event name, payload) of every action ever made.
        self.made: dict[str, tuple[str, dict[str, Any]]] = {}
        #: op id -> acknowledgement, for actions whose first reply was lost and that were sent again.
        self.resent: dict[str, dict[str, Any]] = {}
        self.reconnects = 0
        self.sio: socketio.Client | None = None

    # --- connection ---------------------------------------------------------------------

    def _on_event(self, message: dict[str, Any]) -> None:
        with self.lock:
            self.log.take(message)

    @property
    def seq(self) -> int:
        """Return the last event applied."""
        return self.log.seq

    def connect(self) -> None:
        """Open a connection and catch up with ``sync``; raise Unreachable if the server does not answer."""
        sio = socketio.Client(reconnection=False)
        sio.on("event", self._on_event)
        try:
            sio.connect(self.url, auth=self.auth, headers=self.headers, transports=["websocket"], wait_timeout=5)
        except (socketio.exceptions.ConnectionError, OSError) as exc:
            raise Unreachable(str(exc)) from exc
        self.sio = sio
        self.sync()

    def drop(self) -> None:
        """Forget the current connection (it failed, or the test drops it)."""
        if self.sio is not None:
            close_transport(self.sio)
        self.sio = None

    def _call(self, name: str, data: dict[str, Any]) -> dict[str, Any]:
        if self.sio is None or not self.sio.connected:
            raise Unreachable("not connected")
        try:
            return dict(self.sio.call(name, data, timeout=CALL_TIMEOUT))
        except (socketio.exceptions.TimeoutError, socketio.exceptions.SocketIOError) as exc:
            raise Unreachable(f"{name}: {exc!r}") from exc

    def sync(self) -> dict[str, Any]:
        """Ask for what was missed since the last applied seq (a snapshot the first time)."""
        reply = self._call("sync", {"since": self.seq, "draft": False} if self.seq else {"draft": False})
        assert reply["ok"], reply
        with self.lock:
            self.log.catch_up(reply)
        return reply

    # --- actions ------------------------------------------------------------------------

    def flush(self) -> None:
        """Send every action in the outbox, oldest first; raise Unreachable at the first failure."""
        for op_id, (name, payload) in list(self.outbox.items()):
            reply = self._call(name, {"op_id": op_id, **payload})
            with self.lock:
                self.acks[op_id] = reply
                self.outbox.pop(op_id, None)

    def repeat(self, op_id: str) -> dict[str, Any]:
        """Send an acknowledged action again with the same op id (as if its ack had been lost)."""
        name, payload = self.made[op_id]
        return self._call(name, {"op_id": op_id, **payload})

    def recover(self, deadline: float) -> None:
        """Reconnect, sync since the last seq and resend the outbox; retry with a pause until the deadline."""
        pause = 0.2
        while True:
            self.drop()
            try:
                self.connect()
                pending = dict(self.outbox)
                self.flush()
                self.reconnects += 1
                self.resent.update({op_id: self.acks[op_id] for op_id in pending})
                return
            except Unreachable:
                if time.monotonic() > deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 1.5, 1.0)

    def perform(self, name: str, payload: dict[str, Any], deadline: float) -> str:
        """Make an action and make sure it is acknowledged, recovering from failures; return its op id."""
        op_id = uuid.uuid4().hex
        self.made[op_id] = (name, payload)
        self.outbox[op_id] = (name, payload)
        while op_id in self.outbox:
            try:
                self.flush()
            except Unreachable:
                self.recover(deadline)
        return op_id
