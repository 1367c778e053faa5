"""``newscrawl enqueue SITE... | --all``: queue site-crawl jobs for the cluster's workers.

One ``crawl_site`` job per site on the broker (``NEWSCRAWL_BROKER_URL``), ``--mode full`` (the
default) or ``incremental``; one line per job on stdout (``SITE: queued full, job ID``). A broker
that can't be reached is one line on stderr and exit 1.
"""

from __future__ import annotations

import argparse

from newscrawl.cli._distributed import add_site_arguments, require_celery

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("enqueue", description="Queue site-crawl jobs for the workers.")
    add_site_arguments(parser)
    parser.add_argument(
        "--mode", choices=("full", "incremental"), default="full", help="default: full"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    require_celery("enqueue")
    from kombu.exceptions import OperationalError

    from newscrawl.cli._errors import CommandError, one_line
    from newscrawl.cli.crawl import chosen_sites
    from newscrawl.distributed.app import app
    from newscrawl.distributed.tasks import crawl_site

    sites = chosen_sites(args)
    try:
        with app.producer_or_acquire() as producer:
            for site in sites:
                job = crawl_site.apply_async(
                    (site,), {"mode": args.mode}, producer=producer, retry=False
                )
                print(f"{site}: queued {args.mode}, job {job.id}", flush=True)
    except OperationalError as exc:
        raise CommandError(
            f"cannot reach the broker {app.conf.broker_url}: {one_line(str(exc))}"
        ) from None
    return 0
