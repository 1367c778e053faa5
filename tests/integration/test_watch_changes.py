"""For watchers, end to end: the replica edits ict_fa articles in five ways between crawls.

Four articles get a text of our own before the first crawl (a lead of 9 words and paragraphs of
22, 21 and 16 words: 68 words), then, before the second crawl:

- REWORD: the third paragraph's end is rewritten: 9 of 68 words replaced, sqrt(9/68) = 0.36;
- NUMBER: "۱۲۰ روستا" becomes "۱۵۰ روستا": sqrt(1/68) = 0.12 and a number (0.6): 0.65;
- COUNTER: a view-counter paragraph "بازدید: ۱٬۲۰۴" becomes "بازدید: ۱٬۳۷۷", which the profile
  names volatile: a new revision, score 0;
- NORMALISED: Persian digits become Latin ones, a ZWNJ becomes a space, another is dropped:
  a new revision (the text differs), score 0;
- DELETED (a generated article) answers 404: a tombstone after a third crawl, score 1.

The bands come from the scoring rule (newscrawl/changes/score.py) applied by hand to these
edits. With the default alert threshold (0.2), REWORD, NUMBER and DELETED are the changes: in
``newscrawl changes``, in the Atom feeds (``newscrawl feed`` and the crawl's own,
``NEWSCRAWL_FEED_DIR``; parsed with feedparser) and POSTed by ``newscrawl notify`` to a loopback
server of the test's own that first fails, then recovers: each exactly once across runs.
Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import feedparser
import pytest
from sqlalchemy import select

from newscrawl.cli import main as newscrawl
from newscrawl.db.models import Article, Delivery, Revision
from newscrawl.db.session import make_engine, make_sessionmaker
from newscrawl.profiles.loader import SHIPPED_DIR
from newscrawl.runner import CrawlResult
from newscrawl_replica.generate import generate_site
from newscrawl_replica.loopback import LOOPBACK_SETTINGS
from newscrawl_replica.process import ReplicaProcess
from tests.helpers import BACKENDS, crawls_ran_earlier, fresh_database, run_crawl

pytestmark = pytest.mark.crawl

SITE = generate_site("ict_fa", 60, 0)
PLAIN = [
    a
    for a in SITE.articles
    if not a.flags and a.date_raw and not a.title_in_body and not {"gone", "empty_body"} & set(a.flags)
]
REWORD, NUMBER, COUNTER, NORMALISED, DELETED = PLAIN[:5]

LEAD = "وزیر ارتباطات از پیشرفت طرح شبکه ملی خبر داد."
P1 = "وزیر ارتباطات روز دوشنبه از مرکز داده جدید در تهران بازدید کرد و گفت این مرکز تا پایان سال به بهره‌برداری می‌رسد."
P2 = "به گفته وزیر، ۱۲۰ روستا در این مرحله به شبکه ملی اطلاعات وصل شده‌اند و کار در استان‌های دیگر ادامه دارد."
P3 = "او افزود که همکاری با بخش خصوصی برای توسعه زیرساخت‌ها در سال آینده گسترش خواهد یافت."
P3_REWORDED = "او افزود که همکاری با بخش خصوصی به دلیل مشکلات مالی متوقف شده است."
VIEWS_BEFORE, VIEWS_AFTER = "بازدید: ۱٬۲۰۴", "بازدید: ۱٬۳۷۷"

BEFORE = {
    REWORD.id: [P1, P2, P3],
    NUMBER.id: [P1, P2, P3],
    COUNTER.id: [P1, P2, P3, VIEWS_BEFORE],
    NORMALISED.id: [P1, P2, P3],
}
AFTER = {
    REWORD.id: [P1, P2, P3_REWORDED],
    NUMBER.id: [P1, P2.replace("۱۲۰", "۱۵۰"), P3],
    COUNTER.id: [P1, P2, P3, VIEWS_AFTER],
    NORMALISED.id: [
        P1.replace("بهره‌برداری", "بهره برداری").replace("می‌رسد", "میرسد"),
        P2.replace("۱۲۰", "120"),
        P3,
    ],
}
ALERTS = {str(REWORD.id), str(NUMBER.id), str(DELETED.id)}


def volatile_profile(directory: Path) -> None:
    """ict_fa as shipped, plus a [volatile] pattern for the view counter."""
    text = (SHIPPED_DIR / "ict_fa.toml").read_text("utf-8")
    text = text.replace('domains = ["ict.gov.ir", "www.ict.gov.ir"]\n', 'domains = ["ict.gov.ir", "www.ict.gov.ir"]\noverride = true\n')
    assert "override = true" in text
    text += "\n[volatile]\npatterns = ['بازدید: [۰-۹0-9٬,]+']\n"
    directory.mkdir()
    (directory / "ict_fa.toml").write_text(text, "utf-8")


def crawl(replica: ReplicaProcess, db_url: str, **settings: str) -> CrawlResult:
    result = run_crawl("ict_fa", base_url=replica.urls["ict_fa"], database_url=db_url, settings={**LOOPBACK_SETTINGS, **settings})
    assert result.returncode == 0, result.log[-3000:]
    return result


class Hook:
    """A webhook endpoint on loopback: answers 503 to the next ``failures`` POSTs, then 204."""

    def __init__(self) -> None:
        self.failures = 0
        self.attempts: list[int] = []
        self.accepted: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with hook.lock:
                    hook.attempts.append(body["revision_id"])
                    failing = hook.failures > 0
                    if failing:
                        hook.failures -= 1
                    else:
                        assert self.headers["Idempotency-Key"] == f"newscrawl-revision-{body['revision_id']}"
                        hook.accepted.append(body)
                self.send_response(503 if failing else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def hook() -> Iterator[Hook]:
    endpoint = Hook()
    endpoint.thread.start()
    try:
        yield endpoint
    finally:
        endpoint.server.shutdown()
        endpoint.server.server_close()
        endpoint.thread.join()


def latest_changes(db_url: str) -> dict[str, Revision]:
    """Each article's latest revision after its first, by source id."""
    engine = make_engine(db_url)
    try:
        with make_sessionmaker(engine)() as session:
            rows = session.execute(
                select(Article.source_id, Revision).join(Revision, Revision.article_id == Article.id).order_by(Revision.id)
            ).all()
            found: dict[str, list[Revision]] = {}
            for source_id, revision in rows:
                found.setdefault(source_id, []).append(revision)
            return {sid: revs[-1] for sid, revs in found.items() if len(revs) > 1}
    finally:
        engine.dispose()


