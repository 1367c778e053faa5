"""Fixtures for the export tests: an upgraded database on SQLite and PostgreSQL (``db_url``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from newscrawl.db.session import ensure_schema, make_engine, make_sessionmaker
from newscrawl.items import Article
from tests.export.export_helpers import build_record, save


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


@pytest.fixture
def archive(
    sessions: sessionmaker[Session], make_record: Callable[..., Article]
) -> sessionmaker[Session]:
    """Five stored articles with their captures, fetched on 1 to 5 March 2024 at 10:00 UTC."""
    save(
        sessions,
        *(
            make_record(
                str(n),
                capture=True,
                fetched_at=f"2024-03-0{n}T10:00:00Z",
                body=f"Paragraph {n}.\n\n" + "Text. " * 200,
            )
            for n in range(1, 6)
        ),
    )
    return sessions
