"""Fixtures for the export tests: an upgraded database on SQLite and PostgreSQL (``db_url``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from newscrawl.db.session import ensure_schema, make_engine, make_sessionmaker
from newscrawl.items import Article
from tests.export.export_helpers import build_record


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on an empty database upgraded to the newest schema."""
    engine = make_engine(db_url)
    ensure_schema(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


@pytest.fixture
def make_record() -> Callable[..., Article]:
    return build_record
