"""Which ended crawls a worker's job queues again (``newscrawl.distributed.tasks``)."""

from __future__ import annotations

import signal

import pytest

from newscrawl.distributed.tasks import stopped_before_its_end
from newscrawl.runner import CrawlResult


@pytest.mark.parametrize(
    ("returncode", "stats", "again"),
    [
        (0, {"finish_reason": "shutdown"}, True),  # SIGTERM/Ctrl-C, a graceful stop
        (0, {"finish_reason": "cancelled"}, True),
        (-signal.SIGTERM, {}, True),  # killed by SIGTERM before Scrapy's handlers were there
        (0, {"finish_reason": "finished"}, False),
        (1, {}, False),  # a crawl that failed to start: an error, not a stop
        (-signal.SIGKILL, {}, False),  # killed outright: the next run takes the lock over
        (0, {}, False),
    ],
)
def test_a_crawl_stopped_before_its_end_is_queued_again(returncode, stats, again):
    result = CrawlResult("ict_en", returncode, 1.0, stats)
    assert stopped_before_its_end(result) is again
