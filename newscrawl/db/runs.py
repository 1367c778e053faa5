"""The record of crawl runs (``crawl_runs``): start, finish, list, and a site's history.

:class:`~newscrawl.extensions.runs.RunRecorder` writes a row when a crawl opens (status
``running``) and completes it when the crawl closes; ``newscrawl runs`` lists them, and the run
health check (:mod:`newscrawl.health.check`) compares a crawl with the site's previous finished runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from newscrawl.db.models import RUN_STATUSES, CrawlRun

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

__all__ = [
    "abandon_run",
    "crawled_since",
    "finish_run",
    "finished_counts",
    "recent_runs",
    "start_run",
]


def start_run(
    sessions: sessionmaker[Session],
    site: str,
    host: str,
    pid: int,
    *,
    started_at: datetime | None = None,
) -> int:
    """Insert a ``running`` run of *site*; return its id."""
    run = CrawlRun(
        site=site,
        host=host,
        pid=pid,
        started_at=started_at or datetime.now(UTC),
        status="running",
        counts={},
    )
    with sessions.begin() as session:
        session.add(run)
        session.flush()
        return run.id


def finish_run(
    sessions: sessionmaker[Session],
    run_id: int,
    status: str,
    counts: Mapping[str, Any],
    message: str | None = None,
    *,
    finished_at: datetime | None = None,
) -> None:
    """Complete run *run_id* with its end time, final *status*, counts and message."""
    if status not in RUN_STATUSES or status == "running":
        raise ValueError(f"a finished run's status is finished, failed or aborted, not {status!r}")
    with sessions.begin() as session:
        run = session.get(CrawlRun, run_id)
        if run is None:
            raise LookupError(f"no crawl run {run_id}")
        run.finished_at = finished_at or datetime.now(UTC)
        run.status = status
        run.counts = dict(counts)
        run.message = message


def abandon_run(sessions: sessionmaker[Session], run_id: int, message: str) -> bool:
    """Mark run *run_id* ``aborted`` if it is still ``running`` (its process died); True if so.

    Its end time stays empty: nobody knows when it stopped.
    """
    with sessions.begin() as session:
        run = session.get(CrawlRun, run_id)
        if run is None or run.status != "running":
            return False
        run.status = "aborted"
        run.message = message
        return True


def recent_runs(session: Session, site: str | None = None, limit: int = 20) -> list[CrawlRun]:
    """The newest *limit* runs (of *site*, or of every site), newest first."""
    query = select(CrawlRun).order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc()).limit(limit)
    if site is not None:
        query = query.where(CrawlRun.site == site)
    return list(session.scalars(query))


def finished_counts(session: Session, site: str, limit: int = 5) -> list[dict[str, Any]]:
    """The counts of the newest *limit* runs of *site* that finished normally, newest first."""
    query = (
        select(CrawlRun.counts)
        .where(CrawlRun.site == site, CrawlRun.status == "finished")
        .order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc())
        .limit(limit)
    )
    return [dict(counts) for counts in session.scalars(query)]


def crawled_since(session: Session, site: str, since: datetime) -> CrawlRun | None:
    """The first run of *site* started at or after *since* that crawled to its end, or None.

    ``finished`` and ``failed`` runs count (the site was crawled; ``failed`` says its results
    look wrong); ``aborted`` ones (locked out, stopped, killed) and ``running`` ones do not.
    """
    query = (
        select(CrawlRun)
        .where(
            CrawlRun.site == site,
            CrawlRun.started_at >= since,
            CrawlRun.status.in_(("finished", "failed")),
        )
        .order_by(CrawlRun.started_at, CrawlRun.id)
        .limit(1)
    )
    return session.scalars(query).first()
