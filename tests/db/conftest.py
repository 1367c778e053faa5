"""Database fixtures: every test runs on a SQLite file and on the real PostgreSQL server.

``db_url`` is an empty database: a file in ``tmp_path`` for SQLite, a fresh uniquely named
database on the PostgreSQL test server (see :mod:`tests.pg`) that is dropped
afterwards. PostgreSQL being unreachable is an error, never a skip.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from newscrawl.db.session import ensure_schema, make_engine, make_sessionmaker
from newscrawl.items import Article
from tests.helpers import BACKENDS, article_record, fresh_database


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database (no schema) on each supported dialect.

    The SQLite file lies in a directory that does not exist yet: the engine must create it.
    """
    with fresh_database(request.param, tmp_path / "db") as url:
        yield url


@pytest.fixture
def empty_engine(db_url: str) -> Iterator[Engine]:
    """An engine on the empty database."""
    engine = make_engine(db_url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def engine(empty_engine: Engine) -> Engine:
    """An engine on a database upgraded to the newest migration."""
    ensure_schema(empty_engine)
    return empty_engine


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    """The sessionmaker of the upgraded database."""
    return make_sessionmaker(engine)


def build_record(source_id: str = "1001", **overrides: Any) -> Article:
    """A hand-written Article record (``tests.helpers.article_record``) of site ``mfa``, whose
    listing link carries a ``?ref=list`` the canonical URL drops.

    ``content_hash`` is derived from title, lead, body and published_at unless given.
    """
    site = overrides.pop("site", "mfa")
    lang = overrides.pop("lang", "en")
    fields: dict[str, Any] = {
        "body": "First paragraph.\n\nold sentence",
        "published_raw": "Tuesday 5 December 2017 - 21:27",
        **overrides,
    }
    return article_record(
        source_id,
        site=site,
        lang=lang,
        base=f"https://{site}.example",
        url_suffix="?ref=list",
        **fields,
    )


@pytest.fixture
def make_record() -> Callable[..., Article]:
    """The :func:`build_record` factory."""
    return build_record
