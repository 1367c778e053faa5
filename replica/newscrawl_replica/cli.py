"""The ``newscrawl replica`` sub-command: serve the replica sites in the foreground.

    newscrawl replica [--port 8400] [--articles 200] [--seed 0] [--site ict_en ...] [--latency 0.15-0.3]

The sites take consecutive ports from ``--port`` (in the order given; default all four sites).
``--latency LOW-HIGH`` (or ``NEWSCRAWL_REPLICA_LATENCY``) delays each response by a seeded random
time, like a live site's (:mod:`newscrawl_replica.latency`).
"""

from __future__ import annotations

import argparse
import os

from newscrawl_replica.generate import SITE_NAMES
from newscrawl_replica.latency import LATENCY_ENV, parse_latency
from newscrawl_replica.server import entry_path, serve

DEFAULT_PORT = 8400


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``replica`` sub-command to the ``newscrawl`` command."""
    p = sub.add_parser(
        "replica",
        help="serve the offline replica of the ministry sites on 127.0.0.1",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--port", type=int, default=DEFAULT_PORT,
                   help=f"first port; the sites take PORT, PORT+1, … (default {DEFAULT_PORT}; 0: ephemeral)")  # fmt: skip
    p.add_argument("--articles", type=int, default=200, help="articles per site (default 200)")
    p.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    p.add_argument("--site", action="append", choices=SITE_NAMES, metavar="NAME",
                   help=f"serve this site (repeatable; default: all of {', '.join(SITE_NAMES)})")  # fmt: skip
    p.add_argument("--latency", metavar="LOW-HIGH", default=os.environ.get(LATENCY_ENV, ""),
                   help="delay each response by a random LOW-HIGH seconds, e.g. 0.15-0.3 "
                        f"(default ${LATENCY_ENV}, else none)")  # fmt: skip
    p.set_defaults(func=run)


def _announce(urls: dict[str, str]) -> None:
    for name, base in urls.items():
        print(f"{name:<8} {base}{entry_path(name)}", flush=True)
    print("Serving the replica; press Ctrl-C to stop.", flush=True)


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C (SIGINT) or SIGTERM; returns the exit status."""
    sites = list(args.site or SITE_NAMES)
    try:
        latency = parse_latency(args.latency)
    except ValueError as exc:
        print(f"newscrawl replica: --latency: {exc}")
        return 2
    try:
        serve(sites, port=args.port, articles=args.articles, seed=args.seed, announce=_announce,
              latency=latency)  # fmt: skip
    except OSError as exc:
        print(f"newscrawl replica: cannot serve: {exc}")
        return 1
    return 0
