"""A batch the database refuses: counted, logged with every URL, and the crawl stops.

The database really refuses: a trigger (SQLite and PostgreSQL) aborts every insert into
``revisions``, so the batch's transaction fails after its articles were upserted and must roll
them back. Run with the writer process (the default) and without it.

The last batch, written as the spider closes, fails the run the same way although the crawl's
close reason stays ``finished``: run ``failed``, ``newscrawl crawl`` exits 1.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text

from newscrawl.cli.crawl import EXIT_ERROR
from newscrawl.db.models import Article, CrawlRun, Revision
from newscrawl.db.session import ensure_schema, make_engine, make_sessionmaker
from newscrawl.pipelines.persist import PERSIST_FAILED
from newscrawl_replica.loopback import LOOPBACK_SETTINGS
from newscrawl_replica.process import ReplicaProcess
from tests.helpers import BACKENDS, fresh_database, run_crawl
from tests.runs.conftest import LOOPBACK_OPTIONS, newscrawl_here

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

DROP_TRIGGER = {
    "sqlite": "DROP TRIGGER refuse_revisions",
    "postgresql": "DROP TRIGGER refuse_revisions ON revisions",
}


@pytest.fixture(scope="module")
def replica() -> Iterator[ReplicaProcess]:
    """The replica of the refused-batch crawls (60 articles); they only read it."""
    with ReplicaProcess(articles=60, sites=["ict_en"]) as server:
        yield server


def refuse_revisions(engine: Engine) -> None:
    ensure_schema(engine)
    with engine.begin() as connection:
        for statement in TRIGGERS[engine.dialect.name]:
            connection.execute(text(statement))


@pytest.mark.parametrize("writer_process", [True, False], ids=["writer-process", "in-process"])
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_refused_batch_stops_the_crawl_and_names_its_urls(
    replica: ReplicaProcess, backend: str, writer_process: bool, tmp_path: Path
) -> None:
    with fresh_database(backend, tmp_path) as db:
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
                    "NEWSCRAWL_WORKERS_START_AFTER": "0",
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
    assert result.stat("newscrawl/persist/retried") == 0  # not transient: failed at once
    assert stored == 0  # each refused batch rolled back whole, its articles included
    assert "refused by the test" in result.log
    named = set()
    for line in re.findall(r"Could not store a batch of (\d+) articles.*?Articles: (.*)", result.log):
        urls = line[1].split()
        assert len(urls) == int(line[0])
        named.update(urls)
    assert len(named) == failed
    assert all(url.startswith(replica.urls["ict_en"]) for url in named)


#: Articles of the replica's site: fewer than a batch, so that the only batch is the last one.
FEW = 12


@pytest.fixture(scope="module")
def few_replica() -> Iterator[ReplicaProcess]:
    """The replica of the refused-last-batch crawls (FEW articles); they only read it."""
    with ReplicaProcess(articles=FEW, sites=["ict_en"]) as server:
        yield server

FAILED_LINE = re.compile(
    r"Could not store a batch of (\d+) articles and (\d+) tombstones; "
    r"the crawl was ending, the run fails\. Articles: (.*)"
)


@pytest.mark.parametrize("writer_process", [True, False], ids=["writer-process", "in-process"])
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_refused_last_batch_fails_the_run_and_the_command(
    few_replica: ReplicaProcess,
    backend: str,
    writer_process: bool,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    with fresh_database(backend, tmp_path) as db:
        base = few_replica.urls["ict_en"]
        engine = make_engine(db)
        options = [
            *LOOPBACK_OPTIONS,
            "-s",
            "NEWSCRAWL_DB_BATCH_SIZE=1000",
            "-s",
            f"NEWSCRAWL_DB_WRITER_PROCESS={writer_process}",
            "-s",
            "NEWSCRAWL_WORKERS_START_AFTER=0",
        ]
        try:
            refuse_revisions(engine)
            command = ("crawl", "ict_en", "--base-url", base, "--database-url", db, *options)
            refused = newscrawl_here(capfd, *command)
            sessions = make_sessionmaker(engine)
            with sessions() as session:
                runs = list(session.scalars(select(CrawlRun)))
                left = [
                    session.scalar(select(func.count()).select_from(table))
                    for table in (Article, Revision)
                ]
            # The next crawl, once the database takes them, stores what the refused one named.
            with engine.begin() as connection:
                connection.execute(text(DROP_TRIGGER[engine.dialect.name]))
            again = newscrawl_here(capfd, *command)
            with sessions() as session:
                stored = set(session.scalars(select(Article.url)))
        finally:
            engine.dispose()
    log = refused.stderr
    assert refused.returncode == EXIT_ERROR, log[-3000:]
    assert again.returncode == 0, again.stderr[-3000:]
    assert "refused by the test" in log
    assert "Closing spider (finished)" in log  # nothing failed before the spider closed
    (run,) = runs
    assert run.status == "failed"
    assert left == [0, 0]  # the batch rolled back whole: no article, no revision
    (line,) = FAILED_LINE.findall(log)  # one batch, the last
    count, tombstones, urls = int(line[0]), int(line[1]), line[2].split()
    assert len(urls) == count
    assert run.message is not None
    assert f"refused {count} articles and {tombstones} tombstones" in run.message
    assert f"ict_en: {run.message}" in log.splitlines()  # the command's message names the count
    # the same articles: an article's URL is the link it was fetched from first, and the
    # replica links its newest ones in several forms (no slug, another slug), so compare ids
    assert len(stored) >= 1 and article_ids(urls) == article_ids(stored)


def article_ids(urls: Iterable[str]) -> set[str]:
    """The ``/en/news/<id>`` ids of *urls* (one each)."""
    ids = {match[1] for url in urls if (match := re.search(r"/news/(\d+)", url))}
    assert len(ids) == len(set(urls)), urls
    return ids
