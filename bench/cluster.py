"""One crawl round of many sites: one after another, ``--parallel N``, and Celery workers (issue #15).

    python -m bench.cluster [--sites 40] [--articles 30] [--latency 0.15-0.3] [--serial-sites 10]
                            [--parallel 8 32] [--workers 1 2] [--concurrency 10] [--output FILE]

A replica of one site answering every response after a seeded random delay (``--latency``,
as a live site does), and ``--sites`` copies of ict_en pointing at it (``newscrawl_replica.fleet``).
The crawls keep the shipped politeness settings (``newscrawl/settings.py``: robots.txt,
AutoThrottle, ``DOWNLOAD_DELAY`` 1 s, 4 requests per site at most); nothing in them is needed to
reach 127.0.0.1, so no setting is overridden unless ``-s NAME=VALUE`` says so. Rounds:

- **serial**: ``newscrawl crawl SITE...`` (as ``crawl --all``: one site after another), on the
  first ``--serial-sites`` sites only (all of them take hours); its time for every site is that
  measured time multiplied by ``sites / serial-sites``, and the table says so;
- **--parallel N** for each N of ``--parallel``: ``newscrawl crawl SITE... --parallel N``;
- **Celery, W workers** for each W of ``--workers``: W ``newscrawl worker --concurrency C``
  processes (``tests/distributed/conftest.py``'s :class:`Cluster`) on a private redis-server,
  started and answering a ping before the clock starts; the round is ``newscrawl enqueue`` of
  every site until every site has an ended run and the broker holds no job.

Every round crawls into a fresh PostgreSQL database of its own (``tests/pg.py``), and is checked
there afterwards: one run per site, ``finished``; as many articles per site as the replica
stores (its generator says how many), each with one revision. Peak memory is the largest sum,
over the command's (or every worker's) process tree polled every ``POLL`` seconds, of VmRSS and
of PSS (``/proc/PID/smaps_rollup``: a page shared by n processes counts 1/n in each, so the sum
is the memory the round holds; the RSS sum counts the modules that forked crawl children share
with their server once per child).
Prints a Markdown table and which of the issue's targets are met, and adds a section with the
command, date and sizes to ``--output`` (default bench/RESULTS.md; ``-`` writes nothing).
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from sqlalchemy import func, select

from bench.crawl import tree_pss_kb, tree_rss_kb
from newscrawl.db.models import Article, CrawlRun, Revision
from newscrawl.db.session import make_engine, make_sessionmaker
from newscrawl_replica.fleet import write_profiles
from newscrawl_replica.generate import generate_site
from newscrawl_replica.latency import parse_latency
from newscrawl_replica.model import EMPTY_BODY, GONE
from newscrawl_replica.process import ReplicaProcess
from tests.distributed.conftest import Cluster, queued, redis_server
from tests.pg import create_pg_database, drop_pg_database

BENCH_DIR = Path(__file__).resolve().parent
POLL = 0.25
#: How often (in polls) a Celery round looks at the run records and the broker.
CHECK_EVERY = 4
ENDED = ("finished", "failed")
#: The issue's targets.
PARALLEL_TARGET = 6.0
WORKERS_TARGET = 1.8
MEMORY_TARGET_MB = 3 * 1024


def stored_per_site(articles: int) -> int:
    """Articles one fleet site stores: the replica's, less those that answer 404 or are empty."""
    specs = generate_site("ict_en", articles, 0).articles
    return sum(not ({GONE, EMPTY_BODY} & spec.flags) for spec in specs)


