"""The address phones use to reach this server: PUBLIC_URL, or the laptop's LAN address."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit, urlunsplit


def lan_address() -> str | None:
    """Return this machine's first non-loopback IPv4 address, or None."""
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return None
    for info in infos:
        address = str(info[4][0])
        if not ipaddress.ip_address(address).is_loopback:
            return address
    return None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def public_base(request_url: str, configured: str | None) -> str:
    """Return the base URL to print on the projector: never a loopback address when a LAN one exists."""
    if configured:
        return configured.rstrip("/")
    parts = urlsplit(request_url)
    host = parts.hostname or ""
    if _is_loopback(host):
        lan = lan_address()
        if lan:
            netloc = f"{lan}:{parts.port}" if parts.port else lan
            return urlunsplit((parts.scheme, netloc, "", "", "")).rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, "", "", "")).rstrip("/")
