"""``newscrawl export --consumer``: every content revision reaches a consumer once, across crawls.

"Crawls" here are batches of hand-written records saved with ``save_articles`` (a changed
content hash makes a new revision), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from newscrawl.db.models import Delivery
from newscrawl.db.store import StoreResult
from newscrawl.export import ExportFilter, export_for_consumer
from newscrawl.export.writers import JsonLinesWriter
from tests.export.export_helpers import read_jsonl, revision_ids, run_cli, save
from tests.helpers import tombstone

pytestmark = pytest.mark.db


class Crash(Exception):
    """The export process dying (simulated) part-way through a batch."""


class CrashingWriter(JsonLinesWriter):
    """A JSON lines writer that dies before writing record number *crash_at* (1-based)."""

    def __init__(self, crash_at: int) -> None:
        super().__init__(io.BytesIO())
        self.crash_at = crash_at

    def write(self, record, capture=None):
        if self.count + 1 == self.crash_at:
            raise Crash
        super().write(record, capture)


def ids_of(writer: JsonLinesWriter) -> list[int]:
    return [json.loads(line)["revision_id"] for line in writer.stream.getvalue().splitlines()]


def deliver(db_url, tmp_path, name, consumer="archive", *argv):
    out = tmp_path / name
    status = run_cli("--database-url", db_url, "--consumer", consumer, "--output", str(out), *argv)
    assert status == 0
    return read_jsonl(out)


def deliveries(sessions, consumer="archive"):
    with sessions() as session:
        return list(
            session.scalars(
                select(Delivery.revision_id)
                .where(Delivery.consumer == consumer)
                .order_by(Delivery.revision_id)
            )
        )


def test_every_revision_exactly_once_across_three_crawls(db_url, tmp_path, sessions, make_record):
    a1, b1, c1 = (make_record(i, body=f"{i} first") for i in ("a", "b", "c"))
    a2 = make_record("a", body="a second")
    a3 = make_record("a", body="a third")
    b2 = make_record("b", body="b second")
    d1 = make_record("d", body="d first")

    # Crawl 1: three new articles.
    assert save(sessions, a1, b1, c1) == StoreResult(new=3)
    first = deliver(db_url, tmp_path, "1.jsonl", "archive", "--batch-size", "2")
    # Crawl 2: a edited, d new, b and c unchanged.
    assert save(sessions, a2, b1, c1, d1) == StoreResult(new=1, changed=1, unchanged=2)
    second = deliver(db_url, tmp_path, "2.jsonl", "archive", "--batch-size", "2")
    # Crawl 3 and 4 before the next export: a edited again, then b edited.
    assert save(sessions, a3, b1, c1, d1) == StoreResult(changed=1, unchanged=3)
    assert save(sessions, a3, b2, c1, d1) == StoreResult(changed=1, unchanged=3)
    third = deliver(db_url, tmp_path, "3.jsonl", "archive", "--batch-size", "2")
    nothing_left = deliver(db_url, tmp_path, "4.jsonl", "archive")

    def seen(records):
        return [(r["source_id"], r["body"]) for r in records]

    assert seen(first) == [("a", "a first"), ("b", "b first"), ("c", "c first")]
    assert seen(second) == [("a", "a second"), ("d", "d first")]
    # Not only each article's latest: a's second-to-last revision too, in revision order.
    assert seen(third) == [("a", "a third"), ("b", "b second")]
    assert nothing_left == []

    delivered = [r["revision_id"] for r in first + second + third]
    assert delivered == sorted(delivered)
    assert len(delivered) == len(set(delivered))
    assert delivered == revision_ids(sessions) == deliveries(sessions)

    # Another consumer has its own deliveries: it gets all seven revisions at once.
    everything = deliver(db_url, tmp_path, "other.jsonl", "mirror")
    assert [r["revision_id"] for r in everything] == delivered
    assert deliveries(sessions, "mirror") == delivered


def evidence(*observed_at, status=404):
    """The removal_evidence of a tombstone made by ``tests.helpers.tombstone``."""
    reason = "gone" if status == 410 else "not_found"
    url = "https://mfa.gov.ir/en/news/b"
    return [
        {"reason": reason, "status": status, "observed_at": at, "url": url, "final_url": url}
        for at in observed_at
    ]


def test_removed_and_restored_revisions(db_url, tmp_path, sessions, make_record):
    save(sessions, make_record("a"), make_record("b"))
    with sessions.begin() as session:
        assert tombstone(
            session, "mfa.gov.ir", "en", "b", at=datetime(2024, 3, 2, tzinfo=UTC), status=410
        )

    # The tombstone is delivered, with its evidence; the tombstoned article's content waits (it
    # is not lost) until asked for or restored.
    first = deliver(db_url, tmp_path, "1.jsonl")
    assert [(r["source_id"], r["revision_kind"]) for r in first] == [
        ("a", "content"),
        ("b", "removed"),
    ]
    removed = first[1]
    assert removed["removed_at"] == "2024-03-02T00:00:00Z"
    assert removed["title"] == "Minister meets envoy b"  # the last content it had
    assert removed["removal_evidence"] == evidence(
        "2024-03-01T18:00:00Z", "2024-03-02T00:00:00Z", status=410
    )
    assert first[0]["removal_evidence"] is None
    assert deliver(db_url, tmp_path, "again.jsonl") == []  # once each

    save(sessions, make_record("b", fetched_at="2024-03-03T00:00:00Z"))
    restored = deliver(db_url, tmp_path, "2.jsonl")
    assert [(r["source_id"], r["revision_kind"], r["removal_evidence"]) for r in restored] == [
        ("b", "content", None),
        ("b", "restored", None),
    ]
    assert deliveries(sessions) == revision_ids(sessions, ("content", "restored", "removed"))
    assert len(revision_ids(sessions, ("removed",))) == 1


def test_include_removed_delivers_a_tombstoned_articles_revisions(
    db_url, tmp_path, sessions, make_record
):
    save(sessions, make_record("a"), make_record("b"))
    with sessions.begin() as session:
        tombstone(
            session, "mfa.gov.ir", "en", "b", at=datetime(2024, 3, 2, tzinfo=UTC), status=404
        )

    records = deliver(db_url, tmp_path, "1.jsonl", "archive", "--include-removed")

    both = evidence("2024-03-01T18:00:00Z", "2024-03-02T00:00:00Z")
    assert [
        (r["source_id"], r["revision_kind"], r["removed_at"], r["removal_evidence"])
        for r in records
    ] == [
        ("a", "content", None, None),
        ("b", "content", "2024-03-02T00:00:00Z", both),
        ("b", "removed", "2024-03-02T00:00:00Z", both),
    ]


def test_filters_hold_revisions_back_until_they_match(db_url, tmp_path, sessions, make_record):
    save(sessions, make_record("a"), make_record("x", site="ict.gov.ir"))

    assert [
        r["source_id"]
        for r in deliver(db_url, tmp_path, "1.jsonl", "archive", "--site", "ict.gov.ir")
    ] == ["x"]
    assert [r["source_id"] for r in deliver(db_url, tmp_path, "2.jsonl")] == ["a"]


def test_a_crash_redelivers_only_the_uncommitted_batch(db_url, sessions, make_record):
    save(sessions, *(make_record(str(n), body=f"body {n}") for n in range(1, 8)))
    everything = revision_ids(sessions)
    assert len(everything) == 7

    # Batches of 3; the process dies before the 5th record (in the middle of the second batch).
    crashing = CrashingWriter(crash_at=5)
    with pytest.raises(Crash):
        export_for_consumer(sessions, "archive", ExportFilter(), crashing, batch_size=3)
    assert ids_of(crashing) == everything[:4]
    assert deliveries(sessions) == everything[:3]  # only the flushed, committed batch

    rerun = JsonLinesWriter(io.BytesIO())
    assert export_for_consumer(sessions, "archive", ExportFilter(), rerun, batch_size=3) == 4
    received = ids_of(crashing) + ids_of(rerun)
    # Nothing lost; the 4th revision (the uncommitted batch's part) came twice.
    assert sorted(set(received)) == everything
    assert [i for i in everything if received.count(i) > 1] == [everything[3]]
    assert deliveries(sessions) == everything


def test_a_failed_flush_records_nothing(db_url, sessions, make_record):
    save(sessions, make_record("a"), make_record("b"))

    class BrokenOutput(JsonLinesWriter):
        def flush(self):
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        export_for_consumer(sessions, "archive", ExportFilter(), BrokenOutput(io.BytesIO()))
    assert deliveries(sessions) == []


def test_delivered_at_and_progress(sessions, make_record):
    save(sessions, *(make_record(str(n)) for n in range(250)))
    moment = datetime(2024, 5, 1, 12, tzinfo=UTC)
    steps = []

    count = export_for_consumer(
        sessions,
        "archive",
        ExportFilter(),
        JsonLinesWriter(io.BytesIO()),
        batch_size=120,
        progress=steps.append,
        now=lambda: moment,
    )

    assert count == sum(steps) == 250
    with sessions() as session:
        stamps = session.execute(
            select(Delivery.delivered_at, func.count()).group_by(Delivery.delivered_at)
        ).all()
    assert stamps == [(moment, 250)]


def test_consumer_name_is_checked(sessions):
    with pytest.raises(ValueError, match="1 to 128 characters"):
        export_for_consumer(sessions, "x" * 129, ExportFilter(), JsonLinesWriter(io.BytesIO()))


def test_a_consumer_export_never_overwrites_a_file(db_url, tmp_path, sessions, make_record, capsys):
    save(sessions, make_record("a"))
    out = tmp_path / "delivery.jsonl"
    out.write_text('{"earlier": "delivery"}\n')

    assert run_cli("--database-url", db_url, "--consumer", "archive", "--output", str(out)) == 2

    assert "exists: a --consumer export never overwrites a delivery" in capsys.readouterr().err
    assert out.read_text() == '{"earlier": "delivery"}\n'
    assert deliveries(sessions) == []
