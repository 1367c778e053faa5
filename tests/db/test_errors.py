"""failure_reason: the driver's message on one line, without SQLAlchemy's SQL and parameters."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from newscrawl.db.errors import REASON_LIMIT, failure_reason
from newscrawl.db.session import make_engine


def test_a_driver_error_keeps_its_message_and_drops_the_statement(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    try:
        with pytest.raises(SQLAlchemyError) as caught, engine.connect() as connection:
            connection.execute(text("INSERT INTO nosuch VALUES (:body)"), {"body": "secret body"})
    finally:
        engine.dispose()
    assert "secret body" in str(caught.value)  # SQLAlchemy's own text has the parameters
    assert failure_reason(caught.value) == "OperationalError: no such table: nosuch"


def test_other_errors_are_one_bounded_line() -> None:
    assert failure_reason(RuntimeError("first\n  second\n")) == "RuntimeError: first second"
    assert failure_reason(ValueError()) == "ValueError"
    long = failure_reason(ValueError("x" * 1000))
    assert len(long) == REASON_LIMIT and long.endswith("…")
