"""WARC output: ``newscrawl export --format warc``, ``WarcWriter`` and the crawl's ``WarcPipeline``.

The files are checked with warcio's own command line (``warcio check`` verifies every record's
digests, ``warcio index`` lists the records) run as a subprocess from the virtualenv, and read
back with warcio's ``ArchiveIterator``.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy import Spider
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

from newscrawl import settings as project_settings
from newscrawl.export.warc import WarcWriter, parse_size, warc_prefix
from newscrawl.items import EXPORT_FIELDS, Article, RawCapture
from newscrawl.pipelines.warc import WarcPipeline
from tests.export.export_helpers import assert_valid, run_cli

WARCIO = Path(sys.executable).with_name("warcio")


def warcio(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(WARCIO), *argv], capture_output=True, text=True, timeout=120, check=False
    )


def check(*paths: Path) -> None:
    result = warcio("check", "-v", *map(str, paths))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "digest pass" in result.stdout


def index(path: Path) -> list[dict[str, str]]:
    fields = "warc-type,warc-record-id,warc-concurrent-to,warc-target-uri,warc-date,content-type,http:status"
    result = warcio("index", "-f", fields, str(path))
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def read_records(path: Path) -> list[tuple[str, dict[str, str], dict[str, str] | None, bytes]]:
    """(type, WARC headers, HTTP headers, payload) of every record."""
    out = []
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream):
            http = dict(record.http_headers.headers) if record.http_headers else None
            out.append(
                (
                    record.rec_type,
                    dict(record.rec_headers.headers),
                    http,
                    record.content_stream().read(),
                )
            )
    return out


def assert_pairs(entries: list[dict[str, str]], articles: int) -> None:
    """One warcinfo first, then per article a response and a metadata record pointing at it."""
    assert entries[0]["warc-type"] == "warcinfo"
    responses = {e["warc-record-id"]: e for e in entries if e["warc-type"] == "response"}
    metadata = [e for e in entries if e["warc-type"] == "metadata"]
    assert len(responses) == len(metadata) == articles
    assert len(entries) == 1 + 2 * articles
    assert [e["warc-concurrent-to"] for e in metadata] == list(responses)
    for meta in metadata:
        response = responses[meta["warc-concurrent-to"]]
        assert meta["warc-target-uri"] == response["warc-target-uri"]
        assert meta["warc-date"] == response["warc-date"]
        assert meta["content-type"] == "application/json"
        assert response["content-type"] == "application/http; msgtype=response"
        assert response["http:status"] == "200"


@pytest.mark.db
def test_export_writes_valid_warc(db_url, tmp_path, archive):
    assert run_cli("--database-url", db_url, "--format", "warc", "--output", str(tmp_path)) == 0

    [path] = sorted(tmp_path.glob("*.warc.gz"))
    assert path.name.startswith("newscrawl-") and path.name.endswith("-00000.warc.gz")
    check(path)
    entries = index(path)
    assert_pairs(entries, 5)
    records = read_records(path)
    responses = [r for r in records if r[0] == "response"]
    metadata = [r for r in records if r[0] == "metadata"]
    for n, ((_, warc, http, body), (_, _, _, payload)) in enumerate(
        zip(responses, metadata, strict=True), start=1
    ):
        record = json.loads(payload)
        assert_valid(record)
        assert record["source_id"] == str(n)
        assert warc["WARC-Target-URI"] == record["url"]
        assert warc["WARC-Date"] == record["fetched_at"] == f"2024-03-0{n}T10:00:00Z"
        # The decoded body, with headers that describe it.
        assert body.startswith(b"<!doctype html>") and f"Paragraph {n}.".encode() in body
        assert http is not None
        assert http["Content-Length"] == str(len(body))
        assert "Content-Encoding" not in http
        assert http["X-Archive-Orig-Content-Encoding"] == "gzip"
        assert http["Content-Type"] == "text/html; charset=utf-8"
    # Each record is its own gzip member: the file is a concatenation of 11 members.
    assert gzip.decompress(path.read_bytes()).count(b"WARC/1.1\r\n") == 11


@pytest.mark.db
def test_rolls_over_at_the_size_limit(db_url, tmp_path, archive):
    prefix = tmp_path / "warc" / "ministries"
    argv = ["--database-url", db_url, "--format", "warc", "--output", str(prefix)]
    assert run_cli(*argv, "--warc-max-size", "2K") == 0

    paths = sorted(prefix.parent.glob("ministries-*.warc.gz"))
    assert [p.name for p in paths][:2] == ["ministries-00000.warc.gz", "ministries-00001.warc.gz"]
    assert len(paths) >= 2
    check(*paths)
    total = 0
    for path in paths:
        entries = index(path)
        assert entries[0]["warc-type"] == "warcinfo"
        assert_pairs(entries, (len(entries) - 1) // 2)
        total += (len(entries) - 1) // 2
    assert total == 5

    # A limit of one byte: one article per file. Existing files are never overwritten.
    assert run_cli(*argv, "--warc-max-size", "1") == 0
    again = sorted(prefix.parent.glob("ministries-*.warc.gz"))
    assert len(again) == len(paths) + 5
    assert again[: len(paths)] == paths
    for path in again[len(paths) :]:
        check(path)
        assert_pairs(index(path), 1)


@pytest.mark.db
def test_consumer_export_to_warc(db_url, tmp_path, archive):
    prefix = tmp_path / "delivery"
    argv = [
        "--database-url",
        db_url,
        "--format",
        "warc",
        "--consumer",
        "ia",
        "--output",
        str(prefix),
    ]
    assert run_cli(*argv, "--batch-size", "2") == 0
    assert run_cli(*argv) == 0  # nothing new: no file

    [path] = list(tmp_path.glob("delivery-*.warc.gz"))
    check(path)
    assert_pairs(index(path), 5)


def test_article_without_capture_gets_a_metadata_record_only(tmp_path):
    record = dict.fromkeys(EXPORT_FIELDS)
    record.update(url="https://www.mfa.gov.ir/en/news/1", fetched_at="2024-03-01T10:00:00Z")
    with WarcWriter(tmp_path / "x") as writer:
        writer.write_article(record, None)

    [path] = writer.paths
    check(path)
    types = [(e["warc-type"], e.get("warc-concurrent-to")) for e in index(path)]
    assert types == [("warcinfo", None), ("metadata", None)]


def test_writer_makes_no_file_for_nothing(tmp_path):
    with WarcWriter(tmp_path / "x") as writer:
        pass
    assert writer.paths == []
    assert list(tmp_path.iterdir()) == []


def test_sizes_and_prefixes(tmp_path):
    assert parse_size("1G") == 1024**3
    assert parse_size("500M") == 500 * 1024**2
    assert parse_size("64KiB") == 64 * 1024
    assert parse_size("123") == 123
    with pytest.raises(ValueError, match="not a size"):
        parse_size("1.5G")
    assert warc_prefix(tmp_path / "a" / "b") == tmp_path / "a" / "b"
    assert warc_prefix(tmp_path).parent == tmp_path
    assert warc_prefix(tmp_path).name.startswith("newscrawl-")


# -- the crawl's pipeline -------------------------------------------------------------------------


def crawler_with(settings):
    crawler = get_crawler(Spider, settings)
    crawler.spider = Spider.from_crawler(crawler, name="ict_en")
    return crawler


def item(n: int, capture: bool = True) -> Article:
    url = f"https://www.ict.gov.ir/en/news/{n}/Slug"
    return Article(
        url=url,
        canonical_url=f"https://www.ict.gov.ir/en/news/{n}",
        site="ict.gov.ir",
        lang="en",
        source_id=str(n),
        title=f"Title {n}",
        body="Body.",
        published_at="2017-12-05T21:27:00+03:30",
        published_at_utc="2017-12-05T17:57:00Z",
        fetched_at="2024-03-01T10:00:00Z",
        content_hash="0" * 64,
        capture=RawCapture(
            url=url,
            status=200,
            headers={"Content-Type": "text/html", "Transfer-Encoding": "chunked"},
            body=f"<html><h1>Title {n}</h1></html>".encode(),
        )
        if capture
        else None,
    )


def test_pipeline_is_wired_but_off_without_a_directory():
    assert "newscrawl.pipelines.warc.WarcPipeline" in project_settings.ITEM_PIPELINES
    with pytest.raises(NotConfigured, match="NEWSCRAWL_WARC_DIR"):
        WarcPipeline.from_crawler(crawler_with({"NEWSCRAWL_WARC_DIR": ""}))


def test_pipeline_writes_the_crawl_as_it_goes(tmp_path):
    crawler = crawler_with(
        {"NEWSCRAWL_WARC_DIR": str(tmp_path / "warc"), "NEWSCRAWL_WARC_MAX_SIZE": "1"}
    )
    pipeline = WarcPipeline.from_crawler(crawler)
    pipeline.open_spider()
    items = [item(1), item(2, capture=False), item(3)]
    assert [pipeline.process_item(i) for i in items] == items
    pipeline.close_spider()

    paths = sorted((tmp_path / "warc").glob("ict_en-*.warc.gz"))
    assert len(paths) == 2  # a one-byte limit: one article per file
    check(*paths)
    for path, source_id in zip(paths, ("1", "3"), strict=True):
        assert_pairs(index(path), 1)
        [(_, _, http, _), (_, _, _, payload)] = [
            r for r in read_records(path) if r[0] != "warcinfo"
        ]
        fields = json.loads(payload)
        assert list(fields) == list(EXPORT_FIELDS)
        assert fields["source_id"] == source_id
        assert http is not None and http["X-Archive-Orig-Transfer-Encoding"] == "chunked"
    stats = crawler.stats.get_stats()
    assert stats["newscrawl/warc/articles"] == 2
    assert stats["newscrawl/warc/no_capture"] == 1
    assert stats["newscrawl/warc/files"] == 2
