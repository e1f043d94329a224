"""Fixtures for browser tests: a real server, Debian's Chromium driven by Playwright, axe-core checks."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.live.harness import Server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VENDOR = ROOT / "workshop" / "static" / "vendor" / "socket.io.esm.min.js"
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ROOT / "docs" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "user_agent": PHONE_UA}
LAPTOP = {"viewport": {"width": 1280, "height": 800}}


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return "Chromium is not installed at /usr/bin/chromium (bin/test installs it with apt-get)"
    if not VENDOR.exists() or not AXE.exists():
        return "the npm packages are missing: run bin/setup"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright is not installed: run bin/setup --test"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Return Debian's Chromium under Playwright (skipped, or failed under CI=true, when it cannot run).

    Module-scoped: Playwright's synchronous API runs an asyncio loop in this thread while it is open, and
    later tests (outside this folder) start loops of their own.
    """
    reason = _missing()
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}; CI must run the browser tests")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Return a running server on a fresh SQLite database, shared by a module's tests."""
    workdir = tmp_path_factory.mktemp("browser")
    srv = Server(f"sqlite:///{workdir / 'browser.db'}", workdir).start()
    yield srv
    srv.stop()


class Axe:
    """Runs axe-core in a page and collects serious and critical WCAG 2.2 AA violations."""

    def __init__(self) -> None:
        self.source = AXE.read_text()
        self.checked: list[str] = []

    def check(self, page: Any, label: str) -> None:
        """Run axe on the page as it is now; fail on any serious or critical violation."""
        if not page.evaluate("typeof window.axe === 'object'"):
            page.evaluate(self.source)  # evaluated by the debugger protocol, so the page's CSP does not apply
        result = page.evaluate(
            """async () => {
                const r = await axe.run(document, {runOnly: {type: 'tag', values:
                    ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}});
                return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
            }"""
        )
        self.checked.append(label)
        assert result == [], f"axe found serious or critical problems on {label}: {result}"


@pytest.fixture(scope="session")
def axe() -> Axe:
    """Return the axe-core checker."""
    return Axe()


class Shots:
    """Saves screenshots as test artefacts (and, with UPDATE_SCREENSHOTS=1, the README's ones)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def take(self, page: Any, name: str, *, readme: bool = False, full_page: bool = False) -> None:
        """Save a screenshot of the page under test-artifacts/ (and docs/screenshots/ when asked)."""
        path = self.folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        if readme and os.environ.get("UPDATE_SCREENSHOTS") == "1":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, SCREENSHOTS / f"{name}.png")


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Shots:
    """Return the screenshot saver for this test."""
    return Shots(ARTIFACTS / request.node.name)
