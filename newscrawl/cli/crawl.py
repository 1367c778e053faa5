"""``newscrawl crawl``: crawl one or more sites, each in its own process, for people and schedulers.

One Scrapy process can't run two crawls one after another, so each site gets its own
``scrapy crawl`` (``--all``: every profile, one after another; ``--parallel N``: up to N at once,
a bounded pool of crawl processes, :mod:`newscrawl.parallel`); with several sites the children
are forked from a server that has imported a crawl's modules once (:mod:`newscrawl.forkserver`).
The child writes its final stats to a file, from which the outcome of each site is read. The exit
code tells a scheduler (cron, systemd) what happened:

====  ==========================================================================================
code  meaning
====  ==========================================================================================
0     every site crawled and its results look right
1     a crawl failed: the child exited with an error, closed for another reason than finishing, or
      the database refused a batch of articles (the last one included); or the database can't be
      reached (checked once before any site is crawled)
2     usage: unknown site, no site named, ``--base-url`` with several sites or without a scheme,
      a broken profile, an unusable database URL
3     unhealthy: a crawl finished but its results look wrong (run health check, see
      :mod:`newscrawl.health.check`); the message names the missing fields
75    locked (``EX_TEMPFAIL``): the site is already being crawled, by this host or another one
      sharing the database; nothing was fetched. Try again later
====  ==========================================================================================

With several sites the most serious outcome wins, in the order 1, 3, 75, 0.

Ctrl-C (SIGINT) or SIGTERM stops the whole command: every running crawl is stopped gracefully (the
signal is forwarded to it once; a second one is Scrapy's forced stop), no further site starts,
each started site still gets its line, each site not started a line ``SITE: not started
(SIGINT)``, and the command exits 128 + the signal's number (130 for Ctrl-C).

What the user sees: one line per site on stdout (``SITE: exit N, K articles, Ts, log FILE``) and,
when something went wrong, one line on stderr saying what (``SITE: <message>``: the run's message,
e.g. the database's own reason for refusing a batch, or the one it failed with after the crawl
started). The details, the child's whole Scrapy log with its tracebacks, go to the crawl's log
file: ``--log-dir`` (default ``$NEWSCRAWL_LOG_DIR``, else ``output/logs``), one file per site
and run, ``SITE-<UTC time>.log``. ``--log-dir -`` leaves the child's log on stderr instead.
"""

from __future__ import annotations

import argparse
import itertools
import os
import signal
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from newscrawl.cli._errors import CommandError, http_url, one_line, usage_error
from newscrawl.cli._sites import load_site_profiles, profile_names, resolve_sites, single_profile
from newscrawl.health.check import MESSAGE_KEY, STATUS_KEY, applies
from newscrawl.health.outcome import EXIT_LOCKED, LOCK_REASONS, RUN_MESSAGE_KEY, persist_failure
from newscrawl.runner import CrawlResult, RunningCrawl, start_crawl

__all__ = [
    "EXIT_ERROR",
    "EXIT_LOCKED",
    "EXIT_OK",
    "EXIT_UNHEALTHY",
    "EXIT_USAGE",
    "Outcome",
    "chosen_sites",
    "outcome",
    "register",
    "run",
    "scrapy_settings",
]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_UNHEALTHY = 3

#: Where the crawl logs go unless ``--log-dir`` says otherwise (``-``: stderr).
LOG_DIR_ENV = "NEWSCRAWL_LOG_DIR"
DEFAULT_LOG_DIR = "output/logs"

# Most serious first: the exit code of a multi-site crawl.
_SEVERITY = (EXIT_ERROR, EXIT_UNHEALTHY, EXIT_LOCKED, EXIT_OK)


@dataclass(frozen=True)
class Outcome:
    """How one site's crawl ended: its exit code and a message (empty when all is well)."""

    code: int
    message: str = ""


def outcome(result: CrawlResult) -> Outcome:
    """The exit code and message of one ``scrapy crawl`` child, from its exit status and stats."""
    stats = result.stats
    reason = str(stats.get("finish_reason", ""))
    # scrapy crawl exits EXIT_LOCKED (75) for these reasons (newscrawl/commands/crawl.py)
    if result.returncode in (EXIT_OK, EXIT_LOCKED) and reason in LOCK_REASONS:
        return Outcome(EXIT_LOCKED, str(stats.get(RUN_MESSAGE_KEY) or reason))
    if result.returncode != 0 or not stats:
        return Outcome(EXIT_ERROR, f"scrapy crawl exited with status {result.returncode}")
    if refused := persist_failure(stats):
        return Outcome(EXIT_ERROR, refused)
    if stats.get(STATUS_KEY) in ("failed", "error"):
        return Outcome(EXIT_UNHEALTHY, str(stats.get(MESSAGE_KEY) or "results look wrong"))
    if not applies(reason):
        return Outcome(EXIT_ERROR, f"the crawl ended with {reason!r}")
    return Outcome(EXIT_OK)


