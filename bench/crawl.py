"""Run one benchmark crawl in a child process and measure it.

Both kinds of crawl (the bare spider and ``scrapy crawl ict_en``) are child processes started
the same way; the parent takes the child's CPU time and peak RSS from ``os.wait4`` (the resource
usage of exactly that child), polls its ``/proc/PID/status`` VmHWM as a cross-check, and reads the
replica server's CPU time before and after from ``/proc/SERVER_PID/stat``. The crawl rate is
``response_received_count / elapsed_time_seconds`` from the crawl's own Scrapy stats: engine
start to engine stop, so interpreter start-up, imports and the schema migration of an empty
database (done before the engine starts) are left out of both.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newscrawl.runner import crawl_command
from newscrawl_replica.loopback import LOOPBACK_SETTINGS

PROJECT_DIR = Path(__file__).resolve().parent.parent

BENCH_DIR = Path(__file__).resolve().parent
CLK_TCK = os.sysconf("SC_CLK_TCK")



def _project_concurrent_items() -> str:
    """newscrawl's CONCURRENT_ITEMS (its settings module's, else Scrapy's default)."""
    from scrapy.settings import Settings

    import newscrawl.settings as project

    return str(getattr(project, "CONCURRENT_ITEMS", Settings().getint("CONCURRENT_ITEMS")))


#: Settings given to BOTH crawls, on top of each one's defaults (Scrapy's for the bare spider,
#: newscrawl's project settings plus LOOPBACK_SETTINGS for newscrawl). CONCURRENT_ITEMS is
#: whatever newscrawl ships, given to the bare spider too: it costs both the same per response.
SHARED_SETTINGS: dict[str, str] = {
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "CONCURRENT_ITEMS": _project_concurrent_items(),
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "ROBOTSTXT_OBEY": "True",
    "RETRY_TIMES": "2",
    "COOKIES_ENABLED": "False",
    "TELNETCONSOLE_ENABLED": "False",
    "LOG_LEVEL": "WARNING",
}


@dataclass
class CrawlRun:
    """What one crawl did and cost."""

    kind: str  # "bare", "sqlite", "pg"
    articles: int  # replica size
    returncode: int
    wall_s: float  # whole child process, start-up included
    elapsed_s: float  # Scrapy's elapsed_time_seconds (engine start to stop)
    pages: int  # responses received
    items: int  # items scraped
    cpu_s: float  # child user + system CPU (whole process)
    maxrss_kb: int  # child peak RSS (wait4 ru_maxrss)
    vmhwm_kb: int  # peak of /proc/PID/status VmHWM, polled
    server_cpu_s: float  # replica server CPU during the crawl
    crawl_cpu_s: float = 0.0  # child CPU between the crawl's start_time and finish_time
    tree_cpu_s: float = 0.0  # the same with the child's worker processes (writer, extract)
    tree_rss_kb: int = 0  # peak summed RSS of the child and its worker processes, polled
    gc_s: float | None = None  # CPU in the cyclic GC during the crawl (with gc_stats)
    gc_collections: list[int] = field(default_factory=list)  # per generation, during the crawl
    exit_vmhwm_kb: int = 0  # VmHWM read by the child itself at exit (with gc_stats)
    stats: dict[str, Any] = field(default_factory=dict, repr=False)
    log_tail: str = ""

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def cpu_ms_per_page(self) -> float:
        """CPU per page during the crawl (engine start to stop; start-up left out)."""
        cpu = self.crawl_cpu_s or self.cpu_s
        return 1000 * cpu / self.pages if self.pages else 0.0

    @property
    def tree_cpu_ms_per_page(self) -> float:
        """CPU per page of the crawl process and its worker processes together."""
        return 1000 * self.tree_cpu_s / self.pages if self.pages else 0.0

    @property
    def tree_rss_mb(self) -> float:
        return self.tree_rss_kb / 1024

    @property
    def cpu_share(self) -> float:
        """How busy the crawl kept its one core: crawl CPU / elapsed."""
        return self.crawl_cpu_s / self.elapsed_s if self.elapsed_s else 0.0

    @property
    def peak_rss_mb(self) -> float:
        """The child's own peak RSS: VmHWM read at its exit, else polled.

        ``ru_maxrss`` is not used when a VmHWM is known: Linux keeps the pre-exec peak in it, which
        is the (large) benchmark parent's RSS at fork time.
        """
        return (self.exit_vmhwm_kb or self.vmhwm_kb or self.maxrss_kb) / 1024

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and self.pages > 0


def stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (``[state, ppid, …]``); None if the
    process is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def proc_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a running process (0.0 if it is gone)."""
    fields = stat_fields(pid)
    if fields is None:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as children:
                for child in map(int, children.read().split()):
                    found += [child, *_descendants(child)]
        except OSError:
            continue
    return found


def tree_cpu_s(pid: int) -> float:
    """CPU seconds of *pid*, of its live descendants and of the children it has reaped.

    newscrawl's writer (and extract) worker processes are the crawl's children: their CPU is
    part of what a crawl costs. A process reaped before the sample counts through its parent's
    ``cutime``/``cstime``, whichever live process of the tree that parent is (a fork server reaps
    the crawls it forked); a process counts once, alive or reaped, never both.
    """
    total = 0.0
    for process in [pid, *_descendants(pid)]:
        fields = stat_fields(process)
        if fields is not None:
            total += sum(int(value) for value in fields[11:15]) / CLK_TCK
    return total


def tree_rss_kb(pid: int) -> int:
    """Resident memory of *pid* and its descendants, summed (VmRSS)."""
    return sum(_status_kb(process, "VmRSS:") for process in [pid, *_descendants(pid)])


def tree_pss_kb(pid: int) -> int:
    """Proportional memory of *pid* and its descendants, summed (``Pss`` of smaps_rollup).

    A page shared by n processes counts 1/n in each: the sum is the memory the tree holds, where
    summed RSS counts a shared page once per process (children forked from a preloaded server
    share its imported modules).
    """
    return sum(_status_kb(process, "Pss:", "smaps_rollup") for process in [pid, *_descendants(pid)])


def tree_status_kb(pid: int, key: str) -> dict[int, int]:
    """A kB field (``VmHWM:``, ``VmRSS:``) of *pid* and of each of its live descendants, by PID."""
    return {process: _status_kb(process, key) for process in [pid, *_descendants(pid)]}


def _status_kb(pid: int, key: str, source: str = "status") -> int:
    """A kB field (``VmHWM:``, ``VmRSS:``) of /proc/PID/status, or of another such file of the
    process (``Pss:`` of ``smaps_rollup``); 0 if the process is gone."""
    try:
        with open(f"/proc/{pid}/{source}", encoding="ascii") as status:
            for line in status:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _vmhwm_kb(pid: int) -> int:
    return _status_kb(pid, "VmHWM:")


@dataclass
class ChildUsage:
    returncode: int
    wall_s: float
    cpu_s: float
    maxrss_kb: int
    vmhwm_kb: int
    server_cpu_s: float
    samples: list[tuple[float, float]]  # (time.time(), child CPU s), every POLL_S
    tree_samples: list[tuple[float, float]] = field(default_factory=list)  # same, with its workers
    tree_rss_kb: int = 0  # peak of the summed VmRSS of the child and its workers, polled

    def cpu_between(self, start: float, end: float) -> float:
        """Child CPU seconds between two wall-clock instants (interpolated from the samples)."""
        return self._cpu_at(end) - self._cpu_at(start)

    def tree_cpu_between(self, start: float, end: float) -> float:
        """The same for the child and its worker processes together."""
        return self._cpu_at(end, self.tree_samples) - self._cpu_at(start, self.tree_samples)

    def _cpu_at(self, when: float, samples: list[tuple[float, float]] | None = None) -> float:
        samples = self.samples if samples is None else samples
        if not samples:
            return 0.0
        if when <= samples[0][0]:
            return samples[0][1]
        for (t0, c0), (t1, c1) in itertools.pairwise(samples):
            if t0 <= when <= t1:
                return c0 + (c1 - c0) * ((when - t0) / (t1 - t0) if t1 > t0 else 0.0)
        return samples[-1][1] if when < samples[-1][0] + 2 * POLL_S or samples is self.tree_samples else self.cpu_s


POLL_S = 0.1
CRAWL_TIMEOUT_S = 3600.0


def run_child(
    command: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    server_pid: int | None,
    log_path: Path,
    timeout: float = CRAWL_TIMEOUT_S,
) -> ChildUsage:
    """Run ``command`` and measure it (CPU and peak RSS of exactly that child, server CPU).

    A child still running after ``timeout`` seconds is killed (its run then counts as failed).
    """
    server_before = proc_cpu_s(server_pid) if server_pid else 0.0
    started = time.monotonic()
    samples: list[tuple[float, float]] = []
    tree_samples: list[tuple[float, float]] = []
    with log_path.open("wb") as log:
        proc = subprocess.Popen(list(command), cwd=cwd, env=dict(env), stdout=log, stderr=subprocess.STDOUT)
        peak = [0, 0]
        done = threading.Event()

        def poll() -> None:
            while not done.wait(POLL_S):
                peak[0] = max(peak[0], _vmhwm_kb(proc.pid))
                peak[1] = max(peak[1], tree_rss_kb(proc.pid))
                now = time.time()
                cpu = proc_cpu_s(proc.pid)
                if cpu:
                    samples.append((now, cpu))
                    tree_samples.append((now, tree_cpu_s(proc.pid)))

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        watchdog = threading.Timer(timeout, proc.kill)
        watchdog.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            watchdog.cancel()
            done.set()
            poller.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - started
    server_cpu = proc_cpu_s(server_pid) - server_before if server_pid else 0.0
    cpu = usage.ru_utime + usage.ru_stime
    return ChildUsage(
        proc.returncode, wall, cpu, usage.ru_maxrss, peak[0], server_cpu, samples, tree_samples, peak[1]
    )


def _tail(path: Path, limit: int = 3000) -> str:
    try:
        return path.read_text("utf-8", errors="replace")[-limit:]
    except OSError:
        return ""


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCRAPY_", "NEWSCRAWL_"))}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_DIR), os.environ.get("PYTHONPATH")) if p)
    return env


def _gc_wrapped(command: list[str], workdir: Path, kind: str, gc_stats: bool) -> tuple[list[str], Path | None]:
    """``command`` (``python -m scrapy …``) run through bench.gcwrap when ``gc_stats``."""
    if not gc_stats:
        return command, None
    out = workdir / f"{kind}-gc.json"
    out.unlink(missing_ok=True)
    return [command[0], "-m", "bench.gcwrap", str(out), *command[1:]], out


def _read_gc(run: CrawlRun, path: Path | None) -> None:
    """GC time and collections within the crawl's start_time..finish_time, and the exit VmHWM."""
    if path is None or not path.exists():
        return
    data = json.loads(path.read_text("utf-8"))
    run.exit_vmhwm_kb = int(data.get("vmhwm_kb") or 0)
    start = _timestamp(run.stats.get("start_time"))
    finish = _timestamp(run.stats.get("finish_time"))
    if start is None or finish is None:
        return
    seconds = 0.0
    collections = [0, 0, 0]
    for when, cpu, generation in data["events"]:
        if start <= when <= finish:
            seconds += cpu
            collections[generation] += 1
    run.gc_s = seconds
    run.gc_collections = collections


