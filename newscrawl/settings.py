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
# `scrapy crawl` is newscrawl's (newscrawl/commands/crawl.py): it checks the spider arguments
# (-a base_url=) before the crawl (a usage error, exit 2) and exits 75 when the site lock refused it.
COMMANDS_MODULE = "newscrawl.commands"
NEWSCRAWL_SITES_DIR = os.environ.get("NEWSCRAWL_SITES_DIR", "")

# --- politeness ----------------------------------------------------------------------------
NEWSCRAWL_CONTACT = os.environ.get("NEWSCRAWL_CONTACT", "newscrawl-operator@example.org")
USER_AGENT = f"newscrawl/{__version__} (news archiver; contact: {{contact}})"
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_DELAY = 1.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
# Scrapy processes each response's output with CONCURRENT_ITEMS tasks of its own (a per-response
# limit, scrapy/scrapy#6852), started even for a response that yields one item, as an article page
# does here; a listing yields about 20 requests. With Scrapy's default of 100 those tasks cost a
# crawl about 1 ms of CPU per page; with 8, a crawl of 3,000 replica articles used 0.8-1.2 ms per
# page less CPU (crawl and workers together) and was not slower.
CONCURRENT_ITEMS = 8
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 3
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19's remote control (an HTTP server on localhost that runs the Python code posted to it,
# and a job file per crawl in the user's state directory) is off like the telnet console: an
# unattended archiver opens no code-execution port.
REMOTE_CONTROL_ENABLED = False
# newscrawl/middlewares/: Scrapy's offsite, redirect and decompression middlewares replaced by
# subclasses that count what they lose; rate limits, cut responses and oversized pages added.
# In responses' order (highest number first): redirects 600, partial 595, decompression 590,
# meta refresh 580, Retry-After 560, Scrapy's retries 550.
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "newscrawl.middlewares.offsite.OriginOffsiteMiddleware": 50,
    "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": None,
    "newscrawl.middlewares.ContactUserAgentMiddleware": 500,
    "newscrawl.middlewares.retry_after.RetryAfterMiddleware": 560,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "newscrawl.middlewares.redirects.MetaRefreshMiddleware": 580,
    "newscrawl.middlewares.size.DownloadSizeMiddleware": 585,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "newscrawl.middlewares.size.HttpCompressionMiddleware": 590,
    "newscrawl.middlewares.partial.PartialResponseMiddleware": 595,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "newscrawl.middlewares.redirects.RedirectMiddleware": 600,
}
# A news page is well under a megabyte; a body (declared, streamed or inflated) past the cap is
# refused and counted (newscrawl/article/refused/too_large). Scrapy's defaults are 1 GiB / 32 MiB.
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
# A response cut short (no Content-Length, connection closed: "partial") is retried, never stored.
NEWSCRAWL_PARTIAL_ENABLED = True
# 429 / 503 Retry-After pauses the site and retries; a page is given up only once it has waited
# longer than this in total (newscrawl/article/lost/rate_limited).
NEWSCRAWL_RETRY_AFTER_ENABLED = True
NEWSCRAWL_RETRY_AFTER_MAX = 600

# --- items ---------------------------------------------------------------------------------
# Order matters: extract the article from the spider's response first (that also cleans it, which
# may drop it, dates and hashes it: pages/extraction.py), then deduplicate, then store.
ITEM_PIPELINES = {
    "newscrawl.pipelines.extract.ExtractPipeline": 50,
    "newscrawl.pipelines.dedup.DedupPipeline": 300,
    "newscrawl.pipelines.persist.PersistPipeline": 800,
    "newscrawl.pipelines.warc.WarcPipeline": 900,
}
NEWSCRAWL_DATABASE_URL = os.environ.get("NEWSCRAWL_DATABASE_URL", DEFAULT_DATABASE_URL)
NEWSCRAWL_DB_BATCH_SIZE = 200
# Seconds a database outage (server down or restarting, broken connection, SQLite locked) is
# waited out, from its first failed batch, before the crawl fails (newscrawl/pipelines/persist.py).
NEWSCRAWL_DB_RETRY_FOR = 120
# The CPU work of a crawl runs beside Scrapy's reactor thread, in worker processes
# (newscrawl/workers.py): article extraction in NEWSCRAWL_EXTRACT_PROCESSES processes, database
# writes in one writer process. 0 / False do that work in the crawl's own process (on a one-core
# machine, or to save the workers' memory: about 100 MB each).
NEWSCRAWL_EXTRACT_PROCESSES = 1
NEWSCRAWL_DB_WRITER_PROCESS = True
# The workers start once the crawl has this many articles; before that (and in a crawl that never
# gets there) the crawl's own process does the work: spawning a worker costs about 0.6 s of CPU,
# more than a small incremental crawl's whole extraction. 0: start them with the crawl.
NEWSCRAWL_WORKERS_START_AFTER = 100
# The workers' CPU priority below the crawl's (nice(1)'s scale, 0-19): when the cores are all
# busy, the reactor thread, which sets the crawl's pace, runs first.
NEWSCRAWL_WORKER_NICENESS = 5
# Incremental crawls (newscrawl/incremental.py): skip archived articles outside the revisit
# window, stop listings at archived articles, re-fetch with conditional requests.
NEWSCRAWL_INCREMENTAL = False
NEWSCRAWL_REVISIT_DAYS = 14
# Near-duplicates (newscrawl/db/neardup.py): new content is fingerprinted and linked to the first
# copy (articles.duplicate_of_id) when their estimated Jaccard similarity reaches the threshold.
NEWSCRAWL_NEARDUP_ENABLED = True
NEWSCRAWL_NEARDUP_THRESHOLD = 0.5
# Stored live articles the listings no longer link are requested again at the end of a crawl
# (newscrawl/extensions/recheck.py), at most this many, so that deletions become tombstones.
NEWSCRAWL_RECHECK_ENABLED = True
NEWSCRAWL_RECHECK_MAX = 1000
# A tombstone needs two gone observations (404/410, a redirect to the home page or a listing)
# at least this many hours apart, after the article's last live fetch (newscrawl/removal.py).
NEWSCRAWL_TOMBSTONE_MIN_INTERVAL = 6.0

