"""A crawl cluster on this machine: real workers, a real Redis broker, a real PostgreSQL database.

The sites are copies of ict_en pointing at one replica (``newscrawl_replica.fleet``); what each
must store comes from the replica's generator. The tests wait on the run records and the
broker's queue, never on the clock.
"""

from __future__ import annotations

import os
import signal
from collections import defaultdict
from collections.abc import Iterator
from itertools import pairwise

import pytest
from sqlalchemy import func, select

from newscrawl.db.models import Article, CrawlLock, CrawlRun, Revision
from newscrawl_replica.fleet import write_profiles
from newscrawl_replica.generate import generate_site
from newscrawl_replica.model import EMPTY_BODY, GONE
from newscrawl_replica.process import ReplicaProcess
from tests.distributed.conftest import Cluster, queued
from tests.runs.conftest import database, wait_for

pytestmark = [pytest.mark.crawl, pytest.mark.db]

ARTICLES = 12
SPECS = generate_site("ict_en", ARTICLES, 0).articles
STORED = sum(not ({GONE, EMPTY_BODY} & a.flags) for a in SPECS)
#: One request at a time, apart: each crawl lasts a few seconds, so crawls overlap.
PACED = {
    "CONCURRENT_REQUESTS_PER_DOMAIN": "1",
    "RANDOMIZE_DOWNLOAD_DELAY": "False",
    "DOWNLOAD_DELAY": "0.3",
    "NEWSCRAWL_WORKERS_START_AFTER": "0",
}


@pytest.fixture(scope="module")
def replica() -> Iterator[ReplicaProcess]:
    with ReplicaProcess(articles=ARTICLES, sites=["ict_en"]) as server:
        yield server


def all_runs(url: str) -> list[CrawlRun]:
    with database(url) as sessions, sessions() as session:
        return list(session.scalars(select(CrawlRun).order_by(CrawlRun.id)))


def refused(run: CrawlRun) -> bool:
    """A run the site's lease refused (it fetched nothing)."""
    return run.status == "aborted" and "is already being crawled" in (run.message or "")


def all_done(cluster: Cluster, sites: list[str]) -> bool:
    """Every site has a finished run, and the broker holds no job (queued or unacknowledged)."""
    finished = {run.site for run in all_runs(cluster.database_url) if run.status == "finished"}
    return finished == set(sites) and queued(cluster.broker_url) == (0, 0)


def check_crawled_once_never_together(url: str, sites: list[str]) -> dict[str, list[CrawlRun]]:
    """No two runs of a site that held its lease overlap; each site stored each article once."""
    by_site: dict[str, list[CrawlRun]] = defaultdict(list)
    for run in all_runs(url):
        if not refused(run):
            by_site[run.site].append(run)
    assert sorted(by_site) == sorted(sites)
    for site, runs in by_site.items():
        for earlier, later in pairwise(runs):
            # a killed run has no end: the next one started after its process was gone
            assert earlier.finished_at is None or earlier.finished_at <= later.started_at, site
        assert [run.status for run in runs].count("finished") == 1, (site, runs)
    with database(url) as sessions, sessions() as session:
        per_site = dict(
            session.execute(select(Article.site, func.count()).group_by(Article.site)).all()
        )
        assert per_site == {f"{site}.replica.test": STORED for site in sites}
        revisions = session.execute(
            select(Revision.article_id, func.count()).group_by(Revision.article_id)
        ).all()
        assert len(revisions) == STORED * len(sites)
        assert {count for _, count in revisions} == {1}
        assert session.scalars(select(CrawlLock)).all() == []
    return by_site


def test_three_workers_crawl_every_site_once_never_two_at_once(replica, cluster, tmp_path):
    sites = write_profiles(cluster.sites_dir, replica.urls["ict_en"], 6)
    cluster.settings.update(PACED)
    for _ in range(3):
        cluster.start_worker()
    queued_lines = cluster.enqueue(*sites).stdout.splitlines()
    assert [line.split(":")[0] for line in queued_lines] == sites
    wait_for(lambda: all_done(cluster, sites), 300, "every site crawled and the queue empty")
    by_site = check_crawled_once_never_together(cluster.database_url, sites)
    assert all(len(runs) == 1 for runs in by_site.values())
    crawls = [run for runs in by_site.values() for run in runs]
    starts = sorted(run.started_at for run in crawls)
    ends = sorted(run.finished_at for run in crawls if run.finished_at)
    assert starts[1] < ends[0], "the workers crawled one after another, not at once"