@dataclass
class Check:
    """What a round left in its database."""

    expected_sites: int
    sites: int  # sites with a run
    runs: int
    finished: int  # sites with exactly one run, finished
    articles: int
    revisions: int
    articles_ok: bool  # every site stored the expected articles, each with one revision
    median_run_s: float  # a site's crawl, run start to end (the run records)
    max_run_s: float

    @property
    def once(self) -> bool:
        return self.finished == self.expected_sites == self.runs

    @property
    def ok(self) -> bool:
        return self.once and self.articles_ok

    def describe(self, expected: int) -> str:
        once = "every site crawled once" if self.once else "NOT once"
        stored = "each stored once" if self.articles_ok else "NOT as expected"
        total = self.expected_sites * expected
        return (
            f"{self.sites}/{self.expected_sites} sites with a run, {self.runs} runs, "
            f"{self.finished} crawled once and finished ({once}); {self.articles} articles "
            f"(expected {self.expected_sites} × {expected} = {total}), "
            f"{self.revisions} revisions ({stored})"
        )


def check_database(url: str, names: Sequence[str], expected: int) -> Check:
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            runs = list(session.scalars(select(CrawlRun)))
            per_site = dict(
                session.execute(select(Article.site, func.count()).group_by(Article.site)).all()
            )
            revisions = dict(
                session.execute(
                    select(Revision.article_id, func.count()).group_by(Revision.article_id)
                ).all()
            )
    finally:
        engine.dispose()
    by_site: dict[str, list[CrawlRun]] = {}
    for run in runs:
        by_site.setdefault(run.site, []).append(run)
    finished = sum(
        len(site_runs) == 1 and site_runs[0].status == "finished"
        for site, site_runs in by_site.items()
        if site in names
    )
    articles_ok = (
        per_site == {f"{name}.replica.test": expected for name in names}
        and len(revisions) == sum(per_site.values())
        and set(revisions.values()) <= {1}
    )
    durations = sorted(
        (run.finished_at - run.started_at).total_seconds() for run in runs if run.finished_at
    )
    return Check(
        median_run_s=statistics.median(durations) if durations else float("nan"),
        max_run_s=durations[-1] if durations else float("nan"),
        expected_sites=len(names),
        sites=len(by_site),
        runs=len(runs),
        finished=finished,
        articles=sum(per_site.values()),
        revisions=sum(revisions.values()),
        articles_ok=articles_ok,
    )


@dataclass
class Round:
    """One measured round."""

    label: str
    sites: int
    wall_s: float
    peak: Peaks
    check: Check
    load: tuple[float, float]  # 1-minute load average before and after
    cpu_s: float  # user + system CPU of every process of the round (reaped children)
    scale: float = 1.0  # wall time for every site = wall_s * scale (serial on a subset)
    notes: list[str] = field(default_factory=list)

    @property
    def full_wall_s(self) -> float:
        return self.wall_s * self.scale


def _load() -> float:
    return os.getloadavg()[0]


@dataclass
class Peaks:
    """The largest summed RSS and PSS (MB) of a round's processes, over its polls."""

    rss_mb: float = 0.0
    pss_mb: float = 0.0


def watch(pids: Callable[[], list[int]], finished: Callable[[int], bool]) -> tuple[float, Peaks]:
    """(seconds, peak memory) until ``finished(poll number)`` is true."""
    started = time.monotonic()
    peaks, polls = Peaks(), 0
    while not finished(polls):
        now = pids()
        peaks.rss_mb = max(peaks.rss_mb, sum(tree_rss_kb(pid) for pid in now) / 1024)
        peaks.pss_mb = max(peaks.pss_mb, sum(tree_pss_kb(pid) for pid in now) / 1024)
        polls += 1
        time.sleep(POLL)
    return time.monotonic() - started, peaks


def crawl_command(
    names: Sequence[str], url: str, parallel: int | None, extra: list[str]
) -> list[str]:
    command = [sys.executable, "-m", "newscrawl.cli", "crawl", *names, "--database-url", url]
    if parallel is not None:
        command += ["--parallel", str(parallel)]
    for setting in extra:
        command += ["-s", setting]
    return command


