"""Record writers for ``newscrawl export``: JSON lines and CSV on a binary stream.

Every writer has the :class:`RecordWriter` interface, which :class:`newscrawl.export.warc.WarcWriter`
shares: ``write(record, capture)`` for each record, ``flush()`` at a delivery boundary (everything
written so far reaches the operating system, and the disk for a regular file), ``close()`` at the
end. Writers never close the stream they were given; the caller owns it (it may be stdout).

- JSON lines: one ``json.dumps(record, ensure_ascii=False)`` per line, UTF-8.
- CSV: a header row with :data:`~newscrawl.export.query.RECORD_FIELDS`, then one row per record;
  ``tags`` and ``alternates`` are JSON strings, null is an empty cell, UTF-8, ``\\r\\n`` rows
  (RFC 4180).
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Mapping, Sequence
from typing import IO, Any, Protocol

from newscrawl.export.query import RECORD_FIELDS
from newscrawl.items import RawCapture

__all__ = ["FORMATS", "CsvWriter", "JsonLinesWriter", "RecordWriter", "sync_stream"]

#: The output formats of ``newscrawl export --format``.
FORMATS = ("jsonl", "csv", "warc", "wacz")


class RecordWriter(Protocol):
    """What the export loop writes records to."""

    #: Whether ``write`` uses the capture (the query then also reads the captures).
    needs_capture: bool

    def write(self, record: Mapping[str, Any], capture: RawCapture | None) -> None:
        """Write one record (``capture`` is the HTTP response its content came from, if any)."""

    def flush(self) -> None:
        """Push everything written so far to the operating system (and disk, for files)."""

    def close(self) -> None:
        """Finish the output (flushes); the writer is not used afterwards."""


def sync_stream(stream: IO[bytes] | IO[str]) -> None:
    """Flush *stream*, then ``fsync`` it if it is a regular file (pipes and terminals can't be)."""
    stream.flush()
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is an OSError
        return
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            os.fsync(fd)
    except OSError:
        return


class JsonLinesWriter:
    """One JSON object per line."""

    needs_capture = False

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.count = 0

    def write(self, record: Mapping[str, Any], capture: RawCapture | None = None) -> None:
        line = json.dumps(record, ensure_ascii=False) + "\n"
        self.stream.write(line.encode("utf-8"))
        self.count += 1

    def flush(self) -> None:
        sync_stream(self.stream)

    def close(self) -> None:
        self.flush()


class CsvWriter:
    """A header row, then one row per record; nested values as JSON strings.

    The rows are what ``csv.writer`` writes with its default (Excel) dialect: a field is quoted
    when it holds a comma, a double quote, CR or LF, and its double quotes are doubled. They are
    built with ``str`` methods, several times faster than ``csv.writer`` on long bodies.
    """

    needs_capture = False

    def __init__(self, stream: IO[bytes], fields: Sequence[str] = RECORD_FIELDS) -> None:
        self.stream = stream
        self.fields = tuple(fields)
        self._write_row(self.fields)
        self.count = 0

    def write(self, record: Mapping[str, Any], capture: RawCapture | None = None) -> None:
        self._write_row([_cell(record.get(name)) for name in self.fields])
        self.count += 1

    def flush(self) -> None:
        sync_stream(self.stream)

    def close(self) -> None:
        self.flush()

    def _write_row(self, cells: Sequence[str]) -> None:
        line = ",".join(_quote(cell) for cell in cells) + "\r\n"
        self.stream.write(line.encode("utf-8"))


def _quote(cell: str) -> str:
    if '"' in cell:
        return '"' + cell.replace('"', '""') + '"'
    if "," in cell or "\n" in cell or "\r" in cell:
        return '"' + cell + '"'
    return cell


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
