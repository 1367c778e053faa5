"""A user's mistake is one line on stderr and exit 2 (usage), never a traceback."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.helpers import ROOT, assert_usage_error, error_lines, newscrawl, scrapy

PAGES = ROOT / "tests" / "fixtures" / "pages"
PAGE = PAGES / "ict_en" / "27012.html"
PAGE_URL = "https://www.ict.gov.ir/en/news/27012/Iran-Azerbaijan-aim-for-ICT-Cooperation"
KNOWN = ("ict_en", "ict_fa", "moic_dr", "msrt_en")


def test_scrapy_crawl_of_an_unknown_spider_is_a_usage_error() -> None:
    result = scrapy("crawl", "nosuch")
    line = assert_usage_error(result, "scrapy", "'nosuch'", *KNOWN)
    assert line.startswith("scrapy: error: unknown spider 'nosuch'")


def test_newscrawl_crawl_of_an_unknown_site() -> None:
    line = assert_usage_error(newscrawl("crawl", "nosuch"), "newscrawl crawl", "'nosuch'", *KNOWN)
    assert "www.ict.gov.ir" in line  # the domains are accepted too, so they are listed


@pytest.mark.parametrize(
    "argv",
    [
        ["extract", "--tz", "Nowhere/City", str(PAGE)],
        ["dates", "--tz", "Nowhere/City"],
    ],
)
def test_an_unknown_time_zone(argv: list[str]) -> None:
    assert_usage_error(newscrawl(*argv), f"newscrawl {argv[0]}", "'Nowhere/City'")


@pytest.mark.parametrize(
    "argv",
    [
        ["crawl", "ict_en", "--base-url", "127.0.0.1:8400"],
        ["extract", "--url", "127.0.0.1:8400", str(PAGE)],
    ],
)
def test_a_url_without_a_scheme(argv: list[str]) -> None:
    assert_usage_error(newscrawl(*argv), f"newscrawl {argv[0]}", "'127.0.0.1:8400'", "http")


@pytest.mark.parametrize("value", ["127.0.0.1:8400", "ftp://127.0.0.1:8400", "http://"])
def test_scrapy_crawl_base_url_without_a_scheme(value: str, tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    result = scrapy("crawl", "ict_en", "-a", f"base_url={value}", "-O", str(feed))
    line = assert_usage_error(result, "scrapy", "-a base_url", repr(value), "http")
    # the words of `newscrawl crawl --base-url`
    ours = error_lines(newscrawl("crawl", "ict_en", "--base-url", value).stderr, "newscrawl crawl")
    assert line.removeprefix("scrapy: error: argument -a base_url") == ours[0].removeprefix(
        "newscrawl crawl: error: argument --base-url"
    )
    assert "Spider opened" not in result.stderr  # refused before the crawl started
    assert not feed.exists()


@pytest.mark.parametrize("command_name", ["demo", "replica", "reextract", "runs"])
def test_an_unknown_site_option(command_name: str, tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    extra = []
    if command_name in ("reextract", "runs"):
        assert newscrawl("db", "upgrade", "--database-url", database).returncode == 0
        extra = ["--database-url", database]
    result = newscrawl(command_name, "--site", "nosuch", *extra)
    assert_usage_error(result, f"newscrawl {command_name}", "'nosuch'", *KNOWN)


def test_a_shared_domain_where_one_profile_is_needed() -> None:
    result = newscrawl("crawl", "www.ict.gov.ir", "--base-url", "http://127.0.0.1:9")
    assert_usage_error(result, "newscrawl crawl", "ict_en", "ict_fa", "one profile name")
    result = newscrawl("extract", "--profile", "ict.gov.ir", str(PAGE))
    assert_usage_error(result, "newscrawl extract", "ict_en", "ict_fa")


def test_extract_profile_by_domain() -> None:
    """A domain that one profile serves is that profile (msrt.ir is msrt_en only)."""
    page = PAGES / "msrt_en" / "46597.html"
    url = "https://www.msrt.ir/en/news/46597"
    by_name = newscrawl("extract", "--profile", "msrt_en", "--url", url, str(page))
    by_domain = newscrawl("extract", "--profile", "WWW.MSRT.IR", "--url", url, str(page))
    generic = newscrawl("extract", "--url", url, str(page))
    assert by_name.returncode == by_domain.returncode == 0, by_domain.stderr
    same = [json.loads(r.stdout) for r in (by_name, by_domain, generic)]
    for record in same:
        record.pop("fetched_at")
    assert same[0] == same[1]
    assert same[0] != same[2]


@pytest.fixture
def broken_sites_dir(tmp_path: Path) -> Path:
    """A sites directory with a profile whose ``timezone`` is not a zone."""
    directory = tmp_path / "sites"
    directory.mkdir()
    source = (ROOT / "newscrawl" / "profiles" / "msrt_en.toml").read_text("utf-8")
    lines = [
        'name = "broken"' if line.startswith("name =") else line for line in source.splitlines()
    ]
    lines = [
        'timezone = "Nowhere/City"' if line.startswith("timezone =") else line for line in lines
    ]
    (directory / "broken.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


@pytest.mark.parametrize(
    "argv",
    [
        ["crawl", "broken"],
        ["extract", "--profile", "broken", str(PAGE)],
        ["demo", "--site", "broken"],
    ],
)
def test_a_broken_profile_is_one_line(broken_sites_dir: Path, argv: list[str]) -> None:
    result = newscrawl(*argv, env={"NEWSCRAWL_SITES_DIR": str(broken_sites_dir)})
    # Whether the loader stops at the broken file or disables that profile, the user reads one
    # line that names it, and nothing is crawled.
    assert_usage_error(result, f"newscrawl {argv[0]}", "broken")


def test_extract_into_a_closed_pipe_ends_quietly() -> None:
    # Enough records that the child is still writing when the reader goes away (a pipe holds
    # 64 KiB; each record holds the article's body).
    files = [str(PAGE)] * 300
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "newscrawl",
            "extract",
            "--profile",
            "ict_en",
            "--url",
            PAGE_URL,
            *files,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        proc.stdout.close()  # `| head -1`
        stderr = proc.stderr.read()
        code = proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert '"source_id": "27012"' in first
    assert stderr == ""
    assert code == 1


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port that refuses connections: bound, never listening."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def test_a_crawl_that_cannot_reach_its_database_says_so_in_one_line(closed_port: int) -> None:
    url = f"postgresql+psycopg://root:s3cret@127.0.0.1:{closed_port}/newscrawl"
    result = newscrawl("crawl", "ict_en", "--database-url", url, "--base-url", "http://127.0.0.1:9")
    assert result.returncode == 1
    assert result.stdout == ""
    assert "s3cret" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    (line,) = error_lines(result.stderr, "newscrawl crawl")
    assert f"root:***@127.0.0.1:{closed_port}/newscrawl" in line
    assert "Connection refused" in line


def test_the_database_set_with_s_is_checked_too(closed_port: int) -> None:
    url = f"postgresql+psycopg://root@127.0.0.1:{closed_port}/newscrawl"
    result = newscrawl(
        "crawl", "--all", "-s", f"NEWSCRAWL_DATABASE_URL={url}", "--base-url", "http://127.0.0.1:9"
    )
    # --all with --base-url is refused first; without --base-url every site would be crawled
    assert result.returncode == 2
    result = newscrawl("crawl", "ict_en", "-s", f"NEWSCRAWL_DATABASE_URL={url}",
                       "--base-url", "http://127.0.0.1:9")  # fmt: skip
    assert result.returncode == 1
    assert f"127.0.0.1:{closed_port}" in error_lines(result.stderr, "newscrawl crawl")[0]
