"""Helpers for the run, lock, health and scheduling tests.

Databases are real (SQLite and PostgreSQL, see ``tests/conftest.py``); crawls are real child
processes against the loopback replica; waiting is a bounded poll of a condition, never a fixed
sleep; every process a test starts is stopped by its PID.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from newscrawl.db.models import CrawlRun
from newscrawl.db.session import ensure_schema, make_engine, make_sessionmaker
from newscrawl_replica.loopback import LOOPBACK_SETTINGS

T = TypeVar("T")

SITE = "ict_en"
#: ``-s NAME=VALUE`` options for crawling the replica.
LOOPBACK_OPTIONS = [
    option for key, value in LOOPBACK_SETTINGS.items() for option in ("-s", f"{key}={value}")
]
#: Poll interval of :func:`wait_for` (a condition is re-checked this often until its deadline).
POLL_INTERVAL = 0.1


def wait_for(condition: Callable[[], T], timeout: float, what: str) -> T:
    """Poll *condition* until it returns a true value (returned) or *timeout* seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        # a pause between polls, bounded by the deadline (not a wait for the condition itself)
        time.sleep(POLL_INTERVAL)


def newscrawl(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the ``newscrawl`` command in a child process; capture its output.

    ``newscrawl crawl`` leaves its crawls' logs on stderr, where the tests read them
    (``NEWSCRAWL_LOG_DIR=-``, set for every test in ``tests/conftest.py``).
    """
    return subprocess.run(
        [sys.executable, "-m", "newscrawl.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def newscrawl_here(
    capfd: pytest.CaptureFixture[str], *args: str
) -> subprocess.CompletedProcess[str]:
    """Run the ``newscrawl`` command in this process (``newscrawl.cli.main``); capture its output.

    The same command as :func:`newscrawl` without starting a Python for the command itself: its
    crawls still run in child processes (``runner.run_crawl``), whose log reaches file
    descriptor 2, hence *capfd* (output captured before the call is dropped); as with
    :func:`newscrawl`, the crawls' logs stay there. A usage error
    (argparse's ``SystemExit``) is returned as its exit code, as the command would exit.
    """
    from newscrawl.cli import main

    capfd.readouterr()
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capfd.readouterr()
    return subprocess.CompletedProcess(list(args), code, out, err)


@contextmanager
def database(url: str) -> Iterator[sessionmaker[Session]]:
    """A sessionmaker on *url*, upgraded to the newest schema."""
    engine = make_engine(url)
    try:
        ensure_schema(engine)
        yield make_sessionmaker(engine)
    finally:
        engine.dispose()


def runs_of(sessions: sessionmaker[Session], site: str = SITE) -> list[CrawlRun]:
    """Every recorded run of *site*, oldest first."""
    with sessions() as session:
        return list(
            session.scalars(select(CrawlRun).where(CrawlRun.site == site).order_by(CrawlRun.id))
        )


def stop_process(
    proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM, timeout: float = 30
) -> None:
    """Stop *proc* by its PID (SIGKILL if *sig* doesn't end it within *timeout*)."""
    if proc.poll() is None:
        os.kill(proc.pid, sig)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=timeout)
