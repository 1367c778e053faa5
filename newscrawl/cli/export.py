"""``newscrawl export``: stream articles from the database as JSON lines, CSV or WARC.

By default one record per article (its latest content revision; tombstoned articles only with
``--include-removed``); with ``--consumer NAME`` every revision NAME has not received yet, each
recorded as delivered (see :mod:`newscrawl.export.consumer` for the guarantee). On a terminal a
progress bar (tqdm) and a summary go to stderr; nothing else is printed there unless it fails.

Exit status: 0 done (also when nothing matched), 1 the database or the output failed, 2 bad
arguments or an unusable database URL.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from newscrawl.cli._database import CommandError, existing_database
from newscrawl.cli._errors import silence_stdout, usage_error
from newscrawl.cli._sites import SiteChoice, load_site_profiles, resolve_sites
from newscrawl.cli.db import add_database_url_argument
from newscrawl.db.models import Article
from newscrawl.db.session import database_url, make_sessionmaker
from newscrawl.export import (
    DEFAULT_BATCH_SIZE,
    FORMATS,
    CsvWriter,
    ExportFilter,
    JsonLinesWriter,
    RecordWriter,
    count_latest,
    count_pending,
    export_for_consumer,
    export_latest,
    parse_bound,
)
from newscrawl.export.consumer import MAX_CONSUMER_LENGTH
from newscrawl.export.wacz import WaczWriter
from newscrawl.export.warc import DEFAULT_MAX_SIZE, WarcWriter, parse_size, warc_prefix

if TYPE_CHECKING:
    from newscrawl.profiles import Profile

__all__ = ["register", "run"]

_PROG = "newscrawl export"

_EPILOG = """\
examples:
  newscrawl export --site ict.gov.ir --since 2024-01-01 -o ict.jsonl
  newscrawl export --format csv --by archived --since 2024-03-01T00:00:00+03:30 -o march.csv
  newscrawl export --format warc --warc-max-size 500M -o warc/   (warc/newscrawl-<time>-00000.warc.gz ...)
  newscrawl export --format wacz -o archive.wacz   (one WACZ 1.2 package for ReplayWeb.page or pywb)
  newscrawl export --consumer archive-org -o delivery-$(date +%s).jsonl

With --consumer, give each run a new --output file (an existing one is refused), or stdout.
--since is inclusive and --until exclusive; a bare date means midnight UTC at the start of that
day for --since and at its end for --until. --by published compares published_at_utc, so
articles with a date-only or missing publication date never match a published range.
"""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``export`` sub-command."""
    parser = sub.add_parser(
        "export",
        description="Stream archived articles from the database as JSON lines, CSV or WARC.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--format", choices=FORMATS, default="jsonl", help="output format (default: jsonl)"
    )
    parser.add_argument(
        "-o",
        "--output",
        default="-",
        metavar="FILE",
        help="output file, '-' for stdout (default); with --format warc a file-name prefix "
        "or an existing directory; with --format wacz the .wacz file",
    )
    parser.add_argument(
        "--site",
        action="append",
        default=[],
        metavar="SITE",
        help="only this site (repeatable): a profile name (ict_en: that site in its language) or a "
        "domain (ict.gov.ir: every language)",
    )
    parser.add_argument(
        "--lang",
        action="append",
        default=[],
        metavar="LANG",
        help="only this language (repeatable)",
    )
    parser.add_argument(
        "--since", type=_since, metavar="WHEN", help="from this date or ISO 8601 date-time on"
    )
    parser.add_argument(
        "--until", type=_until, metavar="WHEN", help="before this date-time (a date: to its end)"
    )
    parser.add_argument(
        "--by",
        choices=("published", "archived"),
        default="published",
        help="what --since/--until compare: publication time (default) or fetch time",
    )
    parser.add_argument(
        "--include-removed",
        action="store_true",
        help="also export articles the site has removed (their last content)",
    )
    parser.add_argument(
        "--consumer",
        type=_consumer,
        metavar="NAME",
        help="export every revision NAME has not received yet, and record the delivery",
    )
    parser.add_argument(
        "--batch-size",
        type=_positive_int,
        default=DEFAULT_BATCH_SIZE,
        metavar="N",
        help=f"--consumer: revisions per transaction (default: {DEFAULT_BATCH_SIZE})",
    )
    parser.add_argument(
        "--warc-max-size",
        type=_size,
        default=DEFAULT_MAX_SIZE,
        metavar="SIZE",
        help="start a new WARC file past this size, e.g. 500M (default: 1G)",
    )
    add_database_url_argument(parser)
    parser.set_defaults(func=run)


