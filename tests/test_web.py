"""The app factory and the health check."""

from __future__ import annotations

from pathlib import Path

import pytest

from workshop import create_app
from workshop.config import ConfigError, from_environment


def test_healthz_reports_ok_at_newest_schema(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["schema"]


def test_healthz_reports_degraded_before_migration(tmp_path: Path) -> None:
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "AUTO_MIGRATE": False, "SECRET_KEY": "t"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "degraded"


def test_production_needs_a_secret_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        from_environment(str(tmp_path), {"WORKSHOP_ENV": "production"})


def test_development_secret_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = from_environment(str(tmp_path), {})["SECRET_KEY"]
    assert len(first) >= 32
    assert from_environment(str(tmp_path), {})["SECRET_KEY"] == first


def test_sqlite_is_the_default_database_in_the_instance_folder(tmp_path: Path) -> None:
    settings = from_environment(str(tmp_path), {})
    assert settings["DATABASE_URL"] == f"sqlite:///{tmp_path / 'workshop.db'}"
    assert from_environment(str(tmp_path), {"DATABASE_URL": "postgresql://x/y"})["DATABASE_URL"] == "postgresql://x/y"


def test_proxies_and_websocket_compression_come_from_the_environment(tmp_path: Path) -> None:
    settings = from_environment(str(tmp_path), {})
    assert settings["PROXIES"] == 0 and settings["WEBSOCKET_COMPRESSION"] is False
    chosen = from_environment(str(tmp_path), {"WORKSHOP_PROXIES": "1", "WEBSOCKET_COMPRESSION": "true"})
    assert chosen["PROXIES"] == 1 and chosen["WEBSOCKET_COMPRESSION"] is True
    with pytest.raises(ConfigError, match="WORKSHOP_PROXIES must be a whole number"):
        from_environment(str(tmp_path), {"WORKSHOP_PROXIES": "one"})
