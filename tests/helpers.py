"""Helpers shared by the test packages (import as ``tests.helpers``)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Unpack

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from newscrawl import runner
from newscrawl.db.models import Article as ArticleRow
from newscrawl.db.models import RemovalEvidence
from newscrawl.db.session import make_engine
from newscrawl.db.store import record_gone
from newscrawl.items import Article, RawCapture
from newscrawl.removal import GoneObservation, GoneReason
from newscrawl.runner import CrawlOptions, CrawlResult
from tests.pg import create_pg_database, drop_pg_database

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BACKENDS = ["sqlite", "postgresql"]
GOLDEN_FILE = FIXTURES / "golden" / "ict_en_27012.json"
#: ``EXTENSIONS`` of an in-process crawler (``get_crawler``) that stores: the crawl's database
#: (``newscrawl.extensions.archive.Archive``), which the persist pipeline needs.
ARCHIVE_ONLY = {"newscrawl.extensions.archive.Archive": 100}


def start_scrapy_crawl(
    spider: str, base_url: str, settings: Mapping[str, str], log: Path
) -> subprocess.Popen[bytes]:
    """``scrapy crawl SPIDER`` with the project's settings and *settings* in a child process that
    the test signals or kills (not awaited, unlike :func:`run_crawl`); its output goes to *log*."""
    command = runner.crawl_command(spider, base_url=base_url, feed=None, settings=settings)
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawl.settings"}
    with log.open("wb") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)


def run_crawl(spider: str, **options: Unpack[CrawlOptions]) -> CrawlResult:
    """:func:`newscrawl.runner.run_crawl` with ``fork=True``: the test's crawl is forked from the
    fork server (:mod:`newscrawl.forkserver`), as ``newscrawl crawl`` forks its crawls when it has
    several sites. The same ``scrapy crawl``, without a fresh interpreter's 2 s of imports per
    crawl (the suite's largest cost on 2 cores). The fresh-process path stays tested by the tests
    of the ``newscrawl`` commands, which crawl one site, and by those that pass ``fork=False``."""
    return runner.run_crawl(spider, fork=True, **options)


def load_golden() -> dict[str, Any]:
    """The record expected for the seed article (tests/fixtures/golden, a copy of the project's origin document's record)."""
    data: dict[str, Any] = json.loads(GOLDEN_FILE.read_text("utf-8"))
    return data


@contextmanager
def fresh_database(backend: str, directory: Path) -> Iterator[str]:
    """An empty database on ``backend``; PostgreSQL is the real server and is never skipped."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'newscrawl.sqlite3'}"
        return
    url = create_pg_database()
    try:
        yield url
    finally:
        drop_pg_database(url)


def article_record(
    source_id: str, *, site: str, lang: str, base: str, url_suffix: str = "", **fields: Any
) -> Article:
    """A hand-written Article as the persist pipeline hands it to ``save_articles``.

    The article lives at ``{base}/{lang}/news/{source_id}`` (its canonical URL; it was fetched
    from that plus *url_suffix*) and links its Persian version. *fields* replace the defaults,
    which are those of one English ministry article; ``content_hash`` is the sha256 of title,
    lead, body and published_at (newline-joined) unless given. A ``capture`` given as a mapping
    becomes a ``RawCapture`` (its ``encoding`` may be left out). The test packages wrap this
    with their own site and URL shapes (``tests/db/conftest.py``, ``tests/export/export_helpers.py``).
    """
    canonical_url = f"{base}/{lang}/news/{source_id}"
    values: dict[str, Any] = {
        "url": canonical_url + url_suffix,
        "canonical_url": canonical_url,
        "site": site,
        "lang": lang,
        "source_id": source_id,
        "title": f"Minister meets envoy {source_id}",
        "lead": "The minister received the envoy.",
        "body": "First paragraph.\n\nSecond paragraph.",
        "tags": ["diplomacy", "visits"],
        "published_raw": "Dec 5, 2017 21:27",
        "published_at": "2017-12-05T21:27:00+03:30",
        "published_at_utc": "2017-12-05T17:57:00Z",
        "alternates": {"fa": f"{base}/fa/news/{source_id}"},
        "fetched_at": "2024-03-01T10:00:00Z",
        **fields,
    }
    if "content_hash" not in fields:
        text = "\n".join(
            str(values.get(k) or "") for k in ("title", "lead", "body", "published_at")
        )
        values["content_hash"] = hashlib.sha256(text.encode()).hexdigest()
    if isinstance(values.get("capture"), Mapping):
        values["capture"] = RawCapture(**values["capture"])
    return Article(**values)


def gone(
    site: str,
    lang: str,
    source_id: str,
    at: datetime,
    *,
    status: int = 404,
    reason: GoneReason = "not_found",
    final_url: str | None = None,
) -> GoneObservation:
    """A gone observation of ``https://{site}/{lang}/news/{source_id}`` at *at* (aware)."""
    url = f"https://{site}/{lang}/news/{source_id}"
    return GoneObservation(
        site=site,
        lang=lang,
        source_id=source_id,
        reason=reason,
        status=status,
        url=url,
        final_url=final_url or url,
        observed_at=at.isoformat(),
    )


def tombstone(
    session: Session, site: str, lang: str, source_id: str, *, at: datetime, status: int = 404
) -> bool:
    """Tombstone a stored article as crawls do: the same answer *status* seen 6 h before *at*
    and at *at* (the default ``NEWSCRAWL_TOMBSTONE_MIN_INTERVAL`` apart). True if it did."""
    reason: GoneReason = "gone" if status == 410 else "not_found"
    outcome = None
    for when in (at - timedelta(hours=6), at):
        observation = gone(site, lang, source_id, when, status=status, reason=reason)
        outcome = record_gone(session, observation, min_interval=timedelta(hours=6))
    return outcome == "removed"


def crawls_ran_earlier(database_url: str, by: timedelta) -> None:
    """Every time the removal rule reads (``last_seen_at``, ``observed_at``), *by* earlier: the
    crawls so far ran that much before the next one. The archive keeps these times to the
    second, and two crawls of a small replica site can fall in the same second (a gone answer
    then is no later than the last live fetch, and a second one repeats the first), so tests
    whose crawls must follow one another order them in the data, not by the clock."""
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            for article_id, seen in connection.execute(
                select(ArticleRow.id, ArticleRow.last_seen_at)
            ):
                connection.execute(
                    update(ArticleRow)
                    .where(ArticleRow.id == article_id)
                    .values(last_seen_at=seen - by)
                )
            observed = connection.execute(
                select(RemovalEvidence.id, RemovalEvidence.observed_at)
            ).all()
            for evidence_id, at in observed:
                connection.execute(
                    update(RemovalEvidence)
                    .where(RemovalEvidence.id == evidence_id)
                    .values(observed_at=at - by)
                )
    finally:
        engine.dispose()
