"""A bad profile or setting stops a crawl at start with a message naming file/key and problem."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from scrapy.utils.test import get_crawler

from newscrawl import runner
from newscrawl.middlewares import ContactUserAgentMiddleware
from tests.helpers import run_crawl

pytestmark = pytest.mark.crawl

UNREACHABLE = "http://127.0.0.1:9"  # nothing is fetched: every case fails before the first request


def test_broken_profile_in_sites_dir_stops_its_own_crawl(tmp_path):
    (tmp_path / "broken.toml").write_text('name = "broken"\nsite = "x"\n', encoding="utf-8")
    result = run_crawl("broken", base_url=UNREACHABLE, database_url="", env={"NEWSCRAWL_SITES_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert f"{tmp_path / 'broken.toml'}: key 'timezone': is required" in result.log
    assert "Traceback" not in result.log


def test_broken_profile_disables_only_itself(tmp_path):
    (tmp_path / "broken.toml").write_text('name = "broken"\nsite = "x"\n', encoding="utf-8")
    listed = subprocess.run(
        [sys.executable, "-m", "scrapy", "list"],
        env={**os.environ, "NEWSCRAWL_SITES_DIR": str(tmp_path), "SCRAPY_SETTINGS_MODULE": "newscrawl.settings"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert listed.returncode == 0
    assert listed.stdout.split() == ["ict_en", "ict_fa", "moic_dr", "msrt_en"]
    assert f"ERROR: profile 'broken' disabled: {tmp_path / 'broken.toml'}: key 'timezone': is required" in listed.stderr


def test_bad_batch_size_names_the_setting(tmp_path):
    db = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    result = run_crawl("ict_en", base_url=UNREACHABLE, database_url=db, settings={"NEWSCRAWL_DB_BATCH_SIZE": "0"})
    assert result.returncode != 0
    assert "NEWSCRAWL_DB_BATCH_SIZE must be at least 1, not 0" in result.log


def test_bad_database_url_names_the_setting():
    result = run_crawl("ict_en", base_url=UNREACHABLE, database_url="nosuchdialect://x")
    assert result.returncode != 0
    assert "NEWSCRAWL_DATABASE_URL" in result.log
    assert "articles" not in result.stats.get("finish_reason", "")


def test_bad_base_url_is_refused():
    result = run_crawl("ict_en", base_url="ftp://example.org", database_url="")
    assert result.returncode == 2  # a usage error, before the crawl starts
    assert "argument -a base_url: 'ftp://example.org' is not an http(s) URL" in result.log


def test_user_agent_names_the_contact():
    crawler = get_crawler(settings_dict={"USER_AGENT": "newscrawl/1 (contact: {contact})", "NEWSCRAWL_CONTACT": "pr@example.org"})
    assert ContactUserAgentMiddleware.from_crawler(crawler).user_agent == "newscrawl/1 (contact: pr@example.org)"
    crawler = get_crawler(settings_dict={"USER_AGENT": "newscrawl/1 (contact: {contact})", "NEWSCRAWL_CONTACT": " "})
    with pytest.raises(ValueError, match="NEWSCRAWL_CONTACT is empty"):
        ContactUserAgentMiddleware.from_crawler(crawler)


def test_negative_extract_processes_names_the_setting():
    result = run_crawl("ict_en", base_url=UNREACHABLE, database_url="", settings={"NEWSCRAWL_EXTRACT_PROCESSES": "-1"})
    assert result.returncode != 0
    assert "setting NEWSCRAWL_EXTRACT_PROCESSES must be 0 or more, not -1" in result.log


def test_bad_worker_niceness_names_the_setting():
    result = run_crawl("ict_en", base_url=UNREACHABLE, database_url="", settings={"NEWSCRAWL_WORKER_NICENESS": "99"})
    assert result.returncode != 0
    assert "setting NEWSCRAWL_WORKER_NICENESS must be a whole number from 0 to 19, not '99'" in result.log


@pytest.mark.parametrize(
    ("setting", "others"),
    [("NEWSCRAWL_EXTRACT_PROCESSES", {}), ("NEWSCRAWL_DB_WRITER_PROCESS", {"NEWSCRAWL_EXTRACT_PROCESSES": "0"})],
)
# fork: a forked crawl (which ends by os._exit) must log the refusal as a fresh process does
@pytest.mark.parametrize("fork", [False, True], ids=["process", "forked"])
def test_worker_processes_need_the_asyncio_reactor(tmp_path, setting, others, fork):
    db = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    result = runner.run_crawl(
        "ict_en",
        fork=fork,
        base_url=UNREACHABLE,
        database_url=db,
        settings={"TWISTED_REACTOR": "twisted.internet.epollreactor.EPollReactor", **others},
    )
    assert result.returncode != 0
    assert f"setting {setting}: worker processes need Scrapy's asyncio reactor" in result.log


@pytest.mark.parametrize(
    ("value", "problem"),
    [("-1", "not -1.0"), ("six", "not 'six'"), ("nan", "not nan")],
)
def test_bad_tombstone_interval_names_the_setting(tmp_path, value, problem):
    db = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    result = run_crawl(
        "ict_en", base_url=UNREACHABLE, database_url=db, settings={"NEWSCRAWL_TOMBSTONE_MIN_INTERVAL": value}
    )
    assert result.returncode != 0
    assert f"setting NEWSCRAWL_TOMBSTONE_MIN_INTERVAL must be a number of hours, 0 or more, {problem}" in result.log
