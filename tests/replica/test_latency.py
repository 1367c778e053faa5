"""The replica's response latency (``--latency``): parsing, and which requests wait how long.

The delays are drawn from the generator the app is given; a recording generator shows which
requests drew one and from which range (no clock is read).
"""

from __future__ import annotations

import asyncio
import random

import pytest
from aiohttp.test_utils import TestClient, TestServer

from newscrawl_replica.generate import generate_site
from newscrawl_replica.latency import Latency, parse_latency
from newscrawl_replica.process import ReplicaProcess
from newscrawl_replica.server import make_app


class RecordingRandom(random.Random):
    def __init__(self) -> None:
        super().__init__(0)
        self.calls: list[tuple[float, float]] = []

    def uniform(self, a: float, b: float) -> float:
        self.calls.append((a, b))
        return 0.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0.15-0.3", Latency(0.15, 0.3)), ("0.2", Latency(0.2, 0.2)), (" 1-2 ", Latency(1, 2)),
     ("", None), ("0", None), ("0-0", None)],
)  # fmt: skip
def test_parse_latency(text: str, expected: Latency | None) -> None:
    assert parse_latency(text) == expected


@pytest.mark.parametrize("text", ["fast", "0.3-0.15", "-1", "0.1-", "0.1-0.2-0.3"])
def test_bad_latency_names_the_value(text: str) -> None:
    with pytest.raises(ValueError, match=f"latency {text!r}"):
        parse_latency(text)


async def _statuses(rng: random.Random, paths: list[str]) -> list[int]:
    app = make_app(generate_site("ict_en", 5, 0), latency=Latency(0.15, 0.3), rng=rng)
    async with TestClient(TestServer(app)) as client:
        statuses = []
        for path in paths:
            async with client.get(path, allow_redirects=False) as response:
                statuses.append(response.status)
        return statuses


def test_every_site_response_waits_the_control_api_does_not() -> None:
    rng = RecordingRandom()
    statuses = asyncio.run(
        _statuses(rng, ["/robots.txt", "/en/news", "/no/such/page", "/_replica/log"])
    )
    assert statuses == [200, 200, 404, 200]
    # robots.txt, the listing and the 404 drew a delay; the control API's log did not
    assert rng.calls == [(0.15, 0.3)] * 3


def test_process_passes_latency_to_the_child() -> None:
    assert ReplicaProcess(latency="0.15-0.3").command()[-2:] == ["--latency", "0.15-0.3"]
    # none by default, whatever NEWSCRAWL_REPLICA_LATENCY says in the parent
    assert ReplicaProcess().command()[-2:] == ["--latency", ""]
