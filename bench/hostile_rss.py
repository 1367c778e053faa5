"""Peak memory of a crawl with a huge page and a gzip bomb in it: ``python -m bench.hostile_rss``.

Issue 13's target: the crawl's processes (the crawl and its worker processes: extract workers,
database writer) together peak within 256 MB of the same crawl without the hostile pages.

The server is the ict_en replica (``--articles`` articles) in a child process of this module's own
(``--serve``), with two more article pages that the first listing page links to while the bench
switches them on:

- ``/en/news/990001/...``: an ict_en article whose body is ``--page-mb`` MB of paragraphs of the
  replica's words in random order (nearly every shingle unique: the fingerprint's worst case),
  sent with its Content-Length;
- ``/en/news/990002/...``: a gzip bomb, ``Content-Encoding: gzip`` of ``--bomb-mib`` MiB of spaces
  after a page head. The compressed bytes (about 1 MB for 1 GiB) are made once at start, streaming
  through ``zlib``: the server never holds the inflated body.

Crawls, in ``--rounds`` alternating rounds, each ``scrapy crawl ict_en`` into a fresh SQLite file:

- ``baseline``: the links off, the default ``DOWNLOAD_MAXSIZE`` (16 MiB);
- ``hostile``: the links on, the default cap: the huge page (declared too large) and the bomb
  (inflating past the cap) are refused, ``newscrawl/article/refused/too_large``;
- ``hostile-raised``: the links on, with a profile whose ``max_page_size`` is ``--raised-cap``
  (64 MiB): the huge page is downloaded, extracted, fingerprinted and stored; the bomb is still
  refused, at the raised cap.

Memory is polled every 50 ms from ``/proc``: every process under this one except the server.
Reported per crawl: the sum of each process's own peak (``VmHWM``: no peak is missed, but the
peaks need not coincide, so it is an upper bound) and the peak of the summed ``VmRSS`` at one
instant (what the machine held at once, as ``python -m bench`` reports; a peak shorter than the
poll interval can be missed). Counts come from the crawl's stats and from the database.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import random
import shlex
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any, Self

from aiohttp import web
from aiohttp.typedefs import Handler
from sqlalchemy import func, select

import newscrawl.settings as project_settings
from bench.crawl import CrawlRun, run_newscrawl, scratch_dir, tree_status_kb

PROJECT_DIR = Path(__file__).resolve().parent.parent
MB = 1_000_000
MIB = 1024 * 1024
TARGET_MB = 256.0
DEFAULT_CAP: int = project_settings.DOWNLOAD_MAXSIZE
POLL_S = 0.05

HUGE_ID = 990001
BOMB_ID = 990002
HUGE_PATH = f"/en/news/{HUGE_ID}/a-very-long-report"
BOMB_PATH = f"/en/news/{BOMB_ID}/a-small-download"
LISTING = "/en/news"
SWITCH = "/_bench/hostile"


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- the server (a child process) ---------------------------------------------------------------


def gzip_bomb(inflated: int, head: bytes = b"<!DOCTYPE html><html><body><p>") -> bytes:
    """gzip of *head* and spaces, *inflated* bytes in all, compressed 1 MiB at a time."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: a gzip header and trailer
    parts = [packer.compress(head)]
    spaces = b" " * MIB
    left = inflated - len(head)
    while left > 0:
        parts.append(packer.compress(spaces[: min(left, MIB)]))
        left -= MIB
    parts.append(packer.flush())
    return b"".join(parts)


def huge_paragraphs(words: Sequence[str], size: int, seed: int) -> list[str]:
    """Paragraphs of 60 to 140 of *words* in random order, about *size* bytes of text in all."""
    rng = random.Random(seed)
    paragraphs: list[str] = []
    total = 0
    while total < size:
        text = " ".join(rng.choices(words, k=rng.randint(60, 140))).capitalize() + "."
        paragraphs.append(text)
        total += len(text) + 8  # with its <p></p> and newline
    return paragraphs


