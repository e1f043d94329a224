"""CSRF protection: every state-changing request carries the session's token."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, current_app, request, session

F = TypeVar("F", bound=Callable[..., Any])
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_EXEMPT = "_csrf_exempt"


def token() -> str:
    """Return the session's CSRF token, creating it on first use."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return str(session["csrf"])


def exempt(view: F) -> F:
    """Mark a view that needs no token (it uses no cookie for authority)."""
    setattr(view, _EXEMPT, True)
    return view


def protect() -> None:
    """Refuse a state-changing request without the right token (form field or X-CSRF-Token header)."""
    if request.method in SAFE_METHODS or current_app.config.get("CSRF_DISABLED"):
        return
    view = current_app.view_functions.get(request.endpoint or "")
    if view is not None and getattr(view, _EXEMPT, False):
        return
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
    expected = session.get("csrf")
    if not expected or not hmac.compare_digest(str(sent), str(expected)):
        abort(400, description="The form has expired or did not come from this site. Reload the page and try again.")


def init_app(app: Any) -> None:
    """Check tokens before every request and offer ``csrf_token()`` to templates."""
    app.before_request(protect)
    app.jinja_env.globals["csrf_token"] = token
