"""``newscrawl db``: the database schema (``upgrade`` to the newest migration, ``current``).

A crawl upgrades its database by itself on first use; these commands are for doing it ahead of
time (e.g. on a PostgreSQL server before several crawl processes start) and for checking.
"""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.exc import SQLAlchemyError

from newscrawl.db.errors import DatabaseConfigError
from newscrawl.db.migrate import current_revision, head_revision, upgrade
from newscrawl.db.session import (
    DEFAULT_DATABASE_URL,
    ENV_VAR,
    database_url,
    make_engine,
    safe_url,
    sqlite_path,
)

__all__ = ["register", "run"]

_PROG = "newscrawl db"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``db`` sub-command and its own sub-commands."""
    parser = sub.add_parser(
        "db",
        description="Manage the newscrawl database schema (Alembic migrations).",
    )
    commands = parser.add_subparsers(dest="db_command", metavar="COMMAND", required=True)
    for name, help_text in (
        ("upgrade", "upgrade the database to the newest schema (creates it in an empty database)"),
        ("current", "print the schema revision the database is at"),
    ):
        command = commands.add_parser(name, help=help_text, description=help_text.capitalize())
        add_database_url_argument(command)
    parser.set_defaults(func=run)


def add_database_url_argument(parser: argparse.ArgumentParser) -> None:
    """The ``--database-url`` option shared by the database commands."""
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help=f"SQLAlchemy database URL (default: ${ENV_VAR}, else {DEFAULT_DATABASE_URL})",
    )


def run(args: argparse.Namespace) -> int:
    """Run ``newscrawl db upgrade`` or ``newscrawl db current``."""
    url = database_url(args.database_url)
    try:
        if args.db_command == "current":
            return _current(url)
        return _upgrade(url)
    except DatabaseConfigError as exc:
        print(f"{_PROG}: error: {exc}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        print(f"{_PROG} {args.db_command}: error on {safe_url(url)}: {exc}", file=sys.stderr)
        return 1


def _upgrade(url: str) -> int:
    engine = make_engine(url)
    try:
        before = current_revision(engine)
        after = upgrade(engine)
    finally:
        engine.dispose()
    if before == after:
        print(f"{safe_url(url)}: already at revision {after} (head)")
    else:
        print(f"{safe_url(url)}: upgraded from {before or '(empty)'} to revision {after} (head)")
    return 0


def _current(url: str) -> int:
    path = sqlite_path(url)
    if path is not None and not path.exists():
        print(f"{safe_url(url)}: no database file (run `newscrawl db upgrade` or a crawl)")
        return 0
    engine = make_engine(url)
    try:
        revision = current_revision(engine)
    finally:
        engine.dispose()
    head = head_revision()
    if revision is None:
        state = "no schema (run `newscrawl db upgrade`)"
    elif revision == head:
        state = f"revision {revision} (head)"
    else:
        state = f"revision {revision} (head is {head}: run `newscrawl db upgrade`)"
    print(f"{safe_url(url)}: {state}")
    return 0
