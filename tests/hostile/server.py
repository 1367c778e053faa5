"""A hostile HTTP server on loopback, for crawls that must lose nothing they can keep.

Written on asyncio's streams rather than aiohttp: a cut response (headers without a
Content-Length, half a body, then the connection closed) and a body that lies about its length
need control of the bytes on the wire, which a web framework takes away.

The server listens on two loopback ports: port 0 is the site, port 1 is the same host on another
port (which a crawl of the site must never fetch). Each port has its routes (path with query ->
:class:`Behaviour`); every request is recorded as a :class:`Hit` with the server's own monotonic
time, so tests check the order and spacing of events as the server saw them.
"""

from __future__ import annotations

import asyncio
import gzip
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Self


@dataclass(frozen=True)
class Hit:
    """One request as the server received it."""

    port: int  # 0: the site, 1: the same host on another port
    path: str  # path and query
    at: float  # time.monotonic() when the request's head was read
    status: int  # the status the server answered (0: no status line was sent)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Exchange:
    """One request being answered: what a behaviour writes to."""

    server: HostileServer
    port: int
    path: str
    writer: asyncio.StreamWriter
    reader: asyncio.StreamReader | None = None
    status: int = 0

    async def head(self, status: int, headers: Sequence[tuple[str, str]], reason: str = "X") -> None:
        self.status = status
        lines = [f"HTTP/1.1 {status} {reason}", *(f"{k}: {v}" for k, v in headers), "Connection: close"]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        await self.writer.drain()

    async def body(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()


class Behaviour:
    """How the server answers one route; ``answer`` is awaited once per request."""

    async def answer(self, exchange: Exchange) -> None:
        raise NotImplementedError


@dataclass
class Page(Behaviour):
    """A complete response with its Content-Length."""

    body: bytes
    status: int = 200
    headers: Sequence[tuple[str, str]] = (("Content-Type", "text/html; charset=utf-8"),)

    async def answer(self, exchange: Exchange) -> None:
        await exchange.head(self.status, [*self.headers, ("Content-Length", str(len(self.body)))])
        await exchange.body(self.body)


@dataclass
class Cut(Behaviour):
    """The first *keep* bytes of *body*, no Content-Length, then the connection closes."""

    body: bytes
    keep: int

    async def answer(self, exchange: Exchange) -> None:
        await exchange.head(200, [("Content-Type", "text/html; charset=utf-8")])
        await exchange.body(self.body[: self.keep])


@dataclass
class RateLimited(Behaviour):
    """429 (or 503) with a ``Retry-After`` of *seconds*, or an HTTP date *seconds* from now."""

    seconds: int
    status: int = 429
    as_date: bool = False

    async def answer(self, exchange: Exchange) -> None:
        value = formatdate(time.time() + self.seconds, usegmt=True) if self.as_date else str(self.seconds)
        body = b"slow down"
        await exchange.head(
            self.status, [("Retry-After", value), ("Content-Length", str(len(body)))]
        )
        await exchange.body(body)


@dataclass
class Redirect(Behaviour):
    """A 302 to *location*; ``{site}`` and ``{other}`` become the two ports' base URLs."""

    location: str
    status: int = 302

    async def answer(self, exchange: Exchange) -> None:
        location = self.location.format(site=exchange.server.url(0), other=exchange.server.url(1))
        await exchange.head(self.status, [("Location", location), ("Content-Length", "0")])


@dataclass
class DeclaredLarge(Behaviour):
    """Headers declaring a body of *size* bytes; the client should hang up at once."""

    size: int

    async def answer(self, exchange: Exchange) -> None:
        await exchange.head(200, [("Content-Type", "text/html"), ("Content-Length", str(self.size))])
        await exchange.body(b"<html><body>" + b"x" * 65536)


@dataclass
class Streamed(Behaviour):
    """*size* bytes of HTML sent chunked (no Content-Length), 64 KiB a chunk."""

    size: int

    async def answer(self, exchange: Exchange) -> None:
        await exchange.head(200, [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")])
        chunk = b"<p>" + b"y" * (65536 - 7) + b"</p>\n"
        sent = 0
        while sent < self.size:
            await exchange.body(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent += len(chunk)
        await exchange.body(b"0\r\n\r\n")


@dataclass
class Chunked(Behaviour):
    """*body* sent chunked (no Content-Length), 64 KiB a chunk."""

    body: bytes

    async def answer(self, exchange: Exchange) -> None:
        await exchange.head(
            200, [("Content-Type", "text/html; charset=utf-8"), ("Transfer-Encoding", "chunked")]
        )
        for start in range(0, len(self.body), 65536):
            chunk = self.body[start : start + 65536]
            await exchange.body(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        await exchange.body(b"0\r\n\r\n")


@dataclass
class Gzipped(Behaviour):
    """*body* gzip-compressed (``Content-Encoding: gzip``), with the compressed Content-Length."""

    body: bytes

    async def answer(self, exchange: Exchange) -> None:
        data = gzip.compress(self.body, compresslevel=1)
        await exchange.head(
            200,
            [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Encoding", "gzip"),
                ("Content-Length", str(len(data))),
            ],
        )
        await exchange.body(data)


@dataclass
class GzipBomb(Behaviour):
    """A small gzip body that inflates to *inflated* bytes of HTML-looking zeros."""

    inflated: int
    _compressed: bytes = b""

    def compressed(self) -> bytes:
        if not self._compressed:
            self._compressed = gzip.compress(b"<html><body><p>" + b"0" * self.inflated, compresslevel=9)
        return self._compressed

    async def answer(self, exchange: Exchange) -> None:
        data = self.compressed()
        await exchange.head(
            200,
            [("Content-Type", "text/html"), ("Content-Encoding", "gzip"), ("Content-Length", str(len(data)))],
        )
        await exchange.body(data)


@dataclass
class Hang(Behaviour):
    """No answer at all: the connection stays open until the client gives up (a timeout)."""

    async def answer(self, exchange: Exchange) -> None:
        assert exchange.reader is not None
        await exchange.reader.read()  # until the client hangs up


@dataclass
class Sequenced(Behaviour):
    """The n-th request gets the n-th behaviour; the last one answers every later request."""

    steps: Sequence[Behaviour]
    served: int = 0

    async def answer(self, exchange: Exchange) -> None:
        step = self.steps[min(self.served, len(self.steps) - 1)]
        self.served += 1
        await step.answer(exchange)


@dataclass
class Gate(Behaviour):
    """Hold each request until the test opens the gate, then answer it as *then*.

    ``arrived`` is set when a request is being held: the test does what must happen while the
    crawl runs (drop its database, ...), then sets ``opened``. A gate never opened lets the
    request go after *timeout* seconds, so that a failed test does not hang the crawl.
    """

    then: Behaviour
    timeout: float = 120.0
    arrived: threading.Event = field(default_factory=threading.Event)
    opened: threading.Event = field(default_factory=threading.Event)

    async def answer(self, exchange: Exchange) -> None:
        self.arrived.set()
        await asyncio.get_running_loop().run_in_executor(None, self.opened.wait, self.timeout)
        await self.then.answer(exchange)


NOT_FOUND = Page(b"not found", status=404)


class HostileServer:
    """Serve *routes* (site port) and *other_routes* (another port, same host) from a thread."""

    def __init__(
        self, routes: dict[str, Behaviour], other_routes: dict[str, Behaviour] | None = None
    ) -> None:
        self.routes = [routes, other_routes or {}]
        self.hits: list[Hit] = []
        self.ports: list[int] = []
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._servers: list[asyncio.Server] = []

    def url(self, port: int = 0) -> str:
        return f"http://127.0.0.1:{self.ports[port]}"

    def hits_of(self, path: str, port: int = 0) -> list[Hit]:
        with self._lock:
            return [hit for hit in self.hits if hit.port == port and hit.path == path]

    def __enter__(self) -> Self:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    async def _start(self) -> None:
        for index in range(2):
            server = await asyncio.start_server(
                lambda r, w, i=index: self._serve(i, r, w), "127.0.0.1", 0  # type: ignore[misc]
            )
            self._servers.append(server)
            self.ports.append(server.sockets[0].getsockname()[1])

    async def _stop(self) -> None:
        for server in self._servers:
            server.close()
            await server.wait_closed()

    async def _serve(self, port: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        at = time.monotonic()
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        path = request_line.split(" ")[1]
        headers = {}
        for line in header_lines:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        exchange = Exchange(self, port, path, writer, reader)
        try:
            await self.routes[port].get(path, NOT_FOUND).answer(exchange)
        except (ConnectionError, OSError):
            pass  # the client hung up (a refused large body): expected
        finally:
            with self._lock:
                self.hits.append(Hit(port, path, at, exchange.status, headers))
            writer.close()
