"""Smoke test of the benchmark runner: ``python -m bench --quick`` on a tiny replica completes and
writes its results table. No timing is asserted: the figures depend on the machine.

The run is as small as the runner allows (``--articles`` is at least 50), without the PostgreSQL
crawls and the micro-benchmarks (``--no-pg --no-micro``): what is checked is that every part of
the results file is written, not the figures, and a PostgreSQL crawl is the same code path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.crawl

PROJECT = Path(__file__).resolve().parents[2]
ARTICLES = 60
RSS_ARTICLES = 50


def test_quick_run_writes_results(tmp_path: Path) -> None:
    output = tmp_path / "RESULTS.md"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(PROJECT), os.environ.get("PYTHONPATH")) if p)}
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--articles", str(ARTICLES),
         "--rss-articles", str(RSS_ARTICLES), "--sample", "10", "--no-pg", "--no-micro",
         "--output", str(output)],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-3000:]
    text = output.read_text("utf-8")
    assert f"-m bench --quick --articles {ARTICLES}" in text
    for heading in ("## Summary and targets", "## Machine", "## Replica server capacity",
                    f"## Crawl rate ({ARTICLES} articles, 1 round(s), alternating)",
                    "## CPU per article, stage by stage",
                    f"## Peak RSS: {RSS_ARTICLES} against {ARTICLES} articles", "## Micro-benchmarks"):  # fmt: skip
        assert heading in text, heading
    assert "| round | bare Scrapy pages/s | newscrawl → SQLite pages/s | SQLite ÷ bare |" in text

    data = json.loads(output.with_suffix(".json").read_text("utf-8"))
    (round_one,) = data["rounds"]
    assert set(round_one) == {"bare", "sqlite"}
    for kind, run in round_one.items():
        assert run["returncode"] == 0, kind
        # every listing page, every article (one of them answers 404), the feed and robots.txt
        assert run["pages"] >= ARTICLES, (kind, run["pages"])
        assert run["pages_per_s"] > 0, kind
    # the same pages for both spiders; newscrawl drops the replica's empty-body article
    assert round_one["bare"]["pages"] == round_one["sqlite"]["pages"]
    assert round_one["sqlite"]["items"] == round_one["bare"]["items"] - 1
    assert data["stages"]["ms"]["total"] > 0
    assert set(data["rss_small"]) == {"bare", "sqlite"}
    assert all(run["returncode"] == 0 for run in data["rss_small"].values())