def run_bare(base_url: str, articles: int, *, server_pid: int | None, workdir: Path,
             extra: Mapping[str, str] | None = None, gc_stats: bool = False,
             gc_freeze: bool = False) -> CrawlRun:  # fmt: skip
    """The bare Scrapy spider, outside the project (Scrapy's defaults + SHARED_SETTINGS)."""
    kind = "bare+freeze" if gc_freeze else "bare"
    stats_path = workdir / "bare-stats.json"
    stats_path.unlink(missing_ok=True)
    command = [sys.executable, "-m", "scrapy", "runspider", str(BENCH_DIR / "bare_spider.py"),
               "-a", f"base_url={base_url}", "-a", f"stats_file={stats_path}"]  # fmt: skip
    if gc_freeze:
        command += ["-a", "gc_freeze=1"]
    for key, value in {**SHARED_SETTINGS, **(extra or {})}.items():
        command += ["-s", f"{key}={value}"]
    log_path = workdir / "bare.log"
    command, gc_path = _gc_wrapped(command, workdir, "bare", gc_stats)
    usage = run_child(command, cwd=workdir, env=_clean_env(), server_pid=server_pid, log_path=log_path)
    stats = json.loads(stats_path.read_text("utf-8")) if stats_path.exists() else {}
    run = _result(kind, articles, usage, stats, log_path)
    _read_gc(run, gc_path)
    return run


