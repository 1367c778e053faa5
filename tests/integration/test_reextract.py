"""``newscrawl reextract``: stored captures re-extracted with a changed profile, with no network.

The replica is crawled, then STOPPED. A copy of the ict_en profile with
``drop_repeated_title = false`` goes into a NEWSCRAWL_SITES_DIR, where it replaces the shipped
one. The replica repeats the title as the first body paragraph of some articles
(``ArticleSpec.title_in_body``); the shipped profile drops that paragraph, the changed one keeps
it. So, from the generator's ground truth: exactly those articles get a new revision whose body
is the title followed by their paragraphs, on the same capture; every other article is
unchanged. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from newscrawl.cli import main as newscrawl
from newscrawl.db.models import Article, Revision
from newscrawl.db.session import make_engine, make_sessionmaker
from newscrawl.profiles.loader import SHIPPED_DIR, SITES_DIR_ENV
from newscrawl_replica.generate import generate_site
from newscrawl_replica.loopback import LOOPBACK_SETTINGS
from newscrawl_replica.process import ReplicaProcess
from tests.helpers import BACKENDS, fresh_database, run_crawl

pytestmark = pytest.mark.crawl

ARTICLES = 60
SITE = generate_site("ict_en", ARTICLES, 0)
STORED = [a for a in SITE.articles if not {"gone", "empty_body"} & set(a.flags)]
TITLE_IN_BODY = {str(a.id): a for a in STORED if a.title_in_body}


def changed_profile(directory: Path) -> Path:
    """The shipped ict_en profile, overridden to keep a body paragraph that repeats the title."""
    text = (SHIPPED_DIR / "ict_en.toml").read_text("utf-8")
    assert text.count("drop_repeated_title = true") == 1 and text.count('lang = "en"') == 1
    directory.mkdir()
    changed = text.replace("drop_repeated_title = true", "drop_repeated_title = false")
    (directory / "ict_en.toml").write_text(
        changed.replace('lang = "en"', 'lang = "en"\noverride = true'), "utf-8"
    )
    return directory


def revisions_by_article(db_url: str) -> dict[str, list[Revision]]:
    """Each article's revisions, oldest first; checks that the last one is the latest."""
    engine = make_engine(db_url)
    try:
        with make_sessionmaker(engine)() as session:
            found: dict[str, list[Revision]] = {}
            for article, revision in session.execute(
                select(Article, Revision)
                .join(Revision, Revision.article_id == Article.id)
                .order_by(Revision.id)
            ):
                found.setdefault(article.source_id, []).append(revision)
            latest = dict(
                session.execute(select(Article.source_id, Article.latest_revision_id)).all()
            )
            for source_id, chain in found.items():
                assert latest[source_id] == chain[-1].id, source_id
            return found
    finally:
        engine.dispose()


def reextract(db_url: str, capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    capsys.readouterr()
    assert newscrawl(["reextract", "--database-url", db_url, *args]) == 0
    return capsys.readouterr().out.splitlines()


@pytest.mark.parametrize("backend", BACKENDS)
def test_reextract_applies_a_changed_profile_to_the_stored_captures(
    backend: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert TITLE_IN_BODY, "the replica must repeat some titles in the body"
    monkeypatch.delenv(SITES_DIR_ENV, raising=False)
    with fresh_database(backend, tmp_path) as db_url:
        with ReplicaProcess(articles=ARTICLES, sites=["ict_en"]) as replica:
            result = run_crawl(
                "ict_en",
                base_url=replica.urls["ict_en"],
                database_url=db_url,
                settings=LOOPBACK_SETTINGS,
            )
            assert result.returncode == 0, result.log[-3000:]
        # The replica is stopped: from here on nothing can be fetched.
        before = revisions_by_article(db_url)
        assert len(before) == len(STORED)

        # With the shipped profile nothing changes.
        assert reextract(db_url, capsys) == [
            f"examined {len(STORED)}, updated 0, unchanged {len(STORED)}, failed 0"
        ]

        monkeypatch.setenv(SITES_DIR_ENV, str(changed_profile(tmp_path / "sites")))
        lines = reextract(db_url, capsys, "--site", "ict_en")
        updated, unchanged = len(TITLE_IN_BODY), len(STORED) - len(TITLE_IN_BODY)
        assert (
            lines[0]
            == f"examined {len(STORED)}, updated {updated}, unchanged {unchanged}, failed 0"
        )
        assert not [line for line in lines if line.startswith("failed:")]

        after = revisions_by_article(db_url)
        for source_id, chain in after.items():
            old = before[source_id]
            spec = TITLE_IN_BODY.get(source_id)
            if spec is None:
                assert [r.id for r in chain] == [r.id for r in old], source_id
                continue
            assert len(chain) == len(old) + 1, source_id
            previous, new = old[-1], chain[-1]
            assert new.kind == "content"
            assert new.body.split("\n\n") == [spec.title, *spec.paragraphs]
            assert previous.body.split("\n\n") == spec.paragraphs
            assert (new.title, new.lead, new.published_at) == (
                spec.title,
                spec.lead,
                previous.published_at,
            )
            assert new.content_hash != previous.content_hash
            # Rebuilt from the same response: same capture, same fetch time and URL.
            assert new.capture_id == previous.capture_id is not None
            assert (new.fetched_at, new.url) == (previous.fetched_at, previous.url)

        # Run again: the stored revisions already are what the profile gives.
        lines = reextract(db_url, capsys, "--site", "ict.gov.ir")
        assert lines[0] == f"examined {len(STORED)}, updated 0, unchanged {len(STORED)}, failed 0"
        # Another site selects nothing.
        assert reextract(db_url, capsys, "--site", "msrt_en")[0].startswith("examined 0,")
        engine = make_engine(db_url)
        try:
            with make_sessionmaker(engine)() as session:
                total = session.scalar(select(func.count()).select_from(Revision))
        finally:
            engine.dispose()
        assert total == len(STORED) + len(TITLE_IN_BODY)
