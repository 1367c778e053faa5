"""The beat schedule, the publish-time stamp and the cluster commands' user errors (no broker)."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import pytest

from newscrawl.distributed.app import CRAWL_TASK, REQUESTED_AT, _stamp
from newscrawl.distributed.schedule import beat_schedule, parse_every
from tests.distributed.conftest import free_port


@pytest.mark.parametrize(
    ("text", "seconds"), [("3600", 3600), ("90s", 90), ("30m", 1800), ("4h", 14400), ("1d", 86400)]
)
def test_intervals(text, seconds):
    assert parse_every(text) == seconds


@pytest.mark.parametrize("text", ["", "0", "4x", "-1h", "h"])
def test_bad_intervals(text):
    with pytest.raises(ValueError, match="an interval is a positive number"):
        parse_every(text)


def test_one_entry_per_site_and_mode():
    schedule = beat_schedule(["a", "b"], full=86400, incremental=None)
    assert schedule == {
        "a full": {"task": CRAWL_TASK, "schedule": 86400, "args": ("a",), "kwargs": {"mode": "full"}},
        "b full": {"task": CRAWL_TASK, "schedule": 86400, "args": ("b",), "kwargs": {"mode": "full"}},
    }  # fmt: skip
    assert sorted(beat_schedule(["a"], full=1, incremental=2)) == ["a full", "a incremental"]


def test_each_published_copy_is_stamped_once():
    body: tuple[list[str], dict[str, str], dict[str, str]] = (["a"], {"mode": "full"}, {})
    before = datetime.now(UTC)
    _stamp(sender=CRAWL_TASK, body=body)
    stamped = datetime.fromisoformat(body[1][REQUESTED_AT])
    assert before <= stamped <= datetime.now(UTC)
    _stamp(sender=CRAWL_TASK, body=body)  # a retry keeps the first time
    assert datetime.fromisoformat(body[1][REQUESTED_AT]) == stamped
    other: tuple[list[str], dict[str, str], dict[str, str]] = ([], {}, {})
    _stamp(sender="another.task", body=other)
    assert other[1] == {}


def test_enqueue_to_a_broker_that_is_not_there_is_one_line():
    env = {"NEWSCRAWL_BROKER_URL": f"redis://127.0.0.1:{free_port()}/0", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "newscrawl.cli", "enqueue", "ict_en"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.startswith("newscrawl enqueue: error: cannot reach the broker redis:"), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_the_scheduler_needs_an_interval():
    done = subprocess.run(
        [sys.executable, "-m", "newscrawl.cli", "scheduler", "--all"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "say how often: --full EVERY and/or --incremental EVERY" in done.stderr
