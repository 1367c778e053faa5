"""``newscrawl worker``: a worker of the crawl cluster (Celery; see :mod:`newscrawl.distributed`).

It takes ``crawl_site`` jobs from the broker (``NEWSCRAWL_BROKER_URL``), at most ``--concurrency``
at once (Celery's threads pool: each job is a thread of the worker that waits for its crawl, a
child process of its own forked from the worker's fork server, :mod:`newscrawl.forkserver`), into the
database that every worker shares (``--database-url`` or ``NEWSCRAWL_DATABASE_URL``, checked once
at start). ``-s NAME=VALUE`` settings go to every crawl; crawl logs go to ``--log-dir`` (as
``newscrawl crawl``). SIGTERM (or Ctrl-C) is Celery's warm shutdown: running jobs finish (or,
if SIGTERM reached their crawls too, are stopped and queued again).
"""

from __future__ import annotations

import argparse
import os
import socket

from newscrawl.cli._distributed import require_celery

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "worker", description="Take site-crawl jobs from the broker (NEWSCRAWL_BROKER_URL)."
    )
    parser.add_argument(
        "--concurrency", type=int, default=1, metavar="N", help="crawls at once (default 1)"
    )
    parser.add_argument("--database-url", help="overrides NEWSCRAWL_DATABASE_URL")
    parser.add_argument("--log-dir", metavar="DIR", help="as for newscrawl crawl")
    parser.add_argument(
        "--name",
        help="the worker's node name (default newscrawl-<pid>@<host>: unique on a host)",
    )
    parser.add_argument("--loglevel", default="INFO", help="Celery's log level (default INFO)")
    parser.add_argument(
        "-s", "--set", action="append", default=[], metavar="NAME=VALUE", help="a Scrapy setting"
    )
    parser.set_defaults(func=run)


def _upgrade(url: str) -> None:
    """Create or upgrade the schema once, before any job reads the run records."""
    from newscrawl.db.session import ensure_schema, make_engine

    engine = make_engine(url)
    try:
        ensure_schema(engine)
    finally:
        engine.dispose()


def run(args: argparse.Namespace) -> int:
    require_celery("worker")
    from newscrawl.cli._errors import usage_error
    from newscrawl.cli.crawl import (
        LOG_DIR_ENV,
        check_database,
        database_to_check,
        log_directory,
        scrapy_settings,
    )
    from newscrawl.db.session import ENV_VAR

    if args.concurrency < 1:
        raise usage_error(f"--concurrency must be 1 or more, not {args.concurrency}")
    settings = scrapy_settings(args.set)
    database_url = database_to_check(args.database_url, settings)
    check_database(database_url)
    if database_url:
        _upgrade(database_url)
    log_directory(args.log_dir)  # a usable directory, or a usage error now
    # the jobs' crawls get this process's environment
    os.environ[ENV_VAR] = database_url
    if args.log_dir is not None:
        os.environ[LOG_DIR_ENV] = args.log_dir
    from newscrawl.distributed.app import app, queue_name
    from newscrawl.distributed.tasks import CRAWL_SETTINGS

    app.conf[CRAWL_SETTINGS] = settings
    name = args.name or f"newscrawl-{os.getpid()}@{socket.gethostname()}"
    from newscrawl.forkserver import stop_server

    try:
        app.worker_main(
            [
                "worker",
                # threads, not prefork: a job only waits for its crawl's process, and a prefork
                # pool process (daemonic) may not start multiprocessing children, so could not
                # fork the crawls from one preloaded server per worker
                "--pool=threads",
                f"--concurrency={args.concurrency}",
                f"--loglevel={args.loglevel}",
                f"--queues={queue_name()}",
                f"--hostname={name}",
                "--without-gossip",
                "--without-mingle",
            ]
        )
    finally:
        stop_server()  # reaped, not orphaned: no process left behind the worker
    return 0
