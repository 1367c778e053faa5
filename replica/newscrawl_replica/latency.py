"""A realistic response time for the replica: a random delay before every site response.

A live ministry site answers in a few hundred milliseconds; the replica on loopback answers in
about one. Benchmarks of politeness-bound crawls (``bench/cluster.py``) need the former, so the
server can wait a random time, uniform in ``[low, high]`` seconds, before each response outside
the control API (``/_replica/`` answers at once, so tests and benchmarks are not slowed)::

    python -m newscrawl_replica --latency 0.15-0.3      # or NEWSCRAWL_REPLICA_LATENCY=0.15-0.3
    python -m newscrawl_replica --latency 0.2           # always 200 ms

The delays come from a :class:`random.Random` seeded with the replica's ``--seed`` (and the
site's position), so a run's sequence of delays is reproducible for the same order of requests.
The wait is ``asyncio.sleep``: it costs the server no CPU, and requests wait side by side.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

__all__ = ["LATENCY_ENV", "Latency", "latency_middleware", "parse_latency"]

#: The environment variable read when ``--latency`` is not given.
LATENCY_ENV = "NEWSCRAWL_REPLICA_LATENCY"


@dataclass(frozen=True)
class Latency:
    """Delay every response by a uniform random time in ``[low, high]`` seconds."""

    low: float
    high: float

    def __post_init__(self) -> None:
        if not 0 <= self.low <= self.high:
            raise ValueError(f"latency needs 0 <= low <= high seconds, not {self.low}-{self.high}")

    def __str__(self) -> str:
        return f"{self.low:g}-{self.high:g}"


def parse_latency(text: str) -> Latency | None:
    """``"0.15-0.3"`` (seconds, low-high), ``"0.2"`` (fixed) or ``""``/``"0"`` (none)."""
    value = text.strip()
    low_text, sep, high_text = value.partition("-")
    try:
        low = float(low_text) if value else 0.0
        high = float(high_text) if sep else low
        latency = Latency(low, high)
    except ValueError:
        raise ValueError(
            f"latency {text!r}: expected seconds as LOW-HIGH (0.15-0.3) or one number (0.2)"
        ) from None
    return latency if latency.high > 0 else None


def latency_middleware(latency: Latency, rng: random.Random, exempt_prefix: str) -> Middleware:
    """Middleware: sleep ``rng.uniform(low, high)`` before handling a request outside the prefix."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.raw_path.startswith(exempt_prefix):
            await asyncio.sleep(rng.uniform(latency.low, latency.high))
        return await handler(request)

    return middleware