class HostilePages:
    """The huge article and the gzip bomb, and the switch that links them from the listing."""

    def __init__(self, app: web.Application, page_bytes: int, bomb_bytes: int, seed: int) -> None:
        from newscrawl_replica.server import SITE_KEY, STATE_KEY

        self.renderer = app[SITE_KEY]
        site = app[STATE_KEY].site
        base = next(a for a in site.articles if not a.flags and a.date_raw)
        words = sorted({w.strip(".,;:\"'()") for a in site.articles for p in a.paragraphs for w in p.split()} - {""})
        self.huge_article = dataclasses.replace(
            base,
            id=HUGE_ID,
            slug="a-very-long-report",
            title="A very long report on the ministry's year",
            path=HUGE_PATH,
            listing_path=HUGE_PATH,
            body=huge_paragraphs(words, page_bytes, seed),
            flags=frozenset(),
            related=(),
            alternate=None,
            inline_related=None,
            title_in_body=False,
        )
        self.huge: bytes | None = None  # rendered on first request (it needs the origin)
        self.bomb = gzip_bomb(bomb_bytes)
        self.linked = False
        items = "".join(
            f'<li class="news-list-item"><a class="news-link" href="{path}">{escape(title)}</a></li>'
            for path, title in ((HUGE_PATH, self.huge_article.title), (BOMB_PATH, "A small download"))
        )
        self.items = items.encode()

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        path = request.path
        if path == HUGE_PATH:
            if self.huge is None:
                origin = f"{request.scheme}://{request.host}"
                self.huge = self.renderer.render_article(self.huge_article, origin, "").encode("utf-8")
            return web.Response(body=self.huge, headers={"Content-Type": "text/html; charset=utf-8"})
        if path == BOMB_PATH:
            headers = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"}
            return web.Response(body=self.bomb, headers=headers)
        if path == SWITCH and request.method == "POST":
            self.linked = request.query.get("links") == "1"
            return web.Response(text=f"linked={self.linked}\n")
        response = await handler(request)
        if self.linked and path == LISTING and "page" not in request.query and isinstance(response, web.Response):
            body = bytes(response.body or b"")  # type: ignore[arg-type]
            marker = b'<ul class="news-list">'
            body = body.replace(marker, marker + self.items, 1)
            return web.Response(body=body, status=response.status, headers={"Content-Type": response.content_type})
        return response


async def serve(articles: int, seed: int, page_bytes: int, bomb_bytes: int) -> None:
    """Serve the replica and the hostile pages on a loopback port until SIGTERM."""
    from newscrawl_replica.generate import generate_site
    from newscrawl_replica.server import make_app
    from newscrawl_replica.state import ReplicaState

    data = generate_site("ict_en", articles, seed)
    app = make_app(data, ReplicaState(data, count=articles, cache_limit=None))
    pages = HostilePages(app, page_bytes, bomb_bytes, seed)
    app.middlewares.insert(0, pages.middleware)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print(json.dumps({"url": f"http://127.0.0.1:{port}", "bomb_compressed": len(pages.bomb)}), flush=True)
    await stop.wait()
    await runner.cleanup()


class Server:
    """The server child process, started with ``python -m bench.hostile_rss --serve``."""

    def __init__(self, args: argparse.Namespace) -> None:
        command = [sys.executable, "-m", "bench.hostile_rss", "--serve", "--articles", str(args.articles),
                   "--page-mb", str(args.page_mb), "--bomb-mib", str(args.bomb_mib), "--seed", str(args.seed)]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_DIR), os.environ.get("PYTHONPATH")]))}
        self.proc = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            self.stop()
            raise RuntimeError("the hostile server exited before announcing its URL")
        announced = json.loads(line)
        self.url: str = announced["url"]
        self.bomb_compressed: int = announced["bomb_compressed"]
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    @property
    def pid(self) -> int:
        return self.proc.pid

    def link(self, on: bool) -> None:
        request = urllib.request.Request(f"{self.url}{SWITCH}?links={int(on)}", method="POST", data=b"")
        with self.opener.open(request, timeout=30) as response:
            response.read()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# -- measuring ----------------------------------------------------------------------------------


