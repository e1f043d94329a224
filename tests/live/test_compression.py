"""Per-message deflate, which every browser offers, is declined unless WEBSOCKET_COMPRESSION is set."""

from __future__ import annotations

import base64
import os
import socket
from pathlib import Path

from tests.live.harness import Server


def _extensions_granted(server: Server) -> str | None:
    """Open a WebSocket as a browser does, offering per-message deflate; return the extensions granted."""
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{server.port}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as conn:
        conn.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = conn.recv(4096)
            assert chunk, head
            head += chunk
    lines = head.split(b"\r\n\r\n")[0].decode().split("\r\n")
    assert lines[0].startswith("HTTP/1.1 101"), lines[0]
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    return headers.get("sec-websocket-extensions")


def test_deflate_is_declined_by_default_and_accepted_when_set(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'deflate.db'}"
    plain = Server(url, tmp_path).start()
    try:
        assert _extensions_granted(plain) is None
    finally:
        plain.stop()
    deflating = Server(url, tmp_path, env={"WEBSOCKET_COMPRESSION": "true"}).start()
    try:
        assert "permessage-deflate" in (_extensions_granted(deflating) or "")
    finally:
        deflating.stop()
