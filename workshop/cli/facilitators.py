"""`workshop create-facilitator`: make a facilitator account."""

from __future__ import annotations

import sys

import click

from ..core import accounts
from .base import AppContext, domain_errors, pass_ctx


@click.command("create-facilitator")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of a prompt.")
@pass_ctx
@domain_errors
def create_facilitator_command(ctx: AppContext, email: str, password_stdin: bool) -> None:
    """Create a facilitator account that logs in with EMAIL."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with ctx.db.write() as session:
        facilitator = accounts.create(session, email, password)
        created = facilitator.email
    click.echo(f"Facilitator {created} created.")


def register(cli: click.Group) -> None:
    """Add this module's commands to the CLI."""
    cli.add_command(create_facilitator_command)
