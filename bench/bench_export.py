"""Benchmark: ``newscrawl export`` throughput and peak memory on a large archive.

Run from the repository root::

    .venv/bin/python bench/bench_export.py [--articles 200000] [--backend sqlite|postgresql]
                                           [--database PATH] [--formats jsonl,csv,consumer]

It builds an archive of ``--articles`` articles (one content revision each, ~3 KB bodies made of
varied English paragraphs, tags, alternates, dates) with direct ``executemany`` inserts into the
models' tables in batches of 10,000 (``--database PATH`` keeps the SQLite file and reuses it next
time), then runs each export in a child process, its output read (and counted) through a pipe by
this process, and reports records/s, output MB/s and the child's peak RSS: ``VmHWM`` from
``/proc/self/status``, which the child prints as it exits. ``ru_maxrss`` (``os.wait4``'s usage
of exactly that child) is shown too, but Linux carries the parent's RSS at fork into it across
``exec``, so it overstates a child started from this (large) process. ``baseline`` is an export
that matches nothing: the memory of the interpreter and the imports. ``consumer`` is
``--consumer bench`` (every revision, recording 200,000 deliveries in batches of 1,000).
``--backend postgresql`` uses a throwaway database on the test server (127.0.0.1:5432).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert, select, update

from newscrawl.db.models import Article, Revision
from newscrawl.db.session import ensure_schema, make_engine
from tests.pg import create_pg_database, drop_pg_database

BATCH = 10_000
SITES = (("ict.gov.ir", "en"), ("ict.gov.ir", "fa"), ("mfa.gov.ir", "en"), ("msrt.ir", "en"))

# Runs the export sub-command in the child (only it, so that the child imports what it needs).
CHILD = """\
import argparse, sys
from newscrawl.cli import export
parser = argparse.ArgumentParser(prog="newscrawl")
export.register(parser.add_subparsers(dest="command", required=True))
args = parser.parse_args(sys.argv[1:])
try:
    status = args.func(args)
finally:
    # The peak RSS of this program image (VmHWM is reset by exec, unlike ru_maxrss).
    with open("/proc/self/status") as status_file:
        peak = [line for line in status_file if line.startswith("VmHWM:")]
    sys.stderr.write("bench-peak-rss " + peak[0].split()[1] + "\\n")
