"""The crawl job: ``crawl_site(site, mode)`` crawls one site in a child process.

A job runs ``scrapy crawl SITE`` through :mod:`newscrawl.runner` (one crawl per process, as
``newscrawl crawl`` does; forked from the worker's fork server, :mod:`newscrawl.forkserver`, so a
job starts its crawl without a fresh interpreter's imports), with the worker's database, settings
and log directory, and ends

- **done** when the site was crawled to its end (run ``finished`` or ``failed``): the job is
  acknowledged; so it is, without crawling, when a run of the site that started after the job
  was queued already did (the same job delivered a second time, after its worker died past the
  crawl's end or during a crawl longer than the broker's visibility timeout);
- **retried later** (``NEWSCRAWL_LOCKED_RETRY`` seconds, default 60) when the site is leased by a
  crawl elsewhere (exit 75), and at once when the crawl was stopped before its end (the worker
  is shutting down: SIGTERM reached the crawl too). Retries keep the job's ``requested_at``.

Only the lease holder crawls a site, so per-site politeness (``DOWNLOAD_DELAY``, AutoThrottle,
robots.txt) holds across the cluster as on one machine; the price is that one site is never
split across machines.
"""

from __future__ import annotations

import logging
import os
import signal
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from celery import Task

from newscrawl.distributed.app import CRAWL_TASK, app

if TYPE_CHECKING:
    from newscrawl.runner import CrawlResult

__all__ = ["CRAWL_SETTINGS", "LOCKED_RETRY_ENV", "MODES", "crawl_site", "stopped_before_its_end"]

logger = logging.getLogger(__name__)

MODES = ("full", "incremental")
Mode = Literal["full", "incremental"]
LOCKED_RETRY_ENV = "NEWSCRAWL_LOCKED_RETRY"
#: ``app.conf`` key of the ``-s NAME=VALUE`` settings every crawl of this worker gets.
CRAWL_SETTINGS = "newscrawl_crawl_settings"


def _locked_retry() -> float:
    value = os.environ.get(LOCKED_RETRY_ENV, "").strip()
    return float(value) if value else 60.0


def _already_crawled(site: str, requested_at: str | None) -> int | None:
    """The id of a run of *site* that crawled it after *requested_at*, or None."""
    if not requested_at:
        return None
    from newscrawl.db.runs import crawled_since
    from newscrawl.db.session import make_engine, make_sessionmaker

    url = os.environ.get("NEWSCRAWL_DATABASE_URL", "").strip()
    if not url:
        return None
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            run = crawled_since(session, site, datetime.fromisoformat(requested_at))
            return None if run is None else run.id
    finally:
        engine.dispose()


def stopped_before_its_end(result: CrawlResult) -> bool:
    """Whether a crawl was stopped, not ended: to be queued again.

    Stopped gracefully (close reason ``shutdown`` or ``cancelled``: a SIGTERM or SIGINT reached
    it), or killed by a SIGTERM that came before it had installed Scrapy's handlers (the first
    instants after its fork: the signal's default action, exit status -15). Once Scrapy's handlers
    are there (and ``newscrawl.extensions.startup`` holds a signal during start-up), a SIGTERM
    always ends in a close reason.
    """
    from newscrawl.health.outcome import STOPPED_REASONS

    return (
        result.stats.get("finish_reason") in STOPPED_REASONS or result.returncode == -signal.SIGTERM
    )


@app.task(bind=True, name=CRAWL_TASK, max_retries=None)
def crawl_site(
    self: Task[Any, Any], site: str, mode: Mode = "full", requested_at: str | None = None
) -> dict[str, Any]:
    """Crawl *site* (``full`` or ``incremental``) once; see the module docstring."""
    from newscrawl.cli.crawl import EXIT_LOCKED, log_directory, open_log, outcome
    from newscrawl.runner import run_crawl

    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    if (done := _already_crawled(site, requested_at)) is not None:
        logger.info("%s: crawled by run %s since this job was queued; nothing to do", site, done)
        return {"site": site, "skipped": True, "run_id": done}
    settings = dict(self.app.conf.get(CRAWL_SETTINGS) or {})
    settings["NEWSCRAWL_INCREMENTAL"] = str(mode == "incremental")
    logs = log_directory(None)
    log = open_log(logs, site) if logs is not None else None
    try:
        result = run_crawl(site, settings=settings, capture_log=False, log_file=log, fork=True)
    finally:
        if log is not None:
            log.close()
    ended = outcome(result)
    run_id = result.stats.get("newscrawl/run/id")
    if ended.code == EXIT_LOCKED:
        logger.info("%s is being crawled elsewhere (%s); trying again later", site, ended.message)
        raise self.retry(countdown=_locked_retry())
    if stopped_before_its_end(result):
        logger.warning("%s: the crawl was stopped before its end; queued again", site)
        raise self.retry(countdown=0)
    logger.info("%s: exit %s, run %s %s", site, ended.code, run_id, ended.message)
    return {"site": site, "code": ended.code, "message": ended.message, "run_id": run_id}
