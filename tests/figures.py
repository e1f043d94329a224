"""Figures that reliability and security tests report: printed (visible with ``-s``) and kept in test-artifacts/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def report(name: str, figures: dict[str, Any]) -> Path:
    """Print one test's figures and merge them into test-artifacts/<name>.json; return that path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.json"
    try:
        kept = json.loads(path.read_text())
    except (OSError, ValueError):
        kept = {}
    kept.update(figures)
    path.write_text(json.dumps(kept, indent=2, sort_keys=True) + "\n")
    print(f"\n[{name}] " + json.dumps(figures, sort_keys=True))
    return path
