"""`workshop versions|show|diff|restore|name|agree`: a tool's draft history."""

from __future__ import annotations

import json

import click

from ..core import diff, drafts, toolformat
from ..core.actors import CLI
from ..export import text
from .base import AppContext, domain_errors, pass_ctx


def _spec(value: str) -> int | str:
    return value if value in ("latest", "agreed") else _number(value)


def _number(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a version number") from None


@click.command("versions")
@click.argument("tool", type=int)
@pass_ctx
@domain_errors
def versions_command(ctx: AppContext, tool: int) -> None:
    """List the draft versions of TOOL."""
    with ctx.db.read() as session:
        rows = drafts.versions(session, tool)
    for v in rows:
        marks = " [agreed]" if v.agreed else ""
        name = f' "{v.name}"' if v.name else ""
        note = f" - {v.note}" if v.note else ""
        click.echo(f"v{v.number}{name}{marks}\t{v.created_at:%Y-%m-%d %H:%M}\t{v.kind}\t{v.author}{note}")


@click.command("show")
@click.argument("tool", type=int)
@click.option("--version", "spec", default="latest", show_default=True, help="A number, latest or agreed.")
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text", show_default=True)
@pass_ctx
@domain_errors
def show_command(ctx: AppContext, tool: int, spec: str, fmt: str) -> None:
    """Print one version of TOOL (json: the project's tool format)."""
    with ctx.db.read() as session:
        number = drafts.resolve(session, tool, _spec(spec))
        info = drafts.version(session, tool, number)
        content = drafts.read(session, tool, number)
    if fmt == "json":
        click.echo(toolformat.dumps(content, info.to_dict(with_changes=False)), nl=False)
    else:
        click.echo(text.render(content, info), nl=False)


@click.command("diff")
@click.argument("tool", type=int)
@click.argument("a")
@click.argument("b")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_ctx
@domain_errors
def diff_command(ctx: AppContext, tool: int, a: str, b: str, fmt: str) -> None:
    """Compare versions A and B of TOOL, item by item."""
    with ctx.db.read() as session:
        old = drafts.read(session, tool, drafts.resolve(session, tool, _spec(a)))
        new = drafts.read(session, tool, drafts.resolve(session, tool, _spec(b)))
    result = diff.compare(old, new)
    if fmt == "json":
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        click.echo(diff.render_text(result), nl=False)


@click.command("restore")
@click.argument("tool", type=int)
@click.argument("number", type=int)
@click.option("--note", default="", help="Why the version is restored.")
@pass_ctx
@domain_errors
def restore_command(ctx: AppContext, tool: int, number: int, note: str) -> None:
    """Make a new version of TOOL equal to version NUMBER."""
    with ctx.db.write() as session:
        info = drafts.restore(session, tool, number, CLI, note=note)
    if info is None:
        click.echo(f"The latest version already equals version {number}; no new version made.")
    else:
        click.echo(f"Restored version {number} as version {info.number}.")


@click.command("name")
@click.argument("tool", type=int)
@click.argument("number", type=int)
@click.argument("name")
@pass_ctx
@domain_errors
def name_command(ctx: AppContext, tool: int, number: int, name: str) -> None:
    """Name version NUMBER of TOOL (an empty NAME removes the name)."""
    with ctx.db.write() as session:
        info = drafts.name_version(session, tool, number, name)
    click.echo(f'Version {info.number} is now named "{info.name}".' if info.name else f"Version {number} has no name.")


@click.command("agree")
@click.argument("tool", type=int)
@click.argument("number", type=int)
@pass_ctx
@domain_errors
def agree_command(ctx: AppContext, tool: int, number: int) -> None:
    """Mark version NUMBER of TOOL as the agreed version."""
    with ctx.db.write() as session:
        drafts.mark_agreed(session, tool, number)
    click.echo(f"Version {number} of tool {tool} is marked agreed.")


def register(cli: click.Group) -> None:
    """Add this module's commands to the CLI."""
    for command in (versions_command, show_command, diff_command, restore_command, name_command, agree_command):
        cli.add_command(command)
