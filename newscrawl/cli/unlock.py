"""``newscrawl unlock SITE``: release a site's crawl lock by hand, and mark its run ``aborted``.

A crawl holds its site's lock (``crawl_locks``, :mod:`newscrawl.db.locks`) while it runs. A
crawl whose process died leaves it behind; the next crawl takes it over by itself when the
holder is provably dead (same host, process gone) and otherwise once it expires
(``NEWSCRAWL_LOCK_TTL``). This command is for the rest: a holder on another host that is known
to be gone, or an operator who does not want to wait.

SITE is a profile name (``ict_en``) or a domain (``ict.gov.ir``: every profile of that site),
as in every command (:mod:`newscrawl.cli._sites`), or a lock name the database holds without a
profile. For each lock found it prints what it released (holder host, pid, run, since when)
and marks the holder's run ``aborted`` if it was still ``running``. A holder that still runs on
this host is not unlocked without ``--force``; a holder on another host can't be checked from
here (if it still runs it stops at its next lock renewal, ``lock_lost``).

Exit codes: 0 released, or nothing to release (the site is not locked: said so); 1 a holder
still runs on this host (without ``--force``), or the database can't be read; 2 unknown site.
"""

from __future__ import annotations

import argparse
import socket
import sys
from datetime import UTC, datetime

from newscrawl.cli._database import CommandError, existing_database
from newscrawl.cli._sites import load_site_profiles, resolve_site
from newscrawl.cli.db import add_database_url_argument
from newscrawl.clock import utc_iso
from newscrawl.db.locks import break_lock, holder_is_dead, read_lock
from newscrawl.db.runs import abandon_run
from newscrawl.db.session import database_url, make_sessionmaker

__all__ = ["register", "run"]

_PROG = "newscrawl unlock"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``unlock`` sub-command."""
    parser = sub.add_parser(
        "unlock",
        description="Release a site's crawl lock by hand and mark its run aborted. Exit codes: "
        "0 released or not locked, 1 the holder still runs here (see --force), 2 unknown site.",
    )
    parser.add_argument(
        "site",
        metavar="SITE",
        help="a profile name (ict_en) or a domain (ict.gov.ir: every profile of that site)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="release it even if its holder still runs on this host (that crawl then stops)",
    )
    add_database_url_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Release the lock(s) of ``args.site``."""
    profiles = load_site_profiles()
    url = database_url(args.database_url)
    here = socket.gethostname()
    code = 0
    try:
        with existing_database(url) as engine:
            sessions = make_sessionmaker(engine)
            choice = resolve_site(
                args.site, profiles, stored=lambda name: read_lock(sessions, name) is not None
            )
            names = [profile.name for profile in choice.profiles] or [choice.value]
            for name in names:
                lock = read_lock(sessions, name)
                if lock is None:
                    print(f"{name} is not locked")
                    continue
                if lock.host == here and not holder_is_dead(lock) and not args.force:
                    print(
                        f"{_PROG}: error: {name} is locked by {lock.describe()}, and that "
                        "process still runs on this host: stop it, or use --force",
                        file=sys.stderr,
                    )
                    code = 1
                    continue
                released = break_lock(sessions, name)
                if released is None:
                    print(f"{name} is not locked (released meanwhile)")
                    continue
                print(f"released the lock of {name} held by {released.describe()}")
                if released.host != here:
                    print(
                        f"{name}: its holder on {released.host} can't be checked from here; if it "
                        "still runs, it stops at its next lock renewal"
                    )
                if released.run_id is not None:
                    message = (
                        f"its lock was released by hand (newscrawl unlock) on {here} at "
                        f"{utc_iso(datetime.now(UTC))}"
                    )
                    if abandon_run(sessions, released.run_id, message):
                        print(f"run {released.run_id} of {name} marked aborted")
    except CommandError as exc:
        return exc.report(_PROG)
    return code