def newscrawl_settings(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """What ``scrapy crawl ict_en`` gets: LOOPBACK_SETTINGS, then SHARED_SETTINGS, then ``extra``."""
    return {**LOOPBACK_SETTINGS, **SHARED_SETTINGS, **(extra or {})}


def run_newscrawl(kind: str, base_url: str, articles: int, database_url: str, *,
                  server_pid: int | None, workdir: Path, extra: Mapping[str, str] | None = None,
                  profile_to: Path | None = None, gc_stats: bool = False) -> CrawlRun:  # fmt: skip
    """``scrapy crawl ict_en -a base_url=…`` with the full pipeline into ``database_url``.

    ``profile_to``: run the crawl under pyinstrument and save its session there (see
    :mod:`bench.profiling`).
    """
    stats_path = workdir / f"{kind}-stats.json"
    stats_path.unlink(missing_ok=True)
    settings = newscrawl_settings(extra)
    settings["NEWSCRAWL_DATABASE_URL"] = database_url
    settings["NEWSCRAWL_STATS_FILE"] = str(stats_path)
    command = crawl_command("ict_en", base_url=base_url, feed=None, settings=settings)
    if profile_to is not None:
        command = [sys.executable, "-m", "pyinstrument", "-r", "session", "-i", "0.002",
                   "-o", str(profile_to), *command[1:]]  # fmt: skip
    env = _clean_env()
    env["SCRAPY_SETTINGS_MODULE"] = "newscrawl.settings"
    log_path = workdir / f"{kind}.log"
    command, gc_path = _gc_wrapped(command, workdir, kind, gc_stats and profile_to is None)
    usage = run_child(command, cwd=PROJECT_DIR, env=env, server_pid=server_pid, log_path=log_path)
    stats = json.loads(stats_path.read_text("utf-8")) if stats_path.exists() else {}
    run = _result(kind, articles, usage, stats, log_path)
    _read_gc(run, gc_path)
    return run


def _timestamp(value: Any) -> float | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def _result(kind: str, articles: int, usage: ChildUsage, stats: dict[str, Any],
            log_path: Path) -> CrawlRun:  # fmt: skip
    start, finish = _timestamp(stats.get("start_time")), _timestamp(stats.get("finish_time"))
    crawl_cpu = usage.cpu_between(start, finish) if start and finish else 0.0
    tree_cpu = usage.tree_cpu_between(start, finish) if start and finish else 0.0
    run = CrawlRun(
        kind=kind,
        articles=articles,
        returncode=usage.returncode,
        wall_s=usage.wall_s,
        elapsed_s=float(stats.get("elapsed_time_seconds") or 0.0),
        pages=int(stats.get("response_received_count") or 0),
        items=int(stats.get("item_scraped_count") or 0),
        cpu_s=usage.cpu_s,
        maxrss_kb=usage.maxrss_kb,
        vmhwm_kb=usage.vmhwm_kb,
        server_cpu_s=usage.server_cpu_s,
        crawl_cpu_s=crawl_cpu,
        tree_cpu_s=tree_cpu,
        tree_rss_kb=usage.tree_rss_kb,
        stats=stats,
    )
    if not run.ok:
        run.log_tail = _tail(log_path)
    return run


def scratch_dir(prefix: str = "newscrawl-bench-") -> tempfile.TemporaryDirectory[str]:
    """A temporary directory for one benchmark run's databases, logs and stats files."""
    return tempfile.TemporaryDirectory(prefix=prefix)
