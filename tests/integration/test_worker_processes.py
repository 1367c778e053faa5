"""The worker-process settings change where the work runs, never what is archived.

The same replica is crawled with extraction in an extract worker process and the writer in its
own process, and with everything in the crawl's process; the archives must hold the same records
and the crawls count the same.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from newscrawl.db.models import Article, Revision
from newscrawl.db.session import make_engine, make_sessionmaker
from newscrawl_replica.loopback import LOOPBACK_SETTINGS
from newscrawl_replica.process import ReplicaProcess
from tests.helpers import BACKENDS, fresh_database, run_crawl

pytestmark = pytest.mark.crawl

MODES = {
    "workers": {
        "NEWSCRAWL_EXTRACT_PROCESSES": "1",
        "NEWSCRAWL_DB_WRITER_PROCESS": "True",
        "NEWSCRAWL_WORKERS_START_AFTER": "0",  # a small crawl would spawn none
    },
    "in-process": {"NEWSCRAWL_EXTRACT_PROCESSES": "0", "NEWSCRAWL_DB_WRITER_PROCESS": "False"},
}
COUNTED = (
    "newscrawl/article/extracted",
    "newscrawl/fields/checked",
    "newscrawl/fields/missing/body",
    "newscrawl/fields/missing/date",
    "newscrawl/persist/new",
    "newscrawl/persist/batches",
    "newscrawl/neardup/indexed",
)


def archived(db: str) -> list[tuple[object, ...]]:
    engine = make_engine(db)
    try:
        with make_sessionmaker(engine)() as session:
            rows = session.execute(
                select(
                    Article.source_id,
                    Article.url,
                    Revision.published_at,
                    Revision.title,
                    Revision.lead,
                    Revision.body,
                    Revision.content_hash,
                ).join(Revision, Revision.id == Article.latest_revision_id)
            )
            return sorted(tuple(row) for row in rows)
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_worker_processes_archive_the_same_records(backend: str, tmp_path: Path) -> None:
    results = {}
    with ReplicaProcess(articles=80, sites=["ict_en"]) as replica:
        for mode, settings in MODES.items():
            (tmp_path / mode).mkdir()
            with fresh_database(backend, tmp_path / mode) as db:
                crawl = run_crawl(
                    "ict_en",
                    base_url=replica.urls["ict_en"],
                    database_url=db,
                    settings={**LOOPBACK_SETTINGS, **settings, "NEWSCRAWL_DB_BATCH_SIZE": "16"},
                )
                assert crawl.returncode == 0, crawl.log[-3000:]
                results[mode] = (archived(db), {key: crawl.stat(key) for key in COUNTED})
    (with_workers, counts), (in_process, expected_counts) = results["workers"], results["in-process"]
    assert len(with_workers) == 78  # 80 generated, minus the 404 and the empty one
    assert with_workers == in_process
    assert counts == expected_counts
    assert counts["newscrawl/persist/batches"] == 5  # 78 articles in batches of 16
