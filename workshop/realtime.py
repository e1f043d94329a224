"""The Socket.IO server, created once and bound to the app in the factory."""

from __future__ import annotations

from typing import Any

from flask_socketio import SocketIO

from . import asyncmode  # noqa: F401  (quiets eventlet's import-time notice)

#: The largest message the protocol needs (a proposal with options and rationale is a few KB).
MAX_MESSAGE_BYTES = 64 * 1024

socketio = SocketIO()


def init_app(app: Any) -> None:
    """Bind Socket.IO to the app with its async mode, message queue and allowed origins."""
    from . import events  # noqa: F401  (registers the handlers on ``socketio``)

    origins = app.config["ALLOWED_ORIGINS"]
    socketio.init_app(
        app,
        async_mode=app.config["ASYNC_MODE"],
        message_queue=app.config["MESSAGE_QUEUE_URL"],
        # None means same origin only; never "*".
        cors_allowed_origins=origins or None,
        max_http_buffer_size=MAX_MESSAGE_BYTES,
        ping_interval=app.config.get("PING_INTERVAL", 25),
        ping_timeout=app.config.get("PING_TIMEOUT", 20),
        http_compression=True,
    )