def _opens_database(pid: int) -> bool:
    """Whether *pid* has the crawl's SQLite file open (the database writer does)."""
    try:
        links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
    except OSError:
        return False
    return any(link.endswith(".sqlite3") for link in links)


def _role(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            argv = cmdline.read().split(b"\0")
    except OSError:
        return "?"
    joined = b" ".join(argv)
    if b"resource_tracker" in joined:
        return "resource tracker"
    if b"spawn_main" in joined:
        return "writer" if _opens_database(pid) else "extract"
    if b"scrapy" in joined:
        return "crawl"
    return argv[0].decode(errors="replace").rsplit("/", 1)[-1]


#: A process seen in fewer polls than this is a fork about to exec (``ctypes.util.find_library``
#: runs ``ldconfig``, ``platform`` runs ``uname``, multiprocessing spawns its workers): until it
#: execs, its VmRSS and VmHWM are its parent's pages, shared copy-on-write, and counting them would
#: count the parent twice. A process is (PID, command line): a fork that execs starts afresh.
MIN_POLLS = 3

Process = tuple[int, bytes]  # PID, command line


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return cmdline.read()
    except OSError:
        return b""


class MemoryPoller:
    """Poll the VmHWM and VmRSS of every process under this one except *exclude*."""

    def __init__(self, exclude: set[int]) -> None:
        self.exclude = {os.getpid(), *exclude}
        self.hwm_kb: dict[Process, int] = {}
        self.roles: dict[Process, str] = {}
        self.polls: dict[Process, int] = {}
        self.samples: list[dict[Process, int]] = []  # VmRSS, one dict a poll
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()

    def _poll(self) -> None:
        me = os.getpid()
        while not self._done.wait(POLL_S):
            rss = tree_status_kb(me, "VmRSS:")
            hwm = tree_status_kb(me, "VmHWM:")
            sample: dict[Process, int] = {}
            for pid, kb in hwm.items():
                if pid in self.exclude or not kb:
                    continue
                process = (pid, _cmdline(pid))
                sample[process] = rss.get(pid, 0)
                if self.roles.get(process) != "writer":  # it may close the database before it exits
                    self.roles[process] = _role(pid)
                self.polls[process] = self.polls.get(process, 0) + 1
                self.hwm_kb[process] = max(self.hwm_kb.get(process, 0), kb)
            self.samples.append(sample)

    @property
    def counted(self) -> set[Process]:
        """The processes that lived through at least MIN_POLLS polls."""
        return {process for process, polls in self.polls.items() if polls >= MIN_POLLS}

    @property
    def hwm_sum_kb(self) -> int:
        return sum(kb for process, kb in self.hwm_kb.items() if process in self.counted)

    @property
    def rss_sum_kb(self) -> int:
        counted = self.counted
        sums = (sum(kb for process, kb in sample.items() if process in counted) for sample in self.samples)
        return max(sums, default=0)

    @property
    def transient(self) -> int:
        """Processes left out: forks seen in fewer than MIN_POLLS polls."""
        return len(self.polls) - len(self.counted)

    def per_process(self) -> list[tuple[str, float]]:
        """(role, peak MB) of each counted process, the crawl first, the largest workers next."""
        rows = [(self.roles[process], kb / 1024) for process, kb in self.hwm_kb.items() if process in self.counted]
        return sorted(rows, key=lambda row: (row[0] != "crawl", -row[1]))


# -- crawls -------------------------------------------------------------------------------------


@dataclass
class Crawl:
    kind: str
    round: int
    cap: str
    hwm_sum_mb: float
    rss_sum_mb: float
    per_process: list[tuple[str, float]]
    transient: int  # short-lived forks left out of the sums
    returncode: int
    elapsed_s: float
    pages: int
    stored: int
    huge_stored_chars: int | None  # the huge article's stored body, None: not stored
    too_large: int
    warnings: list[str] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict, repr=False)


