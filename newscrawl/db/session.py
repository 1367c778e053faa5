"""Engines and sessionmakers: the only place in newscrawl where they are made.

The database URL comes from an explicit value (a command-line option or the Scrapy setting),
else the ``NEWSCRAWL_DATABASE_URL`` environment variable, else :data:`DEFAULT_DATABASE_URL`.
SQLite and PostgreSQL (through psycopg 3) are supported. Create the engine and the sessionmaker
once per process and keep transactions short::

    engine = make_engine(database_url())
    ensure_schema(engine)
    Session = make_sessionmaker(engine)
    with Session.begin() as session:
        save_articles(session, articles)

In a crawl, the ``Archive`` extension (:mod:`newscrawl.extensions.archive`) makes the crawl's one
engine here and upgrades the schema once; the other components use its sessionmaker. A worker
process cannot share an engine object: it gets a :class:`DatabaseTarget` (the URL, and that the
schema is current) and makes its own engine here, without migrating.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from newscrawl.db.errors import DatabaseConfigError

if TYPE_CHECKING:
    from sqlite3 import Connection as SQLiteConnection

    from sqlalchemy.pool import ConnectionPoolEntry

__all__ = [
    "DEFAULT_DATABASE_URL",
    "ENV_VAR",
    "DatabaseTarget",
    "database_url",
    "ensure_schema",
    "make_engine",
    "make_sessionmaker",
    "safe_url",
    "sqlite_path",
]

logger = logging.getLogger(__name__)

#: Environment variable (and Scrapy setting) naming the database.
ENV_VAR = "NEWSCRAWL_DATABASE_URL"
#: Used when neither a value nor the environment variable is given; relative to the current directory.
DEFAULT_DATABASE_URL = "sqlite:///output/newscrawl.sqlite3"

#: Set on every new SQLite connection, in this order (busy_timeout first so the WAL switch waits).
SQLITE_PRAGMAS: tuple[tuple[str, str], ...] = (
    ("busy_timeout", "30000"),
    ("journal_mode", "WAL"),
    ("synchronous", "NORMAL"),
    ("foreign_keys", "ON"),
)
#: Seconds to wait for a PostgreSQL server before giving up (unless the URL sets connect_timeout).
PG_CONNECT_TIMEOUT = 10

_PG_DRIVER = "postgresql+psycopg"
_PASSWORD_RE = re.compile(r"(://[^:/@]*:)[^@/]*@")


@dataclass(frozen=True, slots=True)
class DatabaseTarget:
    """What another process needs to open a crawl's database (picklable, unlike an engine).

    ``schema_current`` says that the owner of the database in the crawl (the ``Archive``
    extension) has upgraded the schema already: the process makes its engine with
    :func:`make_engine` and never migrates.
    """

    url: str
    schema_current: bool


def database_url(value: str | None = None) -> str:
    """Return *value*, else ``$NEWSCRAWL_DATABASE_URL``, else :data:`DEFAULT_DATABASE_URL`."""
    if value and value.strip():
        return value.strip()
    env_value = os.environ.get(ENV_VAR, "").strip()
    return env_value or DEFAULT_DATABASE_URL


def safe_url(url: str | URL) -> str:
    """*url* with its password hidden, for messages and logs."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    return _PASSWORD_RE.sub(r"\1***@", url)


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite *url* (None for other databases and in-memory SQLite).

    Lets read-only commands check that a database exists without creating an empty one.
    """
    parsed = _parse_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        return None
    return Path(database).expanduser()


def make_engine(url: str, *, check: bool = True) -> Engine:
    """Create the engine for *url* (see the module docstring for the accepted URLs).

    ``postgresql://`` and ``postgres://`` URLs are rewritten to use psycopg 3. For SQLite the
    parent directory of the file is created and the pragmas in :data:`SQLITE_PRAGMAS` are set on
    every connection. With *check* (the default) one connection is opened at once, so that a
    wrong URL or an unreachable server fails here with a :class:`DatabaseConfigError`.
    """
    parsed = _parse_url(url)
    kwargs: dict[str, Any] = {"pool_pre_ping": True}
    is_sqlite = parsed.get_backend_name() == "sqlite"
    if is_sqlite:
        _create_sqlite_directory(parsed)
    elif "connect_timeout" not in parsed.query:
        kwargs["connect_args"] = {"connect_timeout": PG_CONNECT_TIMEOUT}
    try:
        engine = create_engine(parsed, **kwargs)
    except (NoSuchModuleError, ImportError) as exc:
        raise DatabaseConfigError(
            f"{ENV_VAR}={safe_url(parsed)}: the database driver is not installed ({exc})"
        ) from exc
    except (ArgumentError, TypeError, ValueError) as exc:
        raise DatabaseConfigError(f"{ENV_VAR}={safe_url(parsed)}: {exc}") from exc
    if is_sqlite:
        event.listen(engine, "connect", _set_sqlite_pragmas)
    if check:
        _check_connection(engine)
    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """The session factory for *engine*; objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def ensure_schema(engine: Engine) -> None:
    """Upgrade the database to the newest migration (creates the schema in an empty database)."""
    from newscrawl.db.migrate import upgrade

    upgrade(engine)


def _parse_url(url: str) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseConfigError(
            f"{ENV_VAR}={safe_url(url)!r} is not a database URL; expected e.g. "
            f"{DEFAULT_DATABASE_URL} or postgresql://user@host:5432/dbname"
        ) from exc
    backend = parsed.get_backend_name()
    if backend == "postgres" or parsed.drivername == "postgresql":
        parsed = parsed.set(drivername=_PG_DRIVER)
    elif backend not in ("sqlite", "postgresql"):
        raise DatabaseConfigError(
            f"{ENV_VAR}={safe_url(parsed)}: unknown or unsupported database dialect "
            f"{backend!r}; newscrawl supports sqlite:///path/to/file.sqlite3 and "
            "postgresql://user@host:5432/dbname"
        )
    return parsed


def _create_sqlite_directory(url: URL) -> None:
    path = sqlite_path(url.render_as_string(hide_password=False))
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseConfigError(
            f"{ENV_VAR}={safe_url(url)}: cannot create the directory of the SQLite file: {exc}"
        ) from exc


def _set_sqlite_pragmas(
    dbapi_connection: SQLiteConnection, connection_record: ConnectionPoolEntry
) -> None:
    cursor = dbapi_connection.cursor()
    try:
        for name, value in SQLITE_PRAGMAS:
            cursor.execute(f"PRAGMA {name}={value}")
    finally:
        cursor.close()


def _check_connection(engine: Engine) -> None:
    try:
        with engine.connect():
            pass
    except DBAPIError as exc:
        engine.dispose()
        reason = str(exc.orig).strip() or type(exc.orig).__name__
        server = "database" if engine.dialect.name == "sqlite" else "database server"
        raise DatabaseConfigError(
            f"{ENV_VAR}={safe_url(engine.url)}: cannot connect to the {server}: {reason}"
        ) from exc
    logger.debug("Connected to %s", safe_url(engine.url))