def _since(value: str) -> datetime:
    try:
        return parse_bound(value, end=False)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _until(value: str) -> datetime:
    try:
        return parse_bound(value, end=True)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _size(value: str) -> int:
    try:
        return parse_size(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, not {value!r}")
    return number


def _consumer(value: str) -> str:
    name = value.strip()
    if not name or len(name) > MAX_CONSUMER_LENGTH or not name.isprintable():
        raise argparse.ArgumentTypeError(
            f"a consumer name is 1 to {MAX_CONSUMER_LENGTH} printable characters, not {value!r}"
        )
    return name


def _is_nonempty_file(output: str) -> bool:
    path = Path(output)
    return output != "-" and path.is_file() and path.stat().st_size > 0


def _error(message: str, status: int) -> int:
    print(f"{_PROG}: error: {message}", file=sys.stderr)
    return status


def run(args: argparse.Namespace) -> int:
    """Export as ``args`` says; return the exit status."""
    if args.since is not None and args.until is not None and args.since >= args.until:
        return _error("--since must be before --until", 2)
    if args.format == "warc" and args.output == "-":
        return _error("--format warc writes files: give --output PREFIX or a directory", 2)
    if args.format == "wacz":
        if args.output == "-" or Path(args.output).is_dir():
            return _error("--format wacz writes one file: give --output FILE.wacz", 2)
        if args.consumer:
            return _error(
                "--consumer cannot deliver as wacz: a package exists only once complete, so "
                "its deliveries could not be recorded batch by batch (use --format warc)",
                2,
            )
        if not Path(args.output).resolve().parent.is_dir():
            return _error(f"writing {args.output}: its directory does not exist", 1)
    if args.consumer and args.format != "warc" and _is_nonempty_file(args.output):
        return _error(
            f"{args.output} exists: a --consumer export never overwrites a delivery "
            "(give a new file name)",
            2,
        )
    try:
        with existing_database(database_url(args.database_url), require_head=True) as engine:
            return _export(args, make_sessionmaker(engine))
    except CommandError as exc:
        return exc.report(_PROG)
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly; nothing it did not receive was
        # recorded as delivered.
        silence_stdout()
        return 1
    except OSError as exc:
        return _error(f"writing {args.output}: {exc}", 1)


def _site_filter(
    choices: list[SiteChoice], langs: tuple[str, ...], profiles: Mapping[str, Profile]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The ``(sites, langs)`` of the export filter for the ``--site`` *choices* and ``--lang``.

    The filter is "site in sites and lang in langs", so a profile name adds its site and its
    language. A combination the filter can't express exactly (it would also export another
    profile's articles) is a usage error, never a wider or narrower export than asked for.
    """
    sites = tuple(dict.fromkeys(site for choice in choices for site in choice.sites))
    named = [choice for choice in choices if choice.named]
    if not named:
        return sites, langs
    whole = next((choice.value for choice in choices if not choice.named), None)
    if whole is not None:
        raise usage_error(
            f"--site {named[0].value} selects one language, --site {whole} every language: "
            "export them separately"
        )
    wanted = {(p.site, p.lang) for choice in named for p in choice.profiles}
    if langs:
        wanted = {(site, lang) for site, lang in wanted if lang in langs}
        if not wanted:
            raise usage_error(f"--lang {', '.join(langs)} excludes every --site given")
    chosen_langs = tuple(sorted({lang for _, lang in wanted}))
    also = sorted(
        p.name
        for p in profiles.values()
        if p.site in sites and p.lang in chosen_langs and (p.site, p.lang) not in wanted
    )
    if also:
        raise usage_error(
            f"one export filters by site and language, so these --site names would also export "
            f"{', '.join(also)}: export them separately"
        )
    return sites, chosen_langs


def _export(args: argparse.Namespace, sessions: sessionmaker[Session]) -> int:
    profiles = load_site_profiles()
    with sessions() as session:
        choices = resolve_sites(
            args.site,
            profiles,
            stored=lambda value: session.scalar(
                select(Article.id).where(Article.site == value).limit(1)
            )
            is not None,
        )
    sites, langs = _site_filter(choices, tuple(args.lang), profiles)
    filters = ExportFilter(
        sites=sites,
        langs=langs,
        since=args.since,
        until=args.until,
        by=args.by,
        include_removed=args.include_removed,
    )

    def total() -> int:
        with sessions() as session:
            if args.consumer:
                return count_pending(session, filters, args.consumer)
            return count_latest(session, filters)

    with _progress(total) as progress, _writer(args) as writer:
        if args.consumer:
            count = export_for_consumer(
                sessions,
                args.consumer,
                filters,
                writer,
                batch_size=args.batch_size,
                progress=progress,
            )
        else:
            count = export_latest(sessions, filters, writer, progress=progress)
    if args.format == "wacz" and not count:
        return _error(f"nothing to export: no records match, so no package {args.output}", 1)
    if sys.stderr.isatty():
        target = "stdout" if args.output == "-" else args.output
        if isinstance(writer, WarcWriter):
            target = ", ".join(str(p) for p in writer.paths) or "no files"
        what = f"delivered to {args.consumer!r}" if args.consumer else "exported"
        print(f"{count} records {what} ({args.format}): {target}", file=sys.stderr)
    return 0


@contextmanager
def _progress(total: Callable[[], int]) -> Iterator[Callable[[int], None] | None]:
    """A tqdm progress bar on stderr when it is a terminal (its total from a COUNT query)."""
    if not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    bar = tqdm(total=total(), unit=" records", file=sys.stderr, mininterval=0.5)
    try:
        yield bar.update
    finally:
        bar.close()


@contextmanager
def _writer(args: argparse.Namespace) -> Iterator[RecordWriter]:
    if args.format == "warc":
        warc = WarcWriter(warc_prefix(args.output), max_size=args.warc_max_size)
        try:
            yield warc
        finally:
            warc.close()
        return
    if args.format == "wacz":
        wacz = WaczWriter(args.output)
        try:
            yield wacz
        except BaseException:
            wacz.abort()  # no partial package, and an existing file stays as it was
            raise
        wacz.close()
        return
    with ExitStack() as stack:
        stream: IO[bytes]
        if args.output == "-":
            sys.stdout.flush()
            stream = sys.stdout.buffer
        else:
            stream = stack.enter_context(Path(args.output).open("wb"))
        writer: RecordWriter = (
            JsonLinesWriter(stream) if args.format == "jsonl" else CsvWriter(stream)
        )
        yield writer
        writer.close()
