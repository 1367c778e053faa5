"""The replica HTTP server: one aiohttp application per site, each on its own loopback port.

``make_app`` builds one site's application; ``serve`` generates the sites, binds their ports (all
ephemeral with ``port=0``, else ``port``, ``port+1``, … in order), announces the base URLs and runs
until SIGINT or SIGTERM. No access log: requests go only to the in-memory log of the control API.
With ``latency`` every site response waits a seeded random time first (:mod:`.latency`).
"""

from __future__ import annotations

import asyncio
import random
import signal
import socket
from collections.abc import Callable, Sequence

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from newscrawl_replica.control import PREFIX, add_control_routes
from newscrawl_replica.generate import SITE_NAMES, generate_site
from newscrawl_replica.latency import Latency, latency_middleware
from newscrawl_replica.model import SiteData
from newscrawl_replica.sites import SITES
from newscrawl_replica.sites.base import SiteBase
from newscrawl_replica.state import ReplicaState

STATE_KEY = web.AppKey("replica_state", ReplicaState)
SITE_KEY = web.AppKey("replica_site", SiteBase)

Announce = Callable[[dict[str, str]], None]


def _request_log(state: ReplicaState, site: SiteBase) -> Middleware:
    """Middleware: record every request outside /_replica/; unknown paths get the site's 404 page."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        raw = request.raw_path
        if raw.startswith(PREFIX):
            return await handler(request)
        try:
            response = await handler(request)
        except web.HTTPNotFound:
            response = site.not_found()
        except web.HTTPException as exc:
            state.record(request.method, raw, exc.status)
            raise
        state.record(request.method, raw, response.status)
        return response

    return middleware


def make_app(
    site: SiteData,
    state: ReplicaState | None = None,
    latency: Latency | None = None,
    rng: random.Random | None = None,
) -> web.Application:
    """The aiohttp application of one replica site (``state`` defaults to a fresh one).

    With ``latency``, every response outside the control API waits a time drawn from ``rng``
    (default ``random.Random(0)``) first.
    """
    if state is None:
        state = ReplicaState(site, count=len(site.articles))
    factory, _ = SITES[site.name]
    renderer = factory(state)
    middlewares = [_request_log(state, renderer)]
    if latency is not None:
        middlewares.insert(0, latency_middleware(latency, rng or random.Random(0), PREFIX))
    app = web.Application(middlewares=middlewares)
    app[STATE_KEY] = state
    app[SITE_KEY] = renderer
    renderer.add_routes(app)
    add_control_routes(app, state)
    return app


def entry_path(name: str) -> str:
    """The path of a site's news listing (``/en/news`` …)."""
    return SITES[name][1]


def print_urls(urls: dict[str, str]) -> None:
    """The default announcement: one ``name  base-url`` line per site."""
    for name, base in urls.items():
        print(f"{name:<8} {base}", flush=True)


def _bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.setblocking(False)
    return sock


async def run_sites(
    sites: Sequence[str],
    host: str = "127.0.0.1",
    port: int = 0,
    articles: int = 200,
    seed: int = 0,
    announce: Announce = print_urls,
    stop: asyncio.Event | None = None,
    warm: bool = False,
    latency: Latency | None = None,
) -> None:
    """Serve ``sites`` until ``stop`` is set (or SIGINT/SIGTERM when ``stop`` is None).

    With ``warm`` every site's articles and listing pages are rendered before the URLs are
    announced and kept in an unbounded cache, so requests are answered from memory (benchmarks).
    With ``latency`` each response waits a random time first, drawn from a generator seeded with
    ``seed`` and the site's position in ``sites`` (:mod:`.latency`).
    """
    unknown = [s for s in sites if s not in SITE_NAMES]
    if unknown:
        raise ValueError(f"unknown replica sites {unknown}; expected some of {SITE_NAMES}")
    sockets = [_bind(host, port + i if port else 0) for i in range(len(sites))]
    runners: list[web.AppRunner] = []
    urls: dict[str, str] = {}
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
    try:
        for number, (name, sock) in enumerate(zip(sites, sockets, strict=True)):
            data = generate_site(name, articles, seed)
            state = ReplicaState(data, count=articles, cache_limit=None if warm else 2048)
            app = make_app(data, state, latency, random.Random(f"{seed}/{number}"))
            runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.5)
            await runner.setup()
            runners.append(runner)
            await web.SockSite(runner, sock).start()
            urls[name] = f"http://{host}:{sock.getsockname()[1]}"
            if warm:
                app[SITE_KEY].warm(urls[name])
        announce(urls)
        await stop.wait()
    finally:
        for runner in runners:
            await runner.cleanup()
        for sock in sockets:
            sock.close()


def serve(
    sites: Sequence[str] = SITE_NAMES,
    host: str = "127.0.0.1",
    port: int = 0,
    articles: int = 200,
    seed: int = 0,
    announce: Announce = print_urls,
    warm: bool = False,
    latency: Latency | None = None,
) -> None:
    """Serve ``sites`` in the foreground until SIGINT or SIGTERM (``warm``, ``latency``: see
    :func:`run_sites`)."""
    asyncio.run(
        run_sites(list(sites), host, port, articles, seed, announce, warm=warm, latency=latency)
    )
