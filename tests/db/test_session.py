"""Engine and session factory: URLs, SQLite pragmas, clear configuration errors."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from newscrawl.db.errors import DatabaseConfigError
from newscrawl.db.session import (
    DEFAULT_DATABASE_URL,
    ENV_VAR,
    database_url,
    make_engine,
    make_sessionmaker,
)
from tests.pg import admin_url


def test_database_url_prefers_value_then_environment_then_default(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert database_url() == DEFAULT_DATABASE_URL == "sqlite:///output/newscrawl.sqlite3"
    monkeypatch.setenv(ENV_VAR, "sqlite:///from-env.sqlite3")
    assert database_url() == "sqlite:///from-env.sqlite3"
    assert database_url("sqlite:///given.sqlite3") == "sqlite:///given.sqlite3"
    assert database_url("") == "sqlite:///from-env.sqlite3"


def test_unknown_dialect_raises_a_clear_error(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "nosuchdialect://x")
    with pytest.raises(DatabaseConfigError) as excinfo:
        make_engine(database_url())
    message = str(excinfo.value)
    assert "NEWSCRAWL_DATABASE_URL" in message
    assert "nosuchdialect" in message
    assert "unknown or unsupported database dialect" in message


def test_malformed_url_raises_a_clear_error():
    with pytest.raises(DatabaseConfigError, match=r"NEWSCRAWL_DATABASE_URL.*not a database URL"):
        make_engine("not a url at all")


def test_unreachable_server_raises_a_clear_error_without_the_password():
    with pytest.raises(DatabaseConfigError) as excinfo:
        make_engine("postgresql://someone:s3cret@127.0.0.1:1/nothing")
    message = str(excinfo.value)
    assert "NEWSCRAWL_DATABASE_URL" in message
    assert "cannot connect to the database server" in message
    assert "s3cret" not in message


@pytest.mark.db
@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_postgres_urls_use_psycopg3(scheme):
    url = make_url(admin_url()).set(drivername=scheme).render_as_string(hide_password=False)
    engine = make_engine(url)
    try:
        assert engine.dialect.name == "postgresql"
        assert engine.dialect.driver == "psycopg"
        assert engine.pool._pre_ping  # type: ignore[attr-defined]
    finally:
        engine.dispose()


@pytest.mark.db
def test_sqlite_creates_the_directory_and_sets_pragmas(tmp_path):
    path = tmp_path / "new" / "dir" / "crawl.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    try:
        assert path.parent.is_dir()
        with engine.connect() as connection:
            pragmas = {
                name: connection.execute(text(f"PRAGMA {name}")).scalar()
                for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
            }
        assert pragmas == {
            "journal_mode": "wal",
            "synchronous": 1,  # NORMAL
            "foreign_keys": 1,
            "busy_timeout": 30000,
        }
    finally:
        engine.dispose()


def test_relative_sqlite_path_is_relative_to_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    engine = make_engine(DEFAULT_DATABASE_URL)
    try:
        assert (tmp_path / "output" / "newscrawl.sqlite3").exists()
    finally:
        engine.dispose()


def test_sessionmaker_keeps_objects_readable_after_commit(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    try:
        factory = make_sessionmaker(engine)
        assert factory.kw["expire_on_commit"] is False
        assert factory.kw["bind"] is engine
    finally:
        engine.dispose()
