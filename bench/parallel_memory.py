"""Peak memory of ``newscrawl crawl --parallel N`` against the replica (issue #15; not a test).

    python -m bench.parallel_memory [--sites 8] [--articles 150] [--parallel 1 4 8] [-s NAME=VALUE]

Writes copies of ict_en pointing at one replica (``newscrawl_replica.fleet``), then for each N
crawls them all with ``newscrawl crawl SITE... --parallel N`` into a fresh PostgreSQL database
and polls the summed VmRSS and Pss of the command and every descendant (the fork server, crawls,
their writer and extract workers) every 50 ms. Prints one Markdown table row per N: wall time,
peak RSS and peak PSS at once, and each peak divided by the number of crawls running at that
moment. With several sites the crawls are forked from a preloaded server
(:mod:`newscrawl.forkserver`) and share its pages: summed RSS counts a shared page once per
process, PSS shares it out, so PSS is the memory the round holds.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.crawl import _descendants, stat_fields, tree_pss_kb, tree_rss_kb
from newscrawl_replica.fleet import write_profiles
from newscrawl_replica.loopback import LOOPBACK_SETTINGS
from newscrawl_replica.process import ReplicaProcess
from tests.pg import create_pg_database, drop_pg_database

POLL = 0.05


def _cmdline(pid: int) -> list[bytes]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return []


def _parent(pid: int) -> int:
    fields = stat_fields(pid)
    return 0 if fields is None else int(fields[1])


def _forked(cmdline: list[bytes]) -> bool:
    return any(b"multiprocessing.forkserver" in part for part in cmdline)


def crawls_running(pid: int) -> int:
    """How many crawls descend from *pid*: ``scrapy crawl`` processes and the fork server's children.

    A forked crawl and its own children keep the server's command line, so the server is the
    process with that command line whose parent lacks it, and a crawl is a child of the server.
    """
    descendants = _descendants(pid)
    servers = {
        child
        for child in descendants
        if _forked(_cmdline(child)) and not _forked(_cmdline(_parent(child)))
    }
    count = 0
    for child in descendants:
        cmdline = _cmdline(child)
        if (b"scrapy" in cmdline and b"crawl" in cmdline) or _parent(child) in servers:
            count += 1
    return count


def measure(
    names: list[str], parallel: int, sites_dir: Path, extra: list[str]
) -> tuple[float, tuple[float, int], tuple[float, int]]:
    """Wall seconds, and (peak in MB, crawls running at that peak) of summed RSS and of summed PSS."""
    url = create_pg_database()
    try:
        command = [sys.executable, "-m", "newscrawl.cli", "crawl", *names, "--database-url", url]
        command += ["--parallel", str(parallel), "--log-dir", "-"]
        for key, value in LOOPBACK_SETTINGS.items():
            command += ["-s", f"{key}={value}"]
        for setting in extra:
            command += ["-s", setting]
        env = {**os.environ, "NEWSCRAWL_SITES_DIR": str(sites_dir)}
        started = time.monotonic()
        proc = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        rss_peak, rss_crawls, pss_peak, pss_crawls = 0, 0, 0, 0
        while proc.poll() is None:
            rss, pss = tree_rss_kb(proc.pid), tree_pss_kb(proc.pid)
            if rss > rss_peak:
                rss_peak, rss_crawls = rss, crawls_running(proc.pid)
            if pss > pss_peak:
                pss_peak, pss_crawls = pss, crawls_running(proc.pid)
            time.sleep(POLL)
        seconds = time.monotonic() - started
        if proc.returncode != 0:
            raise SystemExit(f"--parallel {parallel}: newscrawl crawl exited {proc.returncode}")
    finally:
        drop_pg_database(url)
    return seconds, (rss_peak / 1024, rss_crawls), (pss_peak / 1024, pss_crawls)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=8)
    parser.add_argument("--articles", type=int, default=150)
    parser.add_argument("--parallel", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args()
    with (
        ReplicaProcess(articles=args.articles, sites=["ict_en"]) as replica,
        tempfile.TemporaryDirectory() as tmp,
    ):
        names = write_profiles(Path(tmp), replica.urls["ict_en"], args.sites)
        print(
            "| --parallel | wall (s) | peak RSS, summed (MB) | crawls at that peak | RSS per crawl"
            " | peak PSS, summed (MB) | crawls at that peak | PSS per crawl |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for parallel in args.parallel:
            seconds, *peaks = measure(names, parallel, Path(tmp), args.set)
            cells = [f"{parallel}", f"{seconds:.1f}"]
            for peak, crawls in peaks:
                per = peak / crawls if crawls else float("nan")
                cells += [f"{peak:,.0f}", f"{crawls}", f"{per:.0f}"]
            print("| " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
