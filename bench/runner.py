"""newscrawl against bare Scrapy, side by side, in one run: ``python -m bench``.

1. Starts the ict_en replica with ``--articles`` articles, pre-rendered in memory (``warm``), and
   measures the server's own capacity once with a load tool (``wrk`` when installed, else
   :mod:`bench.loadgen` in its own process).
2. Crawls it ``--rounds`` times in alternation: the bare Scrapy spider (bench/bare_spider.py),
   ``scrapy crawl ict_en`` into SQLite, the same into PostgreSQL (and, unless ``--no-bare-freeze``,
   the bare spider with newscrawl's GC freeze). Every crawl is a child process with the same
   shared settings (bench.crawl.SHARED_SETTINGS); ratios are taken round by round.
3. Times every newscrawl stage offline on sample pages (bench/stages.py), and crawls a smaller
   replica (``--rss-articles``) to see how peak RSS grows with the crawl.
4. Runs the micro-benchmarks: dates (bench/bench_dates.py), cleaning, export (bench/bench_export.py
   when present); with ``--profile`` one more crawl under pyinstrument.

Everything goes to ``--output`` (default bench/RESULTS.md) and a JSON file beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import crawl as crawl_mod
from bench.crawl import (
    SHARED_SETTINGS,
    CrawlRun,
    newscrawl_settings,
    proc_cpu_s,
    run_bare,
    run_newscrawl,
)
from bench.machine import describe
from bench.stages import StageTimes, fetch_sample, measure

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
BEFORE_PROFILE = BENCH_DIR / "profiles" / "before.md"
#: The peak-memory section of ``python -m bench.hostile_rss`` (issue #13 item 1), kept in its own
#: file so that a run of this benchmark keeps it: ``python -m bench.hostile_rss > bench/profiles/hostile_rss.md``.
HOSTILE_RSS = BENCH_DIR / "profiles" / "hostile_rss.md"

TARGETS = {"sqlite": 0.85, "pg": 0.80}
RSS_GROWTH_TARGET_MB = 30.0
#: All-process CPU per page, newscrawl ÷ bare Scrapy, at most (issue #12).
CPU_TARGET = 1.5


# -- options ----------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    cli = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0] if __doc__ else None)
    cli.add_argument("--articles", type=int, help="replica size (default 20000; --quick: 2000)")
    cli.add_argument("--rounds", type=int, help="alternating rounds (default 3; --quick: 1)")
    cli.add_argument("--rss-articles", type=int,
                     help="size of the smaller replica for the RSS growth (default 5000; --quick: articles/4)")  # fmt: skip
    cli.add_argument("--sample", type=int, help="pages for the offline stage timings (default 500; --quick: 100)")
    cli.add_argument("--quick", action="store_true", help="a small smoke run: 2,000 articles, 1 round")
    cli.add_argument("--no-pg", action="store_true", help="leave PostgreSQL out")
    cli.add_argument("--no-bare-freeze", action="store_true",
                     help="leave out the 'bare + gc.freeze' crawls (always left out with --quick)")  # fmt: skip
    cli.add_argument("--no-micro", action="store_true", help="skip the dates and export micro-benchmarks")
    cli.add_argument("--profile", action="store_true", help="one more SQLite crawl under pyinstrument")
    cli.add_argument("--whatif", action="store_true",
                     help="add crawls with other settings to every round (see runner.WHATIF)")  # fmt: skip
    cli.add_argument("--output", type=Path, default=BENCH_DIR / "RESULTS.md", help="results file (Markdown)")
    args = cli.parse_args(argv)
    quick = args.quick
    args.articles = args.articles or (2_000 if quick else 20_000)
    args.rounds = args.rounds or (1 if quick else 3)
    args.rss_articles = args.rss_articles or (max(100, args.articles // 4) if quick else 5_000)
    args.sample = args.sample or (100 if quick else 500)
    args.bare_freeze = not (quick or args.no_bare_freeze)
    if args.articles < 50 or args.rounds < 1:
        cli.error("--articles must be at least 50 and --rounds at least 1")
    return args


def say(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# -- results ----------------------------------------------------------------------------------


@dataclass
class ServerCapacity:
    tool: str
    connections: int
    requests: int
    seconds: float
    requests_per_s: float
    non_2xx: int
    server_cpu_s: float
    mean_kb: float

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * self.server_cpu_s / self.requests if self.requests else 0.0

    @property
    def single_core_capacity(self) -> float:
        """Requests/s the server would answer with one core of its own (from its CPU per request)."""
        return 1000 / self.cpu_ms_per_request if self.cpu_ms_per_request else 0.0


@dataclass
class Results:
    command: str
    started: str
    args: dict[str, Any]
    machine: dict[str, str]
    shared_settings: dict[str, str]
    newscrawl_settings: dict[str, str]
    replica_start_s: float = 0.0
    page_kb: dict[str, float] = field(default_factory=dict)
    capacity: ServerCapacity | None = None
    rounds: list[dict[str, CrawlRun]] = field(default_factory=list)
    rss_small: dict[str, CrawlRun] = field(default_factory=dict)
    stages: StageTimes | None = None
    micro: dict[str, str] = field(default_factory=dict)
    profile_md: str = ""
    failures: list[str] = field(default_factory=list)
    finished: str = ""
    duration_s: float = 0.0


# -- server -----------------------------------------------------------------------------------


def page_sizes(base_url: str, articles: int, count: int = 200) -> dict[str, float]:
    """Mean, min and max size (KB) of a sample of article pages and of a listing page."""
    import urllib.request

    from newscrawl_replica.generate import generate_site

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    site = generate_site("ict_en", articles, 0)
    live = [a for a in site.articles if not {"gone", "flaky"} & set(a.flags)]
    step = max(1, len(live) // count)
    sizes = []
    for art in live[::step][:count]:
        with opener.open(base_url + art.path, timeout=30) as response:
            sizes.append(len(response.read()))
    with opener.open(base_url + "/en/news?page=2", timeout=30) as response:
        listing = len(response.read())
    return {
        "mean": statistics.mean(sizes) / 1024,
        "min": min(sizes) / 1024,
        "max": max(sizes) / 1024,
        "listing": listing / 1024,
    }


def server_capacity(base_url: str, server_pid: int, articles: int, workdir: Path, quick: bool) -> ServerCapacity:
    """Load the warm server with wrk (or bench.loadgen): 16 connections, article pages in turn."""
    from newscrawl_replica.generate import generate_site

    site = generate_site("ict_en", articles, 0)
    paths = [a.path for a in site.articles if not {"gone", "flaky"} & set(a.flags)]
    connections = 16
    before = proc_cpu_s(server_pid)
    wrk = shutil.which("wrk")
    if wrk:
        script = workdir / "paths.lua"
        script.write_text(
            "paths = {" + ",".join(json.dumps(p) for p in paths) + "}\n"
            "counter = 0\nrequest = function()\n  counter = counter + 1\n"
            "  return wrk.format('GET', paths[(counter % #paths) + 1])\nend\n"
            "done = function(summary, latency, requests)\n"
            "  io.write(string.format('WRKJSON {\"requests\": %d, \"seconds\": %f, \"non_2xx\": %d, \"bytes\": %d}\\n',\n"
            "    summary.requests, summary.duration / 1e6, summary.errors.status, summary.bytes))\nend\n",
            "utf-8",
        )
        duration = 3 if quick else 10
        out = subprocess.run(
            [wrk, "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", str(script), base_url],
            capture_output=True, text=True, timeout=duration + 60, check=False,
        )  # fmt: skip
        line = next((ln for ln in out.stdout.splitlines() if ln.startswith("WRKJSON ")), None)
        if line is None:
            raise RuntimeError(f"wrk failed: {out.stdout[-500:]} {out.stderr[-500:]}")
        data = json.loads(line.removeprefix("WRKJSON "))
        version = subprocess.run([wrk, "--version"], capture_output=True, text=True, check=False).stdout
        tool = f"wrk ({version.split(' [')[0].strip() or 'wrk'}), 1 thread, {duration} s"
    else:
        paths_file = workdir / "paths.txt"
        paths_file.write_text("\n".join(paths), "utf-8")
        requests = 3_000 if quick else 30_000
        out = subprocess.run(
            [sys.executable, "-m", "bench.loadgen", base_url, str(paths_file), "--connections", str(connections),
             "--requests", str(requests), "--max-seconds", "60"],
            capture_output=True, text=True, timeout=120, check=False, cwd=PROJECT_DIR,
        )  # fmt: skip
        data = json.loads(out.stdout.strip().splitlines()[-1])
        tool = f"bench.loadgen (Python asyncio client, own process), {requests} requests at most"
    server_cpu = proc_cpu_s(server_pid) - before
    return ServerCapacity(
        tool=tool,
        connections=connections,
        requests=int(data["requests"]),
        seconds=float(data["seconds"]),
        requests_per_s=int(data["requests"]) / float(data["seconds"]),
        non_2xx=int(data.get("non_2xx", 0)),
        server_cpu_s=server_cpu,
        mean_kb=float(data.get("bytes", 0)) / max(1, int(data["requests"])) / 1024,
    )


# -- crawls -----------------------------------------------------------------------------------


#: ``--whatif`` crawls: (crawl, the settings it adds to the shared ones, its baseline, what it shows).
WHATIF: dict[str, tuple[str, dict[str, str], str, str]] = {
    "sqlite-extract0": ("sqlite", {"NEWSCRAWL_EXTRACT_PROCESSES": "0"}, "bare",
                        "newscrawl → SQLite extracting in the crawl's own process (no extract worker)"),
    "sqlite-nice0": ("sqlite", {"NEWSCRAWL_WORKER_NICENESS": "0"}, "bare",
                     "newscrawl → SQLite with the worker processes at the crawl's CPU priority"),
    "pg-nice0": ("pg", {"NEWSCRAWL_WORKER_NICENESS": "0"}, "bare",
                 "newscrawl → PostgreSQL with the worker processes at the crawl's CPU priority"),
    "bare-items100": ("bare", {"CONCURRENT_ITEMS": "100"}, "bare",
                      "bare Scrapy at Scrapy's own CONCURRENT_ITEMS (100) instead of newscrawl's"),
    "sqlite-items100": ("sqlite", {"CONCURRENT_ITEMS": "100"}, "bare-items100",
                        "newscrawl → SQLite at CONCURRENT_ITEMS 100, against bare Scrapy at 100"),
}  # fmt: skip


def crawl_kinds(args: argparse.Namespace) -> list[str]:
    kinds = ["bare", "sqlite"]
    if not args.no_pg:
        kinds.append("pg")
    if args.bare_freeze:
        kinds.append("bare+freeze")
    if getattr(args, "whatif", False):
        kinds += list(WHATIF)
    return kinds


def one_crawl(kind: str, base_url: str, articles: int, server_pid: int, workdir: Path,
              profile_to: Path | None = None) -> CrawlRun:  # fmt: skip
    """One crawl of ``kind`` into a fresh database (dropped or deleted afterwards)."""
    base_kind, extra = (WHATIF[kind][0], WHATIF[kind][1]) if kind in WHATIF else (kind, {})
    if base_kind in ("bare", "bare+freeze"):
        run = run_bare(base_url, articles, server_pid=server_pid, workdir=workdir, gc_stats=True,
                       gc_freeze=base_kind == "bare+freeze", extra=extra)  # fmt: skip
    elif base_kind == "sqlite":
        db = workdir / f"crawl-{time.monotonic_ns()}.sqlite3"
        try:
            run = run_newscrawl("sqlite", base_url, articles, f"sqlite:///{db}", server_pid=server_pid,
                                workdir=workdir, gc_stats=True, profile_to=profile_to, extra=extra)  # fmt: skip
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
    else:
        from tests.pg import create_pg_database, drop_pg_database

        url = create_pg_database()
        try:
            run = run_newscrawl("pg", base_url, articles, url, server_pid=server_pid, workdir=workdir,
                                gc_stats=True, extra=extra)  # fmt: skip
        finally:
            drop_pg_database(url)
    run.kind = kind
    return run


def describe_run(run: CrawlRun) -> str:
    gc_part = f", GC {1000 * run.gc_s / run.pages:.2f} ms/page" if run.gc_s is not None and run.pages else ""
    return (
        f"{run.kind:<11} {run.pages:>6} pages {run.pages_per_s:7.1f} pages/s, {run.cpu_ms_per_page:5.2f} ms CPU/page "
        f"(busy {run.cpu_share:.2f}{gc_part}), peak RSS {run.peak_rss_mb:.0f} MB, server CPU {run.server_cpu_s:.1f} s; "
        f"with worker processes {run.tree_cpu_ms_per_page:.2f} ms CPU/page, RSS {run.tree_rss_mb:.0f} MB"
    )


# -- micro-benchmarks -------------------------------------------------------------------------


def run_tool(command: list[str], timeout: float) -> str:
    """Run a benchmark script from the project root; its output (or why it failed)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(PROJECT_DIR), os.environ.get("PYTHONPATH")) if p)}
    try:
        out = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=timeout,
                             check=False)  # fmt: skip
    except subprocess.TimeoutExpired:
        return f"(timed out after {timeout:.0f} s)"
    text = out.stdout.strip()
    if out.returncode != 0:
        text += f"\n(exit {out.returncode})\n{out.stderr.strip()[-2000:]}"
    return text


