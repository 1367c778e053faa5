"""The ``newscrawl`` command. Each sub-command is a module here with ``register`` and ``run``."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from newscrawl import __version__

# Sub-command modules, in the order ``newscrawl --help`` lists them.
COMMANDS = ("demo", "replica", "crawl", "extract", "reextract", "dates", "history", "db", "export", "runs")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newscrawl",
        description="Archive ministry news sites (Scrapy). Run 'scrapy crawl <site>' for a single crawl.",
    )
    parser.add_argument("--version", action="version", version=f"newscrawl {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        module = importlib.import_module(f"newscrawl.cli.{name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
