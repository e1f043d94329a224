"""The baseline of the live benchmark: a bare python-socketio server doing only what the stack must do.

It speaks just enough of the live protocol for benchmarks/liveload.py: phones connect with any token,
``vote.cast`` is counted in memory and acknowledged, ``sync`` returns the round's tally and the phone's own
votes, and the tally goes to every phone in the same shape (so the same size) and on the same coalescing
schedule as the app's (workshop/broadcast.py). No database, no Flask, no checks: what is left is the cost of
Socket.IO itself, which the app's figures are divided by.

Run: python -m benchmarks.relay --port 5100 --async-mode eventlet --round-id 1 --subjects proposal:1,proposal:2
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

VALUES = ("agree", "disagree", "abstain")


def main() -> None:
    """Serve the relay until killed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--async-mode", choices=("eventlet", "gevent"), default="eventlet")
    parser.add_argument("--round-id", type=int, default=1)
    parser.add_argument("--subjects", required=True, help="comma-separated subjects, as in the app's round")
    parser.add_argument("--interval", type=float, default=0.25, help="seconds between tally broadcasts")
    parser.add_argument("--deflate", action="store_true", help="accept per-message deflate (the app refuses it)")
    args = parser.parse_args()

    if args.async_mode == "eventlet":
        import eventlet

        eventlet.monkey_patch()
    else:
        from gevent import monkey

        monkey.patch_all()
    import socketio

    sio = socketio.Server(
        async_mode=args.async_mode,
        max_http_buffer_size=64 * 1024,
        ping_interval=25,
        ping_timeout=20,
        http_compression=True,
    )
    subjects = args.subjects.split(",")
    counts = {s: dict.fromkeys(VALUES, 0) for s in subjects}
    votes: dict[str, dict[str, str]] = {}
    tokens: dict[str, str] = {}
    state: dict[str, Any] = {"dirty": False, "task": None, "last": 0.0}

    def tally() -> dict[str, Any]:
        return {"round_id": args.round_id, "kind": "proposal_vote", "voters": len(votes), "subjects": counts}

    def ticker() -> None:
        # The app's schedule: at once after a quiet spell, then at most once per interval.
        while state["dirty"]:
            wait = state["last"] + args.interval - time.monotonic()
            if wait > 0:
                sio.sleep(wait)
            state["dirty"] = False
            state["last"] = time.monotonic()
            sio.emit("tally", tally(), to="p")
        state["task"] = None

    @sio.on("connect")
    def connect(sid: str, _environ: dict[str, Any], auth: Any = None) -> None:
        tokens[sid] = str((auth or {}).get("token", sid))
        sio.enter_room(sid, "p")

    @sio.on("disconnect")
    def disconnect(sid: str, *_: Any) -> None:
        tokens.pop(sid, None)

    @sio.on("sync")
    def sync(sid: str, _data: Any = None) -> dict[str, Any]:
        state_of_round = {"id": args.round_id, "tally": tally(), "my_votes": votes.get(tokens[sid], {})}
        return {"ok": True, "seq": 0, "snapshot": {"rounds": [state_of_round]}}

    @sio.on("vote.cast")
    def vote(sid: str, data: dict[str, Any]) -> dict[str, Any]:
        subject, value = data["subject"], data["value"]
        mine = votes.setdefault(tokens[sid], {})
        if subject in mine:
            counts[subject][mine[subject]] -= 1
        mine[subject] = value
        counts[subject][value] += 1
        state["dirty"] = True
        if state["task"] is None:
            state["task"] = sio.start_background_task(ticker)
        return {"ok": True, "round_id": args.round_id, "subject": subject, "value": value, "seq": 0}

    @sio.on("relay")
    def relay(_sid: str, message: Any) -> dict[str, Any]:
        sio.emit("event", message, to="p")  # benchmarks/fanout.py: one message to every phone, at once
        return {"ok": True}

    app: Any = socketio.WSGIApp(sio)
    if not args.deflate:  # as the app does (workshop/realtime.py)
        inner = app

        def app(environ: dict[str, Any], start_response: Any) -> Any:
            environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
            return inner(environ, start_response)

    print(f"relay listening on http://127.0.0.1:{args.port} ({args.async_mode})", flush=True)
    if args.async_mode == "eventlet":
        import eventlet.wsgi

        eventlet.wsgi.server(eventlet.listen(("127.0.0.1", args.port)), app, log_output=False, max_size=10_000)
    else:
        from gevent import pywsgi
        from geventwebsocket.handler import WebSocketHandler

        pywsgi.WSGIServer(("127.0.0.1", args.port), app, handler_class=WebSocketHandler, log=None).serve_forever()
    sys.exit(0)


if __name__ == "__main__":
    main()
