"""`workshop init`: create or migrate the database."""

from __future__ import annotations

import click


@click.command("init")
def init_command() -> None:
    """Create or migrate the database at DATABASE_URL."""
    from .. import create_app
    from ..db import get_db

    database = get_db(create_app({"REALTIME": False, "AUTO_MIGRATE": False}))
    try:
        before = database.schema_revision()
        database.upgrade()
        after = database.schema_revision()
    finally:
        database.dispose()
    url = database.url.render_as_string(hide_password=True)
    if before == after:
        click.echo(f"Database {url} is up to date (schema {after}).")
    else:
        click.echo(f"Database {url} migrated from {before or 'empty'} to schema {after}.")


def register(cli: click.Group) -> None:
    """Add this module's commands to the CLI."""
    cli.add_command(init_command)
