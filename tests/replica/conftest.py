"""Fixtures for the replica tests: one replica process (all four sites) per test session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from newscrawl_replica.process import ReplicaProcess


@pytest.fixture(scope="session")
def replica() -> Iterator[ReplicaProcess]:
    """All replica sites with the default 200 articles and seed 0."""
    with ReplicaProcess(articles=200) as proc:
        yield proc
