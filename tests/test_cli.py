"""The `workshop` command as a user types it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from workshop.cli import build


@pytest.fixture
def run(database_url: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Return a function that runs the CLI against a fresh database (SQLite, then PostgreSQL)."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SECRET_KEY", "test")
    runner = CliRunner()

    def invoke(*args: str, ok: bool = True) -> Result:
        result = runner.invoke(build(), list(args), catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    return invoke


def _last_line(result: Result) -> str:
    return result.output.strip().splitlines()[-1]


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(build(), ["--help"])
    for name in ("init", "tool", "versions", "show", "diff", "restore", "name", "agree", "serve"):
        assert f"  {name} " in result.output


def test_init_creates_then_reports_up_to_date(run) -> None:  # type: ignore[no-untyped-def]
    first = run("init")
    assert "up to date" in first.output or "migrated" in first.output
    assert "up to date" in run("init").output


def test_tool_lifecycle(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tool = _last_line(run("tool", "new", "--template", "rtw-review"))
    assert tool.isdigit()
    blank = _last_line(run("tool", "new", "--template", "blank", "--title", "My tool"))
    listing = run("tool", "list").output
    assert "Returning doctors' needs assessment" in listing and "My tool" in listing

    exported = run("show", tool, "--format", "json").output
    doc = json.loads(exported)
    assert doc["format"] == "workshop-tool" and doc["version"]["number"] == 1
    path = tmp_path / "tool.json"
    path.write_text(exported)
    imported = _last_line(run("tool", "import", str(path)))
    assert imported not in (tool, blank)
    again = json.loads(run("show", imported, "--format", "json").output)
    assert again["tool"] == doc["tool"], "export then import gives identical content"

    text = run("show", tool).output
    assert "# Personal" in text and "## Work-life balance" in text
    assert run("versions", tool).output.startswith("v1")


def test_history_commands(run, database_url: str) -> None:  # type: ignore[no-untyped-def]
    from workshop.core import drafts
    from workshop.core.actors import CLI
    from workshop.db import Database

    tool = int(_last_line(run("tool", "new")))
    database = Database(database_url)
    with database.read() as s:
        item = drafts.read(s, tool, 1).items()[0][2]
    with database.write() as s:
        drafts.commit(s, tool, 1, [{"op": "update_item", "item_id": item.id, "set": {"stem": "Brand new words"}}], CLI)
    database.dispose()

    diff_text = run("diff", str(tool), "1", "2").output
    assert "reworded" in diff_text and item.code in diff_text
    diff_json = json.loads(run("diff", str(tool), "1", "latest", "--format", "json").output)
    assert diff_json["equal"] is False
    assert "No differences" in run("diff", str(tool), "2", "2").output

    assert "as version 3" in run("restore", str(tool), "1").output
    assert "already equals" in run("restore", str(tool), "3").output
    assert run("show", str(tool), "--version", "3", "--format", "json").output.count("Brand new words") == 0
    run("name", str(tool), "2", "after workshop 1")
    run("agree", str(tool), "2")
    versions = run("versions", str(tool)).output.splitlines()
    assert versions[1].startswith('v2 "after workshop 1" [agreed]')
    assert "Brand new words" in run("show", str(tool), "--version", "agreed").output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("show", "99"), "there is no tool 99"),
        (("show", "1", "--version", "7"), "tool 1 has no version 7"),
        (("show", "1", "--version", "agreed"), "no agreed version"),
        (("restore", "1", "5"), "tool 1 has no version 5"),
        (("diff", "1", "1", "x"), "is not a version number"),
        (("name", "1", "1", "x" * 300), "at most 200 characters"),
    ],
)
def test_errors_are_one_clear_line_with_nonzero_exit(run, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    run("tool", "new")
    result = run(*args, ok=False)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_import_refuses_bad_files(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.json"
    for content, message in [
        ("{not json", "not valid JSON"),
        ('{"format": "other"}', "not a tool file"),
        ('{"format": "workshop-tool", "format_version": 1, "tool": {"title": ""}}', "tool title must not be empty"),
    ]:
        bad.write_text(content)
        result = run("tool", "import", str(bad), ok=False)
        assert result.exit_code == 1 and message in result.output
    assert "No tools yet" in run("tool", "list").output


def test_console_script_runs(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}", "SECRET_KEY": "x", "PATH": "/usr/bin:/bin"}
    exe = Path(sys.executable).parent / "workshop"
    out = subprocess.run([str(exe), "tool", "new", "--template", "blank"], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "1"
    assert out.stderr == "", "no warnings or noise on stderr"