def _enabled(components: Mapping[str, Any]) -> list[str]:
    """The class names of a Scrapy component setting (``ITEM_PIPELINES``, ``EXTENSIONS``) in their
    order; a ``None`` order switches one off."""
    on = sorted((order, path) for path, order in components.items() if order is not None)
    return [path.rsplit(".", 1)[-1] for _, path in on]


def project_components(overrides: Mapping[str, str]) -> str:
    """The newscrawl crawl's item pipelines and extensions, as its settings make them.

    Read from ``newscrawl.settings`` with the benchmark's ``-s`` *overrides*: the pipelines in order
    (those a setting leaves off are marked), whether the near-duplicate index is on, the extensions.
    """
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("newscrawl.settings", priority="project")
    settings.setdict(dict(overrides), priority="cmdline")
    # the components that switch themselves off (NotConfigured) with these settings
    off = {"WarcPipeline": not settings.get("NEWSCRAWL_WARC_DIR")}
    pipelines = [
        name.removesuffix("Pipeline").lower() + (" (off: no NEWSCRAWL_WARC_DIR)" if off.get(name) else "")
        for name in _enabled(settings.getdict("ITEM_PIPELINES"))
    ]
    neardup = "on" if settings.getbool("NEWSCRAWL_NEARDUP_ENABLED") else "off"
    extensions = _enabled(settings.getdict("EXTENSIONS"))
    return (
        f"item pipelines {' → '.join(pipelines)}, near-duplicate index {neardup}, "
        f"extensions {', '.join(extensions[:-1])} and {extensions[-1]}"
    )


