"""newscrawl's downloader middlewares, one module per concern.

- :mod:`.useragent`: the User-Agent names the operator's contact address.
- :mod:`.offsite`: a site is its origins (scheme, host, port), not its host names.
- :mod:`.redirects`: redirects off the site, in loops or past ``REDIRECT_MAX_TIMES`` are counted.
- :mod:`.retry_after`: 429/503 ``Retry-After`` pauses the site's download slot, then retries.
- :mod:`.partial`: responses cut short (``partial``) are retried and never reach the spider.
- :mod:`.size`: pages over ``DOWNLOAD_MAXSIZE``, declared, streamed or inflated, are refused.

Every request one of them gives up is counted under ``newscrawl/article/...`` (article pages) or
``newscrawl/page/...`` (listings, feeds, sitemaps), logged with its URL, and ends in the
:class:`RequestGivenUp` exception, which the spider's errback does not count again.
"""

from newscrawl.middlewares.accounting import RequestGivenUp
from newscrawl.middlewares.useragent import ContactUserAgentMiddleware

__all__ = ["ContactUserAgentMiddleware", "RequestGivenUp"]
