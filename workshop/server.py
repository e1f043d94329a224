"""Run the app in its production server (the async mode chosen in asyncmode.py)."""

from __future__ import annotations

#: eventlet's WSGI server accepts 1,024 connections by default; a plenary room needs more.
MAX_CONNECTIONS = 10_000


def run(host: str = "127.0.0.1", port: int = 5000) -> None:
    """Serve the app until interrupted."""
    from .asyncmode import choose

    mode = choose()
    from . import create_app
    from .realtime import socketio

    app = create_app()
    print(f"workshop listening on http://{host}:{port} ({mode})", flush=True)
    options = {"max_size": MAX_CONNECTIONS} if mode == "eventlet" else {}
    socketio.run(app, host=host, port=port, log_output=False, allow_unsafe_werkzeug=mode == "threading", **options)
