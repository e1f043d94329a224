"""`workshop export`: write a saved tool version in a format a research team can deploy."""

from __future__ import annotations

from pathlib import Path

import click

from ..core import drafts
from ..export.formats import FORMATS, export, filename, get
from .base import AppContext, domain_errors, pass_ctx


def _spec(value: str) -> int | str:
    if value in ("latest", "agreed"):
        return value
    try:
        return int(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a version number, latest or agreed", param_hint="--version"
        ) from None


def _describe_formats() -> str:
    return "; ".join(f"{f.name}: {f.label}" for f in FORMATS.values())


@click.command("export", epilog=f"Formats: {_describe_formats()}.")
@click.argument("tool", type=int)
@click.option("--version", "spec", default="latest", show_default=True, help="A number, latest or agreed.")
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), required=True, help="The format to write.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, allow_dash=True),
    default=None,
    help="File to write, or - for standard output (text formats only). Default: a name from the title and version.",
)
@pass_ctx
@domain_errors
def export_command(ctx: AppContext, tool: int, spec: str, fmt: str, output: str | None) -> None:
    """Write one saved version of TOOL in FORMAT."""
    chosen = get(fmt)
    if output == "-" and not chosen.is_text:
        raise click.UsageError(f"{fmt} is a binary format; write it to a file with -o PATH")
    with ctx.db.read() as session:
        number = drafts.resolve(session, tool, _spec(spec))
        info = drafts.version(session, tool, number)
        content = drafts.read(session, tool, number)
    # Rendered after the session closes: a slow format (PDF) holds no database connection.
    try:
        data = export(content, info, fmt)
    except RuntimeError as exc:  # a format's system libraries are missing
        raise click.ClickException(str(exc)) from None
    if output == "-":
        click.echo(data, nl=False)  # bytes go to the binary stream unchanged
        return
    path = Path(output or filename(content, info, fmt))
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror or exc}") from None
    click.echo(f"Wrote version {info.number} of tool {tool} as {chosen.label} to {path} ({len(data) / 1024:.1f} KB).")


def register(cli: click.Group) -> None:
    """Add this module's commands to the CLI."""
    cli.add_command(export_command)
