"""The bench report describes the crawl's components from the settings, not from a fixed text."""

from __future__ import annotations

from bench.crawl import newscrawl_settings
from bench.runner import project_components


def test_the_report_names_the_current_pipelines_and_extensions() -> None:
    text = project_components(newscrawl_settings())
    # docs/ARCHITECTURE.md: extract (50), dedup (300), persist (800), warc (900)
    assert "item pipelines extract → dedup → persist → warc (off: no NEWSCRAWL_WARC_DIR)" in text
    assert "near-duplicate index on" in text
    assert text.endswith(
        "extensions Archive, Spidermon, RecheckKnownArticles, ChangeFeeds, RunRecorder, FeedExporter,"
        " StatsFile and HoldShutdownUntilStarted"
    )
    for stale in ("clean →", "dates →"):
        assert stale not in text


def test_the_benchmarks_own_settings_change_the_text() -> None:
    text = project_components({"NEWSCRAWL_WARC_DIR": "/tmp/warc", "NEWSCRAWL_NEARDUP_ENABLED": "False"})
    assert "item pipelines extract → dedup → persist → warc," in text
    assert "near-duplicate index off" in text
