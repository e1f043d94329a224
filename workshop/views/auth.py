"""Facilitator login, logout and first-run setup."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from ..core import accounts
from ..core.errors import DomainError
from ..db import get_db
from ..limits import RateLimited, limiter

bp = Blueprint("auth", __name__)
F = TypeVar("F", bound=Callable[..., Any])


def _log_in(facilitator_id: int, email: str, version: int) -> None:
    # A fresh session on login: nothing set before it (by anyone) carries over.
    session.clear()
    session["facilitator_id"] = facilitator_id
    session["facilitator_email"] = email
    session["session_version"] = version
    session.permanent = True


def current_facilitator_id() -> int | None:
    """Return the logged-in facilitator's id, or None (no login, or a session ended by logging out)."""
    facilitator_id = session.get("facilitator_id")
    if facilitator_id is None:
        return None
    with get_db().read() as s:
        if accounts.session_valid(s, facilitator_id, session.get("session_version")):
            return int(facilitator_id)
    session.clear()
    return None


def login_required(view: F) -> F:
    """Let only a logged-in facilitator through; others go to the login page (or get 401 as JSON)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        facilitator_id = current_facilitator_id()
        if facilitator_id is None:
            if request.path.startswith("/api/"):
                return jsonify(ok=False, error={"code": "login_required", "message": "log in first"}), 401
            return redirect(url_for("auth.login", next=request.path))
        g.facilitator_id = facilitator_id
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _safe_next(target: str | None) -> str:
    # Only local paths: an attacker's link must not bounce a facilitator to another site.
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("console.home")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Show the login form; log a facilitator in."""
    with get_db().read() as s:
        if accounts.count(s) == 0:
            return redirect(url_for("auth.setup"))
    error = None
    if request.method == "POST":
        try:
            limiter(current_app).hit_login(request.remote_addr or "?")
            with get_db().read() as s:
                facilitator = accounts.authenticate(s, request.form.get("email", ""), request.form.get("password", ""))
            if facilitator is not None:
                _log_in(facilitator.id, facilitator.email, facilitator.session_version)
                return redirect(_safe_next(request.args.get("next")))
            error = "That email and password do not match an account."
        except RateLimited as exc:
            error = exc.message
    return render_template("login.html", error=error), 200 if error is None else 401


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Log out: this session and every other copy of it stop working."""
    facilitator_id = current_facilitator_id()
    if facilitator_id is not None:
        with get_db().write() as s:
            accounts.end_sessions(s, facilitator_id)
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/setup", methods=["GET", "POST"])
def setup() -> ResponseReturnValue:
    """First run: create the first facilitator account (only while there is none)."""
    with get_db().read() as s:
        if accounts.count(s) > 0:
            return redirect(url_for("auth.login"))
    error = None
    if request.method == "POST":
        password = request.form.get("password", "")
        if password != request.form.get("confirm", ""):
            error = "The two passwords differ."
        else:
            try:
                with get_db().write() as s:
                    if accounts.count(s) > 0:  # someone else finished setup meanwhile
                        return redirect(url_for("auth.login"))
                    facilitator = accounts.create(s, request.form.get("email", ""), password)
                    fid, email, version = facilitator.id, facilitator.email, facilitator.session_version
                _log_in(fid, email, version)
                return redirect(url_for("console.home"))
            except DomainError as exc:
                error = exc.message
    return render_template("setup.html", error=error), 200 if error is None else 422
