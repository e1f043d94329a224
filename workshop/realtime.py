"""The Socket.IO server, created once and bound to the app in the factory."""

from __future__ import annotations

from typing import Any

from flask_socketio import SocketIO

from . import asyncmode  # noqa: F401  (quiets eventlet's import-time notice)

socketio = SocketIO()


def init_app(app: Any) -> None:
    """Bind Socket.IO to the app with its async mode, message queue and allowed origins."""
    socketio.init_app(
        app,
        async_mode=app.config["ASYNC_MODE"],
        message_queue=app.config["MESSAGE_QUEUE_URL"],
        cors_allowed_origins=app.config["ALLOWED_ORIGINS"] or None,
    )