sys.exit(status)
"""

_WORDS_TEXT = (
    "minister ministry government cabinet meeting delegation cooperation agreement memorandum "
    "international national regional development technology communication information network "
    "infrastructure broadband satellite postal digital economy innovation startup knowledge "
    "university research science students education health services citizens province capital "
    "officials deputy director general president parliament session budget plan program project "
    "investment private sector public companies export import trade market growth percent year "
    "month week today yesterday announced stated said noted emphasized expressed hope expansion "
    "relations bilateral countries neighbouring friendly visit envoy ambassador talks conference "
    "exhibition summit forum ceremony opening inauguration launched completed implemented rural "
    "villages fibre optic mobile operators data centre security cyber domestic platform users"
)
WORDS = _WORDS_TEXT.split()


@dataclass
class Run:
    name: str
    records: int
    seconds: float
    out_bytes: int
    peak_rss_kb: int
    ru_maxrss_kb: int
    returncode: int


def paragraphs(rng: random.Random, count: int) -> list[str]:
    pool = []
    for _ in range(count):
        sentences = []
        for _ in range(rng.randint(4, 7)):
            words = rng.choices(WORDS, k=rng.randint(10, 18))
            sentences.append(" ".join(words).capitalize() + ".")
        pool.append(" ".join(sentences))
    return pool


def article_rows(
    n: int, rng: random.Random, pool: list[str]
) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    start = datetime(2015, 1, 1, tzinfo=UTC)
    for i in range(1, n + 1):
        site, lang = SITES[i % len(SITES)]
        url = f"https://www.{site}/{lang}/news/{i}"
        published = start + timedelta(minutes=17 * i)
        fetched = datetime(2024, 3, 1, tzinfo=UTC) + timedelta(seconds=i)
        title = " ".join(rng.choices(WORDS, k=8)).capitalize()
        body = "\n\n".join([*rng.sample(pool, rng.randint(4, 5)), f"Article number {i}."])
        offset = timedelta(hours=3, minutes=30)
        local = (published + offset).replace(tzinfo=None).isoformat(timespec="seconds")
        article = {
            "id": i,
            "site": site,
            "lang": lang,
            "source_id": str(i),
            "canonical_url": url,
            "url": url + "/Slug",
            "first_seen_at": fetched,
            "last_seen_at": fetched,
        }
        revision = {
            "id": i,
            "article_id": i,
            "kind": "content",
            "fetched_at": fetched,
            "url": url + "/Slug",
            "content_hash": hashlib.sha256(body.encode()).hexdigest(),
            "title": title,
            "lead": pool[i % len(pool)][:200],
            "body": body,
            "tags": rng.sample(WORDS, 3),
            "published_at": f"{local}+03:30",
            "published_at_utc": published,
            "published_raw": published.strftime("%b %d, %Y %H:%M"),
            "alternates": {"fa" if lang == "en" else "en": url.replace(f"/{lang}/", "/xx/")},
            "capture_id": None,
        }
        yield article, revision


def build(engine: Engine, n: int) -> float:
    started = time.perf_counter()
    rng = random.Random(20240301)
    pool = paragraphs(rng, 600)
    articles: list[dict[str, Any]] = []
    revisions: list[dict[str, Any]] = []
    with engine.begin() as connection:
        for article, revision in article_rows(n, rng, pool):
            articles.append(article)
            revisions.append(revision)
            if len(articles) == BATCH:
                connection.execute(insert(Article), articles)
                connection.execute(insert(Revision), revisions)
                articles.clear()
                revisions.clear()
                print(f"\r  built {revision['id']:,} articles", end="", file=sys.stderr, flush=True)
        if articles:
            connection.execute(insert(Article), articles)
            connection.execute(insert(Revision), revisions)
        connection.execute(update(Article).values(latest_revision_id=Article.id))
    print(file=sys.stderr)
    return time.perf_counter() - started


def count(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(Article)) or 0


def run_export(name: str, url: str, records: int, *argv: str) -> Run:
    command = [sys.executable, "-c", CHILD, "export", "--database-url", url, *argv]
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout is not None
    out_bytes = 0
    while chunk := child.stdout.read(1 << 20):
        out_bytes += len(chunk)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    assert child.stderr is not None
    err = child.stderr.read().decode(errors="replace")
    if child.returncode != 0:
        print(f"{name}: exit {child.returncode}\n{err}", file=sys.stderr)
    peaks = [line.split()[1] for line in err.splitlines() if line.startswith("bench-peak-rss ")]
    peak_kb = int(peaks[0]) if peaks else usage.ru_maxrss
    return Run(name, records, seconds, out_bytes, peak_kb, usage.ru_maxrss, child.returncode)


@contextmanager
def database(args: argparse.Namespace) -> Iterator[str]:
    if args.backend == "postgresql":
        url = create_pg_database()
        try:
            yield url
        finally:
            drop_pg_database(url)
        return
    if args.database:
        yield f"sqlite:///{Path(args.database).resolve()}"
        return
    with tempfile.TemporaryDirectory(prefix="bench_export_") as directory:
        yield f"sqlite:///{directory}/archive.sqlite3"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--articles", type=int, default=200_000, help="archive size (default 200000)"
    )
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--database", help="SQLite file to build once and reuse")
    parser.add_argument(
        "--formats",
        default="jsonl,csv,consumer",
        help="runs: jsonl, csv, consumer (comma-separated)",
    )
    args = parser.parse_args(argv)

    with database(args) as url:
        engine = make_engine(url)
        try:
            ensure_schema(engine)
            existing = count(engine)
            if existing and existing != args.articles:
                parser.error(f"{args.database} holds {existing} articles, not {args.articles}")
            if not existing:
                print(f"Building {args.articles:,} articles ({args.backend}) ...", file=sys.stderr)
                seconds = build(engine, args.articles)
                print(f"  built in {seconds:.1f}s ({args.articles / seconds:,.0f} articles/s)")
            n = count(engine)
        finally:
            engine.dispose()
        if url.startswith("sqlite"):
            size = Path(url.removeprefix("sqlite:///")).stat().st_size
            print(f"  database: {size / 1e6:,.0f} MB, {n:,} articles")

        runs = [run_export("baseline (0 records)", url, 0, "--site", "nowhere.example")]
        for name in args.formats.split(","):
            if name == "consumer":
                runs.append(run_export("jsonl --consumer", url, n, "--consumer", "bench"))
            else:
                runs.append(run_export(name, url, n, "--format", name))

    print(f"\nnewscrawl export, {n:,} articles, {args.backend}, Python {sys.version.split()[0]}")
    print(
        f"{'run':<22}{'records':>10}{'seconds':>9}{'records/s':>11}{'MB out':>8}{'MB/s':>7}"
        f"{'peak RSS':>10}{'ru_maxrss':>11}"
    )
    for run in runs:
        rate = run.records / run.seconds if run.records else 0
        mb = run.out_bytes / 1e6
        status = "" if run.returncode == 0 else f"  (exit {run.returncode})"
        print(
            f"{run.name:<22}{run.records:>10,}{run.seconds:>9.1f}{rate:>11,.0f}{mb:>8,.0f}"
            f"{mb / run.seconds:>7,.1f}{run.peak_rss_kb / 1024:>7,.0f} MB"
            f"{run.ru_maxrss_kb / 1024:>8,.0f} MB{status}"
        )
    return 1 if any(run.returncode for run in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
