"""The ``newscrawl db`` and ``newscrawl history`` sub-commands."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

import pytest

from newscrawl.cli import db as db_cli
from newscrawl.cli import history as history_cli
from newscrawl.db.session import ENV_VAR, make_engine
from newscrawl.db.store import save_articles
from tests.helpers import tombstone

pytestmark = pytest.mark.db


def main_cli(*argv: str) -> int:
    """The whole ``newscrawl`` command line (every sub-command)."""
    from newscrawl.cli import main

    return int(main(list(argv)))


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="newscrawl")
    sub = parser.add_subparsers(dest="command", required=True)
    db_cli.register(sub)
    history_cli.register(sub)
    args = parser.parse_args(argv)
    return int(args.func(args))


def test_db_upgrade_and_current(db_url, empty_engine, capsys):
    assert run_cli("db", "current", "--database-url", db_url) == 0
    assert "no schema" in capsys.readouterr().out

    assert run_cli("db", "upgrade", "--database-url", db_url) == 0
    assert "upgraded from (empty) to revision 0006 (head)" in capsys.readouterr().out

    assert run_cli("db", "upgrade", "--database-url", db_url) == 0
    assert "already at revision 0006 (head)" in capsys.readouterr().out

    assert run_cli("db", "current", "--database-url", db_url) == 0
    assert "revision 0006 (head)" in capsys.readouterr().out


def test_db_current_does_not_create_a_sqlite_file(tmp_path, capsys):
    path = tmp_path / "missing.sqlite3"
    assert run_cli("db", "current", "--database-url", f"sqlite:///{path}") == 0
    assert "no database file" in capsys.readouterr().out
    assert not path.exists()


def test_db_bad_url_from_environment(monkeypatch, capsys):
    monkeypatch.setenv(ENV_VAR, "nosuchdialect://x")
    assert run_cli("db", "upgrade") == 2
    err = capsys.readouterr().err
    assert "NEWSCRAWL_DATABASE_URL" in err
    assert "nosuchdialect" in err


def test_history_prints_revisions_word_diffs_and_scores(db_url, session_factory, make_record, capsys):
    records = [
        make_record(title="Talks begin", fetched_at="2024-03-01T10:00:00Z"),
        make_record(
            title="Talks begin",
            body="First paragraph.\n\nnew sentence",
            fetched_at="2024-03-02T10:00:00Z",
        ),
    ]
    for record in records:
        with session_factory.begin() as session:
            save_articles(session, [record])
    with session_factory.begin() as session:
        at = datetime(2024, 3, 3, 10, tzinfo=UTC)
        tombstone(session, "mfa", "en", "1001", at=at, status=404)

    assert run_cli("history", "https://mfa.example/en/news/1001", "--database-url", db_url) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()

    assert "article mfa:en:1001 (id 1)" in lines[0]
    revision_lines = [line for line in lines if line.startswith("#")]
    assert [line.split()[:3] for line in revision_lines] == [
        ["#1", "content", "2024-03-01T10:00:00Z"],
        ["#2", "content", "2024-03-02T10:00:00Z"],
        ["#3", "removed", "2024-03-03T10:00:00Z"],
    ]
    assert records[0].content_hash[:12] in revision_lines[0]
    assert "Talks begin" in revision_lines[0]
    assert "[published 2017-12-05T21:27:00+03:30]" in revision_lines[0]
    # The text is the lead (5 words) and the body (4): one word of 9 replaced, sqrt(1/9) = 0.33.
    assert "  score 0.33: body: 11% of words changed" in lines
    assert (
        "  text: The minister received the envoy. First paragraph. {-old-}[+new+] sentence" in lines
    )
    assert not any(line.startswith("  title:") for line in lines)
    assert lines[-1] == "  score 1.00: removed"
    assert not any("\x1b[" in line for line in lines)  # no colour off a terminal
    assert "removed at 2024-03-03T10:00:00Z" in out


def test_history_by_key_and_persian_text(db_url, session_factory, make_record, capsys):
    with session_factory.begin() as session:
        save_articles(session, [make_record("55", lang="fa", title="دیدار وزیر")])
    with session_factory.begin() as session:
        save_articles(session, [make_record("55", lang="fa", title="دیدار وزیر امور خارجه")])

    assert run_cli("history", "mfa:fa:55", "--database-url", db_url) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "  title: دیدار وزیر [+امور خارجه+]" in lines
    assert "  score 0.50: title changed" in lines  # the text is the same: the title's weight


def test_history_colours_on_request(db_url, session_factory, make_record, capsys):
    with session_factory.begin() as session:
        save_articles(session, [make_record("7", body="Aid reached 120 families.")])
    with session_factory.begin() as session:
        save_articles(session, [make_record("7", body="Aid reached 150 families.")])

    assert run_cli("history", "mfa:en:7", "--color", "always", "--database-url", db_url) == 0
    out = capsys.readouterr().out
    assert "\x1b[31m120\x1b[0m \x1b[32m150\x1b[0m" in out
    assert "number changed: 120 → 150" in out


def test_history_unknown_article(db_url, session_factory, capsys):
    assert run_cli("history", "mfa:en:404", "--database-url", db_url) == 1
    captured = capsys.readouterr()
    assert "no article matches 'mfa:en:404'" in captured.err
    assert captured.out == ""


def test_history_without_schema(db_url, capsys):
    make_engine(db_url).dispose()  # creates the SQLite file, but no schema
    assert run_cli("history", "mfa:en:1", "--database-url", db_url) == 1
    assert "has no newscrawl schema" in capsys.readouterr().err


def test_history_missing_sqlite_file(tmp_path, capsys):
    path = tmp_path / "none.sqlite3"
    assert run_cli("history", "mfa:en:1", "--database-url", f"sqlite:///{path}") == 1
    assert "no database at" in capsys.readouterr().err
    assert not path.exists()


def test_changes_lists_significant_edits_since_a_time(db_url, session_factory, make_record, capsys):
    days = [
        ("1", "2024-03-01T10:00:00Z", "Aid reached 120 families."),
        ("1", "2024-03-02T10:00:00Z", "Aid reached 150 families."),  # a number: an alert
        ("2", "2024-03-01T10:00:00Z", "Talks went well."),
        ("2", "2024-03-05T10:00:00Z", "Talks went well!"),  # punctuation only: score 0
        ("3", "2024-03-01T10:00:00Z", "Old text of three."),
        ("3", "2024-03-06T10:00:00Z", "Old text of three, with one more clause added here now."),
    ]
    for source_id, at, body in days:
        with session_factory.begin() as session:
            save_articles(session, [make_record(source_id, body=body, fetched_at=at)])

    assert main_cli("changes", "--database-url", db_url) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if not line.startswith(" ")]
    assert [line.split()[3] for line in lines] == ["mfa:en:3", "mfa:en:1"]  # newest first
    assert main_cli("changes", "--since", "2024-03-03", "--database-url", db_url) == 0
    out = capsys.readouterr().out
    assert "mfa:en:3" in out and "mfa:en:1" not in out
    assert main_cli("changes", "--min-score", "0", "--database-url", db_url) == 0
    assert "mfa:en:2" in capsys.readouterr().out


def test_changes_refuses_a_bad_score_and_notify_a_bad_url(db_url, session_factory, capsys):
    with pytest.raises(SystemExit) as exited:
        main_cli("changes", "--min-score", "2", "--database-url", db_url)
    assert exited.value.code == 2
    assert "a score is a number from 0 to 1, not '2'" in capsys.readouterr().err
    assert main_cli("notify", "--webhook", "ftp://x", "--database-url", db_url) == 2
    assert "--webhook must be an http(s) URL, not 'ftp://x'" in capsys.readouterr().err
