"""Spidermon monitors: the run health check (:mod:`newscrawl.health.check`) at spider close.

Enabled in ``settings.py`` with ``SPIDERMON_ENABLED`` and
``SPIDERMON_SPIDER_CLOSE_MONITORS = ["newscrawl.health.monitors.RunHealthSuite"]``; spidermon 1.25+
works with Scrapy 2.19 (its extension reads the stats through ``crawler.stats`` and has no spider
middleware). The monitor reads its settings from the crawler:

- ``NEWSCRAWL_HEALTH_MAX_MISSING_SHARE`` (0.5) and ``NEWSCRAWL_HEALTH_MIN_PAGES`` (5);
- the crawl's database (the :class:`~newscrawl.extensions.archive.Archive` extension, on when
  ``NEWSCRAWL_DATABASE_URL`` is set): the site's previous finished runs (``crawl_runs``), the
  history that says whether a run without articles is wrong; none at all makes this the site's
  first run, which must store something. Without a database there is no
  history, and a database it can't read is logged and treated the same way.

A failing monitor is how spidermon reports a problem; the monitor also leaves its verdict in the
stats (``newscrawl/health/status``: ``ok``, ``failed``, ``skipped`` or ``error``, and
``newscrawl/health/problems`` and ``newscrawl/health/message``), where :class:`~newscrawl.extensions.runs.RunRecorder` (which
marks the run ``failed``) and ``newscrawl crawl`` (exit code 3) find it. So the Spidermon
extension must come before both of them in ``EXTENSIONS`` (a lower number): Scrapy calls the
``spider_closed`` handlers in the order the extensions were built.
"""

from __future__ import annotations

import logging
import warnings
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import ScrapyDeprecationWarning
from spidermon import Monitor, MonitorSuite, monitors
from sqlalchemy.exc import SQLAlchemyError

from newscrawl.db.errors import DatabaseConfigError
from newscrawl.db.runs import finished_counts
from newscrawl.extensions.archive import Archive
from newscrawl.health.check import (
    DEFAULT_MAX_MISSING_SHARE,
    DEFAULT_MIN_PAGES,
    HISTORY_RUNS,
    MESSAGE_KEY,
    PROBLEMS_KEY,
    STATUS_KEY,
    applies,
    check_health,
    summary,
)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

__all__ = ["RunHealthMonitor", "RunHealthSuite", "load_history"]

logger = logging.getLogger(__name__)

# spidermon (1.27) writes its report through Spider.log(), deprecated in Scrapy (2.19 still has
# it): one warning per crawl that only a spidermon release can fix.
warnings.filterwarnings(
    "ignore",
    message=r"Spider\.log\(\) is deprecated",
    category=ScrapyDeprecationWarning,
    module=r"spidermon\.",
)


def load_history(archive: Archive | None, site: str, limit: int = HISTORY_RUNS) -> list[dict[str, Any]]:
    """The counts of *site*'s newest finished runs; empty without a (readable) database."""
    if archive is None:
        return []
    try:
        with archive.sessions() as session:
            return finished_counts(session, site, limit)
    except DatabaseConfigError as exc:
        logger.warning("Run health: no history of %s (%s)", site, exc)
        return []
    except SQLAlchemyError as exc:
        logger.warning("Run health: cannot read the history of %s (%s)", site, exc)
        return []


@monitors.name("Run health")
class RunHealthMonitor(Monitor):  # type: ignore[misc]  # spidermon has no type hints
    """Articles were extracted if the site's history says so; title, body and date are present."""

    def test_results_look_right(self) -> None:
        crawler: Crawler = self.data.crawler
        assert crawler.stats is not None and crawler.spider is not None
        stats = self.data.stats
        reason = stats.get("finish_reason")
        if not applies(reason):
            crawler.stats.set_value(STATUS_KEY, "skipped")
            self.skipTest(f"the crawl ended with {reason!r}, not at its end")
        try:
            settings = crawler.settings
            archive = crawler.get_extension(Archive)
            history = load_history(archive, crawler.spider.name)
            problems = check_health(
                stats,
                history,
                max_missing_share=settings.getfloat(
                    "NEWSCRAWL_HEALTH_MAX_MISSING_SHARE", DEFAULT_MAX_MISSING_SHARE
                ),
                min_pages=settings.getint("NEWSCRAWL_HEALTH_MIN_PAGES", DEFAULT_MIN_PAGES),
                # stored into a database without a finished run of the site
                first_run=archive is not None and not history,
            )
        except Exception as exc:
            crawler.stats.set_value(STATUS_KEY, "error")
            crawler.stats.set_value(PROBLEMS_KEY, [f"the health check failed: {exc}"])
            crawler.stats.set_value(MESSAGE_KEY, f"the health check failed: {exc}")
            raise
        crawler.stats.set_value(STATUS_KEY, "failed" if problems else "ok")
        crawler.stats.set_value(PROBLEMS_KEY, [p.message for p in problems])
        if problems:
            crawler.stats.set_value(MESSAGE_KEY, summary(problems))
            self.fail(summary(problems))


class RunHealthSuite(MonitorSuite):  # type: ignore[misc]  # spidermon has no type hints
    """The monitors newscrawl runs when a spider closes."""

    monitors = [RunHealthMonitor]  # noqa: RUF012 (spidermon reads this class attribute)
