"""Run the app in its production server (the async mode chosen in asyncmode.py)."""

from __future__ import annotations

import gc
from typing import Any

#: eventlet's WSGI server accepts 1,024 connections by default; a plenary room needs more.
MAX_CONNECTIONS = 10_000
#: The cyclic garbage collector's thresholds (CPython's defaults are 700, 10, 10); see tune_garbage_collector.
GC_THRESHOLDS = (20_000, 50, 100)


def tune_garbage_collector() -> None:
    """Keep the garbage collector from pausing every connection for a fifth of a second while a room votes.

    With 1,000 phones connected and CPython's defaults, a full collection ran every few seconds and stopped
    the process for 120-230 ms each time (docs/deploy.md). Everything made at start-up (modules, the app)
    lives as long as the process: freezing it takes it out of every later collection. A larger young
    generation lets the short-lived objects of each message be freed by reference counting before they are
    promoted, so young collections are rarer (about 8 ms each) and full ones rarer still.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def _raise_open_files_limit() -> None:
    """Let the process hold one file descriptor per phone (many systems start it at 1,024)."""
    try:
        import resource
    except ImportError:  # not on POSIX
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = MAX_CONNECTIONS + 256
    if soft != resource.RLIM_INFINITY and soft < wanted:
        limit = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))


def trust_proxies(app: Any, count: int) -> None:
    """Take the client's address and scheme from X-Forwarded-For/-Proto set by ``count`` reverse proxies.

    Behind nginx every request comes from the proxy's address, so the per-address limits on joining and
    logging in would count a whole venue as one device. Trust only as many hops as there really are.
    """
    if count > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


def run(host: str = "127.0.0.1", port: int = 5000) -> None:
    """Serve the app until interrupted."""
    from .asyncmode import choose

    mode = choose()
    from . import create_app
    from .realtime import socketio

    app = create_app()
    # How many reverse proxies stand in front of this process (docs/deploy.md); 0 when phones connect directly.
    trust_proxies(app, app.config["PROXIES"])
    _raise_open_files_limit()
    tune_garbage_collector()
    print(f"workshop listening on http://{host}:{port} ({mode})", flush=True)
    options = {"max_size": MAX_CONNECTIONS} if mode == "eventlet" else {}
    socketio.run(app, host=host, port=port, log_output=False, allow_unsafe_werkzeug=mode == "threading", **options)