def crawl_round(
    label: str, names: Sequence[str], parallel: int | None, work: Path, extra: list[str]
) -> tuple[float, Peaks, str]:
    """A ``newscrawl crawl`` round into a fresh database: (seconds, peak memory, database URL)."""
    url = create_pg_database()
    logs = work / "logs" / label.replace(" ", "_")
    logs.mkdir(parents=True)
    command = [*crawl_command(names, url, parallel, extra), "--log-dir", str(logs)]
    env = {**os.environ, "NEWSCRAWL_SITES_DIR": str(work / "sites")}
    with (logs / "command.log").open("wb") as out:
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            seconds, peak = watch(lambda: [proc.pid], lambda _: proc.poll() is not None)
        except BaseException:
            proc.terminate()
            proc.wait()
            raise
    if proc.returncode != 0:
        tail = (logs / "command.log").read_text(errors="replace")[-2000:]
        print(f"{label}: newscrawl crawl exited {proc.returncode}\n{tail}", file=sys.stderr)
    return seconds, peak, url


def celery_round(
    label: str, names: Sequence[str], workers: int, concurrency: int, work: Path, extra: list[str]
) -> tuple[float, Peaks, str]:
    """A round of *workers* Celery workers into a fresh database: (seconds, peak memory, URL)."""
    from newscrawl.distributed.app import make_app

    url = create_pg_database()
    logs = work / "logs" / label.replace(" ", "_")
    logs.mkdir(parents=True)
    settings = dict(setting.split("=", 1) for setting in extra)
    with redis_server(logs) as broker:
        cluster = Cluster(broker, url, work / "sites", logs, settings, concurrency, loopback=False)
        try:
            for _ in range(workers):
                cluster.start_worker()
            control = make_app(broker).control
            deadline = time.monotonic() + 300
            while len(control.ping(timeout=1.0)) < workers:
                for number, proc in enumerate(cluster.workers):
                    if proc.poll() is not None:
                        raise SystemExit(f"{label}: worker {number} exited\n{cluster.log(number)}")
                if time.monotonic() > deadline:
                    raise SystemExit(f"{label}: the workers did not answer a ping in 300 s")
            engine = make_engine(url)
            sessions = make_sessionmaker(engine)

            def done(polls: int) -> bool:
                if polls % CHECK_EVERY:
                    return False
                with sessions() as session:
                    ended = set(
                        session.scalars(select(CrawlRun.site).where(CrawlRun.status.in_(ENDED)))
                    )
                return ended >= set(names) and queued(broker) == (0, 0)

            try:
                started = time.monotonic()
                cluster.enqueue(*names)
                _, peak = watch(lambda: [proc.pid for proc in cluster.workers], done)
                seconds = time.monotonic() - started
            finally:
                engine.dispose()
        finally:
            cluster.stop()
    return seconds, peak, url


def run_round(
    label: str,
    names: Sequence[str],
    expected: int,
    measure: Callable[[], tuple[float, Peaks, str]],
    scale: float = 1.0,
) -> Round:
    before = _load()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds, peak, url = measure()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - usage.ru_utime + after.ru_stime - usage.ru_stime
    try:
        check = check_database(url, names, expected)
    finally:
        drop_pg_database(url)
    result = Round(label, len(names), seconds, peak, check, (before, _load()), cpu, scale)
    print(f"{label}: {seconds:.1f} s, peak RSS {peak.rss_mb:.0f} MB, PSS {peak.pss_mb:.0f} MB, "
          f"CPU {cpu:.0f} s, a site's crawl "
          f"{check.median_run_s:.0f} s median, {check.max_run_s:.0f} s at most; "
          f"{check.describe(expected)}")  # fmt: skip
    print(f"  load average {before:.2f} before, {result.load[1]:.2f} after", flush=True)
    return result


