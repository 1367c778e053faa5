"""Shared fixtures: real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

import compileall
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

ROOT = Path(__file__).resolve().parents[1]


def pytest_configure(config: pytest.Config) -> None:
    """Byte-compile the project once, in the controller, before any worker starts.

    The suite starts about 600 interpreters (crawls, commands, servers). Where
    ``PYTHONDONTWRITEBYTECODE`` is set (as on this machine and its CI) none of them writes a
    ``.pyc``, so each compiled newscrawl's modules from source again: importing a crawl's modules
    took 7.5 s of CPU instead of 2.5 s. Python still reads the caches compileall writes (it
    writes them whatever that variable says); they sit in ``__pycache__``, which git ignores.
    """
    if hasattr(config, "workerinput"):  # an xdist worker: the controller did it
        return
    for name in ("newscrawl", "replica", "bench", "tests"):
        compileall.compile_dir(ROOT / name, quiet=2)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database, once on each backend."""
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def golden() -> dict[str, Any]:
    """The expected record of the seed article (ict_en 27012), from tests/fixtures/golden."""
    return load_golden()
