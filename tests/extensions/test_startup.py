"""HoldShutdownUntilStarted in-process: its switch, and the signals it never holds.

The holding itself (a signal during ``spider_opened``) is tested on real crawls in
``tests/runs/test_shutdown_during_startup.py``: it needs a running reactor and a real signal.
"""

from __future__ import annotations

import signal
from types import FrameType

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from newscrawl.extensions.startup import SHUTDOWN_SIGNALS, HoldShutdownUntilStarted


def test_off_with_its_setting():
    crawler = get_crawler(settings_dict={"NEWSCRAWL_HOLD_SHUTDOWN_UNTIL_STARTED": False})
    with pytest.raises(NotConfigured, match="NEWSCRAWL_HOLD_SHUTDOWN_UNTIL_STARTED"):
        HoldShutdownUntilStarted.from_crawler(crawler)


def test_only_scrapys_own_handlers_are_wrapped():
    """In this process (no CrawlerProcess) SIGINT has Python's handler and SIGTERM none."""
    before = {signum: signal.getsignal(signum) for signum in SHUTDOWN_SIGNALS}
    extension = HoldShutdownUntilStarted(get_crawler())
    extension.wrap_handlers()
    assert extension.handlers == {}
    assert {signum: signal.getsignal(signum) for signum in SHUTDOWN_SIGNALS} == before


def test_a_crawl_without_an_engine_yet_is_starting():
    assert HoldShutdownUntilStarted(get_crawler()).starting()


def test_a_signal_after_the_spider_closed_goes_straight_to_scrapys_handler():
    extension = HoldShutdownUntilStarted(get_crawler())
    received: list[int] = []

    def scrapys(signum: int, frame: FrameType | None) -> None:
        received.append(signum)

    extension.handlers[signal.SIGTERM] = scrapys
    extension.spider_closed(None, "finished")  # type: ignore[arg-type]
    assert not extension.starting()
    extension.on_signal(signal.SIGTERM, None)
    assert received == [signal.SIGTERM] and extension.held is None and extension.passed