def table(rounds: Sequence[Round], total_sites: int) -> list[str]:
    serial = next((r for r in rounds if r.label == "serial"), None)
    lines = [
        (
            f"| round | sites crawled | wall (s) | wall for {total_sites} sites (s) "
            "| speed-up over serial | peak RSS, summed (MB) | peak PSS, summed (MB) "
            "| runs once + finished "
            "| articles stored (each once) | a site's crawl, median / max (s) | CPU (s) "
            "| load avg before → after |"
        ),
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rounds:
        full = f"{r.full_wall_s:.0f}" + (f" (measured × {r.scale:g})" if r.scale != 1 else "")
        speed = f"{serial.full_wall_s / r.full_wall_s:.2f}×" if serial else "n/a"
        stored = f"{r.check.articles}" + ("" if r.check.articles_ok else " (NOT as expected)")
        lines.append(
            f"| {r.label} | {r.sites} | {r.wall_s:.1f} | {full} | {speed} "
            f"| {r.peak.rss_mb:,.0f} | {r.peak.pss_mb:,.0f} "
            f"| {r.check.finished}/{r.sites} | {stored} "
            f"| {r.check.median_run_s:.0f} / {r.check.max_run_s:.0f} | {r.cpu_s:.0f} "
            f"| {r.load[0]:.2f} → {r.load[1]:.2f} |"
        )
    return lines


def verdicts(rounds: Sequence[Round], concurrency: int) -> list[str]:
    by_label = {r.label: r for r in rounds}
    serial = by_label.get("serial")
    lines = []
    p8, p32 = by_label.get("--parallel 8"), by_label.get("--parallel 32")
    if serial and p8:
        ratio = serial.full_wall_s / p8.full_wall_s
        scaled = " (serial scaled from a subset, see the table)" if serial.scale != 1 else ""
        met = "met" if ratio >= PARALLEL_TARGET else "NOT met"
        lines.append(
            f"- `--parallel 8` ≥ {PARALLEL_TARGET:g}× faster than serial: "
            f"{ratio:.2f}×{scaled}: **{met}**"
        )
    one, two = (
        by_label.get(f"Celery, 1 worker × {concurrency}"),
        by_label.get(f"Celery, 2 workers × {concurrency}"),
    )
    if one and two:
        ratio = one.wall_s / two.wall_s
        met = "met" if ratio >= WORKERS_TARGET else "NOT met"
        lines.append(
            f"- 2 workers ≥ {WORKERS_TARGET:g}× faster than 1 (`--concurrency {concurrency}` "
            f"each): {ratio:.2f}×: **{met}**"
        )
    if p32:
        met = "met" if p32.peak.pss_mb < MEMORY_TARGET_MB else "NOT met"
        lines.append(
            f"- peak memory of `--parallel 32` < 3 GB: {p32.peak.pss_mb:,.0f} MB summed PSS "
            f"({p32.peak.rss_mb:,.0f} MB summed RSS, which counts shared pages once per "
            f"process): **{met}**"
        )
    bad = [r.label for r in rounds if not r.check.ok]
    lines.append(
        "- every round crawled every site once and stored every article once: "
        + ("**yes**" if not bad else f"**NO** ({', '.join(bad)})")
    )
    return lines


def write_results(path: Path, section: str) -> None:
    """Add *section* before the results file's final ``## Raw data`` section (else at its end)."""
    text = path.read_text("utf-8") if path.exists() else "# Results\n"
    marker = "\n## Raw data\n"
    if marker in text:
        head, tail = text.split(marker, 1)
        text = f"{head.rstrip()}\n\n{section.rstrip()}\n{marker}{tail}"
    else:
        text = f"{text.rstrip()}\n\n{section.rstrip()}\n"
    path.write_text(text, "utf-8")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sites", type=int, default=40, help="fleet sites (default 40)")
    p.add_argument("--articles", type=int, default=30,
                   help="replica articles per site (default 30, the replica's least)")  # fmt: skip
    p.add_argument("--latency", default="0.15-0.3", help="replica latency, seconds (0.15-0.3)")
    p.add_argument("--serial-sites", type=int, default=10,
                   help="sites of the serial round (default 10; 0: no serial round)")  # fmt: skip
    p.add_argument("--parallel", type=int, nargs="*", default=[8, 32], help="--parallel rounds")
    p.add_argument("--workers", type=int, nargs="*", default=[1, 2], help="Celery rounds")
    p.add_argument("--concurrency", type=int, default=10,
                   help="--concurrency of every Celery worker (default 10)")  # fmt: skip
    p.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                   help="a Scrapy setting for every crawl (default: none, the shipped ones)")  # fmt: skip
    p.add_argument("--output", default=str(BENCH_DIR / "RESULTS.md"),
                   help="results file to add a section to (default bench/RESULTS.md; - : none)")  # fmt: skip
    return p


