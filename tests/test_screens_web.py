"""The three screens' pages and the demo command, through Flask's test client (no browser)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from workshop import create_app
from workshop.cli import demo
from workshop.db import get_db

PASSWORD = "a long enough password"
INLINE = re.compile(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=", re.I)


@pytest.fixture
def web(tmp_path: Path) -> Any:
    """Return an app without CSRF checks (their own tests cover them) on a fresh SQLite file."""
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'screens.db'}",
            "SECRET_KEY": "t",
            "ASYNC_MODE": "threading",
            "CSRF_DISABLED": True,
        }
    )


def _facilitator(web: Any, email: str) -> Any:
    client = web.test_client()
    with get_db(web).write() as s:
        from workshop.core import accounts

        accounts.create(s, email, PASSWORD)
    client.post("/login", data={"email": email, "password": PASSWORD})
    return client


def test_pages_have_no_inline_script_or_style(web: Any) -> None:
    owner = _facilitator(web, "owner@example.org")
    owner.post("/console/tools", data={"template": "rtw-review"})
    owner.post("/console/workshops", data={"tool_id": "1", "title": "W"})
    pages = [
        "/",
        "/join/abc-def",
        "/console/",
        "/console/tools/1/versions",
        "/console/tools/1/compare?a=1&b=1",
        "/console/workshops/1",
        "/console/workshops/1/projector",
    ]
    for page in pages:
        response = owner.get(page)
        assert response.status_code == 200, page
        assert not INLINE.search(response.text), f"{page} has an inline script, style or handler"
    assert 'value="ABCDEF"' in owner.get("/join/abc-def").text, "the code from the QR is filled in, normalised"


def test_history_is_only_for_the_tools_facilitators(web: Any) -> None:
    owner = _facilitator(web, "owner@example.org")
    other = _facilitator(web, "other@example.org")
    assert owner.post("/console/tools", data={"template": "rtw-review"}).status_code == 302
    assert other.get("/console/tools/1/versions").status_code == 404
    assert other.post("/console/tools/1/versions/1/agree").status_code == 404
    assert other.get("/console/workshops/1/projector").status_code == 404
    assert web.test_client().get("/console/tools/1/versions").status_code == 302  # to the login page
    assert owner.post("/console/tools/1/versions/1/name", data={"name": "first draft"}).status_code == 302
    assert "“first draft”" in owner.get("/console/tools/1/versions").text
    assert owner.get("/console/tools/1/compare?a=1&b=9").status_code == 404


def test_demo_prepares_once_and_reuses(web: Any, tmp_path: Path) -> None:
    first = demo.prepare(get_db(web), tmp_path)
    again = demo.prepare(get_db(web), tmp_path)
    assert first == again, "the same account, password, workshop and code"
    client = web.test_client()
    client.post("/login", data={"email": first["email"], "password": first["password"]})
    assert client.get(f"/console/workshops/{first['workshop_id']}").status_code == 200


def test_demo_join_url_is_never_loopback_when_a_lan_address_exists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("workshop.netaddr.lan_address", lambda: "192.0.2.7")
    assert demo.addresses("0.0.0.0", 5000, None) == ("http://127.0.0.1:5000", "http://192.0.2.7:5000")
    assert demo.addresses("127.0.0.1", 8000, None)[1] == "http://192.0.2.7:8000"
    assert demo.addresses("0.0.0.0", 5000, "https://w.example.org/")[1] == "https://w.example.org"
