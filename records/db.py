"""Engines, sessions and migrations of the records database.

Every function takes the database URL: the entry points (the CLI commands and
the flows) read ``SIGAP_DATABASE_URL`` once (see :mod:`config.settings`; by
default a SQLite file in the data directory) and pass it down. PostgreSQL is used with
``postgresql+psycopg://user:password@host/db``; a bare ``postgresql://`` is
taken to mean psycopg 3, the driver SIGAP installs.

Nothing here ever prints or logs a URL with its password: use
:func:`display_url`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
"""The packaged Alembic script directory."""


def resolve_url(url: str | URL) -> URL:
    """Turn ``url`` into a SQLAlchemy URL.

    Args:
        url: A database URL.

    Returns:
        The parsed URL; ``postgresql://`` becomes ``postgresql+psycopg://``.

    Examples:
        >>> resolve_url("postgresql://sigap:s3cret@db/sigap").drivername
        'postgresql+psycopg'
        >>> resolve_url("sqlite:////srv/sigap/sigap.db").database
        '/srv/sigap/sigap.db'
    """
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def display_url(url: str | URL | Engine) -> str:
    """Render a URL for people and logs, with its password hidden.

    Args:
        url: A URL string, URL object or engine.

    Returns:
        The URL with the password replaced by ``***``.

    Examples:
        >>> display_url("postgresql+psycopg://sigap:s3cret@db.local/sigap")
        'postgresql+psycopg://sigap:***@db.local/sigap'
    """
    if isinstance(url, Engine):
        url = url.url
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin,
    # so SAVEPOINTs and rollbacks behave as on PostgreSQL.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # WAL's recommended durability: a power cut may lose the last commits, never
    # corrupts the file; spares an fsync on every commit
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # IMMEDIATE takes the write lock at the start: concurrent writers queue on
    # busy_timeout instead of failing with "database is locked" mid-transaction.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str | URL, **kwargs: Any) -> Engine:
    """Create an engine for the records database.

    For SQLite the file's parent directory is created, foreign keys are
    enforced, the journal is put in WAL mode (``synchronous=NORMAL``) and every
    transaction starts with
    ``BEGIN IMMEDIATE`` (writers wait their turn, up to 30 s, instead of
    failing half-way; savepoints work as on PostgreSQL).

    Args:
        url: Database URL.
        **kwargs: Passed on to :func:`sqlalchemy.create_engine`.

    Returns:
        A new engine; dispose of it when done.
    """
    parsed = resolve_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        kwargs.setdefault("pool_pre_ping", True)
        engine = create_engine(parsed, **kwargs)
    log.debug("records engine for %s", display_url(engine))
    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """Open a session that commits on success and rolls back on error.

    Objects stay readable after the block (``expire_on_commit=False``).

    Args:
        engine: Engine from :func:`make_engine`.

    Yields:
        The session.
    """
    factory = sessionmaker(engine, expire_on_commit=False)
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str | URL) -> Config:
    """Build the Alembic configuration pointing at the packaged migrations.

    The URL is not written into the config (it could hold a password and
    ``configparser`` would choke on ``%``); ``env.py`` reads it from
    ``config.attributes["url"]``.

    Args:
        url: Database URL.

    Returns:
        An Alembic :class:`~alembic.config.Config`.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["url"] = resolve_url(url)
    return config


def head_revision() -> str:
    """Return the newest revision of the packaged migrations.

    Returns:
        The head revision id.
    """
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    if head is None:  # pragma: no cover - the package always ships a revision
        raise RuntimeError(f"no migrations found in {MIGRATIONS_DIR}")
    return head


def known_revisions() -> set[str]:
    """Return every revision id of the packaged migrations.

    Returns:
        The revision ids.
    """
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return {script.revision for script in scripts.walk_revisions()}


