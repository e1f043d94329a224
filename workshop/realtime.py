"""The Socket.IO server, created once and bound to the app in the factory."""

from __future__ import annotations

from typing import Any

from flask_socketio import SocketIO

from . import asyncmode  # noqa: F401  (quiets eventlet's import-time notice)

#: The largest message the protocol needs (a proposal with options and rationale is a few KB).
MAX_MESSAGE_BYTES = 64 * 1024

socketio = SocketIO()


class RefuseWebSocketCompression:
    """WSGI middleware that declines per-message deflate, which browsers offer on every WebSocket.

    Measured with 1,000 phones (docs/deploy.md): deflate kept about 210 KB of zlib state per connection
    (server RSS 426 MB instead of 216 MB) and cost 13% more server CPU, to shrink a 500-byte tally to
    about 80 bytes: some 2 KB/s per phone while a vote runs, which venue Wi-Fi carries easily.
    Set the environment variable WEBSOCKET_COMPRESSION=true to accept it again.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        """Hide the client's offer of extensions, so the WebSocket is set up without them."""
        environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        return self.app(environ, start_response)


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
    if not app.config.get("WEBSOCKET_COMPRESSION", False):
        app.wsgi_app = RefuseWebSocketCompression(app.wsgi_app)
