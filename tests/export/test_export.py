"""``newscrawl export`` without a consumer: records, filters, JSON lines and CSV, the command line.

Every test runs on SQLite and PostgreSQL (``db_url``); every exported JSON record is validated
against newscrawl/schemas/article.schema.json.
"""

from __future__ import annotations

import io
import json
import sys
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from newscrawl.cli import COMMANDS
from newscrawl.db.models import Article
from newscrawl.export import RECORD_FIELDS, ExportFilter, export_latest
from newscrawl.export.query import iter_latest, parse_bound
from newscrawl.export.writers import JsonLinesWriter
from newscrawl.items import EXPORT_FIELDS
from tests.export.export_helpers import read_csv, read_jsonl, revision_ids, run_cli, save
from tests.helpers import tombstone

pytestmark = pytest.mark.db

FIELDS = [
    "url",
    "canonical_url",
    "site",
    "lang",
    "source_id",
    "title",
    "lead",
    "body",
    "tags",
    "published_at",
    "published_at_utc",
    "published_raw",
    "alternates",
    "fetched_at",
    "content_hash",
    "layout",
    "revision_id",
    "revision_kind",
    "removed_at",
    "duplicate_of",
    "removal_evidence",
]


def export(db_url, tmp_path, *argv, name="out.jsonl"):
    out = tmp_path / name
    assert run_cli("--database-url", db_url, "--output", str(out), *argv) == 0
    return out


def keys(records):
    return [(r["site"], r["lang"], r["source_id"]) for r in records]


@pytest.fixture
def archive(sessions, make_record):
    """Two sites, two languages, a changed article, a removed one, a date-only and an undated one."""
    save(
        sessions,
        make_record("1", fetched_at="2024-03-01T10:00:00Z"),
        make_record(
            "2",
            published_at="2024-02-29T23:30:00+03:30",
            published_at_utc="2024-02-29T20:00:00Z",
            fetched_at="2024-03-01T10:00:00Z",
        ),
        make_record(
            "3",
            lang="fa",
            title="دیدار وزیر",
            published_raw="۱۴ آذر ۱۳۹۶",
            published_at="2017-12-05",
            published_at_utc=None,
            fetched_at="2024-03-01T10:00:00Z",
        ),
        make_record(
            "4",
            site="ict.gov.ir",
            published_raw=None,
            published_at=None,
            published_at_utc=None,
            alternates={},
            tags=[],
            lead=None,
            fetched_at="2024-03-02T08:00:00Z",
        ),
        make_record(
            "5",
            site="ict.gov.ir",
            published_at="2024-03-02T12:00:00+03:30",
            published_at_utc="2024-03-02T08:30:00Z",
            fetched_at="2024-03-02T08:00:00Z",
        ),
    )
    # A later crawl: article 1 changed, article 5 is gone.
    save(
        sessions,
        make_record(
            "1", body="First paragraph.\n\nCorrected.", fetched_at="2024-03-03T09:15:30Z", layout="2024"
        ),
    )
    with sessions.begin() as session:
        assert tombstone(
            session,
            "ict.gov.ir",
            "en",
            "5",
            at=datetime(2024, 3, 4, 6, 0, tzinfo=UTC),
            status=404,
        )
    return sessions


