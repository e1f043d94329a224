"""`workshop init`: create or migrate the database."""

from __future__ import annotations

import click

from . import AppContext, pass_ctx


@click.command("init")
@pass_ctx
def init_command(ctx: AppContext) -> None:
    """Create or migrate the database at DATABASE_URL."""
    from ..db import Database

    database = Database(ctx.app.config["DATABASE_URL"])
    before = database.schema_revision()
    database.upgrade()
    after = database.schema_revision()
    url = database.url.render_as_string(hide_password=True)
    if before == after:
        click.echo(f"Database {url} is up to date (schema {after}).")
    else:
        click.echo(f"Database {url} migrated from {before or 'empty'} to schema {after}.")


def register(cli: click.Group) -> None:
    """Add this module's commands to the CLI."""
    cli.add_command(init_command)
