"""Scrapy settings for newscrawl.

Defaults are polite for live ministry sites: robots.txt obeyed, AutoThrottle on, a few retries,
timeouts, and a User-Agent that says who we are and how to reach the operator. Crawls of the
loopback replica (``newscrawl demo``, the tests, the benchmarks) override the throttling.
"""

import os

from newscrawl import __version__
from newscrawl.db.session import DEFAULT_DATABASE_URL
from newscrawl.items import EXPORT_FIELDS

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["newscrawl.spiders"]
NEWSPIDER_MODULE = "newscrawl.spiders"
# One spider per site profile (shipped ones plus NEWSCRAWL_SITES_DIR).
SPIDER_LOADER_CLASS = "newscrawl.spiderloader.ProfileSpiderLoader"
NEWSCRAWL_SITES_DIR = os.environ.get("NEWSCRAWL_SITES_DIR", "")

# --- politeness ----------------------------------------------------------------------------
NEWSCRAWL_CONTACT = os.environ.get("NEWSCRAWL_CONTACT", "newscrawl-operator@example.org")
USER_AGENT = f"newscrawl/{__version__} (+https://github.com/newscrawl/newscrawl; contact: {{contact}})"
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_DELAY = 1.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 3
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": None,
    "newscrawl.middlewares.ContactUserAgentMiddleware": 500,
}

# --- items ---------------------------------------------------------------------------------
# Order matters: clean text first (it may drop the item), then read the date from the cleaned
# raw string, then deduplicate and hash the final content, then store.
ITEM_PIPELINES = {
    "newscrawl.pipelines.clean.CleanTextPipeline": 100,
    "newscrawl.pipelines.dates.NormaliseDatesPipeline": 200,
    "newscrawl.pipelines.dedup.DedupPipeline": 300,
    "newscrawl.pipelines.persist.PersistPipeline": 800,
}
NEWSCRAWL_DATABASE_URL = os.environ.get("NEWSCRAWL_DATABASE_URL", DEFAULT_DATABASE_URL)
NEWSCRAWL_DB_BATCH_SIZE = 200

# --- exports -------------------------------------------------------------------------------
FEED_EXPORT_ENCODING = "utf-8"
FEED_EXPORT_FIELDS = list(EXPORT_FIELDS)

LOG_LEVEL = "INFO"

EXTENSIONS = {
    "newscrawl.extensions.statsfile.StatsFile": 900,
}
NEWSCRAWL_STATS_FILE = ""
