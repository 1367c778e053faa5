"""Deletions that can be defended: tombstones only on evidence, against the hostile server.

A first crawl stores twelve articles. The server then answers them in every way a removal can
look, and every way it must not be taken for one: 404, 410, a redirect to the home page, a
redirect to the listing (evidence); 403, 429 past the rate-limit maximum, 503, 500, a timeout,
a Cloudflare-style challenge page with 200, 503 and 404 (never evidence); and one article that
answers 404, then 200, then 404 again (the live fetch resets its evidence).

Two crawls a few seconds apart see the removals twice: evidence, no tombstone (they are not
``NEWSCRAWL_TOMBSTONE_MIN_INTERVAL``, 6 h by default, apart). The test then moves every time the
archive holds 7 hours back (as if those crawls had run 7 h earlier: the order of the stored
times is kept), and a fourth crawl writes the four tombstones, with their evidence, and nothing
else. ``newscrawl export --consumer`` delivers each tombstone once, valid against the JSON
Schema. Counts come from the database; each crawl is a real ``scrapy crawl`` in a child process.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from newscrawl.cli import main as newscrawl
from newscrawl.db.models import Article, RemovalEvidence, Revision
from newscrawl.db.session import make_engine
from newscrawl.runner import CrawlResult
from newscrawl_replica.loopback import LOOPBACK_SETTINGS
from tests.export.export_helpers import read_jsonl
from tests.helpers import BACKENDS, crawls_ran_earlier, fresh_database, run_crawl
from tests.hostile.pages import article_html, listing_html
from tests.hostile.server import (
    NOT_FOUND,
    Behaviour,
    Hang,
    HostileServer,
    Page,
    RateLimited,
    Redirect,
)

pytestmark = [pytest.mark.crawl, pytest.mark.db]

ARTICLES = range(1, 13)
CHALLENGE = (
    b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
    b"<noscript>Enable JavaScript and cookies to continue</noscript></body></html>"
)
CHALLENGE_HEADERS = (("Content-Type", "text/html; charset=UTF-8"), ("cf-mitigated", "challenge"))
#: What the server answers for each article after the first crawl.
ANSWERS: dict[int, Behaviour] = {
    1: NOT_FOUND,
    2: Page(b"gone", status=410),
    3: Redirect("/", status=301),  # to the home page
    4: Redirect("/en/news"),  # to the listing (already fetched by the crawl)
    5: Page(b"forbidden", status=403),
    6: RateLimited(5),  # past NEWSCRAWL_RETRY_AFTER_MAX: lost, never evidence
    7: Page(b"unavailable", status=503),
    8: Page(b"error", status=500),
    9: Hang(),  # DOWNLOAD_TIMEOUT
    10: Page(CHALLENGE),  # a challenge with 200
    11: Page(CHALLENGE, status=503, headers=CHALLENGE_HEADERS),
    12: Page(CHALLENGE, status=404, headers=CHALLENGE_HEADERS),
}
#: The evidence each removed article leaves: (reason, status, final path).
EVIDENCE = {
    1: ("not_found", 404, "/en/news/1"),
    2: ("gone", 410, "/en/news/2"),
    3: ("redirect_home", 301, "/"),
    4: ("redirect_listing", 302, "/en/news"),
}
FLAPPING = 13  # 404, then 200, then 404


def crawl(server: HostileServer, database_url: str, env: dict[str, str]) -> CrawlResult:
    settings: dict[str, Any] = {
        **LOOPBACK_SETTINGS,
        "DOWNLOAD_TIMEOUT": 1,
        "NEWSCRAWL_RETRY_AFTER_MAX": 3,
        # No retries: a retried hang or 5xx answer ends the same way, seconds later in each crawl.
        "RETRY_TIMES": 0,
    }
    result = run_crawl(
        "hostile",
        base_url=server.url(0),
        database_url=database_url,
        settings={k: str(v) for k, v in settings.items()},
        env=env,
    )
    assert result.returncode == 0, result.log[-3000:]
    return result


def evidence(database_url: str, base: str) -> list[tuple[int, str, int, str, str, bool]]:
    """(source id, reason, status, url path, final url path, linked to a tombstone) by id."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(
                    Article.source_id,
                    RemovalEvidence.reason,
                    RemovalEvidence.status,
                    RemovalEvidence.url,
                    RemovalEvidence.final_url,
                    RemovalEvidence.revision_id,
                )
                .join(Article, Article.id == RemovalEvidence.article_id)
                .order_by(RemovalEvidence.id)
            ).all()
    finally:
        engine.dispose()
    return [
        (
            int(sid),
            reason,
            status,
            url.removeprefix(base),
            final.removeprefix(base),
            rev is not None,
        )
        for sid, reason, status, url, final, rev in rows
    ]


