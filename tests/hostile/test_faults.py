"""Crawls against the hostile server: what reaches the database, and what is counted lost.

Each crawl is a real ``scrapy crawl`` in a child process (``newscrawl.runner.run_crawl``) into a
real database; the counts come from the database and the crawl's stats, the timings from the
server's own request log.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest
from sqlalchemy import select

from newscrawl.db.models import Article, CrawlRun, Revision
from newscrawl.db.session import make_engine, make_sessionmaker
from newscrawl.runner import CrawlResult
from newscrawl_replica.loopback import LOOPBACK_SETTINGS
from tests.cli.helpers import newscrawl
from tests.helpers import fresh_database, run_crawl
from tests.hostile.pages import article_html, listing_html, paragraphs
from tests.hostile.server import (
    Behaviour,
    Cut,
    DeclaredLarge,
    GzipBomb,
    HostileServer,
    Page,
    RateLimited,
    Redirect,
    Sequenced,
    Streamed,
)

pytestmark = [pytest.mark.crawl, pytest.mark.db]

MIB = 1024 * 1024


def article(source_id: int) -> Page:
    return Page(article_html(source_id))


def stored(database_url: str) -> dict[str, str]:
    """source_id -> body of the latest revision, for every article in the database."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(Article.source_id, Revision.body).join(
                    Revision, Revision.id == Article.latest_revision_id
                )
            )
            return dict(rows.all())
    finally:
        engine.dispose()


def recorded_runs(database_url: str) -> list[CrawlRun]:
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as session:
            return list(session.scalars(select(CrawlRun)))
    finally:
        engine.dispose()


def crawl(server: HostileServer, database_url: str, env: dict[str, str], **settings: Any) -> CrawlResult:
    result = run_crawl(
        "hostile",
        base_url=server.url(0),
        database_url=database_url,
        settings={**LOOPBACK_SETTINGS, **{k: str(v) for k, v in settings.items()}},
        env=env,
    )
    assert result.returncode == 0, result.log[-3000:]
    return result


def site(routes: dict[int, Behaviour], extra_links: tuple[str, ...] = ()) -> dict[str, Behaviour]:
    links = [f"/en/news/{n}" for n in routes] + list(extra_links)
    return {"/en/news": Page(listing_html(links)), **{f"/en/news/{n}": b for n, b in routes.items()}}


def full_body(source_id: int) -> str:
    return "\n\n".join(paragraphs(source_id))


def test_faults_cost_only_their_own_articles(db_url, sites_env):
    """Oversized, cut, redirected and rate-limited articles beside good ones in one crawl."""
    html3 = article_html(3)
    html4 = article_html(4)
    cut_after_first_paragraph = html4.index(b"</p>") + 4
    routes = site(
        {
            1: article(1),
            2: article(2),
            3: Sequenced([Cut(html3, html3.index(b"</p>") + 4), Page(html3)]),  # cut once
            4: Cut(html4, cut_after_first_paragraph),  # cut every time
            5: DeclaredLarge(20 * MIB),  # Content-Length over the 16 MiB default cap
            6: Streamed(17 * MIB),  # chunked, no Content-Length, past the cap
            7: GzipBomb(64 * MIB),  # 64 KiB on the wire, 64 MiB inflated
            8: Redirect("{other}/en/news/8"),  # the same host on another port
            9: Redirect("http://offsite.invalid/en/news/9"),  # another host
            10: Redirect("/en/news/10"),  # to itself
            11: Redirect("/en/news/11/b"),  # ping-pong with /en/news/11/b
            12: Redirect("/en/news/12?hop=1"),  # a chain longer than REDIRECT_MAX_TIMES
            13: Sequenced([RateLimited(1), article(13)]),
        },
        extra_links=("{other}/en/news/90",),
    )
    routes["/en/news/11/b"] = Redirect("/en/news/11")
    for hop in range(1, 30):
        routes[f"/en/news/12?hop={hop}"] = Redirect(f"/en/news/12?hop={hop + 1}")
    other = {"/en/news/8": article(8), "/en/news/90": article(90)}
    with HostileServer(routes, other) as server:
        listing = routes["/en/news"]
        assert isinstance(listing, Page)
        listing.body = listing.body.replace(b"{other}", server.url(1).encode())
        result = crawl(server, db_url, sites_env)
        rate_limited = server.hits_of("/en/news/13")
        other_hits = [hit for hit in server.hits if hit.port == 1]
        hits4 = server.hits_of("/en/news/4")
        hits3 = server.hits_of("/en/news/3")

    articles = stored(db_url)
    assert sorted(articles, key=int) == ["1", "2", "3", "13"]
    assert articles["3"] == full_body(3)  # the retry's complete page, never the cut one
    assert len(hits3) == 2
    assert len(hits4) == 1 + int(LOOPBACK_SETTINGS["RETRY_TIMES"])
    assert result.stat("newscrawl/article/lost/partial") == 1
    assert result.stat("newscrawl/article/refused/too_large") == 3
    assert result.stat("newscrawl/article/lost/redirect_offsite") == 2
    assert result.stat("newscrawl/article/lost/redirect_loop") == 3
    assert result.stat("newscrawl/article/lost/rate_limited") == 0
    # the port is part of the site: nothing on the other port was fetched
    assert other_hits == []
    # the rate-limited article came back after the pause the server asked for
    assert [hit.status for hit in rate_limited] == [429, 200]
    assert rate_limited[1].at - rate_limited[0].at >= 1.0
    for url in ("/en/news/4", "/en/news/5", "/en/news/6", "/en/news/7", "/en/news/8", "/en/news/9",
                "/en/news/10", "/en/news/11", "/en/news/12"):
        assert f"{server.url(0)}{url} (" in result.log, url
    # nothing was counted twice by the spider
    assert not [key for key in result.stats if key.startswith("newscrawl/article/error/")]
    # the run record keeps the losses by cause (the routes above: 4 cut; 5, 6, 7 too large;
    # 8, 9 redirected off the site; 10, 11, 12 in loops), and `newscrawl runs` shows them
    (run,) = recorded_runs(db_url)
    assert run.counts["lost"] == {"partial": 1, "redirect_offsite": 2, "redirect_loop": 3}
    assert run.counts["refused"] == {"too_large": 3}
    listed = newscrawl("runs", "--site", "hostile", "--database-url", db_url, env=sites_env)
    assert listed.returncode == 0, listed.stderr
    header, row = listed.stdout.splitlines()
    columns = dict(zip(header.split(), row.split(), strict=False))
    assert (columns["LOST"], columns["REFUSED"]) == ("6", "3")


