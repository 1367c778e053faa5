"""Run health: the pure check, and a redesigned replica site failing a real ``newscrawl crawl``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from newscrawl.cli.crawl import EXIT_ERROR, EXIT_LOCKED, EXIT_OK, EXIT_UNHEALTHY, outcome
from newscrawl.db.models import Article, Revision
from newscrawl.health.check import applies, check_health, field_counts, summary
from newscrawl.runner import CrawlResult
from newscrawl_replica.generate import generate_site
from newscrawl_replica.process import ReplicaProcess
from tests.runs.conftest import LOOPBACK_OPTIONS, SITE, database, newscrawl_here, runs_of


def stats(**counts: int) -> dict[str, int]:
    """Stats from ``key=value`` pairs, ``/`` written as ``__``, under ``newscrawl/``."""
    return {"newscrawl/" + key.replace("__", "/"): value for key, value in counts.items()}


HEALTHY = stats(
    fields__checked=100,
    fields__missing__date=3,
    article__extracted=99,
    extract__not_article=1,
    clean__dropped__empty_body=2,
    dates__missing=3,
)


# -- the pure check ------------------------------------------------------------------------------


def test_a_normal_run_is_healthy():
    assert check_health(HEALTHY, [{"articles": 100}]) == []
    assert check_health(HEALTHY) == []


def test_a_redesign_names_every_missing_field():
    redesign = stats(
        fields__checked=60, **{f"fields__missing__{f}": 60 for f in ("title", "body", "date")}
    )
    redesign["newscrawl/extract/not_article"] = 60
    problems = check_health(redesign, [{"articles": 58}, {"articles": 60}])
    assert [p.code for p in problems] == [
        "no_articles",
        "missing_field",
        "missing_field",
        "missing_field",
    ]
    assert [p.field for p in problems if p.field] == ["title", "body", "date"]
    assert "extracted up to 60" in problems[0].message
    assert problems[1].message == "title missing on 60 of 60 article pages (100% > 50%)"
    line = summary(problems)
    assert line.startswith("results look wrong (missing: title, body, date): ")


def test_pages_no_layout_read_name_the_layouts_and_fields_they_missed():
    # 2 of 10 pages read by neither layout (both archived by generic extraction), and a third
    # page no layout read that generic extraction did not take (a soft 404: no title).
    run = {
        **HEALTHY,
        "newscrawl/layout/read/2026": 80,
        "newscrawl/layout/read/2017": 17,
        "newscrawl/layout/fallback_generic": 2,
        "newscrawl/layout/failed/2026/title": 3,
        "newscrawl/layout/failed/2026/body": 2,
        "newscrawl/layout/failed/2017/body": 3,
    }
    (problem,) = check_health(run, [{"articles": 100}])
    assert problem.code == "layout_failed" and problem.field is None
    assert problem.layouts == (("2017", ("body",)), ("2026", ("title", "body")))
    assert problem.message == (
        "no layout of the profile read 2 of 100 article pages, archived through generic "
        "extraction (layout 'generic'): layout '2017' missed body on 3; "
        "layout '2026' missed title on 3, body on 2"
    )
    assert summary([problem]).startswith(
        "results look wrong (layout failed: 2017 (body), 2026 (title, body)): no layout"
    )


def test_layouts_that_failed_without_a_generic_fallback_are_the_missing_fields_business():
    # pages the layout could not read and generic extraction did not take: not articles, as
    # before layouts (counted as missing titles), no layout problem
    run = {**HEALTHY, "newscrawl/layout/failed/default/title": 1}
    assert check_health(run, [{"articles": 100}]) == []


def test_a_layout_problem_and_missing_fields_are_named_together():
    run = stats(
        fields__checked=10,
        fields__missing__date=10,
        article__extracted=10,
        dates__missing=10,
        layout__fallback_generic=10,
        layout__failed__default__title=10,
        layout__failed__default__body=10,
    )
    problems = check_health(run)
    assert [p.code for p in problems] == ["layout_failed", "missing_field"]
    assert summary(problems).startswith(
        "results look wrong (missing: date; layout failed: default (title, body)): "
    )


def test_the_share_is_a_strict_maximum_and_configurable():
    half = stats(fields__checked=10, fields__missing__body=5, article__extracted=10)
    assert check_health(half) == []
    assert [p.field for p in check_health(half, max_missing_share=0.4)] == ["body"]
    assert check_health(stats(fields__checked=10, fields__missing__body=6, article__extracted=10))


def test_too_few_pages_are_not_judged_by_share():
    few = stats(fields__checked=4, fields__missing__title=4, extract__not_article=4)
    assert check_health(few) == []
    assert [p.field for p in check_health(few, min_pages=4)] == ["title"]


def test_no_articles_is_wrong_only_when_the_history_has_some():
    empty = stats()
    assert check_health(empty) == []
    assert check_health(empty, [{"articles": 0}, {}]) == []
    (problem,) = check_health(empty, [{"articles": 0}, {"articles": 12}])
    assert problem.code == "no_articles"
    assert "previous 2 finished run(s) extracted up to 12" in problem.message


def test_a_run_whose_every_source_failed_is_wrong_and_names_the_causes():
    failed = {
        **stats(source__requested=2, source__failed__http_404=1, source__failed__dns=1),
        "newscrawl/source/errors": ["HTTP 404 on /en/news", "DNS lookup failed for x.invalid"],
    }
    (problem,) = check_health(failed, [{"articles": 0}])
    assert problem.code == "sources_failed"
    assert "(2 of 2)" in problem.message
    assert "HTTP 404 on /en/news; DNS lookup failed for x.invalid" in problem.message
    one_left = {**failed, "newscrawl/source/requested": 3, **stats(article__extracted=5)}
    assert check_health(one_left) == []  # one source of three still answered


def test_a_first_run_must_store_something():
    nothing = stats(source__requested=1, article__extracted=3)
    (problem,) = check_health(nothing, first_run=True)
    assert problem.code == "first_run_empty"
    assert "first run stored no articles (3 articles extracted)" in problem.message
    assert check_health(nothing) == []  # not the first run (or no database)
    assert check_health({**nothing, **stats(persist__new=3)}, first_run=True) == []
    partly = {**nothing, **stats(source__failed__timeout=1, source__requested=2)}
    partly["newscrawl/source/errors"] = ["timed out fetching /feed from h"]
    (problem,) = check_health(partly, first_run=True)
    assert "1 of 2 sources failed: timed out fetching /feed from h" in problem.message


def test_an_incremental_run_that_found_only_archived_articles_is_healthy():
    history = [{"articles": 12}]
    assert check_health(stats(article__skipped_known=30), history) == []
    assert check_health(stats(article__not_modified=5), history) == []


def test_the_pipelines_stats_count_when_the_spider_did_not():
    # a stats file without the spider's field counts: not_article, empty_body, dates missing/unparsed
    old = stats(
        article__extracted=4,
        extract__not_article=6,
        clean__dropped__empty_body=3,
        dates__missing=1,
        dates__unparsed=1,
    )
    counts = field_counts(old)
    assert counts.pages == 10
    assert counts.missing == {"title": 6, "body": 3, "date": 2}
    assert [p.field for p in check_health(old)] == ["title"]
    # and the larger count wins: the spider's page-level count, or bodies emptied by cleaning
    both = {**old, **stats(fields__checked=10, fields__missing__body=1)}
    assert field_counts(both).missing["body"] == 3


def test_bad_share_is_refused():
    with pytest.raises(ValueError, match="missing share"):
        check_health(HEALTHY, max_missing_share=1.0)


@pytest.mark.parametrize(
    ("reason", "judged"),
    [
        ("finished", True),
        ("closespider_pagecount", True),
        ("locked", False),
        ("shutdown", False),
        (None, False),
    ],
)
def test_only_runs_that_reached_their_end_are_judged(reason, judged):
    assert applies(reason) is judged


# -- the exit code of newscrawl crawl ----------------------------------------------------------


@pytest.mark.parametrize(
    ("returncode", "run_stats", "code", "words"),
    [
        (0, {"finish_reason": "finished", "newscrawl/health/status": "ok"}, EXIT_OK, ""),
        (
            0,
            {
                "finish_reason": "locked",
                "newscrawl/run/message": "ict_en is already being crawled by pid 7",
            },
            EXIT_LOCKED,
            "pid 7",
        ),
        (
            0,
            {"finish_reason": "lock_lost", "newscrawl/run/message": "lost the lock"},
            EXIT_LOCKED,
            "lost",
        ),
        (
            0,
            {
                "finish_reason": "finished",
                "newscrawl/health/status": "failed",
                "newscrawl/health/message": "title missing",
            },
            EXIT_UNHEALTHY,
            "title",
        ),
        (
            75,  # scrapy crawl's own exit code for a refused crawl
            {"finish_reason": "locked", "newscrawl/run/message": "held by pid 7"},
            EXIT_LOCKED,
            "pid 7",
        ),
        (75, {}, EXIT_ERROR, "status 75"),
        (0, {"finish_reason": "shutdown"}, EXIT_ERROR, "shutdown"),
        (1, {"finish_reason": "finished"}, EXIT_ERROR, "status 1"),
        (0, {}, EXIT_ERROR, "status 0"),
    ],
)
def test_crawl_outcome(returncode, run_stats, code, words):
    ended = outcome(CrawlResult(SITE, returncode, 1.0, run_stats))
    assert ended.code == code
    assert words in ended.message


# -- a redesign, end to end ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def replica_server() -> Iterator[ReplicaProcess]:
    with ReplicaProcess(articles=40, sites=[SITE]) as server:
        yield server


@pytest.fixture
def replica(replica_server: ReplicaProcess) -> ReplicaProcess:
    """The module's replica, back in its generated state (the default template)."""
    replica_server.reset(SITE)
    return replica_server


