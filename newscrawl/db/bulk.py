"""Bulk statements for PostgreSQL: any number of rows as one statement with one array per column.

psycopg's ``executemany`` sends one execution per row (pipelined), and SQLAlchemy's multi-row
``VALUES`` is compiled and sent as a new statement text for every batch size. An
``INSERT ... SELECT unnest(:a), unnest(:b)`` is compiled once, is the same text for every batch,
and the server executes it once: measured on the writer (bench/profiles/before.md), the 16 band
keys per article cost about 0.3 ms per article less, client and server together.

SQLAlchemy has no construct for this (its "insertmanyvalues" renders ``VALUES`` lists), so it is
written here; SQLite keeps ``executemany``, which its driver runs in C without a round trip.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, Select, Table, bindparam, func, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import TypeEngine

__all__ = ["as_columns", "unnest_insert", "unnest_rows"]


def unnest_rows(columns: Mapping[str, TypeEngine[Any]]) -> Select[Any]:
    """``SELECT unnest(:name1) AS name1, unnest(:name2) AS name2, ...`` for *columns*.

    Each bound parameter takes a list (one element per row), e.g. from :func:`as_columns`; PostgreSQL
    zips the unnested arrays row by row. Use it with ``insert(table).from_select(...)``, or as the
    ``FROM`` of an ``UPDATE``.
    """
    unnested: list[ColumnElement[Any]] = [
        func.unnest(bindparam(name, type_=ARRAY(kind))).label(name)
        for name, kind in columns.items()
    ]
    return select(*unnested)


def as_columns(rows: Sequence[Mapping[str, Any]], names: Iterable[str]) -> dict[str, list[Any]]:
    """``[{a: 1, b: 2}, {a: 3, b: 4}]`` as ``{a: [1, 3], b: [2, 4]}``: the parameters of
    :func:`unnest_rows`."""
    return {name: [row[name] for row in rows] for name in names}


def unnest_insert(table: Table, *names: str) -> postgresql.Insert:
    """``INSERT INTO table (names) SELECT unnest(:name1), ...``, each array of its column's type
    (so that e.g. ``UTCDateTime`` converts every element); the parameters come from
    :func:`as_columns` with the same *names*. A PostgreSQL ``Insert``, so ``ON CONFLICT`` and
    ``RETURNING`` can be added."""
    types = {name: table.c[name].type for name in names}
    return postgresql.insert(table).from_select(list(names), unnest_rows(types))
