"""ExtractPipeline's date counters on the generic path: where the date came from, and the pages
whose dates disagreed (kept without a date, with a warning naming the URL)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from newscrawl.cli.extract import generic_profile
from newscrawl.items import Article
from newscrawl.pipelines.extract import ExtractPipeline
from tests.pipelines.saved import crawler, newscrawl_stats, response, run

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "datefinder"
BASE = "https://www.example.gov"


def test_generic_dates_are_counted_by_evidence_and_conflicts_are_counted(caplog: pytest.LogCaptureFixture) -> None:
    made = crawler(base_url=BASE)
    # a site without selectors: the generic profile newscrawl extract uses, in Tehran's zone
    made.spider.profile = generic_profile(BASE + "/", "fa", "Asia/Tehran")  # type: ignore[union-attr]
    pipeline = ExtractPipeline.from_crawler(made)
    pages = ["fa_visible_jalali.html", "fa_conflict.html", "ar_script_meta_utc.html"]
    responses = [
        response((PAGES / name).read_bytes(), f"/fa/news/{n}", base=BASE) for n, name in enumerate(pages)
    ]
    with caplog.at_level(logging.WARNING, logger="newscrawl.pipelines.extract"):
        visible, conflict, meta = run([pipeline], responses)
    assert isinstance(visible, Article) and isinstance(conflict, Article) and isinstance(meta, Article)
    assert (visible.published_at, conflict.published_at, meta.published_at) == (
        "2020-06-22T12:09:08+04:30",
        None,
        "2020-06-23T00:30:00+04:30",
    )
    stats = newscrawl_stats(made)
    assert {k: v for k, v in stats.items() if k.startswith("dates/")} == {
        "dates/found_by/visible": 1,
        "dates/found_by/meta": 1,
        "dates/conflict": 1,
        "dates/parsed": 2,
        "dates/missing": 1,
    }
    assert any(BASE + "/fa/news/1" in r.getMessage() and "disagree" in r.getMessage() for r in caplog.records)
