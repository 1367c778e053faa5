"""Test helpers: throwaway databases on the real PostgreSQL server (the database is never mocked).

``create_pg_database()`` makes a uniquely named database (``newscrawl_t_<10 hex digits>``) and
returns its URL; ``drop_pg_database(url)`` drops it again. The server is reached through
``$NEWSCRAWL_TEST_POSTGRES_URL`` (an admin URL, e.g. ``postgresql://root@127.0.0.1:5432/postgres``)
or, if that is unset, as user ``root`` then ``postgres`` on 127.0.0.1:5432. When no server
answers, :class:`PostgresUnavailableError` is raised: tests fail loudly instead of skipping.
"""

from __future__ import annotations

import functools
import os
import re
import uuid

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from newscrawl.db.errors import DatabaseConfigError
from newscrawl.db.session import make_engine

__all__ = [
    "ADMIN_URL_ENV",
    "PostgresUnavailableError",
    "admin_url",
    "create_pg_database",
    "drop_pg_database",
]

#: Environment variable with the admin URL of the test PostgreSQL server.
ADMIN_URL_ENV = "NEWSCRAWL_TEST_POSTGRES_URL"
#: Tried in order when ADMIN_URL_ENV is unset.
DEFAULT_ADMIN_URLS = (
    "postgresql+psycopg://root@127.0.0.1:5432/postgres",
    "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
)
DATABASE_PREFIX = "newscrawl_t_"
_NAME_RE = re.compile(rf"^{DATABASE_PREFIX}[0-9a-f]{{10}}$")


class PostgresUnavailableError(RuntimeError):
    """No PostgreSQL server accepted the test connection."""


@functools.cache
def admin_url() -> str:
    """The URL of a maintenance database (``postgres``) on the test server that accepts us."""
    candidates = (
        [os.environ[ADMIN_URL_ENV]] if os.environ.get(ADMIN_URL_ENV) else DEFAULT_ADMIN_URLS
    )
    errors = []
    for candidate in candidates:
        try:
            make_engine(candidate).dispose()
        except DatabaseConfigError as exc:
            errors.append(str(exc))
            continue
        return candidate
    raise PostgresUnavailableError(
        "the PostgreSQL test server is not reachable; start it "
        "(pg_ctlcluster --skip-systemctl-redirect <version> main start) or set "
        f"{ADMIN_URL_ENV}. Tried:\n  " + "\n  ".join(errors)
    )


def create_pg_database(admin: str | None = None) -> str:
    """Create an empty, uniquely named database; return its URL (same server and user)."""
    admin = admin or admin_url()
    name = f"{DATABASE_PREFIX}{uuid.uuid4().hex[:10]}"
    engine = _admin_engine(admin)
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return make_url(admin).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(url: str) -> None:
    """Drop a database made by :func:`create_pg_database`, closing its open connections."""
    parsed = make_url(url)
    name = parsed.database or ""
    if not _NAME_RE.match(name):
        raise ValueError(f"refusing to drop {name!r}: not a database made by create_pg_database")
    engine = _admin_engine(parsed.set(database="postgres").render_as_string(hide_password=False))
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


def _admin_engine(url: str) -> Engine:
    return make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
