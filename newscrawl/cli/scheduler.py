"""``newscrawl scheduler SITE... | --all --full EVERY [--incremental EVERY]``: celery beat.

Queues a full crawl of every named site every ``--full`` interval and an incremental one every
``--incremental`` interval (``30m``, ``4h``, ``1d``, or seconds), on the broker the workers read
(``NEWSCRAWL_BROKER_URL``). Run exactly one scheduler per cluster (beat's rule); a job queued while
its site is still being crawled waits for the lease (the workers retry it). Beat keeps the time
of each entry's last run in ``--schedule-file`` (default ``output/celerybeat-schedule``), so a
restart does not queue everything again at once.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from newscrawl.cli._distributed import add_site_arguments, require_celery

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "scheduler", description="Queue site-crawl jobs on a schedule (celery beat)."
    )
    add_site_arguments(parser)
    parser.add_argument("--full", metavar="EVERY", help="a full crawl every EVERY (e.g. 1d)")
    parser.add_argument(
        "--incremental", metavar="EVERY", help="an incremental crawl every EVERY (e.g. 4h)"
    )
    parser.add_argument(
        "--schedule-file",
        default="output/celerybeat-schedule",
        metavar="FILE",
        help="beat's record of the last runs (default output/celerybeat-schedule)",
    )
    parser.add_argument("--loglevel", default="INFO", help="Celery's log level (default INFO)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    require_celery("scheduler")
    from newscrawl.cli._errors import usage_error
    from newscrawl.cli.crawl import chosen_sites
    from newscrawl.distributed.schedule import beat_schedule, parse_every

    if args.full is None and args.incremental is None:
        raise usage_error("say how often: --full EVERY and/or --incremental EVERY")
    try:
        full = parse_every(args.full) if args.full is not None else None
        incremental = parse_every(args.incremental) if args.incremental is not None else None
    except ValueError as exc:
        raise usage_error(str(exc)) from None
    sites = chosen_sites(args)
    schedule_file = Path(args.schedule_file)
    try:
        schedule_file.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise usage_error(f"cannot write {args.schedule_file!r}: {exc.strerror or exc}") from None
    from newscrawl.distributed.app import app

    app.conf.beat_schedule = beat_schedule(sites, full=full, incremental=incremental)
    app.start(["beat", f"--loglevel={args.loglevel}", f"--schedule={schedule_file}"])
    return 0
