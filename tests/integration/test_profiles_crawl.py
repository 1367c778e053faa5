"""Every shipped profile crawled end to end over loopback, plus a profile added without Python.

Expectations come from the replica generator's ground truth (title, paragraphs, the wall-clock
time each date line was written from); offsets are computed here with zoneinfo.
"""

from __future__ import annotations

import json
import re
from zoneinfo import ZoneInfo

import pytest

from newscrawl.profiles import load_profiles
from newscrawl_replica.generate import generate_site
from newscrawl_replica.loopback import LOOPBACK_SETTINGS
from newscrawl_replica.model import ArticleSpec
from newscrawl_replica.process import ReplicaProcess
from tests.helpers import run_crawl

pytestmark = pytest.mark.crawl

ARTICLES = 60
SITES = ["ict_en", "ict_fa", "msrt_en", "moic_dr"]
# Boilerplate of each replica site that must never reach a record.
BOILERPLATE = {
    "ict_en": ["Sender name is required", "Characters left", "Share:", "Related news", "Read more"],
    "ict_fa": ["نام فرستنده الزامی است", "تعداد کاراکتر باقیمانده", "اشتراک‌گذاری", "بیشتر بخوانید", "اخبار مرتبط"],
    "msrt_en": ["Please enter your name", "Share:", "Most visited", "Code :", "Print"],
    "moic_dr": ["نام الزامی است", "ایمیل الزامی است", "آخرین اخبار"],
}


# Arabic yeh/kaf become their Persian forms in the archive.
PERSIAN_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک"})


def expected_published_at(spec: ArticleSpec, zone: str) -> str | None:
    if spec.date_raw is None:
        return None
    return spec.local_time.replace(tzinfo=ZoneInfo(zone)).isoformat()


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


@pytest.fixture(scope="module")
def crawls(tmp_path_factory):
    """Crawl each shipped replica site once (no database) and keep the exported records."""
    directory = tmp_path_factory.mktemp("profiles")
    out = {}
    with ReplicaProcess(articles=ARTICLES, sites=SITES) as replica:
        for site in SITES:
            feed = directory / f"{site}.jsonl"
            result = run_crawl(site, base_url=replica.urls[site], feed=feed, database_url="", settings=LOOPBACK_SETTINGS)
            assert result.returncode == 0, result.log[-3000:]
            records = [json.loads(line) for line in feed.read_text("utf-8").splitlines()]
            out[site] = (result, {r["source_id"]: r for r in records}, replica.comment_hits(site))
    return out


@pytest.mark.parametrize("site", SITES)
def test_site_records_match_ground_truth(crawls, site):
    result, records, comment_hits = crawls[site]
    truth = generate_site(site, ARTICLES, 0)
    profile = load_profiles()[site]
    expected = [a for a in truth.articles if not {"gone", "empty_body"} & set(a.flags)]
    assert sorted(records) == sorted(str(a.id) for a in expected)
    assert comment_hits == 0
    for spec in expected:
        record = records[str(spec.id)]
        assert record["site"] == profile.site and record["lang"] == profile.lang
        assert record["title"] == spec.title.translate(PERSIAN_LETTERS)
        assert record["published_at"] == expected_published_at(spec, truth.tz), spec.date_raw
        body_words = words(record["body"])
        assert body_words[:5] == words(spec.paragraphs[0].translate(PERSIAN_LETTERS))[:5]
        assert body_words[-5:] == words(spec.paragraphs[-1].translate(PERSIAN_LETTERS))[-5:]
        assert record["body"].split("\n\n") == [p.translate(PERSIAN_LETTERS) for p in spec.paragraphs]
        text = json.dumps(record, ensure_ascii=False)
        for phrase in BOILERPLATE[site]:
            assert phrase not in text, (spec.id, phrase)
    assert result.stat("newscrawl/extract/failed") == 0


def test_ict_fa_encodings_and_letters(crawls):
    _, records, _ = crawls["ict_fa"]
    truth = generate_site("ict_fa", ARTICLES, 0)
    for spec in truth.articles:
        if spec.encoding or {"arabic_letters", "rlm", "mixed_digits"} & set(spec.flags):
            record = records[str(spec.id)]
            assert record["title"] == spec.title.translate(PERSIAN_LETTERS), spec.encoding
            assert record["published_at"] == expected_published_at(spec, truth.tz), spec.date_raw
            assert "\u200f" not in record["body"] and "ي" not in record["body"]
    assert {a.encoding for a in truth.articles} >= {"cp1256_meta_only", "utf8_bom", "wrong_header_charset"}


