"""WACZ output: ``newscrawl export --format wacz``, checked with Webrecorder's own tools.

``wacz validate`` (py-wacz, the format's reference validator) checks the package; pywb replays the
articles from the package's own WARC and CDXJ index (``wb-manager add --unpack-wacz``), served by
``wayback`` on a private loopback port, and must answer with the stored page's bytes. pywb pins redis 2.x, which Celery (a test
dependency) cannot share a virtualenv with, so it has its own: ``.venv-pywb`` beside ``.venv``,
made by the README's test command (or ``NEWSCRAWL_PYWB_BIN`` names its ``bin`` directory).
Digests, pages and records are recomputed here from the files, not taken from the writer.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from warcio.archiveiterator import ArchiveIterator

from newscrawl.db.models import Capture
from newscrawl.export.wacz import WaczWriter
from newscrawl.items import RawCapture
from newscrawl_replica.loopback import LOOPBACK_SETTINGS
from newscrawl_replica.process import ReplicaProcess
from tests.export.export_helpers import assert_valid, run_cli
from tests.helpers import run_crawl

REPO = Path(__file__).resolve().parents[2]
WACZ = Path(sys.executable).with_name("wacz")
PYWB_BIN = Path(os.environ.get("NEWSCRAWL_PYWB_BIN", REPO / ".venv-pywb" / "bin"))


def validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(WACZ), "validate", "-f", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def export(db_url: str, output: Path) -> int:
    return run_cli("--database-url", db_url, "--format", "wacz", "-o", str(output))


@pytest.mark.db
def test_the_package_is_valid_and_holds_every_article(db_url, tmp_path, archive) -> None:
    path = tmp_path / "archive.wacz"
    assert export(db_url, path) == 0
    done = validate(path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Validation succeeded" in done.stdout

    with zipfile.ZipFile(path) as package:
        names = set(package.namelist())
        assert names == {
            "archive/data.warc.gz",
            "indexes/index.cdx",
            "pages/pages.jsonl",
            "newscrawl/articles.jsonl",
            "newscrawl/article.schema.json",
            "datapackage.json",
            "datapackage-digest.json",
        }
        # compressed files are stored, so a reader can seek into them
        assert package.getinfo("archive/data.warc.gz").compress_type == zipfile.ZIP_STORED
        files = {name: package.read(name) for name in names}

    datapackage = json.loads(files["datapackage.json"])
    listed = {r["path"]: r for r in datapackage["resources"]}
    assert set(listed) == names - {"datapackage.json", "datapackage-digest.json"}
    for name, resource in listed.items():
        assert (resource["hash"], resource["bytes"]) == (sha256(files[name]), len(files[name]))
    digest = json.loads(files["datapackage-digest.json"])
    assert digest == {"path": "datapackage.json", "hash": sha256(files["datapackage.json"])}

    records = [json.loads(line) for line in files["newscrawl/articles.jsonl"].splitlines()]
    assert len(records) == 5
    for record in records:
        assert_valid(record)
    schema = json.loads(files["newscrawl/article.schema.json"])
    assert schema["$schema"].startswith("https://json-schema.org/")

    header, *pages = (json.loads(line) for line in files["pages/pages.jsonl"].splitlines())
    assert header["format"] == "json-pages-1.0" and header["id"] == "pages"
    assert [(p["url"], p["ts"], p["title"]) for p in pages] == [
        (r["url"], r["fetched_at"], r["title"]) for r in records
    ]
    for page, record in zip(pages, records, strict=True):
        assert record["body"] in page["text"]
    assert datapackage["home"] == {"url": pages[0]["url"], "ts": pages[0]["ts"]}

    # every index line points at the response record of its URL, at its offset
    warc = files["archive/data.warc.gz"]
    lines = files["indexes/index.cdx"].decode().splitlines()
    assert len(lines) == 5
    for line in lines:
        fields = json.loads(line.split(" ", 2)[2])
        start, length = int(fields["offset"]), int(fields["length"])
        [record] = list(ArchiveIterator(io.BytesIO(warc[start : start + length])))
        assert record.rec_type == "response"
        assert record.rec_headers.get_header("WARC-Target-URI") == fields["url"]
        assert fields["filename"] == "data.warc.gz"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def pywb_serving(wacz: Path, directory: Path) -> Iterator[str]:
    """``wayback`` on a free loopback port serving *wacz* as collection ``news``: its base URL.

    ``wb-manager add --unpack-wacz`` takes the package's WARC and its own CDXJ index (pywb does
    not re-index it). The server is stopped by its PID.
    """
    if not (PYWB_BIN / "wayback").exists():
        pytest.fail(f"pywb is not installed at {PYWB_BIN}: run the README's test command")
    directory.mkdir()
    for argv in (["init", "news"], ["add", "--unpack-wacz", "news", str(wacz)]):
        done = subprocess.run(
            [str(PYWB_BIN / "wb-manager"), *argv],
            cwd=directory,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    port = free_port()
    server = subprocess.Popen(
        [str(PYWB_BIN / "wayback"), "-p", str(port), "-b", "127.0.0.1"],
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_port(port, server)
        yield f"http://127.0.0.1:{port}/news"
    finally:
        server.terminate()
        server.wait(timeout=30)


def wait_for_port(port: int, server: subprocess.Popen[bytes], timeout: float = 120) -> None:
    """Return once the server accepts connections (fail if it exits or never does)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"wayback exited: {server.stderr.read() if server.stderr else ''!r}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)  # polling the condition: the port is not listening yet
    raise AssertionError(f"wayback did not listen on port {port} in {timeout} s")


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as answer:
        assert answer.status == 200
        return bytes(answer.read())


