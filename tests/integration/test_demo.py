"""`newscrawl demo` writes the database and the JSON lines file, offline."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from newscrawl_replica.generate import generate_site

pytestmark = pytest.mark.crawl

SITES = ("ict_en", "ict_fa", "msrt_en", "moic_dr")


def test_demo_writes_both_files(tmp_path: Path):
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "newscrawl", "demo", "--output-dir", str(out), "--articles", "30"],
        capture_output=True, text=True, check=False, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = (out / "articles.jsonl").read_text("utf-8").splitlines()
    records = [json.loads(line) for line in lines]  # every line parses as JSON
    # each site's replica has one 404 and one empty-body article that are not stored
    expected = sum(
        sum(1 for a in generate_site(site, 30, 0).articles if not {"gone", "empty_body"} & set(a.flags)) for site in SITES
    )
    assert len(records) == expected
    with sqlite3.connect(out / "newscrawl.sqlite3") as db:
        assert db.execute("select count(*) from articles").fetchone()[0] == expected
    assert f"{expected} articles stored from 4 sites" in done.stdout
    assert str(out / "articles.jsonl") in done.stdout