def feed_not_stored(stats: Mapping[str, object]) -> str | None:
    """A line for a crawl that wrote a feed (``FEEDS``, ``-O``) while the database refused articles.

    The feed lists every article that went through the pipelines (``item_scraped_count``), the
    refused ones included; the database (``newscrawl export``) is the record of what is stored.
    """
    from newscrawl.stats import PERSIST_FEED_NOT_STORED, count

    if not (missing := count(stats, PERSIST_FEED_NOT_STORED)):
        return None
    return (
        f"{missing} of the {count(stats, 'item_scraped_count')} articles in the feed were not "
        "stored; `newscrawl export` lists what the database has"
    )


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "crawl",
        description="Crawl sites, each in its own process. Exit codes: 0 ok, 1 crawl error, "
        "2 usage, 3 unhealthy results, 75 site already being crawled (locked).",
    )
    parser.add_argument(
        "sites",
        nargs="*",
        metavar="SITE",
        help="profile names (ict_en) or domains (ict.gov.ir: every profile of that site)",
    )
    parser.add_argument("--all", action="store_true", help="crawl every profile")
    parser.add_argument("--database-url", help="overrides NEWSCRAWL_DATABASE_URL")
    parser.add_argument(
        "--base-url",
        type=http_url,
        metavar="URL",
        help="crawl another copy of the site (e.g. the replica): the spider's -a base_url=URL; "
        "one site only",
    )
    parser.add_argument(
        "--log-dir",
        metavar="DIR",
        help=f"where each site's crawl log goes (default: ${LOG_DIR_ENV}, else {DEFAULT_LOG_DIR}); "
        "'-' leaves it on stderr",
    )
    parser.add_argument(
        "--parallel",
        type=parallel_count,
        default=1,
        metavar="N",
        help="crawl up to N sites at once, each in its own process (default 1: one after another)",
    )
    parser.add_argument(
        "-s", "--set", action="append", default=[], metavar="NAME=VALUE", help="a Scrapy setting"
    )
    parser.set_defaults(func=run)


def parallel_count(value: str) -> int:
    """``--parallel N``: a whole number, 1 or more."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(
            f"must be a whole number of sites, 1 or more, not {value!r}"
        )
    return number


def database_to_check(database_url: str | None, settings: Mapping[str, str]) -> str:
    """The database URL the child crawl will use, as its settings resolve it ("" = storage off).

    ``--database-url`` wins over ``-s NEWSCRAWL_DATABASE_URL=...``, which wins over the
    environment (``newscrawl.settings``), whose default is the SQLite file under ``output/``.
    """
    from newscrawl.db.session import DEFAULT_DATABASE_URL, ENV_VAR

    if database_url is not None:
        return database_url.strip()
    if ENV_VAR in settings:
        return settings[ENV_VAR].strip()
    return os.environ.get(ENV_VAR, DEFAULT_DATABASE_URL).strip()


def check_database(url: str) -> None:
    """Raise a one-line :class:`CommandError` if the crawl could not open *url*.

    Checked once in this process, before any child starts, so that an unreachable database is
    one line (password hidden), not every site's start-up tracebacks. A URL that is wrong in
    itself is a usage error (2); a server that can't be reached is a crawl error (1).
    """
    from sqlalchemy.exc import SQLAlchemyError

    from newscrawl.db.errors import DatabaseConfigError
    from newscrawl.db.session import make_engine, safe_url

    if not url:
        return
    try:
        engine = make_engine(url, check=False)
    except DatabaseConfigError as exc:
        raise usage_error(str(exc)) from None
    try:
        with engine.connect():
            pass
    except SQLAlchemyError as exc:
        reason = getattr(exc, "orig", None) or exc
        raise CommandError(
            f"cannot connect to the database {safe_url(url)}: {one_line(str(reason))}; "
            "nothing was crawled"
        ) from None
    finally:
        engine.dispose()


def log_directory(option: str | None) -> Path | None:
    """The directory of the crawl logs (None: on stderr), created; unusable is a usage error."""
    value = option if option is not None else os.environ.get(LOG_DIR_ENV) or DEFAULT_LOG_DIR
    if value == "-":
        return None
    directory = Path(value)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise usage_error(f"cannot write crawl logs in {value!r}: {exc.strerror or exc}") from None
    return directory


def open_log(directory: Path, site: str) -> IO[bytes]:
    """A new log file for a crawl of *site*: ``SITE-<UTC time>.log`` (``-2``... when taken)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for number in itertools.count(1):
        suffix = "" if number == 1 else f"-{number}"
        try:
            return (directory / f"{site}-{stamp}{suffix}.log").open("xb")
        except FileExistsError:
            continue
    raise AssertionError("unreachable")