def test_one_record_per_article_with_the_exact_fields(db_url, tmp_path, archive):
    records = read_jsonl(export(db_url, tmp_path))

    assert (
        *EXPORT_FIELDS,
        "revision_id",
        "revision_kind",
        "removed_at",
        "duplicate_of",
        "removal_evidence",
    ) == RECORD_FIELDS
    assert [list(r) for r in records] == [FIELDS] * 4
    assert keys(records) == [
        ("mfa.gov.ir", "en", "1"),
        ("mfa.gov.ir", "en", "2"),
        ("mfa.gov.ir", "fa", "3"),
        ("ict.gov.ir", "en", "4"),
    ]
    first = records[0]
    assert first == {
        "url": "https://www.mfa.gov.ir/en/news/1/Minister-meets-envoy",
        "canonical_url": "https://www.mfa.gov.ir/en/news/1",
        "site": "mfa.gov.ir",
        "lang": "en",
        "source_id": "1",
        "title": "Minister meets envoy 1",
        "lead": "The minister received the envoy.",
        "body": "First paragraph.\n\nCorrected.",
        "tags": ["diplomacy", "visits"],
        "published_at": "2017-12-05T21:27:00+03:30",
        "published_at_utc": "2017-12-05T17:57:00Z",
        "published_raw": "Dec 5, 2017 21:27",
        "alternates": {"fa": "https://www.mfa.gov.ir/fa/news/1"},
        "fetched_at": "2024-03-03T09:15:30Z",
        "content_hash": first["content_hash"],
        "layout": "2024",  # the layout the corrected revision was read with
        "revision_id": max(revision_ids(archive)),
        "revision_kind": "content",
        "removed_at": None,
        "duplicate_of": None,
        "removal_evidence": None,
    }
    assert records[2]["title"] == "دیدار وزیر"
    assert records[2]["published_at"] == "2017-12-05"
    assert records[2]["published_at_utc"] is None
    assert records[3]["lead"] is None
    assert records[3]["published_at"] is None
    assert records[3]["layout"] is None  # stored without one (as before schema 0005)


def test_removed_articles_only_with_include_removed(db_url, tmp_path, archive):
    records = read_jsonl(export(db_url, tmp_path, "--include-removed"))

    assert [r["source_id"] for r in records] == ["1", "2", "3", "4", "5"]
    gone = records[4]
    # The last content the article had, marked with its tombstone time.
    assert gone["removed_at"] == "2024-03-04T06:00:00Z"
    assert gone["revision_kind"] == "content"
    assert gone["published_at"] == "2024-03-02T12:00:00+03:30"
    # The gone observations the tombstone rests on (tests.helpers.tombstone: 6 h apart).
    url = "https://ict.gov.ir/en/news/5"
    assert gone["removal_evidence"] == [
        {"reason": "not_found", "status": 404, "observed_at": at, "url": url, "final_url": url}
        for at in ("2024-03-04T00:00:00Z", "2024-03-04T06:00:00Z")
    ]
    assert all(r["removed_at"] is None and r["removal_evidence"] is None for r in records[:4])


def test_a_restored_article_exports_its_restored_revision(db_url, tmp_path, archive, make_record):
    save(archive, make_record("5", site="ict.gov.ir", fetched_at="2024-03-05T00:00:00Z"))

    records = read_jsonl(export(db_url, tmp_path, "--site", "ict.gov.ir"))

    assert [(r["source_id"], r["revision_kind"], r["removed_at"]) for r in records] == [
        ("4", "content", None),
        ("5", "restored", None),
    ]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--site", "ict.gov.ir"], ["4"]),
        (["--site", "ict.gov.ir", "--site", "mfa.gov.ir", "--lang", "fa"], ["3"]),
        (["--lang", "en"], ["1", "2", "4"]),
        (["--site", "msrt.ir"], []),  # a profile's site with nothing archived
        # published_at_utc: article 2 is 2024-02-29T20:00Z, article 1 is 2017.
        (["--since", "2024-01-01"], ["2"]),
        (["--since", "2024-02-29T20:00:00Z"], ["2"]),
        (["--since", "2024-02-29T20:00:01Z"], []),
        # An offset is honoured: 23:30 in Tehran is 20:00 UTC.
        (["--since", "2024-02-29T23:30:00+03:30"], ["2"]),
        (["--until", "2024-02-29T20:00:00Z"], ["1"]),
        # A bare --until date includes that whole day (UTC).
        (["--until", "2024-02-29"], ["1", "2"]),
        (["--since", "2024-02-29", "--until", "2024-02-29"], ["2"]),
        # A naive date-time is UTC.
        (["--until", "2024-02-29T20:00:01"], ["1", "2"]),
        # archived = the revision's fetch time; article 1's latest revision is from March 3.
        (["--by", "archived", "--since", "2024-03-02"], ["1", "4"]),
        (["--by", "archived", "--until", "2024-03-01"], ["2", "3"]),
        (["--by", "archived", "--since", "2024-03-02", "--include-removed"], ["1", "4", "5"]),
    ],
)
def test_filters(db_url, tmp_path, archive, argv, expected):
    records = read_jsonl(export(db_url, tmp_path, *argv))
    assert [r["source_id"] for r in records] == expected


