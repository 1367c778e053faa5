"""A small HTTP/1.1 load generator: N keep-alive connections, a bounded number of requests.

Used to show the replica server's own capacity when ``wrk`` is not installed (``wrk`` is a C
tool and loads the server harder with less CPU of its own; ``python -m bench`` prefers it).
Run in its own process so that it does not share a core's GIL with anything else::

    python -m bench.loadgen http://127.0.0.1:PORT PATHS_FILE --connections 16 --requests 20000

``PATHS_FILE`` holds one request path per line; the connections take them in turn. Each request is
bounded by ``--timeout`` seconds and the whole run by ``--max-seconds``; it stops by itself. The
result is one JSON line: requests, errors, non-2xx responses, bytes, seconds, requests/s.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit


async def _connection(host: str, port: int, paths: itertools.cycle[str], budget: list[int],
                      totals: dict[str, int], timeout: float, deadline: float) -> None:  # fmt: skip
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    host_header = f"{host}:{port}"
    try:
        while budget[0] > 0 and time.monotonic() < deadline:
            budget[0] -= 1
            path = next(paths)
            request = f"GET {path} HTTP/1.1\r\nHost: {host_header}\r\nAccept: */*\r\n\r\n"
            writer.write(request.encode("latin-1"))
            try:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
                status = int(head[9:12])
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                        break
                body = await asyncio.wait_for(reader.readexactly(length), timeout)
            except (TimeoutError, asyncio.IncompleteReadError, ConnectionError, ValueError):
                totals["errors"] += 1
                return
            totals["requests"] += 1
            totals["bytes"] += len(head) + len(body)
            if not 200 <= status < 300:
                totals["non_2xx"] += 1
    finally:
        writer.close()


async def run(url: str, paths: list[str], connections: int, requests: int, timeout: float,
              max_seconds: float) -> dict[str, float]:  # fmt: skip
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    cycle = itertools.cycle(paths)
    budget = [requests]
    totals = {"requests": 0, "errors": 0, "non_2xx": 0, "bytes": 0}
    started = time.monotonic()
    deadline = started + max_seconds
    await asyncio.gather(
        *(_connection(host, port, cycle, budget, totals, timeout, deadline) for _ in range(connections)),
        return_exceptions=True,
    )
    seconds = time.monotonic() - started
    return {**totals, "seconds": seconds, "requests_per_s": totals["requests"] / seconds if seconds else 0.0}


def main(argv: list[str] | None = None) -> int:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    cli.add_argument("url", help="base URL, e.g. http://127.0.0.1:8400")
    cli.add_argument("paths", type=Path, help="file with one request path per line")
    cli.add_argument("--connections", type=int, default=16)
    cli.add_argument("--requests", type=int, default=20_000)
    cli.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    cli.add_argument("--max-seconds", type=float, default=60.0, help="bound on the whole run")
    args = cli.parse_args(argv)
    paths = [line.strip() for line in args.paths.read_text("utf-8").splitlines() if line.strip()]
    result = asyncio.run(run(args.url, paths, args.connections, args.requests, args.timeout, args.max_seconds))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
