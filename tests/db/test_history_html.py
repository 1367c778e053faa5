"""``newscrawl history --html -o FILE``: one article's revisions as a self-contained HTML page,
rendered by headless Chromium (a real browser) in the test: a screenshot is taken, and the DOM
the browser built names every revision, shows each change side by side and the tombstone's
evidence. The page's colours follow the stored scores: grey for the first revision, black for
the tombstone, and a redder hue for a higher score.
"""

from __future__ import annotations

import argparse
import re
import shutil
import struct
import subprocess
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from newscrawl.cli import history as history_cli
from newscrawl.db.models import Revision
from newscrawl.db.store import save_articles
from tests.helpers import tombstone

pytestmark = pytest.mark.db


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="newscrawl")
    history_cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("chromium is not installed (apt-get install chromium; .ci/run does)")
    return found


def browser(*argv: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={tmp_path / 'chromium'}",
            *argv,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def png_pixels(path: Path) -> tuple[int, int, bytes]:
    """(width, height, decompressed image data) of a PNG file."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    chunks, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        if kind == b"IDAT":
            chunks.append(data[offset + 8 : offset + 8 + length])
        offset += 12 + length
    return width, height, zlib.decompress(b"".join(chunks))


def test_the_html_history_renders_every_revision_its_diffs_and_the_tombstone(
    db_url, session_factory, make_record, tmp_path
) -> None:
    edits = [
        {"title": "Talks begin", "body": "First paragraph.\n\nold sentence"},
        {"title": "Talks begin", "body": "First paragraph.\n\nnew sentence"},
        {"title": "Talks end in agreement", "body": "First paragraph.\n\nnew sentence"},
    ]
    for day, edit in enumerate(edits, start=1):
        with session_factory.begin() as session:
            save_articles(session, [make_record(fetched_at=f"2024-03-0{day}T10:00:00Z", **edit)])
    with session_factory.begin() as session:
        assert tombstone(session, "mfa", "en", "1001", at=datetime(2024, 3, 9, 10, tzinfo=UTC))
    with session_factory() as session:
        scores = session.scalars(select(Revision.significance).order_by(Revision.id)).all()
    assert scores[0] is None and scores[3] == 1.0 and 0 < scores[1] < scores[2] < 1

    page = tmp_path / "history.html"
    argv = ["history", "mfa:en:1001", "--html", "-o", str(page), "--database-url", db_url]
    assert run_cli(*argv) == 0
    source = page.read_text("utf-8")
    assert "<script" not in source and "http" not in source.split("<body>")[0]  # self-contained

    dom = browser("--dump-dom", page.as_uri(), tmp_path=tmp_path)
    assert dom.returncode == 0, dom.stderr
    html = dom.stdout
    for number, kind in enumerate(["content", "content", "content", "removed"], start=1):
        assert f"Revision #{number}: {kind}, fetched 2024-03-0{(1, 2, 3, 9)[number - 1]}T10:00:00Z" in html
    # side by side: the word deleted on the left, the word inserted on the right
    second = html[html.index('id="rev-2"') : html.index('id="rev-3"')]
    assert '<del class="change">old</del>' in second and '<ins class="change">new</ins>' in second
    third = html[html.index('id="rev-3"') : html.index('id="rev-4"')]
    assert '<del class="change">begin</del>' in third and "title changed" in third
    tomb = html[html.index('id="rev-4"') :]
    assert "not_found" in tomb and "<td>404</td>" in tomb and "2024-03-09T10:00:00Z" in tomb

    # the timeline: grey first, black tombstone, the higher score the redder (lower hue)
    marks = re.findall(r'class="mark" href="#rev-(\d)"[^>]*background: ([^"]+)"', html)
    colours = dict(marks)
    assert colours["1"] == "#9e9e9e" and colours["4"] == "#212121"
    hues = [int(re.match(r"hsl\((\d+),", colours[n]).group(1)) for n in ("2", "3")]  # type: ignore[union-attr]
    assert hues[0] > hues[1]
    assert hues == [round(120 * (1 - s)) for s in scores[1:3]]

    shot = tmp_path / "history.png"
    done = browser(f"--screenshot={shot}", "--window-size=1200,1600", page.as_uri(), tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    width, height, pixels = png_pixels(shot)
    assert (width, height) == (1200, 1600)
    assert len(set(pixels[: 1200 * 4 * 400])) > 10  # not a blank page


def test_html_needs_an_output_file(db_url, session_factory, capsys) -> None:
    assert run_cli("history", "mfa:en:1001", "--html", "--database-url", db_url) == 2
    assert "--html and -o FILE go together" in capsys.readouterr().err
