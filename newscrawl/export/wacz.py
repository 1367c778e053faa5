"""WACZ 1.2 output: the archive as one file that replay tools open (ReplayWeb.page, pywb).

:class:`WaczWriter` takes the export loop's records (the writer interface of
``export.writers``) and, when closed, writes a ZIP file laid out as the WACZ 1.2.0 specification
(https://specs.webrecorder.net/wacz/1.2.0/) says:

- ``archive/data.warc.gz``: the WARC records of :class:`~newscrawl.export.warc.WarcWriter` (each
  article's HTTP response with its original status and headers, and its metadata record), ZIP
  "stored" as the specification requires of compressed files;
- ``indexes/index.cdx``: the CDXJ index of the response records, made by cdxj-indexer
  (Webrecorder's indexer), sorted (the metadata records are left out: same URL and time as their
  response, a replay tool could serve the JSON in the page's place);
- ``pages/pages.jsonl``: the header line ``{"format": "json-pages-1.0", ...}``, then one page per
  article with a capture: ``id`` (the revision), ``url`` (the fetched URL, as in the WARC),
  ``ts`` (the fetch time), ``title`` and ``text`` (the extracted lead and body);
- ``newscrawl/articles.jsonl`` and ``newscrawl/article.schema.json``: the records as
  ``newscrawl export --format jsonl`` writes them, and their JSON Schema (extra resources, outside
  the WACZ directories as the specification asks);
- ``datapackage.json``: every file above with its ``sha256:`` hash and size, ``created``,
  ``software``, ``title``, and 1.2.0's ``home`` (the first page). Its ``profile`` is
  ``data-package`` and it has ``wacz_version: "1.1.1"``, as in WACZ 1.1.1, not 1.2.0's
  ``profile: "wacz"`` without a version: py-wacz 0.6 (``wacz validate``, the reference
  validator) rejects a package without the version, and frictionless, which it validates
  with, cannot resolve a ``wacz`` profile. Replay tools read both;
- ``datapackage-digest.json``: the hash of ``datapackage.json``.

The package is written to a temporary file beside the output and renamed over it at the end, so a
failed or interrupted export leaves no partial ``.wacz`` (and an existing one untouched).
Hand-written rather than ``wacz create``: py-wacz detects pages from HTML itself (we know them),
cannot add our extra resources, and pulls in frictionless and boilerpy3 at run time.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from importlib import resources
from io import TextIOWrapper
from pathlib import Path
from typing import IO, Any

from cdxj_indexer.main import CDXJIndexer

from newscrawl import __version__
from newscrawl.export.warc import WarcWriter, warc_date
from newscrawl.export.writers import JsonLinesWriter, sync_stream
from newscrawl.items import RawCapture
from newscrawl.schemas import ARTICLE_SCHEMA_FILE

__all__ = ["WaczWriter"]

_WARC = "archive/data.warc.gz"
_INDEX = "indexes/index.cdx"
_PAGES = "pages/pages.jsonl"
_ARTICLES = "newscrawl/articles.jsonl"
_SCHEMA = "newscrawl/article.schema.json"
#: The version and profile py-wacz's validator checks for (see the module docstring).
_PY_WACZ_VERSION = "1.1.1"
_PROFILE = "data-package"


class WaczWriter:
    """Collect an export's records and write them as one WACZ package at :meth:`close`."""

    needs_capture = True

    def __init__(self, output: str | os.PathLike[str], *, title: str = "newscrawl archive") -> None:
        self.output = Path(output)
        self.title = title
        #: Articles written.
        self.articles = 0
        self._dir = Path(tempfile.mkdtemp(prefix=".newscrawl-wacz-", dir=self.output.parent))
        self._warc = WarcWriter(self._dir / "data", max_size=2**62)
        self._pages = (self._dir / "pages.jsonl").open("w", encoding="utf-8")
        self._pages.write(
            json.dumps({"format": "json-pages-1.0", "id": "pages", "title": title}) + "\n"
        )
        self._articles_file = (self._dir / "articles.jsonl").open("wb")
        self._articles = JsonLinesWriter(self._articles_file)
        self._home: dict[str, str] | None = None
        self._closed = False

    # -- RecordWriter interface ------------------------------------------------------------------

    def write(self, record: Mapping[str, Any], capture: RawCapture | None) -> None:
        self._warc.write(record, capture)
        self._articles.write(record, capture)
        self.articles += 1
        if capture is None:
            return
        ts = warc_date(record.get("fetched_at"))
        text = "\n\n".join(part for part in (record.get("lead"), record.get("body")) if part)
        page = {
            "id": str(record.get("revision_id") or self.articles),
            "url": capture.url,
            "ts": ts,
            "title": record.get("title") or "",
            "text": text,
        }
        self._pages.write(json.dumps(page, ensure_ascii=False) + "\n")
        if self._home is None:
            self._home = {"url": capture.url, "ts": ts}

    def flush(self) -> None:
        """Flush the parts to disk (the package itself exists only after :meth:`close`)."""
        self._warc.flush()
        self._pages.flush()
        self._articles.flush()

    def close(self) -> None:
        """Write the package to the output (atomically) and remove the working files.

        No records: no package (a WACZ without pages replays nothing); the caller says so.
        """
        if self._closed:
            return
        if not self.articles:
            self.abort()
            return
        self._closed = True
        try:
            self._finish_parts()
            self._package()
        finally:
            shutil.rmtree(self._dir, ignore_errors=True)

    def abort(self) -> None:
        """Give up: remove the working files, write no package."""
        if self._closed:
            return
        self._closed = True
        for stream in (self._pages, self._articles_file):
            stream.close()
        self._warc.close()
        shutil.rmtree(self._dir, ignore_errors=True)

    # -- the package -----------------------------------------------------------------------------

    def _finish_parts(self) -> None:
        self._warc.close()
        self._articles.close()
        self._articles_file.close()
        self._pages.close()
        warc = self._dir / "data.warc.gz"
        if self._warc.paths:
            self._warc.paths[0].rename(warc)
        else:
            warc.write_bytes(b"")
        with (self._dir / "index.cdx").open("w", encoding="utf-8") as out:
            index_warc(warc, out)
        schema = resources.files("newscrawl.schemas").joinpath(ARTICLE_SCHEMA_FILE).read_bytes()
        (self._dir / "schema.json").write_bytes(schema)

    def _package(self) -> None:
        parts = {
            _WARC: self._dir / "data.warc.gz",
            _INDEX: self._dir / "index.cdx",
            _PAGES: self._dir / "pages.jsonl",
            _ARTICLES: self._dir / "articles.jsonl",
            _SCHEMA: self._dir / "schema.json",
        }
        created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        package: dict[str, Any] = {
            "profile": _PROFILE,
            "wacz_version": _PY_WACZ_VERSION,
            "title": self.title,
            "created": created,
            "modified": created,
            "software": f"newscrawl {__version__}",
            "resources": [
                {"name": name.rsplit("/", 1)[1], "path": name, **_digest(path)}
                for name, path in parts.items()
            ],
        }
        for resource in package["resources"]:
            if resource["path"] == _SCHEMA:
                # a plain file: frictionless would otherwise read a JSON Schema as a Table Schema
                resource["type"] = "file"
        if self._home is not None:
            package["home"] = self._home
        datapackage = json.dumps(package, indent=2).encode("utf-8")
        digest = {"path": "datapackage.json", "hash": _digest_bytes(datapackage)["hash"]}
        partial = self._dir / "package.wacz"
        with zipfile.ZipFile(partial, "w") as archive:
            for name, path in parts.items():
                # compressed files are stored, so a reader can seek into them (the spec's rule)
                stored = name.endswith(".gz")
                compression = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
                archive.write(path, name, compress_type=compression)
            archive.writestr("datapackage.json", datapackage, zipfile.ZIP_DEFLATED)
            archive.writestr(
                "datapackage-digest.json", json.dumps(digest, indent=2), zipfile.ZIP_DEFLATED
            )
        with partial.open("rb") as written:
            sync_stream(written)
        os.replace(partial, self.output)


def index_warc(warc: Path, out: IO[str] | TextIOWrapper) -> None:
    """Write the sorted CDXJ index of *warc* to *out*, naming the file by its base name."""
    if warc.stat().st_size == 0:
        return
    with warc.open("rb") as stream:
        # responses only: a metadata record has the same URL and time, and a replay tool given
        # both may serve the JSON instead of the page
        CDXJIndexer(
            out, [stream], sort=True, filename=warc.name, records="response,revisit,resource"
        ).process_all()


def _digest(path: Path) -> dict[str, Any]:
    hasher = hashlib.sha256()
    with path.open("rb") as stream:
        for block in _blocks(stream):
            hasher.update(block)
    return {"hash": f"sha256:{hasher.hexdigest()}", "bytes": path.stat().st_size}


def _digest_bytes(data: bytes) -> dict[str, Any]:
    return {"hash": f"sha256:{hashlib.sha256(data).hexdigest()}", "bytes": len(data)}


def _blocks(stream: IO[bytes]) -> Iterator[bytes]:
    while block := stream.read(1 << 20):
        yield block
