"""The ``newscrawl`` command. Each sub-command is a module with ``register`` and ``run``.

The core's commands are modules here (:data:`COMMANDS`). Other installed distributions add theirs
through the ``newscrawl.commands`` entry-point group, each entry a :class:`Command`: the replica
(``replica/``, distribution ``newscrawl-replica``) adds ``demo`` and ``replica`` that way, so the
core package never imports the replica and an install can leave it out.

Sub-command modules are imported on demand: ``newscrawl --help`` lists :data:`COMMANDS` without
importing any of them (nor Scrapy, SQLAlchemy or trafilatura), and ``newscrawl dates`` imports
only ``newscrawl.cli.dates``. A user's mistake ends in one line on stderr and a usage exit code,
never a traceback: see :func:`main`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points

from newscrawl import __version__
from newscrawl.cli._errors import EXIT_USAGE, CommandError, silence_stdout

__all__ = [
    "COMMANDS",
    "ENTRY_POINT_GROUP",
    "OPTIONAL_COMMANDS",
    "Command",
    "build_parser",
    "commands",
    "main",
]

#: The entry-point group through which other distributions add sub-commands.
ENTRY_POINT_GROUP = "newscrawl.commands"


@dataclass(frozen=True)
class Command:
    """A sub-command: the line ``newscrawl --help`` shows, and the module that implements it."""

    summary: str
    module: str


#: The core's sub-commands (module ``newscrawl.cli.<name>``) -> the line ``newscrawl --help``
#: shows, in the order it lists them.
COMMANDS: dict[str, str] = {
    "crawl": "crawl sites, each in its own process",
    "worker": "take site-crawl jobs from the broker (a crawl cluster's worker)",
    "enqueue": "queue site-crawl jobs for the workers",
    "scheduler": "queue site-crawl jobs on a schedule (celery beat)",
    "extract": "extract articles from saved HTML files (no network)",
    "reextract": "rebuild stored articles from their raw captures with the current profiles",
    "dates": "parse date strings (one per line on stdin) and print ISO 8601",
    "history": "show an article's revisions and what changed between them",
    "changes": "list significant edits and deletions",
    "feed": "write Atom feeds of significant changes",
    "notify": "POST significant changes to a webhook, each once",
    "db": "upgrade or inspect the database schema",
    "export": "export articles from the database (JSON lines, CSV, WARC)",
    "runs": "list recorded crawl runs",
    "unlock": "release a site's crawl lock by hand and mark its run aborted",
}


#: Commands another distribution adds -> (that distribution, how to install it from a clone), so
#: that naming one that is not installed says where it comes from instead of "invalid choice".
OPTIONAL_COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("newscrawl-replica", "pip install -e ./replica"),
    "replica": ("newscrawl-replica", "pip install -e ./replica"),
}


def commands() -> dict[str, Command]:
    """Every sub-command: the installed distributions' (entry points) first, then the core's."""
    found: dict[str, Command] = {}
    for entry in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        command = entry.load()
        if not isinstance(command, Command):
            raise TypeError(f"entry point {entry.name} = {entry.value!r} is not a newscrawl Command")
        found[entry.name] = command
    for name, summary in COMMANDS.items():
        found[name] = Command(summary, f"newscrawl.cli.{name}")
    return found


def _parsers(
    command: str | None, available: dict[str, Command] | None = None
) -> tuple[argparse.ArgumentParser, argparse.ArgumentParser | None]:
    """The top parser, and *command*'s own parser (None without a command).

    *available* is :func:`commands` (looked up here when not given).
    """
    parser = argparse.ArgumentParser(
        prog="newscrawl",
        description="Archive ministry news sites (Scrapy). Run 'scrapy crawl <site>' for a single crawl.",
    )
    parser.add_argument("--version", action="version", version=f"newscrawl {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, entry in (commands() if available is None else available).items():
        if name == command:
            importlib.import_module(entry.module).register(sub)
            sub.choices[name].description = sub.choices[name].description or entry.summary.capitalize()
        else:
            # Listed for --help, and enough to tell which command argv names; options unparsed.
            sub.add_parser(name, help=entry.summary, add_help=False)
    return parser, sub.choices.get(command) if command else None


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The ``newscrawl`` parser, with the options of *command* (imported now) and no other's."""
    return _parsers(command)[0]


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``newscrawl`` with *argv* (default: ``sys.argv[1:]``); return the exit code.

    Usage errors exit 2 through argparse (``SystemExit``). A command's :class:`CommandError` is
    one line on stderr (code 2 through the command's ``parser.error``); a reader that goes away
    (``newscrawl extract ... | head -1``) ends the command quietly with 1.
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    available = commands()
    top, _ = _parsers(None, available)
    _refuse_missing_command(top, arguments, available)
    # First pass: which command (exits here for --help, --version, a missing or unknown command).
    known, _ = top.parse_known_args(arguments)
    parser, command_parser = _parsers(known.command, available)
    assert command_parser is not None
    args = parser.parse_args(arguments)
    try:
        return int(args.func(args))
    except CommandError as exc:
        if exc.code == EXIT_USAGE:
            command_parser.error(str(exc))
        return exc.report(command_parser.prog)
    except BrokenPipeError:
        silence_stdout()
        return 1
    except KeyboardInterrupt:
        return 130


def _refuse_missing_command(
    parser: argparse.ArgumentParser, arguments: Sequence[str], available: dict[str, Command]
) -> None:
    """Exit 2 with one line when *arguments* name an :data:`OPTIONAL_COMMANDS` not installed.

    The top parser's options (``-h``, ``--version``) take no value, so the command is the first
    argument that is not an option.
    """
    name = next((a for a in arguments if not a.startswith("-")), None)
    if name is None or name in available or name not in OPTIONAL_COMMANDS:
        return
    distribution, install = OPTIONAL_COMMANDS[name]
    parser.error(
        f"'{name}' comes with {distribution}, which is not installed (from a clone: {install})"
    )


if __name__ == "__main__":
    sys.exit(main())
