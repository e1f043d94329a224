"""Engine and session setup: SQLite (WAL) by default, PostgreSQL by URL; migrations.

Writes go through ``Database.write()``. On SQLite every writer in this process
first takes one lock and then ``BEGIN IMMEDIATE``: the sqlite3 module blocks the
whole OS thread while it waits for the file lock, so under green threads a
writer waiting inside SQLite would stop the very green thread that holds the
lock. Taking a (green, once monkey-patched) lock first means at most one writer
per process is ever inside SQLite, and other processes (the CLI beside a
running server) wait on the busy timeout.

Live actions go through ``Database.batched()``: its COMMIT (SQLite's fsync)
runs in a real OS thread, so the server's other green threads keep working
while the disk syncs, and the actions that arrive meanwhile are committed
together in the next transaction (group commit). Each caller still returns
only after its own transaction is committed. Other writes commit in place:
waiting for the thread's answer costs a busy event loop more than a fast fsync.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
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

from .asyncmode import offload

BUSY_TIMEOUT_MS = 10_000
#: The most actions one group commit takes, so that a burst still gets its first acknowledgements soon.
BATCH_MAX = 200
log = logging.getLogger(__name__)


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


def _durable_commit(session: Session) -> None:
    """COMMIT (and fsync) in a real thread; SQLAlchemy's own commit that follows then has nothing left to do."""
    session.flush()
    dbapi_connection = session.connection().connection.dbapi_connection
    assert dbapi_connection is not None
    offload(dbapi_connection.commit)


@dataclass
class _Job:
    """One caller of ``Database.batched()`` waiting for its transaction."""

    work: Callable[[Session], Any]
    after: Callable[[Any], None] | None
    wake: threading.Event = field(default_factory=threading.Event)
    lead: bool = False
    result: Any = None
    error: BaseException | None = None


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
        # A read sees the database as of its first statement: SQLite's read transaction does so in WAL mode;
        # PostgreSQL needs REPEATABLE READ (which never fails a transaction that only reads), or a snapshot
        # for a client could hold events committed after the sequence number it reports.
        reader = self.engine if self.is_sqlite else self.engine.execution_options(isolation_level="REPEATABLE READ")
        self._read_sessions = sessionmaker(reader, expire_on_commit=False)
        self._write_lock = threading.RLock()
        self._queue: list[_Job] = []
        self._queue_lock = threading.Lock()
        self._leading = False

    @contextmanager
    def write(self) -> Iterator[Session]:
        """Yield a session in a write transaction; commit on success, roll back on error."""
        with self._transaction(offloaded=False) as session:
            yield session

    @contextmanager
    def _transaction(self, offloaded: bool) -> Iterator[Session]:
        if not self.is_sqlite:
            with self._sessions.begin() as session:
                yield session
            return
        with self._write_lock, self.engine.connect() as conn:
            conn.execution_options(sqlite_begin="IMMEDIATE")
            with Session(bind=conn, expire_on_commit=False) as session, session.begin():
                yield session
                if offloaded:
                    _durable_commit(session)

    def batched(self, work: Callable[[Session], Any], after: Callable[[Any], None] | None = None) -> Any:
        """Run ``work(session)`` in a write transaction; return its result once that transaction is committed.

        On SQLite, callers that arrive while another transaction commits share the next one (group commit):
        each runs in its own savepoint, so one that raises changes nothing and is raised to its caller alone.
        ``after(result)`` runs once committed, in commit order, before any caller of that transaction
        returns (it is where events are broadcast, so they go out in sequence).
        """
        if not self.is_sqlite:
            with self.write() as session:
                result = work(session)
            if after is not None:
                after(result)
            return result
        job = _Job(work, after)
        with self._queue_lock:
            self._queue.append(job)
            if not self._leading:
                self._leading = job.lead = True
        if not job.lead:
            job.wake.wait()  # until committed, or until asked to lead the next transaction
        if job.lead:
            self._lead()
        if job.error is not None:
            raise job.error
        return job.result

    def _lead(self) -> None:
        """Commit everything waiting as one transaction, then hand the lead to the first who came meanwhile."""
        with self._queue_lock:
            batch, self._queue = self._queue[:BATCH_MAX], self._queue[BATCH_MAX:]
        try:
            with self._transaction(offloaded=True) as session:
                for job in batch:
                    try:
                        with session.begin_nested():
                            job.result = job.work(session)
                    except Exception as exc:  # this job's own failure: its savepoint is rolled back
                        job.error = exc
        except BaseException as exc:  # nothing was committed: every job fails
            for job in batch:
                job.result, job.error = None, job.error or exc
            if not isinstance(exc, Exception):
                raise
        else:
            for job in batch:
                if job.error is None and job.after is not None:
                    try:
                        job.after(job.result)
                    except Exception:  # already committed: a failed broadcast must not fail the others
                        log.exception("after-commit step failed")
        finally:
            self._hand_over(batch)

    def _hand_over(self, batch: list[_Job]) -> None:
        """Wake the callers of a finished transaction, and the first of those who came meanwhile to lead."""
        with self._queue_lock:
            following = self._queue[0] if self._queue else None
            if following is None:
                self._leading = False
            else:
                following.lead = True
        for job in batch:
            if not job.lead:
                job.wake.set()
        if following is not None:
            following.wake.set()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """Yield a session for reading, which sees one moment of the database; nothing it does is committed."""
        # Closing (not rolling back) leaves loaded objects readable after the block.
        with self._read_sessions() as session:
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
