"""The change-feed extension: off without NEWSCRAWL_FEED_DIR or a database, a bad score refused."""

from __future__ import annotations

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from newscrawl import settings
from newscrawl.changes.score import ALERT_THRESHOLD
from newscrawl.extensions.changefeed import ChangeFeeds


@pytest.mark.parametrize(
    ("settings", "why"),
    [
        ({"NEWSCRAWL_DATABASE_URL": "sqlite:///x.sqlite3"}, "NEWSCRAWL_FEED_DIR is empty"),
        ({"NEWSCRAWL_FEED_DIR": "feeds", "NEWSCRAWL_DATABASE_URL": ""}, "needs NEWSCRAWL_DATABASE_URL"),
    ],
)
def test_off_unless_configured(settings, why):
    crawler = get_crawler(settings_dict=settings)
    with pytest.raises(NotConfigured, match=why):
        ChangeFeeds.from_crawler(crawler)


def test_a_score_out_of_range_is_refused():
    crawler = get_crawler(
        settings_dict={
            "NEWSCRAWL_FEED_DIR": "feeds",
            "NEWSCRAWL_DATABASE_URL": "sqlite:///x.sqlite3",
            "NEWSCRAWL_FEED_MIN_SCORE": "2",
        }
    )
    with pytest.raises(ValueError, match=r"NEWSCRAWL_FEED_MIN_SCORE=2\.0: expected a score from 0 to 1"):
        ChangeFeeds.from_crawler(crawler)


def test_configured_it_listens_for_spider_close(tmp_path):
    crawler = get_crawler(
        settings_dict={"NEWSCRAWL_FEED_DIR": str(tmp_path), "NEWSCRAWL_DATABASE_URL": "sqlite:///x.sqlite3"}
    )
    extension = ChangeFeeds.from_crawler(crawler)
    assert extension.directory == tmp_path


def test_the_default_minimum_is_the_alert_threshold():
    assert settings.NEWSCRAWL_FEED_MIN_SCORE == ALERT_THRESHOLD == 0.2