def test_alternate_language_versions_are_recorded(crawls):
    _, records, _ = crawls["ict_fa"]
    truth = generate_site("ict_fa", ARTICLES, 0)
    paired = [a for a in truth.articles if a.alternate and str(a.id) in records]
    assert paired
    for spec in paired:
        lang, path = spec.alternate
        assert records[str(spec.id)]["alternates"][lang].endswith(path)


def test_moic_date_is_the_articles_not_todays(crawls):
    _, records, _ = crawls["moic_dr"]
    # Kabul is +04:30 all year; the header's "today" (1405) must never be taken.
    dated = [r for r in records.values() if r["published_at"]]
    assert dated and all(r["published_at"].endswith("+04:30") for r in dated)
    assert not any(r["published_at"].startswith("2026-11") for r in dated)


NEW_PROFILE = """
name = "ministry_custom"
site = "custom.example"
lang = "en"
timezone = "Asia/Tehran"
base_url = "https://custom.example"

[article]
url_patterns = ['^/en/news/(?P<id>\\d+)(?:/[^/]*)?/?$']
canonical_path = "/en/news/{id}"

[discovery]
sitemaps = ["/sitemap.xml"]

[selectors]
title = "div.article-view h1"
body = "div.article-view div.content"
date = "div.article-view div.date-info"
drop = [".share-box"]

[dates]
pattern = '\\d{1,2} \\w+ \\d{4} \\| \\d{1,2}:\\d{2}'
"""


def test_new_profile_in_sites_dir_crawls_without_python(tmp_path):
    sites = tmp_path / "sites"
    sites.mkdir()
    (sites / "custom.toml").write_text(NEW_PROFILE, encoding="utf-8")
    truth = generate_site("msrt_en", 30, 0)
    feed = tmp_path / "custom.jsonl"
    with ReplicaProcess(articles=30, sites=["msrt_en"]) as replica:
        result = run_crawl(
            "ministry_custom",
            base_url=replica.urls["msrt_en"],
            feed=feed,
            database_url="",
            settings=LOOPBACK_SETTINGS,
            env={"NEWSCRAWL_SITES_DIR": str(sites)},
        )
    assert result.returncode == 0, result.log[-3000:]
    # The index, the news sitemap and the gzipped article sitemap (the only one listing undated articles).
    assert result.stat("newscrawl/sitemap/pages") == 3 and result.stat("newscrawl/sitemap/gzipped") == 1
    records = {r["source_id"]: r for r in map(json.loads, feed.read_text("utf-8").splitlines())}
    expected = [a for a in truth.articles if not {"gone", "empty_body"} & set(a.flags)]
    assert sorted(records) == sorted(str(a.id) for a in expected)
    for spec in expected:
        record = records[str(spec.id)]
        assert record["site"] == "custom.example"
        assert record["title"] == spec.title
        assert record["body"].split("\n\n") == spec.paragraphs
        assert record["published_at"] == expected_published_at(spec, "Asia/Tehran")


FALLBACK_PROFILE = """
name = "ict_en_fallback"
site = "ict.gov.ir"
lang = "en"
timezone = "Asia/Tehran"
base_url = "https://www.ict.gov.ir"

[article]
url_patterns = ['^/en/news/(?P<id>\\d+)(?:/[^/]*)?/?$']
canonical_path = "/en/news/{id}"

[discovery]
strategy = "fallback"
listings = ["/en/archive"]      # wrong: the live listing URL is not known
feeds = ["/en/news/rss"]
sitemaps = ["/sitemap.xml"]

[selectors]
title = "article.news-item h1.news-title"
body = "article.news-item .news-body"
date = "article.news-item .news-date"
drop = [".share-links", ".inline-related"]
"""


def test_fallback_strategy_moves_to_the_feed_when_the_listing_finds_nothing(tmp_path):
    sites = tmp_path / "sites"
    sites.mkdir()
    (sites / "fallback.toml").write_text(FALLBACK_PROFILE, encoding="utf-8")
    feed = tmp_path / "fallback.jsonl"
    with ReplicaProcess(articles=80, sites=["ict_en"]) as replica:
        result = run_crawl("ict_en_fallback", base_url=replica.urls["ict_en"], feed=feed, database_url="",
                           settings=LOOPBACK_SETTINGS, env={"NEWSCRAWL_SITES_DIR": str(sites)})
        log = replica.log("ict_en")
    assert result.returncode == 0, result.log[-3000:]
    assert result.stat("newscrawl/discovery/listing") == 1
    assert result.stat("newscrawl/discovery/feed") == 1
    assert result.stat("newscrawl/discovery/sitemap") == 0  # the feed found articles: no further fallback
    assert not any(entry["path"].startswith("/sitemap") for entry in log)
    records = feed.read_text("utf-8").splitlines()
    assert 45 <= len(records) <= 50  # the feed's 50 newest, less the 404 and the empty one
