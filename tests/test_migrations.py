"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from workshop.core import live_models  # noqa: F401  (registers the live tables)
from workshop.core.models import Base
from workshop.db import Database


def test_migrated_schema_matches_the_models(db: Database) -> None:
    with db.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert differences == []
    assert db.schema_revision() == db.head_revision()


def test_upgrade_is_idempotent(db: Database) -> None:
    assert db.upgrade() is False
