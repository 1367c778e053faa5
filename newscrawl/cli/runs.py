"""``newscrawl runs``: the recorded crawl runs, newest first, as a table.

One line per run: id, site, start (UTC), duration, status, what it counted (pages downloaded,
articles extracted, new / changed / unchanged in the database, duplicates, dropped, errors, article
pages lost and refused: see ``newscrawl.health.outcome.run_counts``), the host and pid that ran
it, and its message (why it failed or was aborted).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from newscrawl.cli._database import CommandError, existing_database
from newscrawl.cli._sites import load_site_profiles, resolve_site
from newscrawl.cli.db import add_database_url_argument
from newscrawl.db.models import CrawlRun
from newscrawl.db.runs import recent_runs
from newscrawl.db.session import database_url, make_sessionmaker, safe_url
from newscrawl.profiles import Profile

__all__ = ["format_runs", "register", "run"]

_PROG = "newscrawl runs"
_HEADERS = (
    "ID",
    "SITE",
    "STARTED (UTC)",
    "TIME",
    "STATUS",
    "PAGES",
    "ARTICLES",
    "NEW",
    "CHANGED",
    "UNCHANGED",
    "DUPS",
    "DROPPED",
    "ERRORS",
    "LOST",
    "REFUSED",
    "HOST:PID",
    "MESSAGE",
)
_NUMERIC = {
    "ID", "PAGES", "ARTICLES", "NEW", "CHANGED", "UNCHANGED", "DUPS", "DROPPED", "ERRORS", "LOST",
    "REFUSED",
}  # fmt: skip


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``runs`` sub-command."""
    parser = sub.add_parser(
        "runs",
        description="List the recorded crawl runs, newest first.",
    )
    parser.add_argument(
        "--site",
        metavar="SITE",
        help="only the runs of this site: a profile name, or a domain (the runs of its profiles)",
    )
    parser.add_argument(
        "--limit", type=int, default=20, metavar="N", help="at most N runs (default: 20)"
    )
    add_database_url_argument(parser)
    parser.set_defaults(func=run)


def _total(value: Any) -> int:
    if isinstance(value, dict):
        return sum(int(v) for v in value.values() if isinstance(v, int | float))
    return int(value) if isinstance(value, int | float) else 0


def _duration(run: CrawlRun, now: datetime) -> str:
    seconds = int(((run.finished_at or now) - run.started_at).total_seconds())
    minutes, seconds = divmod(max(seconds, 0), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def _row(run: CrawlRun, now: datetime) -> list[str]:
    counts = run.counts or {}
    numbers = [
        _total(counts.get(key))
        for key in (
            "pages",
            "articles",
            "new",
            "changed",
            "unchanged",
            "duplicates",
            "dropped",
            "errors",
            "lost",
            "refused",
        )
    ]
    return [
        str(run.id),
        run.site,
        run.started_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        _duration(run, now),
        run.status,
        *(str(n) for n in numbers),
        f"{run.host}:{run.pid}",
        run.message or "",
    ]


def format_runs(runs: Sequence[CrawlRun], now: datetime | None = None) -> list[str]:
    """The table lines (header first) for *runs*; durations of running runs count up to *now*."""
    now = now or datetime.now(UTC)
    rows = [list(_HEADERS), *(_row(r, now) for r in runs)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_HEADERS) - 1)]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(width) if header in _NUMERIC else cell.ljust(width)
            for cell, width, header in zip(row, widths, _HEADERS, strict=False)
        ]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return lines


def _runs_of(
    session: Session, value: str, profiles: Mapping[str, Profile], limit: int
) -> list[CrawlRun]:
    """The newest *limit* runs of the profiles ``--site`` *value* names (or of a run name the
    database holds without a profile), newest first."""
    choice = resolve_site(
        value, profiles, stored=lambda name: bool(recent_runs(session, name, 1))
    )
    names = [profile.name for profile in choice.profiles] or [choice.value]
    runs = [run for name in names for run in recent_runs(session, name, limit)]
    return sorted(runs, key=lambda run: (run.started_at, run.id), reverse=True)[:limit]


def run(args: argparse.Namespace) -> int:
    """Print the newest ``args.limit`` runs (of ``args.site``)."""
    if args.limit < 1:
        print(f"{_PROG}: error: --limit must be at least 1", file=sys.stderr)
        return 2
    profiles = load_site_profiles() if args.site else {}
    url = database_url(args.database_url)
    try:
        with existing_database(url) as engine, make_sessionmaker(engine)() as session:
            if args.site:
                runs = _runs_of(session, args.site, profiles, args.limit)
            else:
                runs = recent_runs(session, None, args.limit)
    except CommandError as exc:
        return exc.report(_PROG)
    if not runs:
        where = f" of {args.site}" if args.site else ""
        print(f"no runs{where} recorded in {safe_url(url)}")
        return 0
    print("\n".join(format_runs(runs)))
    return 0
