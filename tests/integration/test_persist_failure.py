"""A batch the database refuses: counted, logged with every URL, and the crawl stops.

The database really refuses: a trigger (SQLite and PostgreSQL) aborts every insert into
``revisions``, so the batch's transaction fails after its articles were upserted and must roll
them back. Run with the writer process (the default) and without it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text

from newscrawl.db.models import Article
from newscrawl.db.session import ensure_schema, make_engine, make_sessionmaker
from newscrawl.pipelines.persist import PERSIST_FAILED
from newscrawl.runner import run_crawl
from newscrawl_replica.loopback import LOOPBACK_SETTINGS
from newscrawl_replica.process import ReplicaProcess
from tests.helpers import BACKENDS, fresh_database

pytestmark = pytest.mark.crawl

BATCH = 10

TRIGGERS = {
    "sqlite": [
        (
            "CREATE TRIGGER refuse_revisions BEFORE INSERT ON revisions "
            "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        ),
    ],
    "postgresql": [
        (
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$"
        ),
        (
            "CREATE TRIGGER refuse_revisions BEFORE INSERT ON revisions "
            "FOR EACH ROW EXECUTE FUNCTION refuse()"
        ),
    ],
}


def refuse_revisions(engine: Engine) -> None:
    ensure_schema(engine)
    with engine.begin() as connection:
        for statement in TRIGGERS[engine.dialect.name]:
            connection.execute(text(statement))


@pytest.mark.parametrize("writer_process", [True, False], ids=["writer-process", "in-process"])
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_refused_batch_stops_the_crawl_and_names_its_urls(
    backend: str, writer_process: bool, tmp_path: Path
) -> None:
    with ReplicaProcess(articles=60, sites=["ict_en"]) as replica, fresh_database(backend, tmp_path) as db:
        engine = make_engine(db)
        try:
            refuse_revisions(engine)
            result = run_crawl(
                "ict_en",
                base_url=replica.urls["ict_en"],
                database_url=db,
                settings={
                    **LOOPBACK_SETTINGS,
                    "NEWSCRAWL_DB_BATCH_SIZE": str(BATCH),
                    "NEWSCRAWL_DB_WRITER_PROCESS": str(writer_process),
                },
            )
            with make_sessionmaker(engine)() as session:
                stored = session.scalar(select(func.count()).select_from(Article))
        finally:
            engine.dispose()
    assert result.stats["finish_reason"] == PERSIST_FAILED
    assert result.stats["newscrawl/run/status"] == "failed"
    failed = result.stat("newscrawl/persist/failed")
    assert failed >= BATCH
    assert stored == 0  # each refused batch rolled back whole, its articles included
    assert "refused by the test" in result.log
    named = set()
    for line in re.findall(r"Could not store a batch of (\d+) articles.*?Articles: (.*)", result.log):
        urls = line[1].split()
        assert len(urls) == int(line[0])
        named.update(urls)
    assert len(named) == failed
    assert all(url.startswith(replica.urls["ict_en"]) for url in named)
