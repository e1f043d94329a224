"""`workshop demo`: a ready-to-run workshop (facilitator, tool, open workshop), then serve."""

from __future__ import annotations

import secrets
from dataclasses import replace
from pathlib import Path
from typing import Any

import click
from sqlalchemy import select

from ..config import instance_secret
from ..core import accounts, drafts, toolformat, workshops
from ..core.actors import Actor
from ..core.errors import NotFound
from ..core.live_models import Workshop
from ..core.models import Tool
from ..netaddr import public_base
from .base import AppContext, domain_errors, pass_ctx

EMAIL = "demo@workshop.example"
TOOL_TITLE = "Returning doctors' needs (demo)"
WORKSHOP_TITLE = "Demo workshop"
WILDCARD_HOSTS = ("0.0.0.0", "::", "")


def _password(instance: Path) -> str:
    """Return the demo password kept in the instance folder, making it on first use."""
    return instance_secret(instance, "demo_password", lambda: secrets.token_urlsafe(12))


def prepare(db: Any, instance: Path) -> dict[str, Any]:
    """Create or reuse the demo facilitator, tool and open workshop; return what to print."""
    password = _password(instance)
    with db.write() as s:
        try:
            facilitator = accounts.find(s, EMAIL)
            if accounts.authenticate(s, EMAIL, password) is None:
                # The stored password was lost or changed: give the demo account the printed one again.
                accounts.set_password(s, EMAIL, password)
        except NotFound:
            facilitator = accounts.create(s, EMAIL, password)
        tool = s.scalar(select(Tool).where(Tool.owner_id == facilitator.id).order_by(Tool.id.desc()).limit(1))
        if tool is None:
            content = replace(toolformat.template("rtw-review"), title=TOOL_TITLE)
            info = drafts.create_tool(
                s,
                Actor("facilitator", facilitator.id),
                content,
                origin={"template": "rtw-review"},
                owner_id=facilitator.id,
            )
            tool = drafts.get_tool(s, info.tool_id)
        workshop = s.scalar(
            select(Workshop)
            .where(Workshop.tool_id == tool.id, Workshop.status == "open", Workshop.facilitator_id == facilitator.id)
            .order_by(Workshop.id.desc())
            .limit(1)
        )
        if workshop is None:
            workshop = workshops.open_workshop(s, facilitator.id, tool.id, WORKSHOP_TITLE)
        return {
            "email": facilitator.email,
            "password": password,
            "workshop_id": workshop.id,
            "code": workshop.join_code,
        }


def addresses(host: str, port: int, public_url: str | None) -> tuple[str, str]:
    """Return the laptop's base URL and the base URL phones use (never loopback when a LAN address exists)."""
    local = f"http://{'127.0.0.1' if host in WILDCARD_HOSTS else host}:{port}"
    return local, public_base(local + "/", public_url)


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 lets phones in).")
@click.option("--port", default=5000, show_default=True, type=int)
@pass_ctx
@domain_errors
def demo_command(ctx: AppContext, host: str, port: int) -> None:
    """Prepare a demo workshop on the rtw-review template, print how to reach it, and serve."""
    facts = prepare(ctx.db, Path(ctx.app.instance_path))
    local, phones = addresses(host, port, ctx.app.config["PUBLIC_URL"])
    wid = facts["workshop_id"]
    click.echo("Demo workshop ready.")
    click.echo(f"  Facilitator login: {local}/login")
    click.echo(f"    email:    {facts['email']}")
    click.echo(f"    password: {facts['password']}")
    click.echo(f"  Console:   {local}/console/workshops/{wid}")
    click.echo(f"  Projector: {local}/console/workshops/{wid}/projector")
    click.echo(f"  Join URL:  {phones}/join/{facts['code']}")
    click.echo(f"  Join code: {facts['code']}  (or type {phones}/ on a phone)")
    if host.startswith("127.") or host == "localhost":
        click.echo(
            "  Phones cannot reach a server listening on 127.0.0.1: start it with --host 0.0.0.0 to let them join."
        )
    elif phones.startswith(("http://127.", "http://localhost")):
        click.echo("  No network address found: phones can join once this computer is on the same network.")
    from ..server import run

    run(host=host, port=port)


def register(cli: click.Group) -> None:
    """Add this module's commands to the CLI."""
    cli.add_command(demo_command)
