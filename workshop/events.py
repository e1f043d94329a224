"""Socket.IO handlers: identify the client, parse, call the core, acknowledge, broadcast. Thin.

The wire protocol is documented in docs/protocol.md.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request, session
from flask_socketio import ConnectionRefusedError, join_room

from .broadcast import after_commit, private_room, public_room
from .core import accounts, actions, live, snapshot, workshops
from .core.errors import DomainError, Invalid, NotAllowed
from .core.live_models import Workshop
from .db import get_db
from .limits import RateLimited, limiter
from .realtime import socketio

#: Connected clients by Socket.IO session id (each process knows its own).
_viewers: dict[str, live.Viewer] = {}


def _error(exc: DomainError) -> dict[str, Any]:
    return {"ok": False, "error": exc.to_dict()}


def _identify(auth: Any) -> live.Viewer:
    """Return who is connecting: a participant by rejoin token, or the logged-in facilitator."""
    if not isinstance(auth, dict):
        raise Invalid("connect with auth {token} (participant) or {workshop_id, view} (facilitator)")
    with get_db().read() as s:
        if "token" in auth:
            participant = workshops.resume(s, auth["token"])
            workshop = s.get(Workshop, participant.workshop_id)
            assert workshop is not None
            return live.Viewer("participant", workshop.id, participant_id=participant.id, label=participant.pseudonym)
        facilitator_id: int = session.get("facilitator_id", 0)
        version = session.get("session_version")
        if not accounts.session_valid(s, facilitator_id, version):
            raise NotAllowed("log in as a facilitator first")
        workshop_id = auth.get("workshop_id")
        if not isinstance(workshop_id, int) or isinstance(workshop_id, bool):
            raise Invalid("workshop_id must be a number")
        accounts.check_workshop(s, facilitator_id, workshop_id)
        role = "projector" if auth.get("view") == "projector" else "facilitator"
        email = session.get("facilitator_email", "")
        return live.Viewer(role, workshop_id, facilitator_id=facilitator_id, label=str(email), session_version=version)


@socketio.on("connect")
def on_connect(auth: Any = None) -> None:
    """Any client connects with its credentials in ``auth``; it joins its workshop's room."""
    try:
        viewer = _identify(auth)
    except DomainError as exc:
        raise ConnectionRefusedError(exc.message, exc.to_dict()) from None
    _viewers[request.sid] = viewer  # type: ignore[attr-defined]
    room = private_room if viewer.sees_private else public_room
    join_room(room(viewer.workshop_id))


@socketio.on("disconnect")
def on_disconnect(*_args: Any) -> None:
    """Forget the client's identity."""
    _viewers.pop(request.sid, None)  # type: ignore[attr-defined]


@socketio.on("sync")
def on_sync(data: Any = None) -> dict[str, Any]:
    """A client asks for what it missed since ``since`` (or everything); replies with events or a snapshot."""
    viewer = _viewers.get(request.sid)  # type: ignore[attr-defined]
    if viewer is None:
        return _error(NotAllowed("connect first"))
    data = data if isinstance(data, dict) else {}
    since = data.get("since")
    try:
        with get_db().read() as s:
            actions.check_viewer(s, viewer) if viewer.role != "projector" else None
            workshop = s.get(Workshop, viewer.workshop_id)
            assert workshop is not None
            if isinstance(since, int) and not isinstance(since, bool):
                events = live.missed(s, workshop, since, viewer.sees_private)
                if events is not None:
                    # Counts of participants are not numbered events: a client catching up gets them as they are.
                    counts = workshops.roster(s, workshop.id, private=viewer.sees_private)
                    return {"ok": True, "seq": workshop.seq, "events": events, "participants": counts}
            state = snapshot.snapshot(s, viewer, workshop, with_draft=data.get("draft", True) is not False)
            return {"ok": True, "seq": state["seq"], "snapshot": state}
    except DomainError as exc:
        return _error(exc)


@socketio.on("*")
def on_action(name: str, *args: Any) -> dict[str, Any]:
    """A client takes an action (see core/actions.py); acknowledged once committed, then broadcast."""
    viewer = _viewers.get(request.sid)  # type: ignore[attr-defined]
    if viewer is None:
        return _error(NotAllowed("connect first"))
    if len(args) != 1:
        return _error(Invalid("send exactly one JSON object with each event"))
    data = args[0]
    try:
        limiter(current_app).hit_event(viewer.key)
        # Committed together with the actions that arrive during the same fsync; broadcast in sequence order.
        performed = get_db().batched(
            lambda s: actions.perform(s, viewer, name, data), after=lambda done: _broadcast(viewer.workshop_id, done)
        )
    except (DomainError, RateLimited) as exc:
        return _error(exc)
    return performed.reply  # type: ignore[no-any-return]


def _broadcast(workshop_id: int, performed: actions.Performed) -> None:
    """Send a committed action's events; note a changed tally or roster for the next coalesced broadcast."""
    after_commit(workshop_id, performed.sent, performed.tally_round, performed.roster)
