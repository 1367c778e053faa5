"""WARC 1.1 output (with warcio): the original response of each article and its extracted fields.

For every article :class:`WarcWriter` writes, each record gzipped on its own:

- a ``response`` record: the HTTP response the content was extracted from (status line, headers,
  the decompressed body), ``WARC-Target-URI`` the fetched URL, ``WARC-Date`` the fetch time;
- a ``metadata`` record (``Content-Type: application/json``): the exported record as JSON
  (see ``newscrawl/schemas/article.schema.json``), same target URI and date, with
  ``WARC-Concurrent-To`` naming the response's ``WARC-Record-ID``.

An article without a stored capture gets the ``metadata`` record alone. Because the stored body is
already decoded, the response's ``Content-Encoding`` and ``Transfer-Encoding`` headers are kept as
``X-Archive-Orig-Content-Encoding``/``X-Archive-Orig-Transfer-Encoding`` and ``Content-Length``
is set to the body's length, so the record is what a replay tool expects.

Files are named ``<prefix>-00000.warc.gz``, ``<prefix>-00001.warc.gz``, … and each starts with a
``warcinfo`` record. A file is closed once it has reached ``max_size`` bytes, so a file exceeds
the limit by at most one article; an article's two records never straddle two files. Existing
files are never overwritten: numbering skips names that exist. No file is made for no articles.
A process killed while writing leaves a truncated last record, which ``warcio check`` reports.

The crawl can write WARC as it goes with :class:`newscrawl.pipelines.warc.WarcPipeline`.
"""

from __future__ import annotations

import http
import json
import os
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from newscrawl import __version__
from newscrawl.export.writers import sync_stream
from newscrawl.items import RawCapture

__all__ = [
    "DEFAULT_MAX_SIZE",
    "WarcWriter",
    "parse_size",
    "warc_date",
    "warc_prefix",
]

#: Default size at which a WARC file is closed and the next one begun: 1 GiB.
DEFAULT_MAX_SIZE = 1024**3