def deliveries(db_url: str) -> int:
    engine = make_engine(db_url)
    try:
        with make_sessionmaker(engine)() as session:
            return len(session.scalars(select(Delivery.revision_id)).all())
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_edits_get_their_bands_feeds_and_webhooks_once(backend, tmp_path, monkeypatch, capsys, hook):
    volatile_profile(tmp_path / "sites")
    monkeypatch.setenv("NEWSCRAWL_SITES_DIR", str(tmp_path / "sites"))
    with ReplicaProcess(articles=60, sites=["ict_fa"]) as replica, fresh_database(backend, tmp_path) as db_url:
        for aid, paragraphs in BEFORE.items():
            replica.edit("ict_fa", aid, lead=LEAD, paragraphs=paragraphs)
        crawl(replica, db_url)
        crawls_ran_earlier(db_url, timedelta(minutes=1))
        for aid, paragraphs in AFTER.items():
            replica.edit("ict_fa", aid, paragraphs=paragraphs)
        replica.delete("ict_fa", DELETED.id)
        crawl(replica, db_url)
        crawls_ran_earlier(db_url, timedelta(minutes=1))
        crawl_feeds = tmp_path / "crawl-feeds"
        crawl(replica, db_url, NEWSCRAWL_TOMBSTONE_MIN_INTERVAL="0", NEWSCRAWL_FEED_DIR=str(crawl_feeds))

        changed = latest_changes(db_url)
        assert set(changed) == {str(a.id) for a in (REWORD, NUMBER, COUNTER, NORMALISED, DELETED)}
        reword, number = changed[str(REWORD.id)], changed[str(NUMBER.id)]
        counter, normalised = changed[str(COUNTER.id)], changed[str(NORMALISED.id)]
        removed = changed[str(DELETED.id)]
        assert 0.3 <= reword.significance <= 0.45
        assert reword.change_reasons == ["body: 13% of words changed"]
        assert 0.6 <= number.significance <= 0.7
        assert "number changed: ۱۲۰ → ۱۵۰" in number.change_reasons
        assert (counter.significance, counter.change_reasons) == (0, ["volatile regions only"])
        assert VIEWS_AFTER in counter.body  # kept in the revision
        assert counter.volatile == [VIEWS_AFTER]
        assert normalised.significance == 0
        assert normalised.change_reasons == ["normalisation, punctuation or spacing only"]
        assert (removed.kind, removed.significance, removed.change_reasons) == ("removed", 1.0, ["removed"])

        # newscrawl changes: the alerts only, by profile name and by domain alike
        for site in ("ict_fa", "ict.gov.ir"):
            assert newscrawl(["changes", "--site", site, "--database-url", db_url]) == 0
            out = capsys.readouterr().out
            listed = {line.split()[3].rsplit(":", 1)[1] for line in out.splitlines() if not line.startswith(" ")}
            assert listed == ALERTS
        assert newscrawl(["changes", "--min-score", "0", "--database-url", db_url]) == 0
        assert len([ln for ln in capsys.readouterr().out.splitlines() if not ln.startswith(" ")]) == 5

        # the Atom feeds: newscrawl feed, and the one the third crawl wrote
        out_dir = tmp_path / "feeds"
        assert newscrawl(["feed", "-o", str(out_dir), "--database-url", db_url]) == 0
        capsys.readouterr()
        ids = {f"urn:newscrawl:revision:{changed[sid].id}" for sid in ALERTS}
        for path in (out_dir / "ict.gov.ir.atom", out_dir / "all.atom", crawl_feeds / "all.atom"):
            parsed = feedparser.parse(path.read_bytes())
            assert not parsed.bozo, parsed.get("bozo_exception")
            assert parsed.version == "atom10"
            assert {entry.id for entry in parsed.entries} == ids
        entries = {e.id: e for e in feedparser.parse((out_dir / "all.atom").read_bytes()).entries}
        number_entry = entries[f"urn:newscrawl:revision:{number.id}"]
        assert number_entry.title.startswith(f"Edited ({number.significance:.2f}): ")
        content = number_entry.content[0].value
        assert "number changed: ۱۲۰ → ۱۵۰" in content
        assert "<del" in content and "۱۲۰" in content and "<ins" in content and "۱۵۰" in content
        assert entries[f"urn:newscrawl:revision:{removed.id}"].title.startswith("Removed (1.00)")

        # newscrawl notify: the endpoint fails every try of the first run: nothing is recorded
        notify = ["notify", "--webhook", hook.url, "--attempts", "3", "--backoff", "0", "--database-url", db_url]
        hook.failures = 10**6
        assert newscrawl(notify) == 1
        assert len(hook.attempts) == 3 and len(set(hook.attempts)) == 1  # one change, tried 3 times
        assert hook.accepted == [] and deliveries(db_url) == 0
        # it recovers after one more failure: the second run retries and delivers every change
        hook.failures = 1
        assert newscrawl(notify) == 0
        assert sorted(body["revision_id"] for body in hook.accepted) == sorted(changed[sid].id for sid in ALERTS)
        by_id = {body["source_id"]: body for body in hook.accepted}
        assert by_id[str(DELETED.id)]["event"] == "removal"
        assert by_id[str(NUMBER.id)]["reasons"] == number.change_reasons
        assert "{-۱۲۰-}[+۱۵۰+]" in by_id[str(NUMBER.id)]["diff_text"]
        # a third run has nothing left to send: exactly once across runs
        before = len(hook.attempts)
        assert newscrawl(notify) == 0
        assert len(hook.attempts) == before
        assert deliveries(db_url) == 3