def archive(database_url: str) -> tuple[list[int], dict[str, int]]:
    """(tombstoned source ids, revisions by kind)."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            removed = connection.scalars(
                select(Article.source_id).where(Article.removed_at.is_not(None))
            ).all()
            kinds = connection.execute(
                select(Revision.kind, func.count()).group_by(Revision.kind)
            ).all()
    finally:
        engine.dispose()
    return sorted(int(s) for s in removed), dict(kinds)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_tombstone_needs_two_gone_answers_hours_apart_and_nothing_else_makes_one(
    backend: str, sites_env: dict[str, str], tmp_path: Path
) -> None:
    links = [f"/en/news/{n}" for n in (*ARTICLES, FLAPPING)]
    routes: dict[str, Behaviour] = {
        "/": Page(b'<html lang="en"><body><h1>Home</h1></body></html>'),
        "/en/news": Page(listing_html(links)),
        **{f"/en/news/{n}": Page(article_html(n)) for n in (*ARTICLES, FLAPPING)},
    }
    flapping = f"/en/news/{FLAPPING}"
    with fresh_database(backend, tmp_path) as db_url:
        with HostileServer(routes) as server:
            base = server.url(0)
            first = crawl(server, db_url, sites_env)
            assert first.stat("newscrawl/persist/new") == len(ARTICLES) + 1
            crawls_ran_earlier(db_url, timedelta(minutes=1))

            routes.update({f"/en/news/{n}": answer for n, answer in ANSWERS.items()})
            routes[flapping] = NOT_FOUND
            second = crawl(server, db_url, sites_env)
            # one observation each: evidence, no tombstone
            expected = {**EVIDENCE, FLAPPING: ("not_found", 404, flapping)}
            assert sorted(evidence(db_url, base)) == sorted(
                (n, reason, status, f"/en/news/{n}", final, False)
                for n, (reason, status, final) in expected.items()
            )
            assert archive(db_url) == ([], {"content": len(ARTICLES) + 1})
            assert second.stat("newscrawl/persist/gone_observed") == len(EVIDENCE) + 1
            assert second.stat("newscrawl/persist/removed") == 0
            assert second.stat("newscrawl/article/challenge") == 2  # 10 and 12; 11 is a 503
            assert second.stat("newscrawl/article/lost/rate_limited") == 1
            assert second.stat("newscrawl/article/error/DownloadTimeoutError") == 1
            crawls_ran_earlier(db_url, timedelta(minutes=1))

            routes[flapping] = Page(article_html(FLAPPING))  # live again
            third = crawl(server, db_url, sites_env)
            # a second observation a minute after the first: still no tombstone
            assert archive(db_url)[0] == []
            assert third.stat("newscrawl/persist/gone_observed") == len(EVIDENCE)
            assert third.stat("newscrawl/persist/unchanged") == 1  # the live one

            crawls_ran_earlier(db_url, timedelta(hours=7))  # crawls 1-3 ran 7 h before crawl 4
            routes[flapping] = NOT_FOUND
            fourth = crawl(server, db_url, sites_env)

        assert fourth.stat("newscrawl/persist/removed") == len(EVIDENCE)
        removed, kinds = archive(db_url)
        assert removed == sorted(EVIDENCE)
        assert kinds == {"content": len(ARTICLES) + 1, "removed": len(EVIDENCE)}
        rows = evidence(db_url, base)
        for n, (reason, status, final) in EVIDENCE.items():
            assert [row for row in rows if row[0] == n] == [
                (n, reason, status, f"/en/news/{n}", final, True)
            ] * 3
        # the flapping article: its 404 before the live fetch supports nothing, one after it is
        # not enough
        assert [row[-1] for row in rows if row[0] == FLAPPING] == [False, False]
        assert not [row for row in rows if row[0] not in (*EVIDENCE, FLAPPING)]

        out = tmp_path / "delivery.jsonl"
        argv = ["export", "--consumer", "mirror", "--database-url", db_url, "--output", str(out)]
        assert newscrawl(argv) == 0
        records = read_jsonl(out)  # every record valid against the JSON Schema
        tombstones = {int(r["source_id"]): r for r in records if r["revision_kind"] == "removed"}
        assert sorted(tombstones) == sorted(EVIDENCE)
        # the live articles' content, and the tombstones (the tombstoned content waits)
        assert len(records) - len(tombstones) == len(ARTICLES) + 1 - len(EVIDENCE)
        for n, (reason, status, final) in EVIDENCE.items():
            record = tombstones[n]
            assert record["title"] == f"Article {n}"  # the content it had
            assert [
                (e["reason"], e["status"], e["url"], e["final_url"])
                for e in record["removal_evidence"]
            ] == [(reason, status, f"{base}/en/news/{n}", base + final)] * 3
            times = [e["observed_at"] for e in record["removal_evidence"]]
            assert times == sorted(times) and record["removed_at"] == times[-1]
        again = tmp_path / "again.jsonl"
        assert newscrawl([*argv[:-1], str(again)]) == 0
        assert read_jsonl(again) == []  # each tombstone once
