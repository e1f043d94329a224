"""The ``workshop`` command: set up the database, manage tools and versions, serve the app."""

from __future__ import annotations

import sys

import click

from .base import cli

SERVER_COMMANDS = ("serve", "demo")


def build() -> click.Group:
    """Return the CLI group with every command registered."""
    from . import database, demo, export, facilitators, record, server, tools, versions

    for module in (database, tools, versions, export, record, facilitators, server, demo):
        module.register(cli)
    return cli


def main() -> None:
    """Entry point of the console script."""
    if len(sys.argv) > 1 and sys.argv[1] in SERVER_COMMANDS:
        # Patch the standard library before Flask, SQLAlchemy or sockets are imported.
        from ..asyncmode import choose

        choose()
    build()(prog_name="workshop")
