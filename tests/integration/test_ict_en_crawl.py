"""End to end: the real ict_en spider and pipelines crawl the replica over loopback.

Expected values come from the replica's generator (the ground truth the server renders) and the
golden record in tests/fixtures/golden, never from the extraction code; offsets are computed here
with zoneinfo.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from newscrawl.db.models import Article, Revision
from newscrawl.db.session import make_engine, make_sessionmaker
from newscrawl.runner import CrawlResult
from newscrawl_replica.generate import generate_site
from newscrawl_replica.loopback import LOOPBACK_SETTINGS
from newscrawl_replica.process import ReplicaProcess
from tests.helpers import BACKENDS, fresh_database, run_crawl

pytestmark = pytest.mark.crawl

ARTICLES = 200
TEHRAN = ZoneInfo("Asia/Tehran")
SITE = generate_site("ict_en", ARTICLES, 0)


def expected_offset(date_raw: str) -> str:
    """The UTC offset of a Tehran wall-clock time, computed independently with zoneinfo."""
    local = datetime.strptime(date_raw, "%b %d, %Y %H:%M").replace(tzinfo=TEHRAN)
    return local.isoformat()[-6:]


def flagged(flag: str) -> list:
    return [a for a in SITE.articles if flag in a.flags]


STORED = [a for a in SITE.articles if not {"gone", "empty_body"} & set(a.flags)]


def crawl(replica: ReplicaProcess, db_url: str, feed: Path) -> CrawlResult:
    result = run_crawl("ict_en", base_url=replica.urls["ict_en"], feed=feed, database_url=db_url, settings=LOOPBACK_SETTINGS)
    assert result.returncode == 0, result.log[-3000:]
    return result


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


@pytest.fixture(scope="module", params=BACKENDS)
def crawled(request, tmp_path_factory):
    """A fresh replica crawled once into a fresh database: (replica, result, records, db_url)."""
    directory = tmp_path_factory.mktemp(request.param)
    with ReplicaProcess(articles=ARTICLES, sites=["ict_en"]) as replica, fresh_database(request.param, directory) as db:
        feed = directory / "first.jsonl"
        result = crawl(replica, db, feed)
        yield replica, result, read_jsonl(feed), db


def row_count(db_url: str) -> tuple[int, int]:
    engine = make_engine(db_url)
    try:
        with make_sessionmaker(engine)() as session:
            articles = session.scalar(select(func.count()).select_from(Article))
            revisions = session.scalar(select(func.count()).select_from(Revision))
            return int(articles or 0), int(revisions or 0)
    finally:
        engine.dispose()


def test_every_article_once_and_second_crawl_changes_nothing(crawled, tmp_path):
    replica, result, records, db_url = crawled
    ids = [r["source_id"] for r in records]
    assert len(ids) == len(set(ids)), "an article was exported twice"
    assert sorted(ids) == sorted(str(a.id) for a in STORED)
    assert row_count(db_url) == (len(STORED), len(STORED))
    assert result.stat("newscrawl/persist/new") == len(STORED)

    second = crawl(replica, db_url, tmp_path / "second.jsonl")
    assert row_count(db_url) == (len(STORED), len(STORED))
    assert second.stat("newscrawl/persist/unchanged") == len(STORED)
    assert second.stat("newscrawl/persist/new") == 0


def test_golden_seed_article(crawled, golden):
    _, _, records, _ = crawled
    (record,) = [r for r in records if r["source_id"] == golden["source_id"]]
    assert record["title"] == golden["title"]
    assert record["site"] == golden["site"] and record["lang"] == golden["lang"]
    paragraphs = ([record["lead"]] if record["lead"] else []) + record["body"].split("\n\n")
    assert paragraphs == golden["paragraphs"]
    assert record["published_at"] == golden["published_at"]
    assert record["published_at_utc"] == golden["published_at_utc"]
    assert record["published_raw"] == golden["published_raw"]
    text = json.dumps(record, ensure_ascii=False)
    for phrase in golden["must_not_contain"]:
        assert phrase not in text


def test_dates_carry_the_offset_of_their_day(crawled):
    _, _, records, _ = crawled
    by_id = {r["source_id"]: r for r in records}
    offsets = set()
    for spec in STORED:
        record = by_id[str(spec.id)]
        if spec.date_raw is None:
            assert record["published_at"] is None
            continue
        offset = expected_offset(spec.date_raw)
        offsets.add(offset)
        assert record["published_raw"] == spec.date_raw
        assert record["published_at"].endswith(offset), (spec.date_raw, record["published_at"])
    assert offsets == {"+03:30", "+04:30"}
    assert by_id["4378"]["published_at"] == "2010-04-06T09:04:00+04:30"  # DST summer
    assert by_id["5098"]["published_at"] == "2010-09-29T16:32:00+03:30"
    years = {int(r["published_at"][:4]): r["published_at"][-6:] for r in records if r["published_at"]}
    assert any(y in (2006, 2007) for y in years), "the replica must include the no-DST years"
    assert all(off == "+03:30" for y, off in years.items() if y in (2006, 2007) or y >= 2023)


def test_url_variants_resolve_to_one_record(crawled):
    replica, result, records, _ = crawled
    base = replica.urls["ict_en"]
    for record in records:
        spec = SITE.by_id[int(record["source_id"])]
        assert record["canonical_url"] == base + spec.path
    # The listing and the feed link variants of articles; each was requested once only.
    assert result.stat("newscrawl/article/duplicate_link") > 0
    assert result.stat("newscrawl/dedup/duplicate") == 0


def test_bad_cases_end_as_a_user_expects(crawled):
    replica, result, records, _ = crawled
    by_id = {r["source_id"]: r for r in records}
    (no_date,) = flagged("no_date")
    assert by_id[str(no_date.id)]["published_at"] is None
    assert result.stat("newscrawl/dates/missing") == 1
    (empty,) = flagged("empty_body")
    assert str(empty.id) not in by_id
    assert result.stat("newscrawl/clean/dropped/empty_body") == 1
    (gone,) = flagged("gone")
    assert str(gone.id) not in by_id
    assert result.stat("newscrawl/article/http_error/404") == 1
    (flaky,) = flagged("flaky")
    assert str(flaky.id) in by_id
    assert result.stat("retry/count") >= 1
    assert replica.comment_hits("ict_en") == 0, "the crawler submitted a form"


def test_boilerplate_never_reaches_the_record(crawled):
    _, _, records, _ = crawled
    banned = ["Sender name is required", "Email is required", "Characters left: 500", "Comment is required",
              "Share:", "facebook.com", "Related news", "Read more:"]
    for record in records:
        text = json.dumps(record)
        for phrase in banned:
            assert phrase not in text, (record["source_id"], phrase)
        spec = SITE.by_id[int(record["source_id"])]
        assert record["body"].split("\n\n") == spec.paragraphs
        assert record["lead"] == spec.lead
        assert record["title"] == spec.title
        assert sorted(record["tags"]) == sorted(spec.tags)
