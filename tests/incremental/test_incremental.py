"""Incremental crawls cost little when little changed (counted in the replica's own request log)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from newscrawl.db.queries import KnownArticle
from newscrawl.incremental import IncrementalState
from newscrawl_replica.loopback import LOOPBACK_SETTINGS
from newscrawl_replica.process import ReplicaProcess
from tests.helpers import BACKENDS, fresh_database, run_crawl

pytestmark = pytest.mark.crawl

ARTICLE_PATH = re.compile(r"^/en/news/(\d+)")
INCREMENTAL = {**LOOPBACK_SETTINGS, "NEWSCRAWL_INCREMENTAL": "True"}


def article_fetches(log: list[dict]) -> list[int]:
    return [int(m.group(1)) for entry in log if (m := ARTICLE_PATH.match(entry["path"]))]


def listing_fetches(log: list[dict]) -> list[str]:
    return [entry["path"] for entry in log if entry["path"].startswith("/en/news?") or entry["path"] == "/en/news"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_second_crawl_fetches_only_what_is_new(backend, tmp_path):
    with ReplicaProcess(articles=500, sites=["ict_en"]) as replica, fresh_database(backend, tmp_path) as db:
        base = replica.urls["ict_en"]
        first = run_crawl("ict_en", base_url=base, database_url=db, settings=INCREMENTAL)
        assert first.returncode == 0, first.log[-3000:]
        stored = first.stat("newscrawl/persist/new")
        assert stored > 450
        # never archived: the 404 and the empty article (fetched again, as new, each time)
        never_archived = {a["id"] for a in replica.articles("ict_en") if {"gone", "empty_body"} & set(a["flags"])}
        # an undated article's window runs from when it was first archived: minutes ago
        undated = {a["id"] for a in replica.articles("ict_en") if a["date_raw"] is None}

        new = [a["id"] for a in replica.publish("ict_en", 5)]
        replica.clear_log("ict_en")
        second = run_crawl("ict_en", base_url=base, database_url=db, settings=INCREMENTAL)
        assert second.returncode == 0, second.log[-3000:]
        log = replica.log("ict_en")

        fetched = article_fetches(log)
        assert set(new) <= set(fetched), "every new article is fetched"
        # The replica's newest articles are a year older than now: no dated one is in the window.
        assert set(fetched) - set(new) <= never_archived | undated
        assert len(fetched) == len(set(fetched))
        # 5 new + 15 archived on page 1: the listing stops there (stop_after_known = 20 counts page 2 too)
        assert len(listing_fetches(log)) <= 2
        assert second.stat("newscrawl/persist/new") == 5
        # the archived articles that page 1 and the feed (50 newest) link were skipped, not fetched
        assert second.stat("newscrawl/article/skipped_known") >= 40


def test_revisit_window_refetches_conditionally_and_304_costs_no_parsing(tmp_path):
    """Articles in the revisit window are re-fetched with validators; unchanged ones answer 304."""
    with ReplicaProcess(articles=60, sites=["ict_en"]) as replica, fresh_database("sqlite", tmp_path) as db:
        base = replica.urls["ict_en"]
        assert run_crawl("ict_en", base_url=base, database_url=db, settings=INCREMENTAL).returncode == 0
        edited = replica.articles("ict_en")[3]["id"]
        replica.edit("ict_en", edited, title="A corrected title")
        # a window of 100 years takes in every archived article
        second = run_crawl("ict_en", base_url=base, database_url=db, settings={**INCREMENTAL, "NEWSCRAWL_REVISIT_DAYS": "36500"})
        assert second.returncode == 0, second.log[-3000:]
        conditional = second.stat("newscrawl/article/conditional")
        not_modified = second.stat("newscrawl/article/not_modified")
        # page 1 of the listing (then it stops at 20 archived ones) and the feed's 50 newest
        assert conditional >= 40
        assert not_modified == conditional - 1  # all but the edited one
        assert second.stat("newscrawl/persist/changed") == 1
        assert second.stat("newscrawl/article/extracted") < 5  # 304s are not parsed


def test_plan_decisions():
    now = datetime(2026, 11, 28, tzinfo=UTC)
    recent = KnownArticle("1", '"e1"', "Mon, 01 Jan 2026 00:00:00 GMT", now - timedelta(days=2), now, False)
    old = KnownArticle("2", '"e2"', None, now - timedelta(days=400), now, False)
    undated = KnownArticle("3", None, None, None, now - timedelta(days=1), False)
    removed = KnownArticle("4", '"e4"', None, now - timedelta(days=1), now, True)
    state = IncrementalState({k.source_id: k for k in (recent, old, undated, removed)}, timedelta(days=14), now)
    assert state.plan("1").fetch and state.plan("1").headers == {
        "If-None-Match": '"e1"', "If-Modified-Since": "Mon, 01 Jan 2026 00:00:00 GMT"}
    assert not state.plan("2").fetch
    assert state.plan("3").fetch and state.plan("3").headers == {}
    assert state.plan("4").fetch and state.plan("4").headers == {}  # a removed one is fetched plainly
    assert state.plan("99").fetch and state.plan("99").headers == {}
