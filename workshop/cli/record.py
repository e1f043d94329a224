"""`workshop record`: write how a tool was agreed in a workshop, or its anonymised votes."""

from __future__ import annotations

from pathlib import Path

import click

from ..core import record
from ..core.errors import NotFound
from ..core.live_models import Workshop
from ..export.record import FORMATS, render
from .base import AppContext, domain_errors, pass_ctx


@click.command("record")
@click.argument("workshop_id", metavar="WORKSHOP", type=int)
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), required=True, help="File, or - for stdout."
)
@pass_ctx
@domain_errors
def record_command(ctx: AppContext, workshop_id: int, fmt: str, output: str) -> None:
    """Write the record of WORKSHOP (html, pdf, md) or its anonymised votes (votes-csv)."""
    if output == "-" and fmt == "pdf":
        raise click.UsageError("pdf is a binary format; write it to a file with -o PATH")
    with ctx.db.read() as session:
        workshop = session.get(Workshop, workshop_id)
        if workshop is None:
            raise NotFound(f"there is no workshop {workshop_id}")
        data = record.workshop_record(session, workshop)
        votes = record.anonymised_votes(session, workshop)
    try:
        body = render(data, votes, fmt)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    if output == "-":
        click.echo(body, nl=False)
        return
    Path(output).write_bytes(body)
    click.echo(f"Wrote the {fmt} record of workshop {workshop_id} to {output} ({len(body) / 1024:.1f} KB).")


def register(cli: click.Group) -> None:
    """Add this module's commands to the CLI."""
    cli.add_command(record_command)
