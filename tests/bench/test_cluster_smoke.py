"""Smoke test of ``python -m bench.cluster``: a tiny round of every kind completes, is checked in
its databases and writes its section. No timing is asserted (the figures depend on the machine);
the crawls use the loopback settings (``-s``) so that the test takes seconds, not minutes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from newscrawl_replica.loopback import LOOPBACK_SETTINGS

pytestmark = [pytest.mark.crawl, pytest.mark.db]

PROJECT = Path(__file__).resolve().parents[2]


def test_tiny_round_of_every_kind(tmp_path: Path) -> None:
    output = tmp_path / "RESULTS.md"
    output.write_text("# Results\n\nearlier text\n\n## Raw data\n\nlast\n", "utf-8")
    settings = [arg for key, value in LOOPBACK_SETTINGS.items() for arg in ("-s", f"{key}={value}")]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in (str(PROJECT), os.environ.get("PYTHONPATH")) if p),
    }
    completed = subprocess.run(
        [sys.executable, "-m", "bench.cluster", "--sites", "2", "--articles", "3", "--latency", "0",
         "--serial-sites", "1", "--parallel", "2", "--workers", "1", "2", "--concurrency", "1",
         *settings, "--output", str(output)],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    out = completed.stdout
    # every round: its sites crawled once, 28 articles each (30 generated, one 404, one empty)
    for label, sites in [("serial", 1), ("--parallel 2", 2), ("Celery, 1 worker × 1", 2),
                         ("Celery, 2 workers × 1", 2)]:  # fmt: skip
        line = next(line for line in out.splitlines() if line.startswith(f"{label}: "))
        assert f"{sites} crawled once and finished (every site crawled once)" in line, line
        assert f"{sites * 28} articles (expected {sites} × 28 = {sites * 28})" in line, line
        assert "(each stored once)" in line, line
    assert "| serial | 1 |" in out
    assert "- every round crawled every site once and stored every article once: **yes**" in out
    text = output.read_text("utf-8")
    # the new section goes before the raw data, the rest is kept
    assert text.startswith("# Results\n\nearlier text\n\n## A crawl round of 2 sites")
    assert text.endswith("\n## Raw data\n\nlast\n")
    assert "`python -m bench.cluster --sites 2 --articles 3 --latency 0" in text
    assert "| --parallel 2 | 2 |" in text
    assert "wall for 2 sites (s)" in text and "(measured × 2)" in text