def _revision_of(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def current_revision(url: str | URL) -> str | None:
    """Return the revision the database is at (None if never migrated).

    Args:
        url: Database URL.

    Returns:
        The current revision id or None.
    """
    engine = make_engine(url)
    try:
        return _revision_of(engine)
    finally:
        engine.dispose()


@dataclass(frozen=True)
class UpgradeResult:
    """What :func:`upgrade` did.

    Attributes:
        url: The database URL with its password hidden.
        before: Revision before the upgrade (None: empty database).
        after: Revision after the upgrade.
    """

    url: str
    before: str | None
    after: str | None

    @property
    def changed(self) -> bool:
        """True if the upgrade applied at least one migration."""
        return self.before != self.after


def _migrate(url: str | URL, revision: str, *, up: bool) -> UpgradeResult:
    """Run Alembic ``upgrade`` or ``downgrade`` to ``revision`` on one connection."""
    engine = make_engine(url)
    try:
        before = _revision_of(engine)
        config = alembic_config(engine.url)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            (command.upgrade if up else command.downgrade)(config, revision)
        after = _revision_of(engine)
        shown = display_url(engine)
    finally:
        engine.dispose()
    if before != after:
        verb = "migrated" if up else "downgraded"
        log.info("records database %s %s from %s to %s", shown, verb, before, after)
    return UpgradeResult(url=shown, before=before, after=after)


def upgrade(url: str | URL, revision: str = "head") -> UpgradeResult:
    """Create or migrate the database to ``revision`` with Alembic.

    Args:
        url: Database URL.
        revision: Target revision, default ``head``.

    Returns:
        The revisions before and after.
    """
    return _migrate(url, revision, up=True)


def downgrade(url: str | URL, revision: str) -> UpgradeResult:
    """Migrate the database back to ``revision`` (``base``: drop everything). For developers.

    Args:
        url: Database URL.
        revision: Target revision.

    Returns:
        The revisions before and after.
    """
    return _migrate(url, revision, up=False)


def init_database(url: str | URL) -> UpgradeResult:
    """Create the database schema or bring it to the newest revision (idempotent).

    Args:
        url: Database URL.

    Returns:
        The revisions before and after.
    """
    return upgrade(url, "head")


DATABASE_STATES = ("missing", "empty", "behind", "newer", "ready")
"""What :func:`database_state` finds: no SQLite file yet, no schema, an older
schema, a schema newer than this SIGAP, or the newest schema."""


@dataclass(frozen=True)
class DatabaseState:
    """Whether a records database can be used, without changing it.

    Attributes:
        url: The URL with its password hidden.
        state: One of :data:`DATABASE_STATES`.
        current: Its revision (None: no schema).
        head: The newest revision this SIGAP knows.
    """

    url: str
    state: str
    current: str | None
    head: str


def database_state(url: str | URL, *, connect_timeout: int = 10) -> DatabaseState:
    """Look at the records database without creating or migrating it.

    A SQLite file that does not exist is reported as ``missing`` without
    connecting (connecting would create it). A PostgreSQL server that does not
    answer within ``connect_timeout`` seconds raises the driver's error.

    Args:
        url: Database URL.
        connect_timeout: Seconds to wait for a PostgreSQL server.

    Returns:
        The database's state.

    Raises:
        sqlalchemy.exc.DBAPIError: The database cannot be reached or read.

    Examples:
        >>> database_state("sqlite:////nonexistent/sigap.db").state
        'missing'
    """
    parsed = resolve_url(url)
    head = head_revision()
    shown = display_url(parsed)
    database = parsed.database or ""
    if parsed.get_backend_name() == "sqlite":
        on_disk = database not in ("", ":memory:") and not database.startswith("file:")
        if on_disk and not Path(database).expanduser().is_file():
            return DatabaseState(shown, "missing", None, head)
        engine = make_engine(parsed)
    else:
        engine = make_engine(parsed, connect_args={"connect_timeout": connect_timeout})
    try:
        current = _revision_of(engine)
    finally:
        engine.dispose()
    if current is None:
        state = "empty"
    elif current == head:
        state = "ready"
    elif current in known_revisions():
        state = "behind"
    else:
        state = "newer"
    return DatabaseState(shown, state, current, head)
