"""``newscrawl dates``: parse date strings from stdin with the crawler's date parser.

Reads one date string per line from stdin (always as UTF-8, whatever the locale says) and prints one
line per input line: the ISO 8601 result of :func:`newscrawl.extract.dates.parse_date` (with the UTC
offset when the string has a time, ``YYYY-MM-DD`` when it is a date only), or an empty line when no
date can be read. Output lines stay aligned with input lines, so the command can be used with
``paste`` to check a site's date strings before writing its profile::

    printf 'Dec 5, 2017 21:27\\n۱۴ آذر ۱۳۹۶ - ۲۱:۲۷\\n' | newscrawl dates --tz Asia/Tehran
"""

from __future__ import annotations

import argparse
import io
import sys
from typing import TextIO

from newscrawl.cli._errors import load_zone, silence_stdout, zone_name
from newscrawl.extract.dates import CALENDARS, parse_date

__all__ = ["register", "run"]

DEFAULT_TZ = "Asia/Tehran"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``dates`` sub-command to the ``newscrawl`` parser."""
    parser = sub.add_parser(
        "dates",
        description=(
            "Read date strings from stdin, one per line (UTF-8), and print one line per input: "
            "the ISO 8601 date-time with its UTC offset in the site zone, YYYY-MM-DD for a date "
            "only, or an empty line when no date can be read."
        ),
    )
    parser.add_argument(
        "--tz",
        default=DEFAULT_TZ,
        type=zone_name,
        metavar="ZONE",
        help=f"the site's IANA time zone (default: {DEFAULT_TZ})",
    )
    parser.add_argument(
        "--format",
        dest="formats",
        action="append",
        default=[],
        metavar="STRPTIME",
        help="a strptime format to try first, as in a site profile (repeatable)",
    )
    parser.add_argument(
        "--calendar",
        choices=sorted(CALENDARS),
        default="auto",
        help="restrict the recognisers to one calendar (default: auto)",
    )
    parser.set_defaults(func=run)


def _utf8(stream: TextIO, *, reading: bool) -> TextIO:
    """``stream`` switched to UTF-8 (BOM-tolerant on input), whatever encoding the locale chose."""
    if isinstance(stream, io.TextIOWrapper):
        if reading:
            stream.reconfigure(encoding="utf-8-sig", errors="replace")
        else:
            stream.reconfigure(encoding="utf-8")
    return stream


def run(args: argparse.Namespace) -> int:
    """Run ``newscrawl dates``; returns the exit code (0, or 2 for an unknown --tz)."""
    tz_name: str = getattr(args, "tz", DEFAULT_TZ)
    zone = load_zone(tz_name)
    if zone is None:
        print(f"newscrawl dates: unknown time zone {tz_name!r}", file=sys.stderr)
        return 2
    formats: list[str] = list(getattr(args, "formats", None) or ())
    calendar: str = getattr(args, "calendar", "auto")
    if calendar not in CALENDARS:
        print(f"newscrawl dates: unknown calendar {calendar!r}", file=sys.stderr)
        return 2

    stdin = _utf8(sys.stdin, reading=True)
    stdout = _utf8(sys.stdout, reading=False)
    try:
        for line in stdin:
            parsed = parse_date(line.rstrip("\r\n"), zone, formats=formats, calendar=calendar)
            stdout.write((parsed.isoformat() if parsed is not None else "") + "\n")
        stdout.flush()
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly.
        silence_stdout()
        return 1
    return 0
