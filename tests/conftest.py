"""Shared fixtures: real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import BACKENDS, fresh_database, load_golden
from tests.pgserver import private_pg  # noqa: F401 - a fixture for every test package

# `newscrawl crawl` writes each crawl's log to output/logs by default; the tests' crawls keep
# theirs on stderr, where the tests read them (and a test run leaves nothing in output/). A test
# of the log files passes its own --log-dir.
os.environ["NEWSCRAWL_LOG_DIR"] = "-"


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database, once on each backend."""
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def golden() -> dict[str, Any]:
    """The expected record of the seed article (ict_en 27012), from tests/fixtures/golden."""
    return load_golden()
