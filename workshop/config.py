"""Settings from the environment, with safe defaults for a laptop."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message says which and how to fix it."""


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def from_environment(instance_path: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Return the app's settings read from environment variables."""
    env = dict(os.environ if env is None else env)
    production = env.get("WORKSHOP_ENV", "development").lower() == "production"
    secret = env.get("SECRET_KEY", "")
    if not secret:
        if production:
            raise ConfigError("SECRET_KEY must be set when WORKSHOP_ENV=production")
        secret = _instance_secret(Path(instance_path))
    default_db = f"sqlite:///{Path(instance_path) / 'workshop.db'}"
    return {
        "ENV_PRODUCTION": production,
        "SECRET_KEY": secret,
        "DATABASE_URL": env.get("DATABASE_URL") or default_db,
        "MESSAGE_QUEUE_URL": env.get("MESSAGE_QUEUE_URL") or None,
        "ASYNC_MODE": env.get("WORKSHOP_ASYNC_MODE", "eventlet"),
        "PUBLIC_URL": (env.get("PUBLIC_URL") or "").rstrip("/") or None,
        "ALLOWED_ORIGINS": [o.strip().rstrip("/") for o in env.get("ALLOWED_ORIGINS", "").split(",") if o.strip()],
        "AUTO_MIGRATE": _bool(env.get("WORKSHOP_AUTO_MIGRATE"), True),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE"), production),
        "RATE_LIMITS": _rates(env.get("WORKSHOP_RATE_LIMITS", "")),
        "PROXIES": _count(env.get("WORKSHOP_PROXIES"), "WORKSHOP_PROXIES"),
        "WEBSOCKET_COMPRESSION": _bool(env.get("WEBSOCKET_COMPRESSION"), False),
    }


def _count(text: str | None, name: str) -> int:
    """Parse a whole number of at least 0 (unset means 0)."""
    value = (text or "0").strip()
    if not value.isdigit():
        raise ConfigError(f"{name} must be a whole number (0 or more), not {text!r}")
    return int(value)


def _rates(text: str) -> dict[str, str]:
    """Parse ``name=rate,name=rate`` (e.g. ``join=5000/minute``) into overrides of the default limits."""
    rates = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, rate = part.partition("=")
        if not sep:
            raise ConfigError(f"WORKSHOP_RATE_LIMITS: expected name=rate, got {part!r}")
        rates[name.strip()] = rate.strip()
    return rates


def instance_secret(instance: Path, name: str, make: Callable[[], str]) -> str:
    """Return a secret kept in a file of the instance folder, making it (owner-readable only) on first use."""
    path = instance / name
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    value = make()
    path.write_text(value)
    path.chmod(0o600)
    return value


def _instance_secret(instance: Path) -> str:
    # In development a generated key is fine, but keep it across restarts so logins survive.
    return instance_secret(instance, "secret_key", lambda: secrets.token_hex(32))
