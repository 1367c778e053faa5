"""db/bulk.py: ``INSERT ... SELECT unnest(...)`` on the real PostgreSQL server.

The statements are PostgreSQL's only (SQLite keeps ``executemany``), so every test here runs on a
throwaway PostgreSQL database of its own, with a table of this module's own making.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import (
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    select,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import StatementError

from newscrawl.db.bulk import as_columns, unnest_insert, unnest_rows
from newscrawl.db.models import UTCDateTime
from newscrawl.db.session import make_engine
from tests.pg import create_pg_database, drop_pg_database

pytestmark = pytest.mark.db

METADATA = MetaData()
THINGS = Table(
    "things",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("name", String, nullable=False),
    Column("seen_at", UTCDateTime(), nullable=True),
)
TEHRAN = timezone(timedelta(hours=3, minutes=30))


@pytest.fixture
def engine() -> Iterator[Engine]:
    url = create_pg_database()
    engine = make_engine(url)
    try:
        METADATA.create_all(engine)
        yield engine
    finally:
        engine.dispose()
        drop_pg_database(url)


def rows(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(select(THINGS).order_by(THINGS.c.id))]


def test_as_columns_turns_rows_into_one_list_per_named_column() -> None:
    given = [{"a": 1, "b": 2, "c": 9}, {"a": 3, "b": 4, "c": 9}]
    assert as_columns(given, ["b", "a"]) == {"b": [2, 4], "a": [1, 3]}
    assert as_columns([], ["a"]) == {"a": []}
    with pytest.raises(KeyError):
        as_columns([{"a": 1}], ["a", "missing"])


def test_unnest_insert_is_one_statement_whatever_the_number_of_rows() -> None:
    statement = unnest_insert(THINGS, "id", "name")
    sql = str(statement.compile(dialect=postgresql.dialect()))  # type: ignore[no-untyped-call]
    assert "VALUES" not in sql
    assert sql.count("unnest(") == 2
    assert "INSERT INTO things (id, name) SELECT" in sql


def test_unnest_insert_stores_every_row_in_order(engine: Engine) -> None:
    given = [
        {"id": 1, "name": "first", "seen_at": datetime(2017, 12, 5, 21, 27, tzinfo=TEHRAN)},
        {"id": 2, "name": "second", "seen_at": None},
        {"id": 3, "name": "third", "seen_at": datetime(2020, 2, 29, 23, 59, tzinfo=UTC)},
    ]
    with engine.begin() as connection:
        connection.execute(
            unnest_insert(THINGS, "id", "name", "seen_at"),
            as_columns(given, ["id", "name", "seen_at"]),
        )
    # 21:27 at +03:30 is 17:57 UTC: each array element went through UTCDateTime
    assert rows(engine) == [
        (1, "first", datetime(2017, 12, 5, 17, 57, tzinfo=UTC)),
        (2, "second", None),
        (3, "third", datetime(2020, 2, 29, 23, 59, tzinfo=UTC)),
    ]


def test_unnest_insert_refuses_a_naive_datetime_in_any_row(engine: Engine) -> None:
    given = [
        {"id": 1, "name": "aware", "seen_at": datetime(2017, 12, 5, tzinfo=UTC)},
        {"id": 2, "name": "naive", "seen_at": datetime(2017, 12, 5)},
    ]
    with pytest.raises(StatementError, match="naive datetime"), engine.begin() as connection:
        connection.execute(
            unnest_insert(THINGS, "id", "name", "seen_at"),
            as_columns(given, ["id", "name", "seen_at"]),
        )
    assert rows(engine) == []  # nothing of the batch was stored


def test_unnest_insert_takes_on_conflict_and_returning(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(
            unnest_insert(THINGS, "id", "name"), {"id": [1, 2], "name": ["one", "two"]}
        )
        inserted = connection.scalars(
            unnest_insert(THINGS, "id", "name")
            .on_conflict_do_nothing(index_elements=["id"])
            .returning(THINGS.c.id),
            {"id": [2, 3, 4], "name": ["again", "three", "four"]},
        ).all()
    assert sorted(inserted) == [3, 4]
    assert [(row[0], row[1]) for row in rows(engine)] == [
        (1, "one"),
        (2, "two"),
        (3, "three"),
        (4, "four"),
    ]


def test_unnest_rows_is_the_from_of_an_update(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(
            unnest_insert(THINGS, "id", "name"),
            {"id": [1, 2, 3], "name": ["one", "two", "three"]},
        )
        # the parameters are not named after the columns: an UPDATE reserves those names
        changes = unnest_rows({"b_id": Integer(), "b_name": String()}).subquery()
        connection.execute(
            update(THINGS).where(THINGS.c.id == changes.c.b_id).values(name=changes.c.b_name),
            {"b_id": [3, 1], "b_name": ["THREE", "ONE"]},
        )
    assert [(row[0], row[1]) for row in rows(engine)] == [(1, "ONE"), (2, "two"), (3, "THREE")]
