"""Scheduling through scrapyd: a real scrapyd on loopback, the project deployed, a crawl scheduled.

scrapyd (1.6, which needs setuptools<81) runs in its own temporary directory (eggs, logs and job
databases under ``tmp_path``), bound to 127.0.0.1 on a free port, and is stopped by its PID.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from newscrawl.cli.deploy import build_egg, deploy
from newscrawl.db.locks import read_lock
from newscrawl.db.models import Article
from newscrawl_replica.generate import generate_site
from newscrawl_replica.loopback import LOOPBACK_SETTINGS
from newscrawl_replica.model import EMPTY_BODY, GONE
from newscrawl_replica.process import ReplicaProcess
from tests.runs.conftest import SITE, database, runs_of, stop_process, wait_for

pytestmark = [pytest.mark.crawl, pytest.mark.db]

ARTICLES = 30
STORED = [a for a in generate_site(SITE, ARTICLES, 0).articles if not {GONE, EMPTY_BODY} & a.flags]
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def call(url: str, path: str, data: list[tuple[str, str]] | None = None) -> Any:
    """GET (or POST form *data* to) a scrapyd JSON endpoint."""
    body = urlencode(data).encode() if data is not None else None
    with _NO_PROXY.open(urllib.request.Request(url + path, data=body), timeout=30) as response:
        return json.loads(response.read())


def answers(url: str) -> bool:
    try:
        return call(url, "daemonstatus.json")["status"] == "ok"  # type: ignore[no-any-return]
    except (urllib.error.URLError, ConnectionError):
        return False


@dataclass(frozen=True)
class Scrapyd:
    url: str
    home: Path
    #: scrapyd's answer to the deployment of the project (version "1")
    deployed: dict[str, Any]


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scrapyd]:
    """A scrapyd server on a free loopback port with the project deployed, for the module's tests.

    The tests share it: each schedules its own job (found by its id) into its own database.
    """
    home = tmp_path_factory.mktemp("scrapyd")
    port = free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        "bind_address = 127.0.0.1\n"
        f"http_port = {port}\n"
        f"eggs_dir = {home / 'eggs'}\n"
        f"logs_dir = {home / 'logs'}\n"
        f"dbs_dir = {home / 'dbs'}\n"
        "items_dir =\n"
        "jobs_dir =\n"
        "poll_interval = 0.2\n"
        "max_proc = 2\n",
        encoding="utf-8",
    )
    log = (home / "scrapyd.log").open("wb")
    # cwd: scrapyd reads ./scrapyd.conf (and no scrapy.cfg is above the temporary directory)
    proc = subprocess.Popen(
        [sys.executable, "-m", "scrapyd"], cwd=home, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}/"
    try:

        def up() -> bool:
            assert proc.poll() is None, (home / "scrapyd.log").read_text(errors="replace")[-3000:]
            return answers(url)

        wait_for(up, timeout=60, what="scrapyd to answer")
        yield Scrapyd(url, home, deploy(url, "newscrawl", "1"))
    finally:
        stop_process(proc)
        log.close()


def test_the_egg_names_the_settings_module_and_holds_no_code():
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(build_egg())) as egg:
        assert sorted(egg.namelist()) == [
            "EGG-INFO/PKG-INFO",
            "EGG-INFO/entry_points.txt",
            "EGG-INFO/top_level.txt",
            "EGG-INFO/zip-safe",
        ]
        assert (
            egg.read("EGG-INFO/entry_points.txt").decode()
            == "[scrapy]\nsettings = newscrawl.settings\n"
        )


@pytest.fixture(scope="module")
def replica() -> Iterator[ReplicaProcess]:
    """One replica for the module's jobs: they only read it."""
    with ReplicaProcess(articles=ARTICLES, sites=[SITE]) as server:
        yield server


def test_scrapyd_runs_a_scheduled_crawl_into_the_database(scrapyd, replica, db_url):
    answer = scrapyd.deployed
    assert answer["status"] == "ok" and answer["version"] == "1"
    spiders = call(scrapyd.url, "listspiders.json?project=newscrawl")["spiders"]
    assert SITE in spiders

    settings = {**LOOPBACK_SETTINGS, "NEWSCRAWL_DATABASE_URL": db_url}
    form = [("project", "newscrawl"), ("spider", SITE), ("base_url", replica.urls[SITE])]
    form += [("setting", f"{key}={value}") for key, value in settings.items()]
    job = call(scrapyd.url, "schedule.json", form)
    assert job["status"] == "ok", job
    jobid = job["jobid"]

    def finished() -> dict[str, Any] | None:
        jobs = call(scrapyd.url, "listjobs.json?project=newscrawl")
        return next((j for j in jobs["finished"] if j["id"] == jobid), None)

    done = wait_for(finished, timeout=240, what=f"scrapyd job {jobid} to finish")

    log_file = scrapyd.home / "logs" / "newscrawl" / SITE / f"{jobid}.log"
    log = log_file.read_text("utf-8", errors="replace")
    assert "Spider closed (finished)" in log, log[-3000:]
    assert done["spider"] == SITE
    with database(db_url) as sessions:
        with sessions() as session:
            stored = session.scalars(
                select(Article.source_id).where(Article.site == "ict.gov.ir")
            ).all()
            assert session.scalar(select(func.count()).select_from(Article)) == len(STORED)
        (run,) = runs_of(sessions)
    assert sorted(stored) == sorted(str(a.id) for a in STORED)
    assert run.status == "finished"
    assert run.counts["new"] == len(STORED)


def test_a_cancelled_job_is_recorded_aborted_and_releases_its_lock(scrapyd, replica, db_url):
    assert scrapyd.deployed["status"] == "ok"
    with database(db_url) as sessions:
        # slow: one request at a time, 2 s apart, so that the job is cancelled mid-crawl
        settings = {
            **LOOPBACK_SETTINGS,
            "DOWNLOAD_DELAY": "2",
            "CONCURRENT_REQUESTS_PER_DOMAIN": "1",
            "NEWSCRAWL_DATABASE_URL": db_url,
        }
        form = [("project", "newscrawl"), ("spider", SITE), ("base_url", replica.urls[SITE])]
        form += [("setting", f"{key}={value}") for key, value in settings.items()]
        jobid = call(scrapyd.url, "schedule.json", form)["jobid"]
        holder = wait_for(
            lambda: read_lock(sessions, SITE), timeout=120, what="the job to take the lock"
        )

        cancelled = call(scrapyd.url, "cancel.json", [("project", "newscrawl"), ("job", jobid)])
        assert cancelled["status"] == "ok" and cancelled["prevstate"] == "running"

        def finished() -> bool:
            jobs = call(scrapyd.url, "listjobs.json?project=newscrawl")
            return any(j["id"] == jobid for j in jobs["finished"])

        wait_for(finished, timeout=120, what=f"cancelled job {jobid} to end")
        (run,) = runs_of(sessions)
        assert read_lock(sessions, SITE) is None
    assert run.id == holder.run_id
    assert run.status == "aborted"
    assert run.message == "stopped before the end (shutdown)"
    assert run.finished_at is not None
