"""A bounded pool of crawl processes: ``newscrawl crawl --parallel N``.

Up to *size* ``scrapy crawl`` children run at once (one crawl per process, as
:mod:`newscrawl.runner` runs them); the next site starts when one ends. Each child still takes
its site's lock (:mod:`newscrawl.db.locks`) and keeps its own politeness settings: the pool only
decides how many run at a time.

Why processes rather than several crawlers on one reactor: a crawl's pace is set by its reactor
thread (docs/ARCHITECTURE.md, "Processes of a crawl"), and crawlers sharing a reactor share its
one core and its event loop, so a slow page parse in one site delays every other; a child of its
own also keeps each crawl's settings, stats file, lock, exit code and log apart, and a crash
costs one site. The price is a process (and its worker processes) per running site; forked
from one server that has imported a crawl's modules (:mod:`newscrawl.forkserver`), the processes
share those pages. bench/RESULTS.md gives the measured peak memory.

Stopping (:func:`run_pool`): the first SIGINT or SIGTERM the command receives is forwarded once
to every running child, which Scrapy takes as a graceful stop (the run is recorded ``aborted``,
its lock released), and no further site starts; a second one is forwarded again, Scrapy's forced
stop. The children lead process groups of their own (``start_crawl(own_group=True)``), so that a
Ctrl-C at the terminal reaches them only through the pool, once.
"""

from __future__ import annotations

import queue
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import FrameType

from newscrawl.runner import CrawlResult, RunningCrawl

__all__ = ["STOP_SIGNALS", "PoolOutcome", "run_pool"]

#: The signals that stop the pool (Ctrl-C, and systemd's or kill's default).
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@dataclass
class PoolOutcome:
    """What :func:`run_pool` did not do: the sites never started, and the signal that stopped it."""

    not_started: list[str] = field(default_factory=list)
    stopped_by: int | None = None


def run_pool(
    sites: Iterable[str],
    size: int,
    start: Callable[[str], RunningCrawl],
    done: Callable[[str, CrawlResult], None],
) -> PoolOutcome:
    """Crawl *sites*, at most *size* at once; *start* starts one, *done* is told how it ended.

    Both callbacks run in the calling thread, which must be the main thread (signal handlers).
    """
    if size < 1:
        raise ValueError(f"the pool size must be at least 1, not {size}")
    pending = deque(sites)
    running: dict[int, RunningCrawl] = {}
    # One thread per running child waits for it; the results come back here, where the main
    # thread blocks (a Condition wait, which signal handlers interrupt and resume).
    ended: queue.Queue[tuple[RunningCrawl, CrawlResult | BaseException]] = queue.Queue()
    outcome = PoolOutcome()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        outcome.stopped_by = signum
        for crawl in list(running.values()):
            crawl.interrupt(signum)

    def wait_for(crawl: RunningCrawl) -> None:
        try:
            ended.put((crawl, crawl.wait()))
        except Exception as exc:  # noqa: BLE001 - handed to the main thread, which raises it
            ended.put((crawl, exc))

    previous = {signum: signal.signal(signum, on_signal) for signum in STOP_SIGNALS}
    try:
        while running or (pending and outcome.stopped_by is None):
            while pending and outcome.stopped_by is None and len(running) < size:
                crawl = start(pending.popleft())
                running[crawl.pid] = crawl
                if outcome.stopped_by is not None and not crawl.interrupted:
                    crawl.interrupt(outcome.stopped_by)  # the signal came while it started
                threading.Thread(target=wait_for, args=(crawl,), daemon=True).start()
            crawl, result = ended.get()
            del running[crawl.pid]
            if isinstance(result, BaseException):
                raise result
            done(crawl.spider, result)
    except BaseException:
        for crawl in running.values():
            if not crawl.interrupted:
                crawl.interrupt()
        for _ in range(len(running)):
            ended.get()
        raise
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    outcome.not_started = list(pending)
    return outcome