WARC_VERSION = "WARC/1.1"
_SUFFIX = ".warc.gz"
_SIZE_RE = re.compile(r"^\s*(\d+)\s*([kmgt]?)(i?b)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
#: Response headers that describe an encoding the stored (decoded) body no longer has.
_ENCODING_HEADERS = ("content-encoding", "transfer-encoding")
_CONTROL_RE = re.compile(r"[\r\n\x00]+")


def parse_size(value: str | int) -> int:
    """A byte count: ``1048576``, ``500K``, ``100M``, ``1G`` (binary units; ``MB``/``MiB`` too)."""
    if isinstance(value, int):
        size = value
    else:
        match = _SIZE_RE.match(value)
        if match is None:
            raise ValueError(f"{value!r} is not a size (expected e.g. 1048576, 500K, 100M or 1G)")
        size = int(match[1]) * _UNITS[match[2].lower()]
    if size < 1:
        raise ValueError(f"the size must be at least 1 byte, not {value!r}")
    return size


def warc_prefix(output: str | os.PathLike[str], *, name: str = "newscrawl") -> Path:
    """The file-name prefix for ``--output``: a directory gets ``<dir>/<name>-<UTC timestamp>``."""
    path = Path(output)
    if path.is_dir() or str(output).endswith(("/", os.sep)):
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        return path / f"{name}-{stamp}"
    return path


class WarcWriter:
    """Write articles as WARC 1.1 response + metadata pairs, rolling over at ``max_size``."""

    needs_capture = True

    def __init__(
        self,
        prefix: str | os.PathLike[str],
        *,
        max_size: int = DEFAULT_MAX_SIZE,
        info: Mapping[str, str] | None = None,
    ) -> None:
        self.prefix = Path(prefix)
        self.max_size = parse_size(max_size)
        self.info = {
            "software": f"newscrawl/{__version__} (warcio)",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "description": "News articles archived by newscrawl: HTTP responses and extracted fields",
            **(info or {}),
        }
        #: Every file written so far, in order.
        self.paths: list[Path] = []
        #: Articles written.
        self.articles = 0
        self._serial = 0
        self._file: IO[bytes] | None = None
        self._warc: Any = None
        self._warcinfo_id: str | None = None

    # -- RecordWriter interface ------------------------------------------------------------------

    def write(self, record: Mapping[str, Any], capture: RawCapture | None) -> None:
        """Same as :meth:`write_article` (the export loop's writer interface)."""
        self.write_article(record, capture)

    def flush(self) -> None:
        """Flush the current file to disk."""
        if self._file is not None:
            sync_stream(self._file)

    def close(self) -> None:
        """Finish the current file."""
        if self._file is not None:
            sync_stream(self._file)
            self._file.close()
            self._file = None
            self._warc = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------------

    def write_article(self, record: Mapping[str, Any], capture: RawCapture | None) -> None:
        """Write one article: its response record (when there is a capture) and its metadata."""
        warc = self._writer()
        uri = capture.url if capture is not None else str(record["url"])
        date = warc_date(record.get("fetched_at"))
        common = {"WARC-Date": date}
        if self._warcinfo_id:
            common["WARC-Warcinfo-ID"] = self._warcinfo_id
        response_id: str | None = None
        if capture is not None:
            response = warc.create_warc_record(
                uri,
                "response",
                payload=BytesIO(capture.body),
                length=len(capture.body),
                http_headers=_http_headers(capture),
                warc_headers_dict=dict(common),
            )
            response_id = response.rec_headers.get_header("WARC-Record-ID")
            warc.write_record(response)
        metadata_headers = dict(common)
        if response_id:
            metadata_headers["WARC-Concurrent-To"] = response_id
        payload = json.dumps(dict(record), ensure_ascii=False).encode("utf-8")
        metadata = warc.create_warc_record(
            uri,
            "metadata",
            payload=BytesIO(payload),
            length=len(payload),
            warc_content_type="application/json",
            warc_headers_dict=metadata_headers,
        )
        warc.write_record(metadata)
        self.articles += 1
        assert self._file is not None
        if self._file.tell() >= self.max_size:
            self.close()

    def _writer(self) -> Any:
        if self._warc is not None:
            return self._warc
        path = self._next_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("xb")
        self.paths.append(path)
        self._warc = WARCWriter(self._file, gzip=True, warc_version=WARC_VERSION)
        warcinfo = self._warc.create_warcinfo_record(path.name, self.info)
        self._warcinfo_id = warcinfo.rec_headers.get_header("WARC-Record-ID")
        self._warc.write_record(warcinfo)
        return self._warc

    def _next_path(self) -> Path:
        while True:
            path = self.prefix.with_name(f"{self.prefix.name}-{self._serial:05d}{_SUFFIX}")
            self._serial += 1
            if not path.exists():
                return path


def warc_date(value: Any) -> str:
    """``WARC-Date`` of a record's ``fetched_at`` (UTC, microseconds if it has any)."""
    if isinstance(value, datetime):
        moment = value
    elif value:
        moment = datetime.fromisoformat(str(value))
    else:
        moment = datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    naive = moment.astimezone(UTC).replace(tzinfo=None)
    return str(datetime_to_iso_date(naive, use_micros=bool(naive.microsecond)))


def _http_headers(capture: RawCapture) -> StatusAndHeaders:
    headers: list[tuple[str, str]] = []
    for name, value in capture.headers.items():
        name, value = _CONTROL_RE.sub(" ", name).strip(), _CONTROL_RE.sub(" ", value).strip()
        lower = name.lower()
        if lower == "content-length":
            continue
        if lower in _ENCODING_HEADERS:
            name = f"X-Archive-Orig-{name}"
        headers.append((name, value))
    headers.append(("Content-Length", str(len(capture.body))))
    try:
        reason = http.HTTPStatus(capture.status).phrase
    except ValueError:
        reason = "Unknown"
    return StatusAndHeaders(f"{capture.status} {reason}", headers, protocol="HTTP/1.1")