def test_rate_limit_pauses_the_whole_site_and_loses_nothing(sites_env, tmp_path):
    """Retry-After pauses every download of the site, and outlasts RETRY_TIMES."""
    retries = int(LOOPBACK_SETTINGS["RETRY_TIMES"])
    answers = {
        # more rate limits in a row than RETRY_TIMES allows retries
        1: Sequenced([RateLimited(1)] * (retries + 1) + [article(1)]),
        2: Sequenced([RateLimited(1), article(2)]),
        3: Sequenced([RateLimited(2, status=503, as_date=True), article(3)]),
        4: Sequenced([RateLimited(1, status=503), article(4)]),
        **{n: article(n) for n in range(5, 9)},
    }
    routes = site(answers)
    with fresh_database("postgresql", tmp_path) as database_url, HostileServer(routes) as server:
        # One download at a time, 0.3 s apart: without the site's pause, three of them would
        # reach the server within the second after a 429.
        result = crawl(
            server, database_url, sites_env, CONCURRENT_REQUESTS_PER_DOMAIN=1, DOWNLOAD_DELAY=0.3
        )
        hits = sorted((hit for hit in server.hits if hit.path.startswith("/en/news/")), key=lambda h: h.at)
        articles = stored(database_url)
    assert sorted(articles, key=int) == [str(n) for n in range(1, 9)]
    assert result.stat("newscrawl/article/lost/rate_limited") == 0
    by_path: dict[str, list[float]] = {}
    for hit in hits:
        by_path.setdefault(hit.path, []).append(hit.at)
    for times in by_path.values():
        assert all(later - earlier >= 1.0 for earlier, later in pairwise(times))
    assert len(by_path["/en/news/1"]) == retries + 2
    # The whole site waits: after each 429/503, no download of the site (at most one already
    # under way) reaches the server within the second it asked for.
    for limited in (hit for hit in hits if hit.status in (429, 503)):
        within = [hit for hit in hits if limited.at < hit.at < limited.at + 1.0]
        assert len(within) <= 1, (limited, within)


def test_rate_limit_past_the_maximum_is_counted_and_fetched_next_time(sites_env, tmp_path):
    routes = site(
        {
            1: RateLimited(5),  # asks for more than the maximum at once
            2: RateLimited(1),  # never relents: 1 + 1 + 1 s fit in 3 s, the 4th passes it
            3: article(3),
        }
    )
    with fresh_database("postgresql", tmp_path) as database_url, HostileServer(routes) as server:
        result = crawl(server, database_url, sites_env, NEWSCRAWL_RETRY_AFTER_MAX=3)
        hits1 = server.hits_of("/en/news/1")
        hits2 = server.hits_of("/en/news/2")
        first = stored(database_url)
        # the site relents: the next crawl, an incremental one, fetches both
        routes["/en/news/1"] = article(1)
        routes["/en/news/2"] = article(2)
        again = crawl(server, database_url, sites_env, NEWSCRAWL_INCREMENTAL=True)
        second = stored(database_url)
    assert sorted(first) == ["3"]
    assert result.stat("newscrawl/article/lost/rate_limited") == 2
    assert len(hits1) == 1
    assert len(hits2) == 4
    assert all(b.at - a.at >= 1.0 for a, b in pairwise(hits2))
    assert f"{server.url(0)}/en/news/1 (" in result.log and f"{server.url(0)}/en/news/2 (" in result.log
    assert sorted(second, key=int) == ["1", "2", "3"]
    assert again.stat("newscrawl/article/lost/rate_limited") == 0