def test_duplicate_of_names_the_original_canonical_url(db_url, tmp_path, archive):
    with archive.begin() as session:
        original = session.scalar(select(Article.id).where(Article.source_id == "1"))
        session.execute(
            update(Article).where(Article.source_id == "2").values(duplicate_of_id=original)
        )

    records = read_jsonl(export(db_url, tmp_path))

    assert records[1]["duplicate_of"] == "https://www.mfa.gov.ir/en/news/1"
    assert [r["duplicate_of"] for r in records if r["source_id"] != "2"] == [None] * 3


def test_csv_has_the_same_columns_and_json_for_lists(db_url, tmp_path, archive):
    jsonl = read_jsonl(export(db_url, tmp_path))
    out = export(db_url, tmp_path, "--format", "csv", name="out.csv")

    rows = read_csv(out)
    assert out.read_text("utf-8").splitlines()[0] == ",".join(FIELDS)
    assert len(rows) == len(jsonl) == 4
    for row, record in zip(rows, jsonl, strict=True):
        assert json.loads(row["tags"]) == record["tags"]
        assert json.loads(row["alternates"]) == record["alternates"]
        assert row["body"] == record["body"]
        assert int(row["revision_id"]) == record["revision_id"]
        for name in ("lead", "published_at", "published_at_utc", "removed_at", "duplicate_of"):
            assert row[name] == (record[name] or "")
        assert row["removal_evidence"] == ""
    assert rows[2]["title"] == "دیدار وزیر"


def test_stdout_is_the_default_output(db_url, archive, capsysbinary):
    assert run_cli("--database-url", db_url, "--site", "ict.gov.ir") == 0

    captured = capsysbinary.readouterr()
    lines = captured.out.decode("utf-8").splitlines()
    assert [json.loads(line)["source_id"] for line in lines] == ["4"]
    assert captured.err == b""  # not a terminal: no progress bar, no summary


def test_progress_bar_and_summary_on_a_terminal(db_url, tmp_path, archive, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    out = export(db_url, tmp_path)

    shown = terminal.getvalue()
    assert "4/4" in shown
    assert f"4 records exported (jsonl): {out}" in shown


def test_nothing_to_export_is_success(db_url, tmp_path, archive):
    out = export(db_url, tmp_path, "--site", "msrt.ir", "--format", "csv", name="e.csv")
    assert out.read_text("utf-8").splitlines() == [",".join(FIELDS)]


def test_export_latest_api_streams_records(sessions, make_record):
    save(sessions, *(make_record(str(n)) for n in range(1, 26)))
    stream = io.BytesIO()
    steps = []

    count = export_latest(sessions, ExportFilter(), JsonLinesWriter(stream), progress=steps.append)

    assert count == 25
    assert len(stream.getvalue().splitlines()) == 25
    assert sum(steps) == 25


def test_postgresql_reads_through_a_server_side_cursor(db_url, sessions, make_record):
    """yield_per streams: on PostgreSQL a named cursor is open while the records come."""
    save(sessions, *(make_record(str(n)) for n in range(1, 2501)))
    with sessions() as session:
        records = iter_latest(session, ExportFilter())
        first, _ = next(records)
        assert first["source_id"] == "1"
        if session.get_bind().dialect.name == "postgresql":
            cursors = _pg_cursors(session)
            assert len(cursors) == 1, cursors
        rest = sum(1 for _ in records)
        assert rest == 2499


def _pg_cursors(session: Session) -> list[str]:
    from sqlalchemy import text

    return list(session.scalars(text("SELECT name FROM pg_cursors")))


# -- command line errors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--format", "xml"], "argument --format: invalid choice: 'xml'"),
        (["--since", "2024-13-01"], "argument --since: '2024-13-01' is not a date"),
        (["--until", "yesterday"], "argument --until: 'yesterday' is not a date"),
        (["--by", "modified"], "argument --by: invalid choice: 'modified'"),
        (["--warc-max-size", "lots"], "argument --warc-max-size: 'lots' is not a size"),
        (["--warc-max-size", "0"], "argument --warc-max-size: the size must be at least 1 byte"),
        (["--batch-size", "0"], "argument --batch-size: expected a positive whole number"),
        (["--consumer", " "], "argument --consumer: a consumer name is 1 to 128"),
    ],
)
def test_bad_arguments_exit_2(argv, message, capsys):
    with pytest.raises(SystemExit) as exited:
        run_cli(*argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "newscrawl export: error: " in err
    assert message in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--since", "2024-03-02", "--until", "2024-03-01"], "--since must be before --until"),
        (["--format", "warc"], "--format warc writes files: give --output PREFIX or a directory"),
        (["--database-url", "nosuchdialect://x"], "unknown or unsupported database dialect"),
    ],
)
def test_inconsistent_arguments_exit_2(argv, message, capsys):
    assert run_cli(*argv) == 2
    assert message in capsys.readouterr().err