def cleaning_micro(stages: StageTimes | None) -> str:
    """Per-article cleaning cost, from the stage timings (clean_article on real replica pages)."""
    if stages is None:
        return "(no stage timings)"
    clean = stages.ms.get("clean", 0.0)
    rate = 1000 / clean if clean else 0.0
    return (
        f"clean_article (normalise title, lead, body paragraphs and tags; strip boilerplate): "
        f"{1000 * clean:.0f} µs per article, {rate:,.0f} articles/s on one core "
        f"({stages.pages} replica pages, {stages.mean_page_kb:.1f} KB each, median of {stages.repeat})"
    )


# -- report -----------------------------------------------------------------------------------


def _median_range(values: list[float], fmt: str = "{:.1f}") -> str:
    if not values:
        return "–"
    if len(values) == 1:
        return fmt.format(values[0])
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def _paired(results: Results, kind: str, base: str,
            ratio: Callable[[CrawlRun, CrawlRun], float | None]) -> list[float]:  # fmt: skip
    """``ratio(crawl, baseline)`` for each round where both crawls succeeded (None: left out)."""
    values = (ratio(rnd[kind], rnd[base]) for rnd in results.rounds
              if kind in rnd and base in rnd and rnd[kind].ok and rnd[base].ok)  # fmt: skip
    return [value for value in values if value is not None]


