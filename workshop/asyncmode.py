"""The one place that chooses the async library and patches the standard library for it."""

from __future__ import annotations

import os
import warnings

# eventlet announces its maintenance mode on import; the stack requires it, so say it once in the docs instead.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

MODES = ("eventlet", "gevent", "threading")
_chosen: str | None = None


def choose(mode: str | None = None) -> str:
    """Select eventlet (default), gevent or threading and monkey-patch once; return the mode."""
    global _chosen
    mode = mode or os.environ.get("WORKSHOP_ASYNC_MODE") or "eventlet"
    if mode not in MODES:
        raise SystemExit(f"WORKSHOP_ASYNC_MODE must be one of {', '.join(MODES)}, not {mode!r}")
    if _chosen is not None:
        return _chosen
    if mode == "eventlet":
        import eventlet

        eventlet.monkey_patch()
    elif mode == "gevent":
        from gevent import monkey

        monkey.patch_all()
    _chosen = mode
    return mode
