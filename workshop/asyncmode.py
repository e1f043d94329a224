"""The one place that chooses the async library and patches the standard library for it."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

# eventlet announces its maintenance mode on import; the stack requires it, so say it once in the docs instead.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

MODES = ("eventlet", "gevent", "threading")
_chosen: str | None = None
T = TypeVar("T")


def choose(mode: str | None = None) -> str:
    """Select eventlet (default), gevent or threading and monkey-patch once; return the mode."""
    global _chosen
    mode = mode or os.environ.get("WORKSHOP_ASYNC_MODE") or "eventlet"
    if mode not in MODES:
        raise SystemExit(f"WORKSHOP_ASYNC_MODE must be one of {', '.join(MODES)}, not {mode!r}")
    if _chosen is not None:
        return _chosen
    if mode == "eventlet":
        # psycopg waits for PostgreSQL in C (poll), which eventlet cannot see: the whole process would stop
        # for every query. It detects gevent's patching itself, not eventlet's; its select() wait is green.
        os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")
        import eventlet

        eventlet.monkey_patch()
    elif mode == "gevent":
        from gevent import monkey

        monkey.patch_all()
    _chosen = mode
    return mode


def offload(fn: Callable[..., T], *args: Any) -> T:
    """Run a blocking call (an fsync) in a real OS thread, so that green threads keep running meanwhile."""
    if _chosen == "eventlet":
        from eventlet import tpool

        return tpool.execute(fn, *args)  # type: ignore[no-any-return]
    if _chosen == "gevent":
        import gevent

        return gevent.get_hub().threadpool.apply(fn, args)  # type: ignore[no-any-return]
    return fn(*args)
