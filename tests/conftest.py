"""Shared fixtures: real databases (SQLite and PostgreSQL) and the loopback replica."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from newscrawl.db.testing import create_pg_database, drop_pg_database

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
BACKENDS = ["sqlite", "postgresql"]


@contextmanager
def fresh_database(backend: str, directory: Path) -> Iterator[str]:
    """An empty database on ``backend``; PostgreSQL is the real server and is never skipped."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'newscrawl.sqlite3'}"
        return
    url = create_pg_database()
    try:
        yield url
    finally:
        drop_pg_database(url)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database, once on each backend."""
    with fresh_database(request.param, tmp_path) as url:
        yield url
