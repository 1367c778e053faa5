"""Run crawls as child processes.

A Scrapy process can run a crawl only once (its reactor can't be restarted), so the CLI, the demo,
the distributed worker and the tests run each crawl as ``python -m scrapy crawl …`` in its own
process and read its final stats from a JSON file.

:func:`start_crawl` starts one and returns a :class:`RunningCrawl` (wait for it, or ask it to
stop); :func:`run_crawl` starts one and waits. With ``own_group`` the child gets a process group
of its own, so that a Ctrl-C at the terminal reaches only the parent, which then stops each
child once (:meth:`RunningCrawl.interrupt`): Scrapy takes a second SIGINT as a forced stop, so a
child that got the terminal's SIGINT and the parent's would not stop gracefully. With ``fork``
the child is not a new interpreter but a fork of a server that has imported a crawl's modules
already (:mod:`newscrawl.forkserver`): the same crawl, for less CPU and memory when a command
starts many.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol, TypedDict, Unpack

__all__ = [
    "CrawlOptions",
    "CrawlResult",
    "RunningCrawl",
    "crawl_command",
    "run_crawl",
    "start_crawl",
]


@dataclass
class CrawlResult:
    spider: str
    returncode: int
    seconds: float
    stats: dict[str, Any] = field(default_factory=dict)
    log: str = ""

    def stat(self, key: str, default: int = 0) -> Any:
        return self.stats.get(key, default)


def crawl_command(
    spider: str, *, base_url: str | None, feed: Path | None, settings: Mapping[str, str]
) -> list[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", spider]
    if base_url:
        command += ["-a", f"base_url={base_url}"]
    if feed is not None:
        command += ["-O", f"{feed}:jsonlines"]
    for key, value in settings.items():
        command += ["-s", f"{key}={value}"]
    return command


class ChildProcess(Protocol):
    """What :class:`RunningCrawl` needs of its child: a :class:`subprocess.Popen` or a
    :class:`newscrawl.forkserver.ForkedCrawl`."""

    @property
    def pid(self) -> int: ...

    @property
    def returncode(self) -> int | Any: ...

    def poll(self) -> int | None: ...

    def wait(self) -> int: ...

    def send_signal(self, signum: int) -> None: ...

    def kill(self) -> None: ...


class RunningCrawl:
    """A ``scrapy crawl`` child started by :func:`start_crawl`.

    A captured log (``capture_log``) is the file ``log`` in the child's stats directory.
    """

    def __init__(
        self,
        spider: str,
        process: ChildProcess,
        stats_dir: tempfile.TemporaryDirectory[str],
    ) -> None:
        self.spider = spider
        self.process = process
        self._stats_dir = stats_dir
        self._started = time.monotonic()
        #: The signals sent by :meth:`interrupt`, in order.
        self.interrupted: list[int] = []

    @property
    def pid(self) -> int:
        return self.process.pid

    def interrupt(self, signum: int = signal.SIGINT) -> None:
        """Send *signum* to the child (once per call; Scrapy: the first is a graceful stop)."""
        if self.process.poll() is None:
            self.interrupted.append(signum)
            self.process.send_signal(signum)

    def kill(self) -> None:
        """SIGKILL the child, wait for it and remove its stats directory."""
        self.process.kill()
        self.process.wait()
        self._stats_dir.cleanup()

    def wait(self) -> CrawlResult:
        """Wait for the child to end; its exit code, final stats and (if captured) output."""
        returncode = self.process.wait()
        seconds = time.monotonic() - self._started
        stats_path = Path(self._stats_dir.name) / "stats.json"
        log_path = Path(self._stats_dir.name) / "log"
        try:
            stats = json.loads(stats_path.read_text("utf-8")) if stats_path.exists() else {}
            output = log_path.read_text("utf-8", "replace") if log_path.exists() else ""
        finally:
            self._stats_dir.cleanup()
        return CrawlResult(self.spider, returncode, seconds, stats, output)


class CrawlOptions(TypedDict, total=False):
    """The options of :func:`start_crawl` and :func:`run_crawl` besides the spider's name."""

    #: the spider's ``-a base_url=`` (another copy of the site, e.g. the replica)
    base_url: str | None
    #: a JSON lines feed (``-O FILE:jsonlines``)
    feed: Path | None
    #: ``NEWSCRAWL_DATABASE_URL`` for the crawl
    database_url: str | None
    #: ``-s NAME=VALUE`` settings
    settings: Mapping[str, str] | None
    #: added to this process's environment
    env: Mapping[str, str] | None
    #: capture the child's output in :attr:`CrawlResult.log` (default True) ...
    capture_log: bool
    #: ... or write it to this open file instead
    log_file: IO[Any] | None


def start_crawl(
    spider: str, *, own_group: bool = False, fork: bool = False, **options: Unpack[CrawlOptions]
) -> RunningCrawl:
    """Start ``scrapy crawl spider`` in a child process (see :func:`run_crawl` for the options).

    With *own_group* the child leads a new process group, with *fork* it is forked from
    :mod:`newscrawl.forkserver` (see the module docstring).
    """
    merged = dict(options.get("settings") or {})
    if (database_url := options.get("database_url")) is not None:
        merged["NEWSCRAWL_DATABASE_URL"] = database_url
    stats_dir = tempfile.TemporaryDirectory(prefix="newscrawl-")
    merged["NEWSCRAWL_STATS_FILE"] = str(Path(stats_dir.name) / "stats.json")
    child_env = {
        **os.environ,
        **(options.get("env") or {}),
        "SCRAPY_SETTINGS_MODULE": "newscrawl.settings",
    }
    log_file = options.get("log_file")
    capture = options.get("capture_log", True) and log_file is None
    command = crawl_command(
        spider, base_url=options.get("base_url"), feed=options.get("feed"), settings=merged
    )
    try:
        with _output(log_file, Path(stats_dir.name) / "log" if capture else None) as output:
            process: ChildProcess
            if fork:
                from newscrawl.forkserver import fork_crawl

                out = output.fileno() if output is not None else None
                argv = ["scrapy", *command[3:]]  # without "python -m"
                process = fork_crawl(argv, child_env, stdout=out, stderr=out, own_group=own_group)
            else:
                process = subprocess.Popen(
                    command,
                    env=child_env,
                    stdout=output,
                    stderr=subprocess.STDOUT if output is not None else None,
                    process_group=0 if own_group else None,
                )
    except BaseException:
        stats_dir.cleanup()
        raise
    return RunningCrawl(spider, process, stats_dir)


@contextlib.contextmanager
def _output(log_file: IO[Any] | None, capture: Path | None) -> Iterator[IO[Any] | None]:
    """Where the child writes: *log_file*, else a new file at *capture* (closed here once the
    child has its own copy), else nowhere of ours (this process's stdout and stderr)."""
    if log_file is not None:
        log_file.flush()
        yield log_file
    elif capture is not None:
        with capture.open("wb") as file:
            yield file
    else:
        yield None


def run_crawl(spider: str, *, fork: bool = False, **options: Unpack[CrawlOptions]) -> CrawlResult:
    """Run ``scrapy crawl spider`` in a child process and return its exit code and final stats.

    The child's output (its log, and whatever it prints) is captured in :attr:`CrawlResult.log`
    with *capture_log*, written to the open *log_file* if given instead, else left on this
    process's stdout and stderr. *fork*: as :func:`start_crawl`'s.
    """
    crawl = start_crawl(spider, fork=fork, **options)
    try:
        return crawl.wait()
    except BaseException:
        # as subprocess.run does (a KeyboardInterrupt here): the child does not outlive the call
        crawl.kill()
        raise
