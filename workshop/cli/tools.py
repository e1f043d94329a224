"""`workshop tool ...`: create, list and import tools."""

from __future__ import annotations

from pathlib import Path

import click

from ..core import drafts, toolformat
from ..core.actors import CLI
from .base import AppContext, domain_errors, pass_ctx


@click.group("tool")
def tool_group() -> None:
    """Create, list and import tools."""


@tool_group.command("new")
@click.option(
    "--template", "template_name", type=click.Choice(toolformat.TEMPLATES), default="rtw-review", show_default=True
)
@click.option("--title", default=None, help="Title of the new tool (default: the template's).")
@pass_ctx
@domain_errors
def new_command(ctx: AppContext, template_name: str, title: str | None) -> None:
    """Create a tool from a template; print its id on the last line."""
    from dataclasses import replace

    content = toolformat.template(template_name)
    if title is not None:
        content = replace(content, title=title)
    with ctx.db.write() as session:
        info = drafts.create_tool(session, CLI, content, origin={"template": template_name})
    click.echo(f"Created tool {info.tool_id} from template {template_name}: {content.title}")
    click.echo(info.tool_id)


@tool_group.command("list")
@pass_ctx
def list_command(ctx: AppContext) -> None:
    """List every tool with its latest and agreed version."""
    with ctx.db.read() as session:
        tools = drafts.list_tools(session)
    if not tools:
        click.echo("No tools yet. Create one with: workshop tool new --template rtw-review")
        return
    for tool in tools:
        agreed = f", agreed v{tool.agreed_version}" if tool.agreed_version else ""
        click.echo(f"{tool.id}\t{tool.title}\t(latest v{tool.latest_version}{agreed})")


@tool_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_ctx
@domain_errors
def import_command(ctx: AppContext, file: Path) -> None:
    """Import a tool from the project's JSON format; print its id on the last line."""
    try:
        text = file.read_text("utf-8")
    except UnicodeDecodeError:
        raise click.ClickException(f"{file} is not UTF-8 text") from None
    content = toolformat.loads(text)
    with ctx.db.write() as session:
        info = drafts.create_tool(session, CLI, content, kind="import", origin={"file": file.name})
    click.echo(f"Imported tool {info.tool_id}: {content.title} ({len(content.items())} items)")
    click.echo(info.tool_id)


def register(cli: click.Group) -> None:
    """Add this module's commands to the CLI."""
    cli.add_command(tool_group)
