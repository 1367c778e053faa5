"""``newscrawl replica``: serve the offline replica in the foreground (see ``newscrawl_replica``).

The replica's own command line, with ``--site`` read as in every ``newscrawl`` command (a profile
name or a domain; see :mod:`newscrawl.cli._sites`) instead of the replica's list of names.
"""

from __future__ import annotations

import argparse

from newscrawl.cli._sites import check_names, load_site_profiles, profile_names, resolve_sites
from newscrawl_replica import cli as replica_cli
from newscrawl_replica.generate import SITE_NAMES

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The replica's ``register``, its ``--site`` resolved by :func:`run` rather than ``choices``."""
    replica_cli.register(sub)
    parser = sub.choices["replica"]
    for action in parser._actions:
        if action.dest == "site":
            action.choices = None
            action.metavar = "SITE"
            action.help = f"serve this site (repeatable; a profile name or a domain; default: all of {', '.join(SITE_NAMES)})"
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Resolve ``--site`` to replica site names, then serve (``newscrawl_replica.cli.run``)."""
    if args.site:
        args.site = profile_names(resolve_sites(args.site, load_site_profiles()))
        check_names(args.site, SITE_NAMES, "the replica has no copy of it; it has")
    return replica_cli.run(args)
