"""Engine and session setup: SQLite (WAL) by default, PostgreSQL by URL; migrations.

Writes go through ``Database.write()``. On SQLite every writer in this process
first takes one lock and then ``BEGIN IMMEDIATE``: the sqlite3 module blocks the
whole OS thread while it waits for the file lock, so under green threads a
writer waiting inside SQLite would stop the very green thread that holds the
lock. Taking a (green, once monkey-patched) lock first means at most one writer
per process is ever inside SQLite, and other processes (the CLI beside a
running server) wait on the busy timeout.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool, QueuePool

BUSY_TIMEOUT_MS = 10_000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself (the pysqlite recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # FULL: an acknowledged action survives even a power cut, not only a crashed process.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """One database: its engine, its sessions and its schema."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        options: dict[str, Any] = {}
        if self.is_sqlite:
            database = self.url.database or ""
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
                # Keep connections open: closing the last one checkpoints the WAL and deletes it, which made
                # every write pay for a checkpoint. A pooled connection is checked out by one green thread at
                # a time (SQLAlchemy sets check_same_thread=False for file databases).
                options.update(poolclass=QueuePool, pool_size=5, max_overflow=20)
            else:
                options["poolclass"] = NullPool
        else:
            options.update(pool_pre_ping=True, pool_size=10, max_overflow=20)
        self.engine: Engine = create_engine(self.url, **options)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock = threading.RLock()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """Yield a session in a write transaction; commit on success, roll back on error."""
        if not self.is_sqlite:
            with self._sessions.begin() as session:
                yield session
            return
        with self._write_lock, self.engine.connect() as conn:
            conn.execution_options(sqlite_begin="IMMEDIATE")
            with Session(bind=conn, expire_on_commit=False) as session, session.begin():
                yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """Yield a session for reading; nothing it does is committed."""
        # Closing (not rolling back) leaves loaded objects readable after the block.
        with self._sessions() as session:
            yield session

    # --- schema -------------------------------------------------------------------

    def _alembic_config(self) -> Config:
        config = Config()
        config.set_main_option("script_location", str(resources.files("workshop") / "migrations"))
        config.set_main_option("sqlalchemy.url", self.url.render_as_string(hide_password=False))
        return config

    def schema_revision(self) -> str | None:
        """Return the migration the database is at (None when it is empty)."""
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def head_revision(self) -> str | None:
        """Return the newest migration this build knows."""
        return ScriptDirectory.from_config(self._alembic_config()).get_current_head()

    def upgrade(self) -> bool:
        """Create or migrate the schema to the newest migration; True if anything ran."""
        if self.schema_revision() == self.head_revision():
            return False
        config = self._alembic_config()
        with self._write_lock, self.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
        return True

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def init_app(app: Any) -> Database:
    """Bind a Database to the Flask app (``app.extensions["workshop.db"]``)."""
    database = Database(app.config["DATABASE_URL"])
    app.extensions["workshop.db"] = database
    return database


def get_db(app: Any = None) -> Database:
    """Return the Database of the given (or current) Flask app."""
    if app is None:
        from flask import current_app

        app = current_app
    return app.extensions["workshop.db"]  # type: ignore[no-any-return]