@pytest.mark.db
def test_pywb_replays_every_article_from_the_package(db_url, tmp_path, archive) -> None:
    path = tmp_path / "archive.wacz"
    assert export(db_url, path) == 0
    with archive() as session:
        captures = {c.url: c.raw_body() for c in session.scalars(select(Capture))}
    assert len(captures) == 5
    with pywb_serving(path, tmp_path / "pywb") as base:
        for n in range(1, 6):
            url = f"https://www.mfa.gov.ir/en/news/{n}/Minister-meets-envoy"
            body = get(f"{base}/2024030{n}100000id_/{url}")
            assert body == captures[url] and f"Paragraph {n}.".encode() in body


@pytest.mark.crawl
def test_a_replica_crawl_exported_to_wacz_replays_the_pages_as_served(tmp_path) -> None:
    with ReplicaProcess(articles=6, sites=["ict_en"]) as replica:
        db = f"sqlite:///{tmp_path / 'crawl.sqlite3'}"
        result = run_crawl(
            "ict_en", base_url=replica.urls["ict_en"], database_url=db, settings=LOOPBACK_SETTINGS
        )
        assert result.returncode == 0
        path = tmp_path / "ict.wacz"
        assert export(db, path) == 0
        done = validate(path)
        assert done.returncode == 0, done.stdout + done.stderr
        with zipfile.ZipFile(path) as package:
            _, *pages = (json.loads(line) for line in package.read("pages/pages.jsonl").splitlines())
        assert len(pages) >= 6
        assert {p["title"] for p in pages} <= {a["title"] for a in replica.articles("ict_en")}
        with pywb_serving(path, tmp_path / "pywb") as base:
            for page in pages[:2]:
                stamp = "".join(ch for ch in page["ts"] if ch.isdigit())[:14]
                # the replica serves the page unchanged since the crawl
                assert get(f"{base}/{stamp}id_/{page['url']}") == get(page["url"])


@pytest.mark.db
def test_user_errors_and_nothing_to_export(db_url, sessions, tmp_path, capsys) -> None:
    target = tmp_path / "empty.wacz"
    assert export(db_url, target) == 1  # an empty database
    assert "nothing to export" in capsys.readouterr().err and not target.exists()
    assert run_cli("--database-url", db_url, "--format", "wacz") == 2  # stdout
    assert export(db_url, tmp_path) == 2  # a directory
    assert export(db_url, tmp_path / "no" / "such" / "dir.wacz") == 1
    argv = ["--database-url", db_url, "--format", "wacz", "-o", str(target), "--consumer", "x"]
    assert run_cli(*argv) == 2
    err = capsys.readouterr().err
    assert "--format wacz writes one file" in err and "--consumer cannot deliver as wacz" in err
    assert "its directory does not exist" in err


def test_an_aborted_export_leaves_an_existing_package_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "archive.wacz"
    target.write_bytes(b"the previous package")
    writer = WaczWriter(target)
    capture = RawCapture(url="https://example.gov/a", status=200, headers={}, body=b"<html></html>")
    writer.write({"url": capture.url, "title": "A", "fetched_at": "2024-01-01T00:00:00Z"}, capture)
    writer.abort()
    assert target.read_bytes() == b"the previous package"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive.wacz"]  # no working files
