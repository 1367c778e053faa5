"""Counting and logging what a middleware gives up, in one place for every middleware."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Final, Literal

from scrapy.exceptions import IgnoreRequest

from newscrawl import stats

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

Kind = Literal["lost", "refused"]

# The outcome kinds and causes of the stats keys newscrawl/<article|page>/<kind>/<cause>: the
# families newscrawl.stats.ARTICLE_LOST, ARTICLE_REFUSED, PAGE_LOST and PAGE_REFUSED, whose
# members are the causes.
LOST: Final = "lost"
REFUSED: Final = "refused"
TOO_LARGE: Final = "too_large"
PARTIAL: Final = "partial"
RATE_LIMITED: Final = "rate_limited"
REDIRECT_OFFSITE: Final = "redirect_offsite"
REDIRECT_LOOP: Final = "redirect_loop"


def is_article(request: Request) -> bool:
    """Whether *request* fetches an article page (the spider's article requests carry its id)."""
    return "source_id" in request.cb_kwargs


#: (an article page?, kind) -> the stats family of what the middlewares give up.
FAMILIES: Final[dict[tuple[bool, Kind], stats.Family]] = {
    (True, LOST): stats.ARTICLE_LOST,
    (True, REFUSED): stats.ARTICLE_REFUSED,
    (False, LOST): stats.PAGE_LOST,
    (False, REFUSED): stats.PAGE_REFUSED,
}


def stat_key(request: Request, kind: Kind, cause: str) -> str:
    """``newscrawl/article/<kind>/<cause>`` for an article page, ``newscrawl/page/...`` otherwise."""
    return FAMILIES[(is_article(request), kind)].key(cause)


class RequestGivenUp(IgnoreRequest):
    """A request a newscrawl middleware gave up on, after counting and logging it.

    A subclass of :class:`~scrapy.exceptions.IgnoreRequest`: Scrapy drops it quietly, the
    request's errback still receives it (the spider's does not count it twice).
    """

    def __init__(self, url: str, kind: Kind, cause: str, detail: str) -> None:
        super().__init__(f"{kind} ({cause}): {url}: {detail}")
        self.url = url
        self.kind = kind
        self.cause = cause
        self.detail = detail


def give_up(crawler: Crawler, request: Request, kind: Kind, cause: str, detail: str) -> RequestGivenUp:
    """Count and log *request* as given up for *cause*; return the exception to raise.

    The URL logged is the one the spider asked for: the first of a redirect chain.
    """
    key = stat_key(request, kind, cause)
    url = request.meta.get("redirect_urls", [request.url])[0]
    assert crawler.stats is not None
    crawler.stats.inc_value(key)
    logger.warning("%s: %s (%s)", key.removeprefix("newscrawl/"), url, detail)
    return RequestGivenUp(url, kind, cause, detail)
