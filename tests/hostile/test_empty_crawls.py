"""Crawls that find nothing are unhealthy, and say why: dead sources, and empty first runs.

Each crawl is a real ``newscrawl crawl`` (a child ``scrapy crawl``) of the hostile server, of a
host under ``.invalid`` (RFC 2606: it never resolves) or of a closed loopback port, into a real
database; the run's status, message and counts are read from the database.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from newscrawl.cli.crawl import EXIT_OK, EXIT_UNHEALTHY
from newscrawl.db.models import Article, CrawlRun
from newscrawl.db.session import make_engine
from newscrawl_replica.loopback import LOOPBACK_SETTINGS
from tests.hostile.pages import article_html, listing_html
from tests.hostile.server import HostileServer, Page

pytestmark = [pytest.mark.crawl, pytest.mark.db]

LOOPBACK_OPTIONS = [o for k, v in LOOPBACK_SETTINGS.items() for o in ("-s", f"{k}={v}")]


def newscrawl_crawl(
    base_url: str, database_url: str, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "newscrawl.cli",
            "crawl",
            "hostile",
            "--base-url",
            base_url,
            "--database-url",
            database_url,
            *LOOPBACK_OPTIONS,
        ],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def runs_and_articles(database_url: str) -> tuple[list[CrawlRun], int]:
    """Every run of the hostile site (oldest first) and the number of stored articles."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            runs = list(connection.execute(select(CrawlRun).order_by(CrawlRun.id)).all())
            articles = connection.execute(select(func.count()).select_from(Article)).scalar_one()
    finally:
        engine.dispose()
    return runs, articles  # type: ignore[return-value]


def report(result: subprocess.CompletedProcess[str]) -> str:
    """The line ``newscrawl crawl`` printed about the site on stderr."""
    lines = [line for line in result.stderr.splitlines() if line.startswith("hostile: ")]
    assert lines, result.stderr[-3000:]
    return lines[-1]


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then closed: connecting is refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_first_crawl_whose_listing_answers_404_is_unhealthy_and_names_it(db_url, sites_env):
    with HostileServer({}) as server:  # every path answers 404
        result = newscrawl_crawl(server.url(0), db_url, sites_env)
        listing_hits = server.hits_of("/en/news")

    assert result.returncode == EXIT_UNHEALTHY, result.stderr[-3000:]
    assert "every source failed" in report(result)
    assert "HTTP 404 on /en/news" in report(result)
    assert [hit.status for hit in listing_hits] == [404]
    (run,), articles = runs_and_articles(db_url)
    assert articles == 0
    assert run.status == "failed"
    assert "HTTP 404 on /en/news" in (run.message or "")
    assert run.counts["errors"]["source/http_404"] == 1


@pytest.mark.parametrize("where", ["dns", "refused"])
def test_a_crawl_of_a_host_that_cannot_be_reached_is_unhealthy_and_names_it(
    where, db_url, sites_env
):
    if where == "dns":
        base_url, cause = "http://nosuch.invalid", "DNS lookup failed for nosuch.invalid"
    else:
        port = closed_port()
        base_url, cause = f"http://127.0.0.1:{port}", f"connection refused by 127.0.0.1:{port}"
    result = newscrawl_crawl(base_url, db_url, sites_env)

    assert result.returncode == EXIT_UNHEALTHY, result.stderr[-3000:]
    assert cause in report(result)
    (run,), articles = runs_and_articles(db_url)
    assert articles == 0
    assert run.status == "failed" and cause in (run.message or "")
    member = "dns" if where == "dns" else "connection_refused"
    assert run.counts["errors"][f"source/{member}"] == 1


def test_an_empty_first_run_is_unhealthy_and_a_dead_listing_later_too(db_url, sites_env):
    routes = {"/en/news": Page(listing_html([]))}  # a listing that links no article
    with HostileServer(routes) as server:
        empty = newscrawl_crawl(server.url(0), db_url, sites_env)

        routes["/en/news"] = Page(listing_html(["/en/news/1", "/en/news/2"]))
        routes["/en/news/1"] = Page(article_html(1))
        routes["/en/news/2"] = Page(article_html(2))
        healthy = newscrawl_crawl(server.url(0), db_url, sites_env)

        del routes["/en/news"]  # the listing moved: 404 now, after a good run
        dead = newscrawl_crawl(server.url(0), db_url, sites_env)

    assert empty.returncode == EXIT_UNHEALTHY, empty.stderr[-3000:]
    assert "first run stored no articles" in report(empty)
    assert healthy.returncode == EXIT_OK, healthy.stderr[-3000:]
    assert dead.returncode == EXIT_UNHEALTHY, dead.stderr[-3000:]
    assert "every source failed" in report(dead) and "HTTP 404 on /en/news" in report(dead)
    runs, articles = runs_and_articles(db_url)
    assert [run.status for run in runs] == ["failed", "finished", "failed"]
    assert "first run stored no articles" in (runs[0].message or "")
    assert articles == 2
