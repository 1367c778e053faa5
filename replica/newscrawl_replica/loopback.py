"""Settings for crawling a server on loopback (the replica, or a test's own server).

The shipped settings are polite to live sites (AutoThrottle, a delay, few parallel requests);
a loopback server needs none of that, and the demo, the tests and the benchmarks would crawl
for minutes instead of seconds.
"""

from __future__ import annotations

#: Passed as ``-s KEY=VALUE`` to ``scrapy crawl`` (see ``newscrawl.runner.run_crawl``).
LOOPBACK_SETTINGS: dict[str, str] = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "RETRY_TIMES": "2",
}
