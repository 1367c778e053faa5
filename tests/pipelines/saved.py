"""Saved article pages (tests/fixtures/pages) as the spider hands them to the pipelines.

``crawler()`` builds a crawler of a profile's spider with Scrapy's ``get_crawler``; ``run()``
opens the given pipelines, feeds them ArticleResponses in order, closes them and returns, per
response, the Article that came out or the DropItem raised.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from inspect import isawaitable
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from newscrawl.items import ArticleResponse
from newscrawl.profiles import profile_by_name
from newscrawl.spiderloader import spider_class
from tests.helpers import FIXTURES

LIVE = "https://www.ict.gov.ir"
FETCHED = "2026-11-28T00:00:00Z"


def saved(site: str, article_id: int) -> tuple[str, str, bytes]:
    """(path, Content-Type, body bytes) of a saved page."""
    folder = FIXTURES / "pages" / site
    meta = json.loads((folder / f"{article_id}.headers.json").read_text("utf-8"))
    return meta["path"], meta["Content-Type"], (folder / f"{article_id}.html").read_bytes()


def response(
    html: str | bytes,
    path: str,
    *,
    base: str = LIVE,
    content_type: str = "text/html; charset=utf-8",
    date_raw: str | None = None,
) -> ArticleResponse:
    body = html.encode("utf-8") if isinstance(html, str) else html
    source_id = path.split("/")[3] if path.count("/") >= 3 else "0"
    return ArticleResponse(
        url=base + path,
        status=200,
        headers={"Content-Type": content_type},
        body=body,
        source_id=source_id,
        date_raw=date_raw,
        fetched_at=FETCHED,
    )


def crawler(site: str = "ict_en", base_url: str | None = None, **settings: Any) -> Crawler:
    """A crawler whose spider is *site*'s profile spider (the pipelines read its profile)."""
    cls = spider_class(profile_by_name(site))
    made = get_crawler(cls, {"NEWSCRAWL_EXTRACT_PROCESSES": 0, **settings})
    made.spider = cls.from_crawler(made, base_url=base_url)
    return made


def run(pipelines: Sequence[Any], responses: Sequence[Any]) -> list[Any]:
    """Each response through *pipelines* in order: the item that came out, or the DropItem."""

    async def go() -> list[Any]:
        for pipeline in pipelines:
            if hasattr(pipeline, "open_spider"):
                pipeline.open_spider()
        out: list[Any] = []
        try:
            for item in responses:
                try:
                    for pipeline in pipelines:
                        item = pipeline.process_item(item)
                        if isawaitable(item):
                            item = await item
                except DropItem as exc:
                    item = exc
                out.append(item)
        finally:
            for pipeline in pipelines:
                if hasattr(pipeline, "close_spider"):
                    closed = pipeline.close_spider()
                    if isawaitable(closed):
                        await closed
        return out

    return asyncio.run(go())


def newscrawl_stats(made: Crawler) -> dict[str, Any]:
    assert made.stats is not None
    return {
        key.removeprefix("newscrawl/"): value
        for key, value in made.stats.get_stats().items()
        if key.startswith("newscrawl/")
    }
