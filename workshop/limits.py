"""Rate limits on joining, logging in and live events, with the `limits` package.

In-memory by default; shared through Redis when MESSAGE_QUEUE_URL names one, so that
several server processes count together.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any

from limits import RateLimitItem, parse, storage, strategies

from .core.errors import DomainError

#: Seconds between sweeps that forget the windows of people who stopped sending.
SWEEP_INTERVAL = 60.0


class RateLimited(DomainError):
    """Too many attempts in too short a time."""

    code = "rate_limited"
    status = 429


class LocalWindows:
    """Moving windows in this process's memory, trimmed when touched and swept once a minute.

    The `limits` memory storage rescans every key 100 times a second while hits arrive; with a room of a
    thousand phones that cost more CPU than the votes themselves. Same interface as its strategies.
    """

    def __init__(self) -> None:
        self._hits: dict[tuple[str, ...], deque[float]] = {}
        self._lock = threading.Lock()
        self._swept = time.monotonic()
        self._longest = 0.0  # the longest window seen, in seconds

    def _window(self, item: RateLimitItem, identifiers: tuple[str, ...], now: float) -> deque[float]:
        hits = self._hits.setdefault(identifiers, deque())
        self._longest = max(self._longest, item.get_expiry())
        start = now - item.get_expiry()
        while hits and hits[0] <= start:
            hits.popleft()
        return hits

    def hit(self, item: RateLimitItem, *identifiers: str) -> bool:
        """Count one hit; False (and not counted) when the window is already full."""
        now = time.monotonic()
        with self._lock:
            hits = self._window(item, identifiers, now)
            allowed = len(hits) < item.amount
            if allowed:
                hits.append(now)
            if now - self._swept > SWEEP_INTERVAL:
                self._sweep(now)
        return allowed

    def test(self, item: RateLimitItem, *identifiers: str) -> bool:
        """Return whether one more hit would be allowed, without counting it."""
        with self._lock:
            return len(self._window(item, identifiers, time.monotonic())) < item.amount

    def _sweep(self, now: float) -> None:
        # A window whose last hit is older than the longest window is empty.
        self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > now - self._longest}
        self._swept = now


class Limiter:
    """The app's rate limits, each a `limits` rate string such as ``10/minute``."""

    def __init__(self, storage_uri: str, rates: dict[str, str]) -> None:
        self._strategy: Any
        if storage_uri == "memory://":
            self._strategy = LocalWindows()
        else:
            self._strategy = strategies.MovingWindowRateLimiter(storage.storage_from_string(storage_uri))
        self._rates = {name: parse(rate) for name, rate in rates.items()}

    def _hit(self, name: str, key: str, message: str) -> None:
        if not self._strategy.hit(self._rates[name], name, key):
            raise RateLimited(message)

    def hit_event(self, actor: str) -> None:
        """Count one live event by a participant or facilitator."""
        self._hit("event", actor, "you are sending too fast; wait a moment and try again")

    def check_join(self, address: str) -> None:
        """Refuse an address that has made too many failed join attempts."""
        if not self._strategy.test(self._rates["join_failure"], "join_failure", address):
            raise RateLimited("too many wrong codes from this device; wait a minute and try again")

    def join_failed(self, address: str) -> None:
        """Count a failed join attempt (a wrong code)."""
        self._strategy.hit(self._rates["join_failure"], "join_failure", address)

    def hit_join(self, address: str) -> None:
        """Count one successful join from an address."""
        self._hit("join", address, "too many joins from this device; wait a minute and try again")

    def hit_login(self, address: str) -> None:
        """Count one login attempt from an address."""
        self._hit("login", address, "too many login attempts; wait a minute and try again")


DEFAULT_RATES = {
    "event": "40/5second",
    "join_failure": "10/minute",
    "join": "120/minute",
    "login": "10/minute",
}


def limiter(app: Any) -> Limiter:
    """Return the app's Limiter, creating it on first use."""
    if "workshop.limiter" not in app.extensions:
        queue = app.config.get("MESSAGE_QUEUE_URL") or ""
        uri = queue if queue.startswith(("redis://", "rediss://")) else "memory://"
        rates = {**DEFAULT_RATES, **app.config.get("RATE_LIMITS", {})}
        app.extensions["workshop.limiter"] = Limiter(uri, rates)
    return app.extensions["workshop.limiter"]  # type: ignore[no-any-return]