def raised_profile(directory: Path, cap: str) -> Path:
    """A sites directory whose ict_en is the shipped one with ``max_page_size = cap``."""
    from newscrawl.profiles.loader import SHIPPED_DIR

    text = (SHIPPED_DIR / "ict_en.toml").read_text("utf-8")
    text = text.replace("\n[article]", f'\noverride = true\nmax_page_size = "{cap}"\n\n[article]', 1)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "ict_en.toml").write_text(text, "utf-8")
    return directory


def database_counts(url: str) -> tuple[int, int | None]:
    """(articles stored, length of the huge article's stored body or None)."""
    from newscrawl.db.models import Article, Revision
    from newscrawl.db.session import make_engine

    engine = make_engine(url, check=False)
    try:
        with engine.connect() as connection:
            stored = connection.execute(select(func.count()).select_from(Article)).scalar_one()
            huge = connection.execute(
                select(func.length(Revision.body))
                .join(Article, Revision.id == Article.latest_revision_id)
                .where(Article.source_id == str(HUGE_ID))
            ).scalar_one_or_none()
    finally:
        engine.dispose()
    return int(stored), huge


def crawl(kind: str, round_: int, server: Server, args: argparse.Namespace, workdir: Path) -> Crawl:
    hostile = kind != "baseline"
    raised = kind == "hostile-raised"
    server.link(hostile)
    extra: dict[str, str] = {}
    if raised:
        extra["NEWSCRAWL_SITES_DIR"] = str(raised_profile(workdir / "sites", args.raised_cap))
    database = workdir / f"{kind}-{round_}.sqlite3"
    url = f"sqlite:///{database}"
    with MemoryPoller(exclude={server.pid}) as poller:
        run: CrawlRun = run_newscrawl(kind, server.url, args.articles, url, server_pid=server.pid,
                                      workdir=workdir, extra=extra)  # fmt: skip
    stored, huge = database_counts(url) if database.exists() else (0, None)
    log = (workdir / f"{kind}.log").read_text("utf-8", errors="replace")
    warnings = [line.split("WARNING: ", 1)[-1][:400] for line in log.splitlines()
                if "refused/too_large" in line or "inflates past" in line]  # fmt: skip
    database.unlink(missing_ok=True)
    return Crawl(
        kind=kind,
        round=round_,
        cap=args.raised_cap if raised else f"{DEFAULT_CAP // MIB} MiB (default)",
        hwm_sum_mb=poller.hwm_sum_kb / 1024,
        rss_sum_mb=poller.rss_sum_kb / 1024,
        per_process=poller.per_process(),
        transient=poller.transient,
        returncode=run.returncode,
        elapsed_s=run.elapsed_s,
        pages=run.pages,
        stored=stored,
        huge_stored_chars=huge,
        too_large=int(run.stats.get("newscrawl/article/refused/too_large", 0)),
        warnings=warnings,
        stats=run.stats,
    )


KINDS = ("baseline", "hostile", "hostile-raised")


