"""The Celery app of the crawl cluster.

Configuration comes from the environment, so that every worker, ``newscrawl enqueue`` and
``newscrawl scheduler`` on every machine reads the same:

===================================== ==========================================================
``NEWSCRAWL_BROKER_URL``              the broker (default ``redis://127.0.0.1:6379/0``;
                                      ``amqp://guest:guest@host:5672//`` for RabbitMQ)
``NEWSCRAWL_BROKER_VISIBILITY``       Redis: seconds after which a job that was delivered and not
                                      acknowledged goes back to the queue (default 3600, Celery's);
                                      how long a killed worker's job waits for another worker
``NEWSCRAWL_BROKER_RESTORE_INTERVAL`` Redis: seconds between the workers' sweeps for such jobs (10)
``NEWSCRAWL_QUEUE``                   the queue of crawl jobs (default ``newscrawl``)
===================================== ==========================================================

The settings that make a job survive its worker: ``task_acks_late`` (a job is acknowledged when
its crawl has ended, not when it starts), ``task_reject_on_worker_lost`` (with a prefork pool, a
pool process that dies mid-job puts the job back at once; ``newscrawl worker`` runs its jobs in
threads, where a job's crawl that dies ends the job with that crawl's exit code instead) and
``worker_prefetch_multiplier = 1`` (a worker reserves no job beyond the ones it runs, so a killed
worker takes no queued job with it). A worker machine that dies whole (power, SIGKILL of the
worker) leaves its jobs unacknowledged; Redis
delivers them again after the visibility timeout (RabbitMQ at once, when the connection drops). A
crawl that outlasts the visibility timeout is delivered a second time while it runs: that copy
finds the site leased and is retried, and is dropped once the site was crawled after it was
queued (:mod:`newscrawl.distributed.tasks`), so the timeout only delays recovery, it never
doubles a crawl.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from celery import Celery
from celery.signals import before_task_publish

__all__ = [
    "BROKER_ENV",
    "CRAWL_TASK",
    "DEFAULT_BROKER_URL",
    "QUEUE_ENV",
    "REQUESTED_AT",
    "app",
    "make_app",
    "queue_name",
]

BROKER_ENV = "NEWSCRAWL_BROKER_URL"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/0"
VISIBILITY_ENV = "NEWSCRAWL_BROKER_VISIBILITY"
RESTORE_INTERVAL_ENV = "NEWSCRAWL_BROKER_RESTORE_INTERVAL"
QUEUE_ENV = "NEWSCRAWL_QUEUE"
#: The task's registered name (the same on every machine, whatever imports it).
CRAWL_TASK = "newscrawl.crawl_site"
#: The job's keyword argument stamped with the time it was queued (see :func:`_stamp`).
REQUESTED_AT = "requested_at"


def _seconds(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        number = -1
    if number <= 0:
        raise ValueError(f"{name} must be a positive number of seconds, not {value!r}")
    return number


def queue_name() -> str:
    """The queue of crawl jobs (``NEWSCRAWL_QUEUE``, default ``newscrawl``)."""
    return os.environ.get(QUEUE_ENV, "").strip() or "newscrawl"


def make_app(broker_url: str | None = None) -> Celery:
    """A Celery app on *broker_url* (default: ``NEWSCRAWL_BROKER_URL``), configured as above."""
    url = broker_url or os.environ.get(BROKER_ENV, "").strip() or DEFAULT_BROKER_URL
    celery = Celery("newscrawl", broker=url, include=["newscrawl.distributed.tasks"])
    queue = queue_name()
    celery.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=queue,
        task_routes={CRAWL_TASK: {"queue": queue}},
        broker_transport_options={
            "visibility_timeout": _seconds(VISIBILITY_ENV, 3600),
            "unacked_restore_interval": _seconds(RESTORE_INTERVAL_ENV, 10),
            # scan on every sweep (kombu's default scans on every 10th)
            "unacked_restore_throttle": 1,
        },
        broker_connection_retry_on_startup=True,
        task_serializer="json",
        accept_content=["json"],
        # the outcome of a crawl is its run record in the database, not a Celery result
        task_ignore_result=True,
        worker_hijack_root_logger=False,
        enable_utc=True,
    )
    return celery


@before_task_publish.connect
def _stamp(sender: str | None = None, body: Any = None, **_: Any) -> None:
    """Stamp a crawl job with the time it is queued, unless it has one (a retry keeps its own).

    At publish time, not in the schedule: beat sends the same arguments every time, and the job
    must know when *this* copy was asked for (:func:`newscrawl.distributed.tasks.crawl_site`).
    """
    if sender != CRAWL_TASK or not isinstance(body, (tuple, list)) or len(body) < 2:
        return
    kwargs = body[1]
    if isinstance(kwargs, dict) and not kwargs.get(REQUESTED_AT):
        kwargs[REQUESTED_AT] = datetime.now(UTC).isoformat()


#: The app the commands use (``celery -A newscrawl.distributed.app`` works too).
app = make_app()
