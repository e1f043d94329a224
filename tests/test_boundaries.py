"""The shape of the code: a Flask-free core, one place that imports eventlet."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "workshop"
FORBIDDEN_IN_CORE = ("flask", "flask_socketio", "socketio", "engineio", "eventlet", "gevent")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_imports_no_web_or_async_library() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(_imports(path) & set(FORBIDDEN_IN_CORE))
        for path in (PACKAGE / "core").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}
    assert len(offenders) >= 8, "the core package was found and parsed"


def test_only_asyncmode_imports_eventlet() -> None:
    importers = sorted(
        str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py") if {"eventlet", "gevent"} & _imports(path)
    )
    assert importers == ["asyncmode.py"]
