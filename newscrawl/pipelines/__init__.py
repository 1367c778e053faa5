"""Item pipelines, one concern each, in this order: extract → dedup → persist (→ warc)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from newscrawl.profiles.model import Profile

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


def crawler_profile(crawler: Crawler) -> Profile:
    """The profile of the running spider (every newscrawl spider has one)."""
    profile = getattr(crawler.spider, "profile", None)
    if not isinstance(profile, Profile):
        raise TypeError(f"spider {crawler.spider!r} has no site profile; newscrawl pipelines need one")
    return profile


class ProfileStage:
    """Base of the pipelines that apply the running spider's profile and count in the stats."""

    def __init__(self, crawler: Crawler, stats: StatsCollector) -> None:
        self.crawler = crawler
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        return cls(crawler, crawler.stats)

    @property
    def profile(self) -> Profile:
        return crawler_profile(self.crawler)
