"""``python -m newscrawl_replica``: serve the replica sites in the foreground.

With ``--json`` the first stdout line is ``{"sites": {"ict_en": "http://127.0.0.1:PORT", ...}}``
(what :class:`newscrawl_replica.process.ReplicaProcess` waits for); nothing else is printed.
``--latency 0.15-0.3`` (or ``NEWSCRAWL_REPLICA_LATENCY``) delays every site response by a seeded
random 150-300 ms, as a live site answers (:mod:`newscrawl_replica.latency`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from newscrawl_replica.generate import SITE_NAMES
from newscrawl_replica.latency import LATENCY_ENV, parse_latency
from newscrawl_replica.server import print_urls, serve

DEFAULT_PORT = 8400


def parser() -> argparse.ArgumentParser:
    """The command-line parser."""
    p = argparse.ArgumentParser(prog="python -m newscrawl_replica", description=__doc__)
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT,
                   help="first port; the sites take PORT, PORT+1, … (0: ephemeral ports)")  # fmt: skip
    p.add_argument("--articles", type=int, default=200, help="articles per site (default 200)")
    p.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    p.add_argument("--site", action="append", choices=SITE_NAMES,
                   help="serve this site (repeatable; default: all)")  # fmt: skip
    p.add_argument("--json", action="store_true", help="announce the URLs as one JSON line")
    p.add_argument("--warm", action="store_true",
                   help="render every article and listing page before serving (benchmarks)")  # fmt: skip
    p.add_argument("--latency", metavar="LOW-HIGH", default=os.environ.get(LATENCY_ENV, ""),
                   help="delay each site response by a random LOW-HIGH seconds, e.g. 0.15-0.3 "
                        f"(default ${LATENCY_ENV}, else none)")  # fmt: skip
    return p


def _json_line(urls: dict[str, str]) -> None:
    sys.stdout.write(json.dumps({"sites": urls}) + "\n")
    sys.stdout.flush()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the server; returns the exit status."""
    p = parser()
    args = p.parse_args(argv)
    try:
        latency = parse_latency(args.latency)
    except ValueError as exc:
        p.error(f"--latency: {exc}")
    serve(
        args.site or SITE_NAMES,
        host=args.host,
        port=args.port,
        articles=args.articles,
        seed=args.seed,
        announce=_json_line if args.json else print_urls,
        warm=args.warm,
        latency=latency,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