def test_missing_sqlite_file_exits_1_without_creating_it(tmp_path, capsys):
    path = tmp_path / "missing.sqlite3"
    assert run_cli("--database-url", f"sqlite:///{path}") == 1
    assert f"newscrawl export: error: no database at {path}" in capsys.readouterr().err
    assert not path.exists()


def test_database_without_schema_exits_1(db_url, tmp_path, capsys):
    from newscrawl.db.session import make_engine

    make_engine(db_url).dispose()  # creates the SQLite file; PostgreSQL's database exists
    assert run_cli("--database-url", db_url, "--output", str(tmp_path / "x.jsonl")) == 1
    assert "has no newscrawl schema (run `newscrawl db upgrade`" in capsys.readouterr().err


def test_unwritable_output_exits_1(db_url, tmp_path, archive, capsys):
    out = tmp_path / "no" / "such" / "dir" / "out.jsonl"
    assert run_cli("--database-url", db_url, "--output", str(out)) == 1
    assert f"newscrawl export: error: writing {out}" in capsys.readouterr().err


def test_export_is_a_newscrawl_command():
    assert "export" in COMMANDS


def test_parse_bound():
    assert parse_bound("2024-03-01", end=False) == datetime(2024, 3, 1, tzinfo=UTC)
    assert parse_bound("2024-03-01", end=True) == datetime(2024, 3, 2, tzinfo=UTC)
    assert parse_bound("2024-03-01T10:00:00+03:30", end=True) == datetime(
        2024, 3, 1, 6, 30, tzinfo=UTC
    )
    with pytest.raises(ValueError, match="expected YYYY-MM-DD"):
        parse_bound("March 1", end=False)


def test_csv_rows_are_what_the_csv_module_writes():
    """The CSV writer's quoting is the csv module's default (Excel) dialect, byte for byte."""
    import csv
    import random

    from newscrawl.export.writers import CsvWriter

    rng = random.Random(5)
    alphabet = ["a", ",", '"', "\n", "\r", " ", "ی", "'", "\t", '""', "\r\n"]
    rows = [
        ["".join(rng.choices(alphabet, k=rng.randint(0, 6))) for _ in range(4)] for _ in range(2000)
    ]
    binary = io.BytesIO()
    writer = CsvWriter(binary, fields=("a", "b", "c", "d"))
    for row in rows:
        writer.write(dict(zip("abcd", row, strict=True)))
    text = io.StringIO()
    reference = csv.writer(text)
    reference.writerow("abcd")
    reference.writerows(rows)

    assert binary.getvalue().decode("utf-8") == text.getvalue()
    parsed = list(csv.reader(io.StringIO(binary.getvalue().decode("utf-8"), newline="")))
    assert parsed[1:] == rows
