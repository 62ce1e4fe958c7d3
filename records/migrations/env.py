"""Alembic environment of the SIGAP records database.

The URL is never read from alembic.ini: ``records.db.alembic_config`` passes an
open connection (``config.attributes["connection"]``) or a URL
(``config.attributes["url"]``); run from the command line
(``alembic -c records/alembic.ini ...``) it falls back to SIGAP_DATABASE_URL
through ``config.settings``.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import DateTime
from sqlalchemy.engine import Connection

from config.settings import load_settings
from records.db import make_engine, resolve_url
from records.models import Base
from records.types import UTCDateTime

config = context.config
target_metadata = Base.metadata


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Spell the UTC decorator as its plain column type, so migrations stay stable."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, DateTime):
        return f"sa.DateTime(timezone={obj.timezone!r})"
    return False


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_item=render_item,
        render_as_batch=connection.dialect.name == "sqlite",
    )


def _url() -> str:
    """The URL given by ``records.db``, or (``alembic`` command line) the settings'."""
    url: str = config.attributes.get("url") or load_settings().database_url
    return url


def run_offline() -> None:
    url = resolve_url(_url())
    context.configure(
        url=url.render_as_string(hide_password=False),
        target_metadata=target_metadata,
        literal_binds=True,
        render_item=render_item,
        render_as_batch=url.get_backend_name() == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as connection:
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
