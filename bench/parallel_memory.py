"""Peak memory of ``newscrawl crawl --parallel N`` against the replica (issue #15; not a test).

    python -m bench.parallel_memory [--sites 8] [--articles 150] [--parallel 1 4 8] [-s NAME=VALUE]

Writes copies of ict_en pointing at one replica (``newscrawl_replica.fleet``), then for each N
crawls them all with ``newscrawl crawl SITE... --parallel N`` into a fresh PostgreSQL database
and polls the summed VmRSS of the command and every descendant (crawls, their writer and extract
workers) every 50 ms. Prints one Markdown table row per N: wall time, peak RSS at once, and the
peak divided by the number of crawls running at that moment.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.crawl import _descendants, tree_rss_kb
from newscrawl_replica.fleet import write_profiles
from newscrawl_replica.loopback import LOOPBACK_SETTINGS
from newscrawl_replica.process import ReplicaProcess
from tests.pg import create_pg_database, drop_pg_database

POLL = 0.05


def crawls_running(pid: int) -> int:
    """How many ``scrapy crawl`` processes descend from *pid*."""
    count = 0
    for child in _descendants(pid):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"scrapy" in cmdline and b"crawl" in cmdline:
            count += 1
    return count


def measure(
    names: list[str], parallel: int, sites_dir: Path, extra: list[str]
) -> tuple[float, float, int]:
    """(wall seconds, peak summed RSS in MB, crawls running at that peak) of one round."""
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
        peak, at_peak = 0, 0
        while proc.poll() is None:
            rss = tree_rss_kb(proc.pid)
            if rss > peak:
                peak, at_peak = rss, crawls_running(proc.pid)
            time.sleep(POLL)
        seconds = time.monotonic() - started
        if proc.returncode != 0:
            raise SystemExit(f"--parallel {parallel}: newscrawl crawl exited {proc.returncode}")
    finally:
        drop_pg_database(url)
    return seconds, peak / 1024, at_peak


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
            "| --parallel | wall (s) | peak RSS, all processes (MB) | crawls at the peak | MB per crawl |"
        )
        print("|---|---|---|---|---|")
        for parallel in args.parallel:
            seconds, peak, crawls = measure(names, parallel, Path(tmp), args.set)
            per = peak / crawls if crawls else float("nan")
            print(f"| {parallel} | {seconds:.1f} | {peak:.0f} | {crawls} | {per:.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
