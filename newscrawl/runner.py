"""Run crawls as child processes.

A Scrapy process can run a crawl only once (its reactor can't be restarted), so the CLI, the demo
and the tests run each crawl as ``python -m scrapy crawl …`` in its own process and read its final
stats from a JSON file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any


@dataclass
class CrawlResult:
    spider: str
    returncode: int
    seconds: float
    stats: dict[str, Any] = field(default_factory=dict)
    log: str = ""

    def stat(self, key: str, default: int = 0) -> Any:
        return self.stats.get(key, default)


def crawl_command(spider: str, *, base_url: str | None, feed: Path | None, settings: Mapping[str, str]) -> list[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", spider]
    if base_url:
        command += ["-a", f"base_url={base_url}"]
    if feed is not None:
        command += ["-O", f"{feed}:jsonlines"]
    for key, value in settings.items():
        command += ["-s", f"{key}={value}"]
    return command


def run_crawl(
    spider: str,
    *,
    base_url: str | None = None,
    feed: Path | None = None,
    database_url: str | None = None,
    settings: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
    capture_log: bool = True,
    log_file: IO[Any] | None = None,
) -> CrawlResult:
    """Run ``scrapy crawl spider`` in a child process and return its exit code and final stats.

    The child's output (its log, and whatever it prints) is captured in :attr:`CrawlResult.log`
    with *capture_log*, written to the open *log_file* if given instead, else left on this
    process's stdout and stderr.
    """
    merged = dict(settings or {})
    if database_url is not None:
        merged["NEWSCRAWL_DATABASE_URL"] = database_url
    with tempfile.TemporaryDirectory(prefix="newscrawl-") as tmp:
        stats_path = Path(tmp) / "stats.json"
        merged["NEWSCRAWL_STATS_FILE"] = str(stats_path)
        child_env = {**os.environ, **(env or {}), "SCRAPY_SETTINGS_MODULE": "newscrawl.settings"}
        started = time.monotonic()
        capture = capture_log and log_file is None
        completed = subprocess.run(
            crawl_command(spider, base_url=base_url, feed=feed, settings=merged),
            env=child_env,
            stdout=log_file if log_file is not None else subprocess.PIPE if capture else None,
            stderr=subprocess.STDOUT if log_file is not None or capture else None,
            text=True,
            check=False,
        )
        seconds = time.monotonic() - started
        stats = json.loads(stats_path.read_text("utf-8")) if stats_path.exists() else {}
    return CrawlResult(spider, completed.returncode, seconds, stats, completed.stdout or "")