def ratios(results: Results, kind: str, base: str = "bare") -> list[float]:
    """pages/s of *kind* ÷ pages/s of *base*, round by round."""
    return _paired(results, kind, base,
                   lambda run, bare: run.pages_per_s / bare.pages_per_s if bare.pages_per_s else None)  # fmt: skip


def cpu_ratios(results: Results, kind: str, base: str = "bare") -> list[float]:
    """CPU per page of *base* ÷ that of *kind*, all processes (the writer's CPU is part of what
    newscrawl costs per page), round by round."""
    return _paired(results, kind, base, lambda run, bare: (
        bare.tree_cpu_ms_per_page / run.tree_cpu_ms_per_page if run.tree_cpu_ms_per_page else None))


def _runs(results: Results, kind: str) -> list[CrawlRun]:
    return [rnd[kind] for rnd in results.rounds if kind in rnd and rnd[kind].ok]


def render(results: Results) -> str:
    r = results
    args = r.args
    kinds = [k for k in ("bare", "sqlite", "pg", "bare+freeze") if any(k in rnd for rnd in r.rounds)]
    label = {"bare": "bare Scrapy", "sqlite": "newscrawl → SQLite", "pg": "newscrawl → PostgreSQL",
             "bare+freeze": "bare Scrapy + gc.freeze"}  # fmt: skip
    lines: list[str] = [
        "# newscrawl against bare Scrapy — benchmark results",
        "",
        "Produced by one run of:",
        "",
        "```sh",
        r.command,
        "```",
        "",
        (f"Started {r.started}, finished {r.finished} ({r.duration_s / 60:.1f} min). Every figure below comes from "
        "that run; the machine is shared and noisy, so compare the ratios (taken crawl pair by crawl pair, "
        "within a round) rather than absolute rates across runs."),
        "",
    ]
    if r.failures:
        lines += ["**Failures:**", "", *[f"- {f}" for f in r.failures], ""]

    # -- summary and targets
    lines += ["## Summary and targets", ""]
    lines += ["| measure | target | measured: median (min–max) | status |", "|---|---|---|---|"]
    for kind in ("sqlite", "pg"):
        values = ratios(r, kind)
        if not values:
            continue
        target = TARGETS[kind]
        med = statistics.median(values)
        status = "met" if med >= target else f"missed by {target - med:.2f} ({100 * (target - med) / target:.0f} % short)"
        lines.append(f"| pages/s {label[kind]} ÷ bare Scrapy | ≥ {target:.2f} | {_median_range(values, '{:.2f}')} | {status} |")
    for kind in ("sqlite", "pg"):
        # The whole machine's CPU per page (the crawl and its worker processes) against bare Scrapy's.
        values = [1 / ratio for ratio in cpu_ratios(r, kind) if ratio]
        if not values:
            continue
        med = statistics.median(values)
        status = "met" if med <= CPU_TARGET else f"missed by {med - CPU_TARGET:.2f}"
        lines.append(f"| CPU ms/page of all processes, {label[kind]} ÷ bare Scrapy | ≤ {CPU_TARGET:.2f} | "
                     f"{_median_range(values, '{:.2f}')} | {status} |")  # fmt: skip
    growth = rss_growth(r)
    if growth is not None:
        small, large, delta = growth
        status = "met" if delta < RSS_GROWTH_TARGET_MB else f"missed by {delta - RSS_GROWTH_TARGET_MB:.0f} MB"
        lines.append(
            f"| peak RSS growth of newscrawl → SQLite, {args['rss_articles']:,} → {args['articles']:,} articles "
            f"| < {RSS_GROWTH_TARGET_MB:.0f} MB | {delta:+.0f} MB ({small:.0f} → {large:.0f} MB) | {status} |"
        )
    if "bare+freeze" in kinds:
        values = ratios(r, "sqlite", "bare+freeze")
        if values:
            lines.append(f"| (for comparison) newscrawl → SQLite ÷ bare Scrapy + gc.freeze | – | "
                         f"{_median_range(values, '{:.2f}')} | – |")  # fmt: skip
    lines.append("")

    # -- machine
    lines += ["## Machine", "", "| | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in r.machine.items()]
    lines.append("")

    # -- setup
    kb = r.page_kb
    lines += [
        "## Setup",
        "",
        f"- Replica: the ict_en replica site (`newscrawl_replica`), {args['articles']:,} articles, "
        f"{-(-args['articles'] // 20):,} listing pages of 20 links, RSS feed, robots.txt. Article pages "
        + (f"{kb['mean']:.1f} KB on average ({kb['min']:.1f}–{kb['max']:.1f} KB), listing pages {kb['listing']:.1f} KB. "
           if kb else "")
        + "Served by the replica's own aiohttp server in its own process, started with `warm=True`: every article "
        f"and listing page is rendered once at start-up (took {r.replica_start_s:.0f} s with generation) and "
        "answered from an unbounded in-memory cache, so the server is not the bottleneck (capacity below).",
        ("- Each crawl is a child process, measured by the parent: pages/s = `response_received_count / "
        "elapsed_time_seconds` from the crawl's own Scrapy stats (engine start to stop: interpreter start-up, "
        "imports and the schema migration of the empty database are left out); CPU ms/page is the child's CPU "
        "between the same two instants (sampled from /proc every 0.1 s) per page; peak RSS is the child's VmHWM, "
        "read by the child itself at exit (bench/gcwrap.py; `ru_maxrss` from `os.wait4` would include the "
        "benchmark parent's RSS at fork time); GC time is the CPU in collections within the same window "
        "(`gc.callbacks`, bench/gcwrap.py)."),
        ("- Every newscrawl crawl writes into a fresh, empty database (a new SQLite file; a new PostgreSQL database "
        "on 127.0.0.1:5432), as a first crawl of a site does: every article is new, so every article gets a "
        "revision, a compressed capture and a near-duplicate fingerprint."),
        f"- Order within a round: {', '.join(kinds)}; {args['rounds']} round(s).",
        "",
        "Settings given to both crawls (`-s`):",
        "",
        "| setting | value |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in r.shared_settings.items()],
        "",
        "The bare spider (bench/bare_spider.py) runs outside the project: Scrapy's defaults plus the above. "
        "newscrawl runs `scrapy crawl ict_en -a base_url=…` with its project settings ("
        + project_components(r.newscrawl_settings) + "), "
        "`newscrawl_replica.loopback.LOOPBACK_SETTINGS`, then the above. Its full `-s` list: "
        + ", ".join(f"`{k}={v}`" for k, v in r.newscrawl_settings.items()) + ".",
        "",
    ]  # fmt: skip

    # -- server capacity
    cap = r.capacity
    if cap is not None:
        fastest = max((run.pages_per_s for run in _runs(r, "bare") + _runs(r, "bare+freeze")), default=0.0)
        server_shares = [
            100 * run.server_cpu_s / run.wall_s for rnd in r.rounds for run in rnd.values() if run.ok and run.wall_s
        ]
        lines += [
            "## Replica server capacity",
            "",
            (f"Measured once, before the crawls, with {cap.tool}, {cap.connections} connections, article pages in turn "
            f"({cap.mean_kb:.1f} KB per response):"),
            "",
            "| requests | seconds | requests/s | non-2xx | server CPU | server CPU per request | one-core capacity |",
            "|---:|---:|---:|---:|---:|---:|---:|",
            (f"| {cap.requests:,} | {cap.seconds:.1f} | {cap.requests_per_s:,.0f} | {cap.non_2xx} | {cap.server_cpu_s:.1f} s "
            f"| {cap.cpu_ms_per_request:.3f} ms | {cap.single_core_capacity:,.0f} req/s |"),
            "",
            (f"Measured rate / fastest crawl ({fastest:.0f} pages/s): **{cap.requests_per_s / fastest:.1f}×**; "
             f"from the server's CPU per request, one core of its own would serve "
             f"{cap.single_core_capacity / fastest:.0f}× the fastest crawl.") if fastest else "",
            "",
            (f"During the crawls the server used {_median_range(server_shares, '{:.0f}')} % of one core "
            "(median, min–max over all crawls; its CPU time over the crawl process's wall time). The load tool "
            "shares the 2 cores with the server, so the measured requests/s is a lower bound."),
            "",
        ]

    # -- crawl rates
    lines += [
        f"## Crawl rate ({args['articles']:,} articles, {args['rounds']} round(s), alternating)",
        "",
        "| round | " + " | ".join(f"{label[k]} pages/s" for k in kinds) + " | SQLite ÷ bare | PostgreSQL ÷ bare |",
        "|---:|" + "---:|" * (len(kinds) + 2),
    ]
    for i, rnd in enumerate(r.rounds, 1):
        cells = [f"{rnd[k].pages_per_s:.1f}" if k in rnd and rnd[k].ok else "failed" for k in kinds]
        sq = rnd["sqlite"].pages_per_s / rnd["bare"].pages_per_s if _ok(rnd, "sqlite", "bare") else None
        pg = rnd["pg"].pages_per_s / rnd["bare"].pages_per_s if _ok(rnd, "pg", "bare") else None
        lines.append(f"| {i} | " + " | ".join(cells) + f" | {_fmt(sq)} | {_fmt(pg)} |")
    lines += [
        "",
        "Per crawl kind, median (min–max) over the rounds:",
        "",
        ("| crawl | pages | pages/s | CPU ms/page | of which GC ms/page | core busy | peak RSS MB "
        "| CPU ms/page, all processes | peak RSS MB, all processes | items |"),
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind in kinds:
        runs = _runs(r, kind)
        if not runs:
            lines.append(f"| {label[kind]} | – | failed | | | | | |")
            continue
        gc_ms = [1000 * x.gc_s / x.pages for x in runs if x.gc_s is not None and x.pages]
        lines.append(
            f"| {label[kind]} | {runs[0].pages:,} | {_median_range([x.pages_per_s for x in runs])} "
            f"| {_median_range([x.cpu_ms_per_page for x in runs], '{:.2f}')} | {_median_range(gc_ms, '{:.2f}')} "
            f"| {_median_range([x.cpu_share for x in runs], '{:.2f}')} "
            f"| {_median_range([x.peak_rss_mb for x in runs], '{:.0f}')} "
            f"| {_median_range([x.tree_cpu_ms_per_page for x in runs], '{:.2f}')} "
            f"| {_median_range([x.tree_rss_mb for x in runs], '{:.0f}')} | {runs[0].items:,} |"
        )
    lines += [
        "",
        ("CPU ms/page, core busy and peak RSS are the crawl process's own: the reactor thread's core, which "
        "decides the crawl rate. \"All processes\" adds newscrawl's worker processes (the database writer, "
        "and extract workers when NEWSCRAWL_EXTRACT_PROCESSES > 0), which run on the second core: the whole "
        "cost of the crawl (RSS summed over the processes, polled every 0.1 s)."),
    ]
    cpu_sq, cpu_pg = cpu_ratios(r, "sqlite"), cpu_ratios(r, "pg")
    lines += [
        "",
        "pages/s ratios, median (min–max): newscrawl → SQLite ÷ bare "
        f"**{_median_range(ratios(r, 'sqlite'), '{:.2f}')}**"
        + (f"; newscrawl → PostgreSQL ÷ bare **{_median_range(ratios(r, 'pg'), '{:.2f}')}**" if "pg" in kinds else "")
        + ". The same ratio from CPU per page of all processes (bare CPU ÷ newscrawl CPU with its writer process; "
        f"less sensitive to the machine's other load, but it charges newscrawl for the second core it uses): SQLite {_median_range(cpu_sq, '{:.2f}')}"
        + (f", PostgreSQL {_median_range(cpu_pg, '{:.2f}')}" if cpu_pg else "")
        + ". PostgreSQL's own CPU (the server process) is not in newscrawl's CPU figure.",
        "",
    ]  # fmt: skip

    # -- what-if crawls
    whatif = [k for k in WHATIF if any(k in rnd for rnd in r.rounds)]
    if whatif:
        lines += [
            "## What-if crawls (`--whatif`): settings newscrawl does not ship",
            "",
            "In the same rounds as the crawls above; each ratio is against the baseline named, in the same round.",
            "",
            "| crawl | settings added | pages/s | CPU ms/page | ÷ baseline (pages/s) | baseline |",
            "|---|---|---:|---:|---:|---|",
        ]
        for kind in whatif:
            _, extra, base, what = WHATIF[kind]
            runs = _runs(r, kind)
            if not runs:
                lines.append(f"| {what} | | failed | | | |")
                continue
            lines.append(
                f"| {what} | {', '.join(f'`{k}={v}`' for k, v in extra.items())} "
                f"| {_median_range([x.pages_per_s for x in runs])} "
                f"| {_median_range([x.cpu_ms_per_page for x in runs], '{:.2f}')} "
                f"| {_median_range(ratios(r, kind, base), '{:.2f}')} | {label.get(base, WHATIF.get(base, ('', {}, '', base))[3])} |"
            )
        lines.append("")

    # -- stages
    st = r.stages
    if st is not None:
        ms, pg = st.ms, st.pg_ms
        rows = [
            ("extract (page object)", "extract", "decode_html + ArticlePage(...) + the field check + to_item (extract_article)"),
            ("· decode", "decode", "decode_html of the response body"),
            ("· parse", "parse", "Selector(text=html): the lxml parse"),
            ("· fields", "fields", "CSS queries, text, URLs, to_item"),
            ("clean", "clean", "clean_article"),
            ("dates", "dates", "date_article"),
            ("dedup", "dedup", "content_hash (sha256)"),
            ("persist", "persist", f"save_articles + link_near_duplicates + commit, batches of {st.batch_size}"),
            ("· store", "store", "save_articles (upserts, revisions, captures)"),
            ("· · capture compress", "capture compress", "compress_body of the response body (Zstandard, part of store)"),
            ("· neardup (MinHash)", "neardup", "link_near_duplicates: fingerprint, LSH look-up, index rows"),
            ("· commit", "commit", "COMMIT of the batch"),
            ("total", "total", "extract + clean + dates + dedup + persist"),
        ]
        lines += [
            f"## CPU per article, stage by stage (offline, {st.pages} replica article pages of {st.mean_page_kb:.1f} KB)",
            "",
            ("Each stage run over all sample pages in the crawl's order, `time.process_time`, median of "
            f"{st.repeat} passes. PostgreSQL: this process's CPU only (the server's is elsewhere). In a crawl, "
            "extract, clean, dates and the hash run in the extract worker process (NEWSCRAWL_EXTRACT_PROCESSES), "
            "dedup's check on the reactor thread, and persist in the writer process (NEWSCRAWL_DB_WRITER_PROCESS); "
            "the workers share the cores with the reactor, the replica server and PostgreSQL."),
            "",
            "| stage | SQLite ms/article | PostgreSQL ms/article | what |",
            "|---|---:|---:|---|",
        ]
        for name, key, what in rows:
            sq = f"{ms[key]:.3f}" if key in ms else ""
            pq = f"{pg[key]:.3f}" if key in pg else ("" if key not in ("persist", "store", "neardup", "commit") else "–")
            lines.append(f"| {name} | {sq} | {pq} | {what} |")
        if st.whatif:
            lines += [
                "",
                ("The persist stage under other choices (same pages, one pass each, SQLite; for the owners of "
                "`newscrawl/db/` and `pipelines/persist.py`):"),
                "",
                "| variant | ms/article (or %) |",
                "|---|---:|",
                *[f"| {name} | {value:.3f} |" if not name.endswith("%") else f"| {name} | {value:.1f} % |"
                  for name, value in st.whatif.items()],
            ]  # fmt: skip
        bare_cpu = [x.cpu_ms_per_page for x in _runs(r, "bare")]
        sq_cpu = [x.cpu_ms_per_page for x in _runs(r, "sqlite")]
        if bare_cpu and sq_cpu:
            lines += [
                "",
                (f"In the crawls: bare Scrapy {statistics.median(bare_cpu):.2f} ms CPU/page, newscrawl → SQLite "
                f"{statistics.median(sq_cpu):.2f}: newscrawl adds {statistics.median(sq_cpu) - statistics.median(bare_cpu):.2f} "
                f"ms per page, against {ms['total']:.2f} ms of stage work measured offline. For 0.85× bare Scrapy's "
                f"pages/s on a saturated core, newscrawl may add at most {statistics.median(bare_cpu) * (1 / 0.85 - 1):.2f} "
                "ms per page."),
            ]
        tree = {kind: [x.tree_cpu_ms_per_page for x in _runs(r, kind)] for kind in ("bare", "sqlite", "pg")}
        if all(tree.values()):
            med = {kind: statistics.median(values) for kind, values in tree.items()}
            cores = os.cpu_count() or 1
            lines += [
                "",
                (f"All processes together (crawl and workers; not the replica or PostgreSQL servers): bare Scrapy "
                f"{med['bare']:.2f} ms CPU/page, newscrawl → SQLite {med['sqlite']:.2f}, → PostgreSQL {med['pg']:.2f}. "
                f"On {cores} cores that alone caps newscrawl at {1000 * cores / med['sqlite']:.0f} "
                f"(SQLite) and {1000 * cores / med['pg']:.0f} (PostgreSQL) pages/s, before the servers' share."),
            ]
        lines.append("")

    # -- RSS
    if r.rss_small:
        lines += [
            f"## Peak RSS: {args['rss_articles']:,} against {args['articles']:,} articles",
            "",
            (f"| crawl | {args['rss_articles']:,} articles | {args['articles']:,} articles (median) | growth "
            f"| all processes, {args['rss_articles']:,} | all processes, {args['articles']:,} | growth |"),
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for kind, run in r.rss_small.items():
            large = [x.peak_rss_mb for x in _runs(r, kind)]
            tree = [x.tree_rss_mb for x in _runs(r, kind)]
            if run.ok and large:
                big, big_tree = statistics.median(large), statistics.median(tree)
                lines.append(
                    f"| {label[kind]} | {run.peak_rss_mb:.0f} MB | {big:.0f} MB | {big - run.peak_rss_mb:+.0f} MB "
                    f"| {run.tree_rss_mb:.0f} MB | {big_tree:.0f} MB | {big_tree - run.tree_rss_mb:+.0f} MB |"
                )
        lines.append("")

    # -- micro-benchmarks
    lines += ["## Micro-benchmarks", ""]
    for title, key in (
        ("Dates: `parse_date` against dateparser (bench/bench_dates.py)", "dates"),
        ("Cleaning per article", "cleaning"),
        ("Near-duplicate index (MinHash/LSH) as the archive grows (bench/neardup_growth.py)", "neardup"),
        ("Export records/s (bench/bench_export.py)", "export"),
    ):
        if key in r.micro:
            lines += [f"### {title}", "", "```", r.micro[key], "```", ""]

    # -- profiles
    if r.profile_md:
        lines += ["## Profile of a newscrawl → SQLite crawl, now (pyinstrument, `--profile`)", "", r.profile_md, ""]
    for kept in (BEFORE_PROFILE, HOSTILE_RSS):
        if kept.exists():
            lines += [kept.read_text("utf-8").strip(), ""]
    lines += [
        "## Raw data",
        "",
        f"Every crawl's figures and stats: `{Path(args['output']).with_suffix('.json').name}` beside this file.",
        "",
    ]
    return "\n".join(lines)


def _ok(rnd: dict[str, CrawlRun], a: str, b: str) -> bool:
    return a in rnd and b in rnd and rnd[a].ok and rnd[b].ok and rnd[b].pages_per_s > 0


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def rss_growth(results: Results) -> tuple[float, float, float] | None:
    small = results.rss_small.get("sqlite")
    large = [x.peak_rss_mb for x in _runs(results, "sqlite")]
    if small is None or not small.ok or not large:
        return None
    big = statistics.median(large)
    return small.peak_rss_mb, big, big - small.peak_rss_mb


def to_json(results: Results) -> dict[str, Any]:
    def run_dict(run: CrawlRun) -> dict[str, Any]:
        data = asdict(run)
        data.update(pages_per_s=run.pages_per_s, cpu_ms_per_page=run.cpu_ms_per_page, peak_rss_mb=run.peak_rss_mb,
                    tree_cpu_ms_per_page=run.tree_cpu_ms_per_page, tree_rss_mb=run.tree_rss_mb)  # fmt: skip
        data["stats"] = {k: v for k, v in run.stats.items() if not k.startswith("newscrawl/fields")}
        return data

    return {
        "command": results.command,
        "started": results.started,
        "finished": results.finished,
        "args": results.args,
        "machine": results.machine,
        "shared_settings": results.shared_settings,
        "page_kb": results.page_kb,
        "capacity": asdict(results.capacity) if results.capacity else None,
        "rounds": [{k: run_dict(v) for k, v in rnd.items()} for rnd in results.rounds],
        "rss_small": {k: run_dict(v) for k, v in results.rss_small.items()},
        "stages": results.stages.as_dict() if results.stages else None,
        "failures": results.failures,
    }


# -- main -------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    from newscrawl_replica.process import ReplicaProcess

    args = parse_args(argv)
    started = time.monotonic()
    python = Path(sys.executable)
    try:
        shown = str(python.relative_to(PROJECT_DIR))  # .venv/bin/python
    except ValueError:
        shown = python.name
    command = " ".join(shlex.quote(a) for a in [shown, "-m", "bench", *(sys.argv[1:] if argv is None else argv)])
    pg_admin = None
    if not args.no_pg:
        from tests.pg import admin_url

        pg_admin = admin_url()
    results = Results(
        command=command,
        started=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        args={k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        machine=describe(pg_admin),
        shared_settings=dict(SHARED_SETTINGS),
        newscrawl_settings=newscrawl_settings(),
    )
    out_md: Path = args.output
    out_md.parent.mkdir(parents=True, exist_ok=True)

    def save() -> None:
        results.finished = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        results.duration_s = time.monotonic() - started
        out_md.write_text(render(results), "utf-8")
        out_md.with_suffix(".json").write_text(json.dumps(to_json(results), indent=1, default=str), "utf-8")

    with crawl_mod.scratch_dir() as tmp:
        workdir = Path(tmp)
        say(f"replica: generating and rendering {args.articles:,} articles")
        t0 = time.monotonic()
        with ReplicaProcess(sites=["ict_en"], articles=args.articles, warm=True, start_timeout=600) as replica:
            results.replica_start_s = time.monotonic() - t0
            base = replica.urls["ict_en"]
            results.page_kb = page_sizes(base, args.articles)
            say(f"replica up in {results.replica_start_s:.0f} s at {base}; pages {results.page_kb['mean']:.1f} KB")
            try:
                results.capacity = server_capacity(base, replica.pid, args.articles, workdir, args.quick)
                say(f"server capacity: {results.capacity.requests_per_s:,.0f} req/s ({results.capacity.tool})")
            except Exception as exc:  # noqa: BLE001 - reported, the crawls still run
                results.failures.append(f"server capacity: {exc}")
            try:
                pages = fetch_sample(base, args.articles, args.sample)
                from tests.pg import create_pg_database, drop_pg_database

                results.stages = measure(
                    pages, base, workdir, repeat=1 if args.quick else 3,
                    pg_url_factory=None if args.no_pg else create_pg_database,
                    pg_drop=None if args.no_pg else drop_pg_database,
                )  # fmt: skip
                say(f"stages: {json.dumps({k: round(v, 3) for k, v in results.stages.ms.items()})}")
            except Exception as exc:  # noqa: BLE001
                results.failures.append(f"stage timings: {type(exc).__name__}: {exc}")
            save()
            for i in range(args.rounds):
                rnd: dict[str, CrawlRun] = {}
                results.rounds.append(rnd)
                for kind in crawl_kinds(args):
                    run = one_crawl(kind, base, args.articles, replica.pid, workdir)
                    rnd[kind] = run
                    say(f"round {i + 1}: {describe_run(run)}")
                    if not run.ok:
                        results.failures.append(f"round {i + 1} {kind}: exit {run.returncode}\n{run.log_tail[-1500:]}")
                    save()
            if args.profile:
                session = workdir / "profile.pyisession"
                say("profiling one newscrawl → SQLite crawl with pyinstrument")
                run = one_crawl("sqlite", base, args.articles, replica.pid, workdir, profile_to=session)
                if session.exists():
                    from bench.profiling import render as render_profile
                    from bench.profiling import summarise

                    results.profile_md = (
                        f"Crawl of {args.articles:,} articles under pyinstrument (sampling every 2 ms): "
                        f"{run.pages_per_s:.0f} pages/s, {run.cpu_ms_per_page:.2f} ms CPU/page with the profiler's "
                        "overhead. Start-up (imports, migrations) is included.\n\n" + render_profile(summarise(session))
                    )
                else:
                    results.failures.append("profile: pyinstrument wrote no session (is it installed?)")
        if args.rss_articles and args.rss_articles != args.articles:
            say(f"replica: {args.rss_articles:,} articles for the RSS comparison")
            with ReplicaProcess(sites=["ict_en"], articles=args.rss_articles, warm=True, start_timeout=600) as small:
                for kind in [k for k in crawl_kinds(args) if k in ("bare", "sqlite", "pg")]:
                    run = one_crawl(kind, small.urls["ict_en"], args.rss_articles, small.pid, workdir)
                    results.rss_small[kind] = run
                    say(f"rss: {describe_run(run)}")
        save()
        if not args.no_micro:
            say("micro-benchmarks: dates")
            dates_cmd = [sys.executable, "-m", "bench.bench_dates", *(["--quick"] if args.quick else [])]
            results.micro["dates"] = "$ " + " ".join(["python", *dates_cmd[1:]]) + "\n" + run_tool(dates_cmd, 900)
            say("micro-benchmarks: near-duplicate index growth")
            from bench.neardup_growth import measure as growth_measure
            from bench.neardup_growth import render as growth_render

            try:
                results.micro["neardup"] = growth_render(
                    growth_measure(args.articles, slices=4 if args.quick else 5, workdir=workdir), 200
                )
            except Exception as exc:  # noqa: BLE001
                results.micro["neardup"] = f"failed: {type(exc).__name__}: {exc}"
            export_script = BENCH_DIR / "bench_export.py"
            if export_script.exists():
                n = 300 if args.quick else 20_000
                say(f"micro-benchmarks: export ({n} articles)")
                export_cmd = [sys.executable, str(export_script), "--articles", str(n)]
                results.micro["export"] = (
                    "$ " + " ".join(["python", "bench/bench_export.py", "--articles", str(n)]) + "\n"
                    + run_tool(export_cmd, 1800)
                )  # fmt: skip
            else:
                results.micro["export"] = "bench/bench_export.py does not exist (yet): no export figures."
        results.micro["cleaning"] = cleaning_micro(results.stages)
    save()
    say(f"results written to {out_md}")
    print(out_md)
    ok = all(run.ok for rnd in results.rounds for run in rnd.values())
    return 0 if ok and results.rounds else 1

