"""Item pipelines, one concern each, in this order: clean → dates → dedup → persist."""

from __future__ import annotations

from typing import TYPE_CHECKING

from newscrawl.profiles.model import Profile

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


def crawler_profile(crawler: Crawler) -> Profile:
    """The profile of the running spider (every newscrawl spider has one)."""
    profile = getattr(crawler.spider, "profile", None)
    if not isinstance(profile, Profile):
        raise TypeError(f"spider {crawler.spider!r} has no site profile; newscrawl pipelines need one")
    return profile