# --- exports -------------------------------------------------------------------------------
FEED_EXPORT_ENCODING = "utf-8"
FEED_EXPORT_FIELDS = list(EXPORT_FIELDS)
# WARC files written as the crawl goes (newscrawl/pipelines/warc.py); empty: off.
NEWSCRAWL_WARC_DIR = os.environ.get("NEWSCRAWL_WARC_DIR", "")
NEWSCRAWL_WARC_MAX_SIZE = "1G"

LOG_LEVEL = "INFO"
# Move the objects alive at spider start out of the cyclic GC's reach (newscrawl/spiders/profile.py):
# full collections stop walking Scrapy's and SQLAlchemy's long-lived objects on every sweep.
NEWSCRAWL_GC_FREEZE = True

EXTENSIONS = {
    # The crawl's database (engine, migrations): built first, so that its spider_opened handler
    # runs first; it disposes of the engine after every other spider_closed handler (it connects
    # that one in spider_opened). Off when NEWSCRAWL_DATABASE_URL is empty, and with it the
    # components that store or read (persist, runs, recheck, incremental, the health history).
    "newscrawl.extensions.archive.Archive": 100,
    # The order matters at spider close: the health monitor (spidermon) first, then the run
    # record (reads the monitor's verdict), then the stats file (has both).
    "spidermon.contrib.scrapy.extensions.Spidermon": 500,
    # Requests stored articles the listings no longer link, when the crawl runs dry.
    "newscrawl.extensions.recheck.RecheckKnownArticles": 600,
    "newscrawl.extensions.runs.RunRecorder": 800,
    # Scrapy's feed exporter (-o/-O), built after the run recorder so that a crawl refused by the
    # site lock opens no feed: -O keep.jsonl is left as it was (newscrawl/extensions/feeds.py).
    "scrapy.extensions.feedexport.FeedExporter": None,
    "newscrawl.extensions.feeds.FeedExporter": 850,
    "newscrawl.extensions.statsfile.StatsFile": 900,
    # A SIGTERM or Ctrl-C while the crawl starts is held until it runs, so that the crawl closes
    # (run record, lock, stats file) instead of the reactor stopping with the spider open.
    "newscrawl.extensions.startup.HoldShutdownUntilStarted": 950,
    # Atom feeds of significant changes at spider close (off without NEWSCRAWL_FEED_DIR).
    "newscrawl.extensions.changefeed.ChangeFeeds": 700,
}
NEWSCRAWL_STATS_FILE = ""
NEWSCRAWL_HOLD_SHUTDOWN_UNTIL_STARTED = True
# Change feeds (newscrawl.extensions.changefeed): the directory the Atom feeds are written to at the
# end of each crawl (empty: none), and their minimum score (newscrawl.changes.score.ALERT_THRESHOLD).
NEWSCRAWL_FEED_DIR = os.environ.get("NEWSCRAWL_FEED_DIR", "")
NEWSCRAWL_FEED_MIN_SCORE = 0.2

# --- runs, locks, health (issue #5) --------------------------------------------------------
# Every crawl is recorded in crawl_runs and holds its site's lock while it runs (RunRecorder,
# on whenever NEWSCRAWL_DATABASE_URL is set). A crashed run's lock expires after the TTL.
NEWSCRAWL_LOCK_TTL = 300
# The lock is a lease: the crawl's heartbeat renews it to TTL seconds ahead every HEARTBEAT
# seconds (0: TTL / 5). A holder that stops renewing (killed, its machine gone) loses it at expiry.
NEWSCRAWL_LOCK_HEARTBEAT = 0
# ... at once when its holder is provably dead (same host, process gone; newscrawl/db/locks.py).
# Turn off if machines that share the database can have the same host name.
NEWSCRAWL_LOCK_TAKE_OVER_DEAD = True
# Run health (newscrawl/health/monitors.py): a run fails when title, body or date is missing on more
# than this share of its article pages (judged from NEWSCRAWL_HEALTH_MIN_PAGES pages on), or
# when it extracted nothing although the site's previous runs did.
SPIDERMON_ENABLED = True
SPIDERMON_SPIDER_CLOSE_MONITORS = ["newscrawl.health.monitors.RunHealthSuite"]
NEWSCRAWL_HEALTH_MAX_MISSING_SHARE = 0.5
NEWSCRAWL_HEALTH_MIN_PAGES = 5
