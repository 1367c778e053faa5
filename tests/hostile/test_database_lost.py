"""A database lost after the crawl started: ``newscrawl crawl`` says so in one line.

The hostile server holds the second article (a :class:`Gate`) until the test has taken the
database away (PostgreSQL: the database dropped; SQLite: its directory removed), so the loss
falls after the crawl opened its database and before it wrote anything. What the user reads on
the terminal is the per-site summary and one line naming the database's reason; the tracebacks
are in the crawl's log file, which the summary names.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newscrawl.cli.crawl import EXIT_ERROR
from newscrawl_replica.loopback import LOOPBACK_SETTINGS
from tests.cli.helpers import ROOT
from tests.hostile.pages import article_html, listing_html
from tests.hostile.server import Gate, HostileServer, Page
from tests.pg import create_pg_database, drop_pg_database

pytestmark = [pytest.mark.crawl, pytest.mark.db]

OPTIONS = [option for k, v in LOOPBACK_SETTINGS.items() for option in ("-s", f"{k}={v}")]
SUMMARY = re.compile(r"^hostile: exit 1, 2 articles, [0-9.]+s, log (?P<log>\S+)$")
#: What the database says once it is gone, as the writer opens it for the only batch.
REASONS = {
    "postgresql": 'database "{name}" does not exist',
    "sqlite": "no such table: articles",  # the writer finds a new, empty file in its place
}


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_a_database_lost_mid_crawl_is_one_line(
    backend: str, tmp_path: Path, sites_env: dict[str, str]
) -> None:
    gate = Gate(Page(article_html(2)))
    routes = {
        "/en/news": Page(listing_html(["/en/news/1", "/en/news/2"])),
        "/en/news/1": Page(article_html(1)),
        "/en/news/2": gate,
    }
    sqlite_dir = tmp_path / "db"
    url = create_pg_database() if backend == "postgresql" else f"sqlite:///{sqlite_dir / 'a.sqlite3'}"
    logs = tmp_path / "logs"
    try:
        with HostileServer(routes) as server:
            command = ["crawl", "hostile", "--base-url", server.url(0), "--database-url", url]
            proc = subprocess.Popen(
                [sys.executable, "-m", "newscrawl", *command, "--log-dir", str(logs), *OPTIONS],
                cwd=ROOT,
                env={**os.environ, **sites_env},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            try:
                assert gate.arrived.wait(120), "the crawl never asked for the held article"
                if backend == "postgresql":
                    drop_pg_database(url)
                else:
                    shutil.rmtree(sqlite_dir)
                gate.opened.set()
                stdout, stderr = proc.communicate(timeout=300)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
    finally:
        if backend == "postgresql":
            drop_pg_database(url)  # IF EXISTS: also when the test failed before dropping it

    assert proc.returncode == EXIT_ERROR, stderr
    (summary,) = stdout.splitlines()
    match = SUMMARY.match(summary)
    assert match, summary
    (line,) = stderr.splitlines()  # one line: no traceback, no Scrapy log
    assert line.startswith("hostile: the database refused 2 articles and 0 tombstones ("), line
    reason = REASONS[backend].format(name=url.rsplit("/", 1)[-1])
    assert reason in line
    log = (ROOT / match["log"]).read_text("utf-8")
    assert Path(match["log"]).parent.resolve() == logs.resolve()
    assert "Traceback" in log  # the details are in the crawl's log
    assert re.search(r"Could not store a batch of 2 articles and 0 tombstones.*Articles: ", log)