def chosen_sites(args: argparse.Namespace) -> list[str]:
    """The profile names that ``SITE...`` or ``--all`` name (``crawl``, ``enqueue``, ``scheduler``)."""
    profiles = load_site_profiles()
    if args.all:
        return sorted(profiles)
    if args.sites:
        return profile_names(resolve_sites(args.sites, profiles))
    raise usage_error(f"name sites or use --all; known: {', '.join(sorted(profiles))}")


def scrapy_settings(items: list[str]) -> dict[str, str]:
    """``-s NAME=VALUE`` options as a mapping; anything else is a usage error."""
    bad = [item for item in items if "=" not in item]
    if bad:
        raise usage_error(f"settings are NAME=VALUE, not {', '.join(map(repr, bad))}")
    return dict(item.split("=", 1) for item in items)


#: With several sites at once the sites are the parallelism: each crawl extracts and writes in its
#: own process, instead of starting an extract worker and a writer process of its own (fresh
#: interpreters, not shared with the fork server). Measured at 40 sites × 300 articles,
#: ``--parallel 32``: 2.4 GB summed PSS instead of 5.4 GB, 109 s of CPU instead of 196, the same
#: wall time (bench/RESULTS.md, issue 15). ``-s`` still sets either.
IN_PROCESS_WORK = {"NEWSCRAWL_EXTRACT_PROCESSES": "0", "NEWSCRAWL_DB_WRITER_PROCESS": "False"}


def crawl_settings(given: dict[str, str], sites: int, parallel: int) -> dict[str, str]:
    """The ``-s`` settings of every crawl: *given*, and :data:`IN_PROCESS_WORK` under them when
    more than one site runs at once."""
    if sites > 1 and parallel > 1:
        return {**IN_PROCESS_WORK, **given}
    return dict(given)


def run(args: argparse.Namespace) -> int:
    sites = chosen_sites(args)
    if args.base_url and len(sites) != 1:
        if len(args.sites) == 1 and not args.all:
            single_profile(
                resolve_sites(args.sites, load_site_profiles())[0], "--base-url needs exactly one"
            )
        raise usage_error("--base-url needs exactly one site")
    settings = crawl_settings(scrapy_settings(args.set), len(sites), args.parallel)
    fork = len(sites) > 1  # see newscrawl.forkserver
    check_database(database_to_check(args.database_url, settings))
    logs = log_directory(args.log_dir)
    codes: list[int] = []
    log_files: dict[str, IO[bytes]] = {}

    def start(site: str) -> RunningCrawl:
        log = open_log(logs, site) if logs is not None else None
        if log is not None:
            log_files[site] = log
        return start_crawl(
            site,
            base_url=args.base_url,
            database_url=args.database_url,
            settings=settings,
            capture_log=False,
            log_file=log,
            own_group=True,
            fork=fork,
        )

    def done(site: str, result: CrawlResult) -> None:
        log = log_files.pop(site, None)
        if log is not None:
            log.close()
        ended = outcome(result)
        codes.append(ended.code)
        print(
            f"{site}: exit {ended.code}, {result.stat('newscrawl/article/extracted')} articles, "
            f"{result.seconds:.1f}s" + (f", log {log.name}" if log is not None else ""),
            flush=True,
        )
        if ended.message:
            print(f"{site}: {ended.message}", file=sys.stderr)
        if feed_line := feed_not_stored(result.stats):
            print(f"{site}: {feed_line}", file=sys.stderr)

    from newscrawl.parallel import run_pool

    try:
        stopped = run_pool(sites, args.parallel, start, done)
    finally:
        if fork:
            from newscrawl.forkserver import stop_server

            stop_server()
    if stopped.stopped_by is not None:
        name = signal.Signals(stopped.stopped_by).name
        for site in stopped.not_started:
            print(f"{site}: not started ({name})", flush=True)
        # the shell's convention for a command ended by a signal
        return 128 + stopped.stopped_by
    return next(code for code in _SEVERITY if code in codes)
