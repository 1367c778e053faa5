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
from typing import Any


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
) -> CrawlResult:
    """Run ``scrapy crawl spider`` in a child process and return its exit code and final stats."""
    merged = dict(settings or {})
    if database_url is not None:
        merged["NEWSCRAWL_DATABASE_URL"] = database_url
    with tempfile.TemporaryDirectory(prefix="newscrawl-") as tmp:
        stats_path = Path(tmp) / "stats.json"
        merged["NEWSCRAWL_STATS_FILE"] = str(stats_path)
        child_env = {**os.environ, **(env or {}), "SCRAPY_SETTINGS_MODULE": "newscrawl.settings"}
        started = time.monotonic()
        completed = subprocess.run(
            crawl_command(spider, base_url=base_url, feed=feed, settings=merged),
            env=child_env,
            stdout=subprocess.PIPE if capture_log else None,
            stderr=subprocess.STDOUT if capture_log else None,
            text=True,
            check=False,
        )
        seconds = time.monotonic() - started
        stats = json.loads(stats_path.read_text("utf-8")) if stats_path.exists() else {}
    return CrawlResult(spider, completed.returncode, seconds, stats, completed.stdout or "")
