"""``newscrawl crawl``: the settings every crawl of the command gets (``crawl_settings``)."""

from __future__ import annotations

from newscrawl.cli.crawl import crawl_settings

IN_PROCESS = {"NEWSCRAWL_EXTRACT_PROCESSES": "0", "NEWSCRAWL_DB_WRITER_PROCESS": "False"}


def test_several_sites_at_once_extract_and_write_in_each_crawls_process() -> None:
    assert crawl_settings({}, sites=8, parallel=4) == IN_PROCESS
    assert crawl_settings({"DOWNLOAD_DELAY": "2"}, sites=2, parallel=32) == {
        **IN_PROCESS,
        "DOWNLOAD_DELAY": "2",
    }


def test_one_crawl_at_a_time_keeps_the_worker_processes() -> None:
    assert crawl_settings({}, sites=1, parallel=8) == {}  # one site, however many slots
    assert crawl_settings({}, sites=8, parallel=1) == {}  # one after another
    assert crawl_settings({"DOWNLOAD_DELAY": "2"}, sites=1, parallel=1) == {"DOWNLOAD_DELAY": "2"}


def test_the_users_settings_win() -> None:
    given = {"NEWSCRAWL_EXTRACT_PROCESSES": "2"}
    assert crawl_settings(given, sites=8, parallel=4) == {
        "NEWSCRAWL_EXTRACT_PROCESSES": "2",
        "NEWSCRAWL_DB_WRITER_PROCESS": "False",
    }
    assert given == {"NEWSCRAWL_EXTRACT_PROCESSES": "2"}  # not changed in place
