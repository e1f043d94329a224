"""`workshop export` as a user types it, against a SQLite database."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from workshop.cli import build
from workshop.cli import export as export_cli
from workshop.core import drafts, toolformat
from workshop.core.actors import CLI
from workshop.db import Database
from workshop.export.formats import FORMATS

Run = Callable[..., Result]

#: How each format's file starts.
MAGIC = {"pdf": b"%PDF-", "docx": b"PK", "xlsform": b"PK", "json": b"{", "fhir-r4": b"{", "fhir-r5": b"{"}
MAGIC |= {"html": b"<!DOCTYPE html>", "md": b"# ", "redcap": b"Variable / Field Name,", "csv": b"\xef\xbb\xbfdomain,"}


@pytest.fixture
def tool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """Create a tool with two versions in a fresh SQLite database named by DATABASE_URL."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SECRET_KEY", "test")
    database = Database(url)
    database.upgrade()
    try:
        with database.write() as session:
            info = drafts.create_tool(session, CLI, toolformat.template("rtw-review"))
        with database.write() as session:
            item = drafts.read(session, info.tool_id, 1).items()[0][2]
            change = {"op": "update_item", "item_id": item.id, "set": {"stem": "Version two wording"}}
            drafts.commit(session, info.tool_id, 1, [change], CLI)
    finally:
        database.dispose()
    return info.tool_id


@pytest.fixture
def run() -> Run:
    """Return a function that runs the CLI with the export command registered."""
    group = build()
    export_cli.register(group)
    runner = CliRunner()

    def invoke(*args: str, ok: bool = True) -> Result:
        result = runner.invoke(group, list(args), catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    return invoke


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_exports_to_a_file(run: Run, tool: int, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"out.{FORMATS[fmt].extension}"
    result = run("export", str(tool), "--version", "1", "--format", fmt, "-o", str(path))
    assert str(path) in result.output and "version 1" in result.output
    data = path.read_bytes()
    assert data.startswith(MAGIC[fmt]), data[:40]
    if FORMATS[fmt].is_text:
        assert "Version two wording" not in data.decode("utf-8"), "version 1 was asked for"


def test_text_formats_go_to_standard_output(run: Run, tool: int) -> None:
    doc = json.loads(run("export", str(tool), "--format", "json", "-o", "-").stdout_bytes)
    assert doc["version"]["number"] == 2
    assert doc["tool"]["domains"][0]["topics"][0]["items"][0]["stem"] == "Version two wording"
    assert run("export", str(tool), "--format", "md", "-o", "-").output.startswith("# Returning doctors")


def test_binary_formats_refuse_standard_output(run: Run, tool: int) -> None:
    result = run("export", str(tool), "--format", "pdf", "-o", "-", ok=False)
    assert result.exit_code == 2 and "binary" in result.output


def test_default_file_name_comes_from_title_and_version(
    run: Run, tool: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    run("export", str(tool), "--format", "fhir-r4")
    written = tmp_path / "returning-doctors-needs-assessment-starter-draft-v2.fhir-r4.json"
    assert json.loads(written.read_text("utf-8"))["resourceType"] == "Questionnaire"


def test_bad_requests_get_a_clear_message(run: Run, tool: int) -> None:
    agreed = run("export", str(tool), "--version", "agreed", "--format", "md", "-o", "-", ok=False)
    assert agreed.exit_code == 1 and "no agreed version" in agreed.output
    missing = run("export", str(tool), "--version", "9", "--format", "md", "-o", "-", ok=False)
    assert missing.exit_code == 1 and "no version 9" in missing.output
    word = run("export", str(tool), "--version", "newest", "--format", "md", ok=False)
    assert word.exit_code == 2 and "not a version number" in word.output
    unknown = run("export", str(tool), "--format", "sav", ok=False)
    assert unknown.exit_code == 2 and "fhir-r4" in unknown.output
    no_tool = run("export", "999", "--format", "md", ok=False)
    assert no_tool.exit_code == 1 and "no tool 999" in no_tool.output