@pytest.mark.crawl
@pytest.mark.db
def test_a_redesigned_site_is_archived_through_generic_extraction_and_fails_the_run(
    replica, db_url, capfd
):
    """The replica's redesign template matches none of ict_en's selectors: every article is
    still archived, read by generic extraction and flagged ``generic``, and the run fails
    naming the layout and the fields it missed."""
    base = replica.urls[SITE]
    crawl = ["crawl", SITE, "--base-url", base, "--database-url", db_url, *LOOPBACK_OPTIONS]
    first = newscrawl_here(capfd, *crawl)
    assert first.returncode == EXIT_OK, first.stderr[-3000:]

    replica.set_template(SITE, "redesign")
    second = newscrawl_here(capfd, *crawl)

    assert second.returncode == EXIT_UNHEALTHY, second.stderr[-3000:]
    # Ground truth: the generator's articles, less the one that is gone (404) and the one with
    # an empty body (a title and a lead are no article for the generic fallback).
    spec = generate_site(SITE, 40, 0)
    archived = {str(a.id): a.title for a in spec.articles if not {"gone", "empty_body"} & a.flags}
    pages = len(spec.articles) - 1  # every article page but the 404
    report = second.stderr.splitlines()[-1]
    assert report.startswith(f"{SITE}: results look wrong (layout failed: default (title, body)): ")
    assert (
        f"no layout of the profile read {len(archived)} of {pages} article pages, archived "
        f"through generic extraction (layout 'generic'): layout 'default' missed title on {pages}, "
        f"body on {pages}"
    ) in report
    assert "missing on" not in report and "no articles extracted" not in report

    with database(db_url) as sessions:
        healthy, unhealthy = runs_of(sessions)
        with sessions() as session:
            latest = session.execute(
                select(Article.source_id, Revision.layout, Revision.title).join(
                    Revision, Revision.id == Article.latest_revision_id
                )
            ).all()
            # every stored article changed (no lead now): its earlier revision is the first run's
            first_layouts = set(
                session.scalars(
                    select(Revision.layout).where(
                        Revision.id.not_in(select(Article.latest_revision_id).scalar_subquery())
                    )
                )
            )
    assert healthy.status == "finished" and healthy.message is None
    assert first_layouts == {"default"}
    assert unhealthy.status == "failed"
    assert unhealthy.counts["articles"] == len(archived)
    assert "layout failed: default (title, body)" in (unhealthy.message or "")
    assert {source_id: title for source_id, _, title in latest} == archived
    assert {layout for _, layout, _ in latest} == {"generic"}
