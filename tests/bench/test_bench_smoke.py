"""Smoke test of the benchmark runner: ``python -m bench --quick`` on a tiny replica completes and
writes its results table. No timing is asserted: the figures depend on the machine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.crawl

PROJECT = Path(__file__).resolve().parents[2]


def test_quick_run_writes_results(tmp_path: Path) -> None:
    output = tmp_path / "RESULTS.md"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(PROJECT), os.environ.get("PYTHONPATH")) if p)}
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--articles", "300", "--rss-articles", "100",
         "--sample", "20", "--output", str(output)],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-3000:]
    text = output.read_text("utf-8")
    assert "-m bench --quick --articles 300" in text
    for heading in ("## Summary and targets", "## Machine", "## Replica server capacity",
                    "## Crawl rate (300 articles, 1 round(s), alternating)",
                    "## CPU per article, stage by stage", "## Peak RSS", "## Micro-benchmarks"):  # fmt: skip
        assert heading in text, heading
    assert "| round | bare Scrapy pages/s | newscrawl → SQLite pages/s | newscrawl → PostgreSQL pages/s |" in text

    data = json.loads(output.with_suffix(".json").read_text("utf-8"))
    (round_one,) = data["rounds"]
    assert set(round_one) == {"bare", "sqlite", "pg"}
    for kind, run in round_one.items():
        assert run["returncode"] == 0, kind
        # every listing page, every article (one of them answers 404), the feed and robots.txt
        assert run["pages"] >= 300, (kind, run["pages"])
        assert run["pages_per_s"] > 0, kind
    # the same pages for both spiders; newscrawl drops the replica's empty-body article
    assert round_one["bare"]["pages"] == round_one["sqlite"]["pages"] == round_one["pg"]["pages"]
    assert round_one["sqlite"]["items"] == round_one["bare"]["items"] - 1
    assert data["stages"]["ms"]["total"] > 0
    assert set(data["rss_small"]) == {"bare", "sqlite", "pg"}
