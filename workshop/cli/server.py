"""`workshop serve`: run the web app."""

from __future__ import annotations

import click


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 for the LAN).")
@click.option("--port", default=5000, show_default=True, type=int)
def serve_command(host: str, port: int) -> None:
    """Start the web app in the production async server."""
    from ..server import run

    run(host=host, port=port)


def register(cli: click.Group) -> None:
    """Add this module's commands to the CLI."""
    cli.add_command(serve_command)
