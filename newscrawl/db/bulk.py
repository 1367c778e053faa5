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
from sqlalchemy.types import TypeEngine

__all__ = ["as_columns", "column_types", "unnest_rows"]


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


def column_types(table: Table, *names: str) -> dict[str, TypeEngine[Any]]:
    """``{name: type}`` of *table*'s columns *names*: the *columns* of :func:`unnest_rows` for
    rows of *table* (so that e.g. ``UTCDateTime`` converts every element)."""
    return {name: table.c[name].type for name in names}