def main(argv: Sequence[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    try:
        parse_latency(args.latency)
    except ValueError as exc:
        p.error(f"--latency: {exc}")
    for setting in args.set:
        if "=" not in setting:
            p.error(f"-s {setting!r}: expected NAME=VALUE")
    if not 0 <= args.serial_sites <= args.sites:
        p.error(f"--serial-sites must be 0 to --sites ({args.sites}), not {args.serial_sites}")
    command = shlex.join(
        ["python", "-m", "bench.cluster", *(sys.argv[1:] if argv is None else argv)]
    )
    started = datetime.now(UTC)
    expected = stored_per_site(args.articles)
    rounds: list[Round] = []
    with (
        tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp,
        ReplicaProcess(
            articles=args.articles, sites=["ict_en"], warm=True, latency=args.latency
        ) as replica,
    ):
        work = Path(tmp)
        names = write_profiles(work / "sites", replica.urls["ict_en"], args.sites)
        print(f"{args.sites} sites × {args.articles} articles ({expected} stored per site), "
              f"latency {args.latency} s, replica {replica.urls['ict_en']}", flush=True)  # fmt: skip
        for workers in args.workers:
            label = f"Celery, {workers} worker{'s' if workers > 1 else ''} × {args.concurrency}"
            measure = partial(celery_round, label, names, workers, args.concurrency, work, args.set)
            rounds.append(run_round(label, names, expected, measure))
        for parallel in args.parallel:
            label = f"--parallel {parallel}"
            measure = partial(crawl_round, label, names, parallel, work, args.set)
            rounds.append(run_round(label, names, expected, measure))
        if args.serial_sites:
            subset = names[: args.serial_sites]
            measure = partial(crawl_round, "serial", subset, None, work, args.set)
            scale = args.sites / args.serial_sites
            rounds.insert(0, run_round("serial", subset, expected, measure, scale))
    finished = datetime.now(UTC)
    lines = table(rounds, args.sites)
    targets = verdicts(rounds, args.concurrency)
    print("\n".join(["", *lines, "", *targets]))
    if args.output != "-":
        delay = (
            f"every response delayed {args.latency} s"
            if parse_latency(args.latency)
            else "no latency"
        )
        section = "\n".join([
            f"## A crawl round of {args.sites} sites: serial, --parallel, Celery workers (issue 15)",
            "",
            f"`{command}`, {started:%Y-%m-%d %H:%M}–{finished:%H:%M} UTC, "
            f"{os.cpu_count()} cores shared with other sessions (load averages in the table). "
            f"{args.sites} copies of ict_en on one replica, {args.articles} articles each "
            f"({expected} stored per site), {delay}, the shipped "
            "politeness settings" + (f" plus `{' '.join(args.set)}`" if args.set else "") + ". "
            "Each round into a fresh PostgreSQL database; Celery workers on a private redis-server.",
            "",
            *lines,
            "",
            *targets,
        ])  # fmt: skip
        write_results(Path(args.output), section)
        print(f"\nadded to {args.output}")
    return 0 if all(r.check.ok for r in rounds) else 1


if __name__ == "__main__":
    sys.exit(main())
