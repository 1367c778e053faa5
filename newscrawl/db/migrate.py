"""Alembic, configured in code: no ``alembic.ini`` is needed at run time.

:func:`alembic_config` points ``script_location`` at ``newscrawl/db/migrations`` inside the
package and, when given a connection, shares it with ``env.py`` through
``config.attributes["connection"]`` so that a migration runs in the caller's transaction.
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

__all__ = [
    "MIGRATIONS_DIR",
    "alembic_config",
    "current_revision",
    "downgrade",
    "head_revision",
    "upgrade",
]

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

#: Key of the PostgreSQL advisory lock that serialises concurrent upgrades ("news" in ASCII).
_PG_LOCK_KEY = 0x6E657773


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    """An Alembic ``Config`` for newscrawl's migrations.

    *connection* is handed to ``env.py``; without it ``env.py`` makes an engine from *url*
    (through :func:`newscrawl.db.session.make_engine`), else from ``NEWSCRAWL_DATABASE_URL``.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest migration's revision id."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships migrations
        raise RuntimeError(f"no Alembic migrations found in {MIGRATIONS_DIR}")
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for a database without newscrawl's schema."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Upgrade the database to *revision* in one transaction; return the revision reached.

    On PostgreSQL an advisory lock makes concurrent callers (several crawl processes starting
    at once) wait for each other instead of racing to create the same tables.
    """
    with engine.begin() as connection:
        _lock(connection)
        command.upgrade(alembic_config(connection), revision)
        return MigrationContext.configure(connection).get_current_revision()


def downgrade(engine: Engine, revision: str) -> str | None:
    """Downgrade the database to *revision* (``"base"`` drops the schema); return the revision."""
    with engine.begin() as connection:
        _lock(connection)
        command.downgrade(alembic_config(connection), revision)
        return MigrationContext.configure(connection).get_current_revision()


def _lock(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
