"""DedupPipeline after ExtractPipeline, on saved pages: one article per (site, lang, id) in a crawl."""

from __future__ import annotations

import dataclasses

from newscrawl.items import Article
from newscrawl.pipelines.dedup import DedupPipeline, DuplicateArticle
from newscrawl.pipelines.extract import ExtractPipeline
from tests.pipelines.saved import LIVE, crawler, newscrawl_stats, response, run, saved

PATH, CONTENT_TYPE, BODY = saved("ict_en", 27012)
OTHER_PATH, OTHER_TYPE, OTHER_BODY = saved("ict_en", 26990)


def test_a_second_url_of_an_article_is_dropped_and_counted() -> None:
    made = crawler()
    print_path = "/en/news/27012/print"  # the profile's print view: the same article id
    out = run(
        [ExtractPipeline.from_crawler(made), DedupPipeline.from_crawler(made)],
        [
            response(BODY, PATH, content_type=CONTENT_TYPE),
            response(OTHER_BODY, OTHER_PATH, content_type=OTHER_TYPE),
            response(BODY, print_path, content_type=CONTENT_TYPE),
        ],
    )
    first, other, again = out
    assert isinstance(first, Article) and isinstance(other, Article)
    assert (first.source_id, other.source_id) == ("27012", "26990")
    assert isinstance(again, DuplicateArticle)
    assert str(again) == f"duplicate of ict.gov.ir:en:27012: {LIVE}{print_path}"
    stats = newscrawl_stats(made)
    assert (stats["dedup/unique"], stats["dedup/duplicate"]) == (2, 1)
    # The first copy keeps the hash the extraction gave it.
    assert first.content_hash is not None and len(first.content_hash) == 64


def test_the_same_id_in_another_language_is_another_article() -> None:
    made = crawler()
    (english,) = run([ExtractPipeline.from_crawler(made)], [response(BODY, PATH, content_type=CONTENT_TYPE)])
    assert isinstance(english, Article)
    persian = dataclasses.replace(english, lang="fa")
    dedup = DedupPipeline.from_crawler(made)
    assert run([dedup], [english, persian]) == [english, persian]
    stats = newscrawl_stats(made)
    assert stats["dedup/unique"] == 2 and "dedup/duplicate" not in stats
