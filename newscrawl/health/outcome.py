"""What a crawl's stats say about its run: its counts, its status and message, its exit code.

Pure functions of a run's Scrapy stats (a mapping, as the stats file holds them), shared by the
run recorder (:class:`~newscrawl.extensions.runs.RunRecorder`, which writes them to
``crawl_runs``), ``scrapy crawl``'s exit code (:mod:`newscrawl.commands.crawl`) and
``newscrawl crawl``'s summary (:mod:`newscrawl.cli.crawl`). They import neither Scrapy nor
SQLAlchemy, so that a command that only reads stats (or only prints its help) starts at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from newscrawl import stats as keys
from newscrawl.health.check import MESSAGE_KEY, STATUS_KEY, applies
from newscrawl.stats import count

__all__ = [
    "EXIT_LOCKED",
    "LOCKED",
    "LOCK_LOST",
    "LOCK_REASONS",
    "RUN_ID_KEY",
    "RUN_MESSAGE_KEY",
    "RUN_STATUS_KEY",
    "STOPPED_REASONS",
    "persist_failure",
    "run_counts",
    "run_outcome",
]

#: Close reason of a crawl that found its site locked by another run.
LOCKED = "locked"
#: Close reason of a crawl whose lock was taken over while it ran.
LOCK_LOST = "lock_lost"
LOCK_REASONS = (LOCKED, LOCK_LOST)
#: Exit code of ``scrapy crawl`` and ``newscrawl crawl`` for those reasons (``EX_TEMPFAIL``).
EXIT_LOCKED = 75
#: Close reasons of a crawl that was stopped from outside (Ctrl-C, SIGTERM, scrapyd's cancel).
STOPPED_REASONS = ("shutdown", "cancelled")

RUN_ID_KEY = keys.RUN_ID
RUN_STATUS_KEY = keys.RUN_STATUS
RUN_MESSAGE_KEY = keys.RUN_MESSAGE


def run_counts(stats: Mapping[str, Any]) -> dict[str, Any]:
    """What a run counted, from its Scrapy stats: the ``counts`` of its ``crawl_runs`` row.

    ``pages`` (responses downloaded), ``articles`` (extracted), ``new``/``changed``/``unchanged``
    (database writes), ``duplicates`` (in-crawl repeats and duplicate links), ``dropped``
    (``{reason: n}``), ``lost`` and ``refused`` (``{cause: n}``: the article pages the
    middlewares gave up, ``newscrawl/article/lost/<cause>`` and ``.../refused/<cause>``), ``errors``
    (``{stat: n}``: article HTTP errors and fetch failures, other pages lost or refused
    (``page/lost/<cause>``), sources that failed (``source/<cause>``), failed extractions, logged
    errors) and ``fields`` (article pages checked and missing fields).
    """
    errors = {f"http_error/{k}": v for k, v in keys.ARTICLE_HTTP_ERROR.members(stats).items()}
    errors.update({f"error/{k}": v for k, v in keys.ARTICLE_ERROR.members(stats).items()})
    for kind, family in (("lost", keys.PAGE_LOST), ("refused", keys.PAGE_REFUSED)):
        errors.update({f"page/{kind}/{k}": v for k, v in family.members(stats).items()})
    errors.update({f"source/{k}": v for k, v in keys.SOURCE_FAILED.members(stats).items()})
    for name, key in (
        ("extract/failed", keys.EXTRACT_FAILED),
        ("log/ERROR", "log_count/ERROR"),
    ):
        if number := count(stats, key):
            errors[name] = number
    return {
        "pages": count(stats, "downloader/response_count"),
        "articles": count(stats, keys.ARTICLE_EXTRACTED),
        "new": count(stats, keys.PERSIST_NEW),
        "changed": count(stats, keys.PERSIST_CHANGED),
        "unchanged": count(stats, keys.PERSIST_UNCHANGED),
        "duplicates": count(stats, keys.DEDUP_DUPLICATE)
        + count(stats, keys.ARTICLE_DUPLICATE_LINK),
        "dropped": keys.CLEAN_DROPPED.members(stats),
        "lost": keys.ARTICLE_LOST.members(stats),
        "refused": keys.ARTICLE_REFUSED.members(stats),
        "errors": errors,
        "fields": {
            "checked": count(stats, keys.FIELDS_CHECKED),
            "missing": keys.FIELDS_MISSING.members(stats),
        },
    }


def persist_failure(stats: Mapping[str, Any]) -> str | None:
    """What the database refused to store in this run (the run's message), or None.

    A refused batch fails the run whatever the close reason: the last batch is written when the
    spider closes, too late to change the reason from ``finished``.
    """
    articles, tombstones = (
        count(stats, keys.PERSIST_FAILED),
        count(stats, keys.PERSIST_FAILED_TOMBSTONES),
    )
    if not (articles or tombstones):
        return None
    reason = stats.get(keys.PERSIST_ERROR)
    return (
        f"the database refused {articles} articles and {tombstones} tombstones"
        + (f" ({reason})" if reason else "")
        + "; their URLs are in the crawl's log; the next crawl fetches them again"
    )


def run_outcome(reason: str, stats: Mapping[str, Any]) -> tuple[str, str | None]:
    """The run status and message for a crawl closed with *reason* and these *stats*."""
    if reason in LOCK_REASONS:
        return "aborted", stats.get(RUN_MESSAGE_KEY) or reason
    if refused := persist_failure(stats):
        return "failed", refused
    if reason in STOPPED_REASONS:
        return "aborted", f"stopped before the end ({reason})"
    if not applies(reason):
        return "failed", f"the crawl ended with {reason!r}"
    if stats.get(STATUS_KEY) in ("failed", "error"):
        return "failed", str(stats.get(MESSAGE_KEY) or "the run health check failed")
    return "finished", None
