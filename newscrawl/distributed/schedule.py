"""The beat schedule of ``newscrawl scheduler``: one entry per site and crawl mode."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from newscrawl.distributed.app import CRAWL_TASK

__all__ = ["beat_schedule", "parse_every"]

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_EVERY = re.compile(r"(?P<number>\d+(?:\.\d+)?)(?P<unit>[smhd]?)")


def parse_every(value: str) -> float:
    """Seconds of an interval: ``3600``, ``90s``, ``30m``, ``4h``, ``1d``; ValueError otherwise."""
    match = _EVERY.fullmatch(value.strip())
    seconds = float(match["number"]) * _UNITS[match["unit"] or "s"] if match else 0
    if seconds <= 0:
        raise ValueError(f"an interval is a positive number with s, m, h or d, not {value!r}")
    return seconds


def beat_schedule(
    sites: Iterable[str], *, full: float | None, incremental: float | None
) -> dict[str, dict[str, Any]]:
    """Celery's ``beat_schedule``: a ``crawl_site`` job for every site every *full* seconds (full
    crawl) and every *incremental* seconds (incremental crawl); None leaves that mode out."""
    schedule = {}
    for site in sites:
        for mode, every in (("full", full), ("incremental", incremental)):
            if every is not None:
                schedule[f"{site} {mode}"] = {
                    "task": CRAWL_TASK,
                    "schedule": every,
                    "args": (site,),
                    "kwargs": {"mode": mode},
                }
    return schedule