def report(crawls: list[Crawl], args: argparse.Namespace, server: Server, command: str) -> str:
    """The Markdown section for bench/RESULTS.md."""
    by_kind = {kind: [c for c in crawls if c.kind == kind] for kind in KINDS}
    base_hwm = statistics.median(c.hwm_sum_mb for c in by_kind["baseline"])
    base_rss = statistics.median(c.rss_sum_mb for c in by_kind["baseline"])
    lines = [
        "## Peak memory with hostile pages",
        "",
        f"`{command}` ({args.articles} replica articles, SQLite; {time.strftime('%Y-%m-%d')}).",
        (f"The hostile crawls add a {args.page_mb} MB article page and a gzip bomb of {args.bomb_mib} MiB of spaces "
        f"({server.bomb_compressed / MB:.2f} MB on the wire) to the first listing page. "
        "Memory: the crawl process and its worker processes, polled every 50 ms; "
        "'sum of peaks' adds each process's VmHWM (an upper bound), 'at once' is the peak of their summed VmRSS; "
        f"forks seen in fewer than {MIN_POLLS} polls (about to exec ldconfig or uname, their pages the parent's) are left out."),
        "",
        "| crawl | round | cap | sum of peaks MB | at once MB | Δ sum of peaks | Δ at once | per process (peak MB) | pages | stored | huge page stored | too_large |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for c in crawls:
        procs = ", ".join(f"{role} {mb:.0f}" for role, mb in c.per_process)
        huge = "no" if c.huge_stored_chars is None else f"yes, {c.huge_stored_chars / MB:.1f} M chars"
        lines.append(
            f"| {c.kind} | {c.round} | {c.cap} | {c.hwm_sum_mb:.0f} | {c.rss_sum_mb:.0f} | "
            f"{c.hwm_sum_mb - base_hwm:+.0f} | {c.rss_sum_mb - base_rss:+.0f} | {procs} | {c.pages} | "
            f"{c.stored} | {huge} | {c.too_large} |"
        )
    lines.append("")
    lines.append(f"Δ: against the median baseline ({base_hwm:.0f} MB sum of peaks, {base_rss:.0f} MB at once). "
                 f"Target: within {TARGET_MB:.0f} MB.")  # fmt: skip
    for kind in KINDS[1:]:
        worst = max(c.hwm_sum_mb - base_hwm for c in by_kind[kind])
        worst_rss = max(c.rss_sum_mb - base_rss for c in by_kind[kind])
        met = "met" if worst <= TARGET_MB else "NOT met"
        lines.append(f"- {kind}: at most {worst:+.0f} MB (sum of peaks), {worst_rss:+.0f} MB (at once): target {met}.")
    lines.append("")
    for kind in KINDS[1:]:
        sample = by_kind[kind][0]
        lines.append(f"Refusals logged by the {kind} crawl (round 1):")
        lines.append("")
        lines.extend(f"    {w}" for w in sample.warnings or ["(none)"])
        lines.append("")
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    cli = argparse.ArgumentParser(prog="python -m bench.hostile_rss", description=(__doc__ or "").splitlines()[0])
    cli.add_argument("--articles", type=int, default=500, help="replica articles (default 500)")
    cli.add_argument("--page-mb", type=int, default=60, help="the huge article page, MB (default 60)")
    cli.add_argument("--bomb-mib", type=int, default=1024, help="the gzip bomb inflated, MiB (default 1024)")
    cli.add_argument("--raised-cap", default="64 MiB", help='max_page_size of the raised profile (default "64 MiB")')
    cli.add_argument("--rounds", type=int, default=2, help="alternating rounds (default 2)")
    cli.add_argument("--seed", type=int, default=0)
    cli.add_argument("--json", type=Path, help="also write every crawl's figures here")
    cli.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    return cli.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.serve:
        asyncio.run(serve(args.articles, args.seed, args.page_mb * MB, args.bomb_mib * MIB))
        return 0
    command = shlex.join(["python", "-m", "bench.hostile_rss", *(sys.argv[1:] if argv is None else argv)])
    say(f"starting the server ({args.articles} articles, a {args.page_mb} MB page, a {args.bomb_mib} MiB bomb)")
    server = Server(args)
    crawls: list[Crawl] = []
    try:
        with scratch_dir("newscrawl-hostile-rss-") as tmp:
            workdir = Path(tmp)
            for round_ in range(1, args.rounds + 1):
                for kind in KINDS:
                    say(f"round {round_}: {kind}")
                    result = crawl(kind, round_, server, args, workdir)
                    say(f"  {result.hwm_sum_mb:.0f} MB sum of peaks, {result.rss_sum_mb:.0f} MB at once, "
                        f"{result.stored} stored, too_large {result.too_large}, exit {result.returncode}")  # fmt: skip
                    crawls.append(result)
    finally:
        server.stop()
    if args.json:
        args.json.write_text(json.dumps([dataclasses.asdict(c) for c in crawls], indent=1, default=str), "utf-8")
    print(report(crawls, args, server, command))
    return 0 if all(c.returncode == 0 for c in crawls) else 1


if __name__ == "__main__":
    raise SystemExit(main())
