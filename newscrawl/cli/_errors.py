"""Errors a command reports to its user in one line, and the argument types shared by commands.

Only the standard library here: ``newscrawl --help`` imports this module.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

EXIT_USAGE = 2


class CommandError(Exception):
    """A command cannot go on; the message is for the user, ``code`` is the exit code.

    ``newscrawl``'s ``main`` reports one raised from a command's ``run``: code 2 (usage) through
    the command's ``parser.error`` (its usage line, then ``<prog>: error: <message>``), any other
    code as ``<prog>: error: <message>``.
    """

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(one_line(message))
        self.code = code

    def report(self, prog: str) -> int:
        """Print ``<prog>: error: <message>`` on stderr and return the exit code."""
        print(f"{prog}: error: {self}", file=sys.stderr)
        return self.code


def usage_error(message: str) -> CommandError:
    """A :class:`CommandError` with the usage exit code (2)."""
    return CommandError(message, EXIT_USAGE)


def one_line(text: str) -> str:
    """*text* on one line: a driver's or validator's multi-line message joined with spaces."""
    return " ".join(line.strip() for line in str(text).splitlines() if line.strip())


def load_zone(name: str) -> ZoneInfo | None:
    """The IANA zone *name*, or None when there is no such zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # ValueError: not a valid key ("", "../x"); OSError: an unreadable path-like key.
        return None


def zone_name(name: str) -> str:
    """argparse ``type=`` for ``--tz``: an unknown zone is a usage error naming the value."""
    if load_zone(name) is None:
        raise argparse.ArgumentTypeError(
            f"unknown time zone {name!r} (expected an IANA name such as Asia/Tehran or UTC)"
        )
    return name


def http_url(value: str) -> str:
    """argparse ``type=`` for ``--base-url``: an http(s) URL with a host (``127.0.0.1:8400`` is not)."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an http(s) URL with a host (e.g. http://127.0.0.1:8400)"
        )
    return value.strip()


def fetch_time(value: str) -> str:
    """argparse ``type=`` for ``--fetched-at``: a date or an ISO 8601 time, as UTC ``...Z``.

    A date is its midnight UTC; a time without an offset is UTC.
    """
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a date or an ISO 8601 time (e.g. 2017-12-05 or 2017-12-05T18:00:00Z)"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def silence_stdout() -> None:
    """Point stdout at devnull after EPIPE (the reader went away, e.g. ``| head -1``).

    The interpreter's final flush then stays quiet; this is what the Python documentation
    recommends (library/signal.html, "Note on SIGPIPE").
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
