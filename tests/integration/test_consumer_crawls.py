"""`newscrawl export --consumer` across three real crawls delivers every revision exactly once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
from sqlalchemy import select

from newscrawl.cli import main as newscrawl
from newscrawl.db.models import Revision
from newscrawl.db.session import make_engine, make_sessionmaker
from newscrawl.schemas import article_schema
from newscrawl_replica.loopback import LOOPBACK_SETTINGS
from newscrawl_replica.process import ReplicaProcess
from tests.helpers import BACKENDS, fresh_database, run_crawl

pytestmark = pytest.mark.crawl


def content_revision_ids(db: str) -> set[int]:
    engine = make_engine(db)
    try:
        with make_sessionmaker(engine)() as session:
            kinds = ("content", "restored")
            return set(session.scalars(select(Revision.id).where(Revision.kind.in_(kinds))))
    finally:
        engine.dispose()


def deliver(db: str, path: Path) -> list[dict]:
    assert newscrawl(["export", "--consumer", "mirror", "--database-url", db, "-o", str(path)]) == 0
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


@pytest.fixture(scope="module")
def replica_server() -> Iterator[ReplicaProcess]:
    with ReplicaProcess(articles=40, sites=["ict_en"]) as server:
        yield server


@pytest.fixture
def replica(replica_server: ReplicaProcess) -> ReplicaProcess:
    """The module's replica, back in its generated state (the test edits and publishes)."""
    replica_server.reset("ict_en")
    return replica_server


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_revision_reaches_the_consumer_once(replica, backend, tmp_path):
    with fresh_database(backend, tmp_path) as db:
        base = replica.urls["ict_en"]
        delivered: list[dict] = []

        def crawl_and_deliver(round_number: int) -> list[dict]:
            assert run_crawl("ict_en", base_url=base, database_url=db, settings=LOOPBACK_SETTINGS).returncode == 0
            batch = deliver(db, tmp_path / f"delivery-{round_number}.jsonl")
            delivered.extend(batch)
            return batch

        first = crawl_and_deliver(1)
        assert len(first) == len(content_revision_ids(db)) > 30

        ids = [a["id"] for a in replica.articles("ict_en")]
        replica.edit("ict_en", ids[2], title="Edited title")
        replica.edit("ict_en", ids[5], paragraphs=["A rewritten body."])
        second = crawl_and_deliver(2)
        assert sorted(r["source_id"] for r in second) == sorted([str(ids[2]), str(ids[5])])

        published = replica.publish("ict_en", 3)
        replica.edit("ict_en", ids[2], title="Edited again")
        third = crawl_and_deliver(3)
        assert sorted(r["source_id"] for r in third) == sorted([str(ids[2]), *(str(a["id"]) for a in published)])

        # nothing new: an export delivers nothing
        assert deliver(db, tmp_path / "delivery-4.jsonl") == []

        revision_ids = [r["revision_id"] for r in delivered]
        assert len(revision_ids) == len(set(revision_ids)), "a revision was delivered twice"
        assert set(revision_ids) == content_revision_ids(db), "a revision was never delivered"
        schema = article_schema()
        for record in delivered:
            jsonschema.validate(record, schema)