def test_a_killed_workers_site_is_finished_by_another_worker(replica, cluster):
    # two sites, one per worker, and a third queued behind them: the survivor crawls its own,
    # the queued one and the victim's (each about 10 s at PACED's delay)
    sites = write_profiles(cluster.sites_dir, replica.urls["ict_en"], 3)
    cluster.settings.update(PACED)
    # a lost worker's job is delivered again after 20 s, longer than a crawl (checked every second)
    cluster.env.update(
        {"NEWSCRAWL_BROKER_VISIBILITY": "20", "NEWSCRAWL_BROKER_RESTORE_INTERVAL": "1",
         "NEWSCRAWL_LOCKED_RETRY": "1"}
    )  # fmt: skip
    workers = [cluster.start_worker(), cluster.start_worker()]
    cluster.enqueue(*sites)

    def a_crawl_with_articles() -> CrawlRun | None:
        for number, worker in enumerate(workers):
            assert worker.poll() is None, cluster.log(number)
        with database(cluster.database_url) as sessions, sessions() as session:
            return session.scalars(
                select(CrawlRun)
                .join(Article, Article.site == CrawlRun.site + ".replica.test")
                .where(CrawlRun.status == "running")
                .limit(1)
            ).first()

    # mid-crawl: running, with some of its articles already stored
    victim = wait_for(a_crawl_with_articles, 180, "a crawl that has stored articles")
    group = os.getpgid(victim.pid)
    killed = next(worker for worker in workers if worker.pid == group)
    os.killpg(group, signal.SIGKILL)  # the whole worker: its main process, pool and crawl
    killed.wait(timeout=30)

    wait_for(lambda: all_done(cluster, sites), 300, "every site crawled and the queue empty")
    by_site = check_crawled_once_never_together(cluster.database_url, sites)
    first, *later = by_site[victim.site]
    assert first.id == victim.id and first.status == "aborted" and first.finished_at is None
    assert f"its process (pid {victim.pid} on {victim.host}) is gone" in (first.message or "")
    assert later and later[-1].status == "finished"


@pytest.mark.parametrize("to", ["worker", "group"])
def test_sigterm_stops_the_worker_after_its_running_crawl_and_loses_no_job(replica, cluster, to):
    """SIGTERM to the worker's main process only (systemd's KillMode=mixed): the running crawl
    finishes. To its whole process group (KillMode=control-group, ``kill -TERM -PGID``): the
    crawl stops gracefully, is recorded ``aborted`` and its job queued again; the worker waits
    for it either way. The second site's job stays queued for the next worker."""
    sites = write_profiles(cluster.sites_dir, replica.urls["ict_en"], 2)
    cluster.settings.update(PACED)
    worker = cluster.start_worker()  # one slot: the second site waits in the queue
    cluster.enqueue(*sites)

    def running() -> CrawlRun | None:
        assert worker.poll() is None, cluster.log(0)
        runs = [run for run in all_runs(cluster.database_url) if run.status == "running"]
        return runs[0] if runs else None

    first = wait_for(running, 180, "a running crawl")
    if to == "worker":
        worker.send_signal(signal.SIGTERM)
    else:
        os.killpg(worker.pid, signal.SIGTERM)
    assert worker.wait(timeout=180) == 0, cluster.log(0)
    runs = all_runs(cluster.database_url)
    with database(cluster.database_url) as sessions, sessions() as session:
        stored = session.scalar(select(func.count()).select_from(Article))
        locks = session.scalars(select(CrawlLock)).all()
    assert locks == [], ([(run.site, run.status) for run in runs], cluster.log(0))
    if to == "worker":
        assert [(run.site, run.status) for run in runs] == [(first.site, "finished")]
        assert stored == STORED
        assert queued(cluster.broker_url) == (1, 0)
    else:
        assert [(run.site, run.status) for run in runs] == [(first.site, "aborted")]
        assert stored is not None and stored < STORED
        assert queued(cluster.broker_url) == (2, 0)  # the stopped site's job again, and the other
