"""Run the replica server as a child process (for tests, the demo and benchmarks).

    with ReplicaProcess(sites=["ict_en"], articles=200) as replica:
        url = replica.url("ict_en", "/en/news")
        replica.delete("ict_en", 26994)

The child is ``python -m newscrawl_replica --port 0 --json …``; the parent blocks until the child prints
its JSON line with the bound URLs (no sleeps), and ``__exit__`` terminates the child by its PID.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import newscrawl
import newscrawl_replica

# the directories that hold the ``newscrawl`` and ``newscrawl_replica`` packages, so the child
# imports the same code
_PROJECT_ROOTS = [str(Path(pkg.__file__ or "").resolve().parent.parent) for pkg in (newscrawl, newscrawl_replica)]
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ReplicaError(RuntimeError):
    """The replica process failed to start or a control call failed."""


class ReplicaProcess:
    """A replica server in a child process; a context manager."""

    def __init__(
        self,
        sites: Sequence[str] | None = None,
        articles: int = 200,
        seed: int = 0,
        start_timeout: float = 120.0,
        stop_timeout: float = 10.0,
        warm: bool = False,
        latency: str = "",
    ) -> None:
        self.sites = list(sites or [])
        #: ``--latency`` of the child (``"0.15-0.3"`` seconds; empty: none)
        self.latency = latency
        #: pre-render every page into an unbounded cache before announcing (``--warm``)
        self.warm = warm
        self.article_count = articles
        self.seed = seed
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.urls: dict[str, str] = {}
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        """The child's process id."""
        if self.proc is None:
            raise ReplicaError("the replica is not running")
        return self.proc.pid

    def command(self) -> list[str]:
        """The child's command line."""
        cmd = [sys.executable, "-m", "newscrawl_replica", "--port", "0", "--json"]
        cmd += ["--articles", str(self.article_count), "--seed", str(self.seed)]
        for site in self.sites:
            cmd += ["--site", site]
        if self.warm:
            cmd.append("--warm")
        cmd += ["--latency", self.latency]
        return cmd

    def start(self) -> Self:
        """Start the child and wait for its JSON line."""
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (*_PROJECT_ROOTS, env.get("PYTHONPATH")) if p)
        self.proc = subprocess.Popen(self.command(), stdout=subprocess.PIPE, env=env)
        try:
            line = self._read_line()
            self.urls = dict(json.loads(line)["sites"])
        except BaseException:
            self.stop()
            raise
        return self

    def _read_line(self) -> str:
        assert self.proc is not None and self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + self.start_timeout
        buf = b""
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while b"\n" not in buf:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ReplicaError(f"replica did not start within {self.start_timeout} s")
                if not sel.select(remaining):
                    continue
                chunk = os.read(fd, 65536)
                if not chunk:
                    code = self.proc.wait()
                    raise ReplicaError(
                        f"replica exited with status {code} before announcing its URLs"
                    )
                buf += chunk
        return buf.split(b"\n", 1)[0].decode("utf-8")

    def stop(self) -> None:
        """Terminate the child by its PID and wait for it (kill after ``stop_timeout``)."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- URLs -------------------------------------------------------------------------------

    def url(self, site: str, path: str = "/") -> str:
        """An absolute URL on ``site``."""
        return self.urls[site] + path

    # -- control API ------------------------------------------------------------------------

    def call(self, site: str, method: str, path: str, payload: Any = None) -> Any:
        """One control API call (``path`` below ``/_replica/``); returns the decoded JSON."""
        data = None if payload is None else json.dumps(payload).encode("utf-8")
        request = urllib.request.Request(
            self.url(site, "/_replica/" + path.lstrip("/")),
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with _NO_PROXY.open(request, timeout=30) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            raise ReplicaError(f"{method} {path} on {site}: HTTP {exc.code}") from exc

    def articles(self, site: str) -> list[dict[str, Any]]:
        """Every article with its current state."""
        return list(self.call(site, "GET", "articles"))

    def edit(self, site: str, article_id: int, **fields: Any) -> dict[str, Any]:
        """Edit title/lead/paragraphs/date_raw of an article."""
        return dict(self.call(site, "POST", f"articles/{article_id}", fields))

    def delete(self, site: str, article_id: int) -> None:
        """Make an article answer 404."""
        self.call(site, "DELETE", f"articles/{article_id}")

    def restore(self, site: str, article_id: int) -> None:
        """Bring a deleted article back."""
        self.call(site, "POST", f"articles/{article_id}/restore")

    def publish(self, site: str, count: int) -> list[dict[str, Any]]:
        """Publish ``count`` new articles at the top of the listing."""
        return list(self.call(site, "POST", "publish", {"count": count})["published"])

    def set_template(self, site: str, name: str) -> None:
        """Switch the article template (``default`` or ``redesign``)."""
        self.call(site, "POST", "template", {"name": name})

    def log(self, site: str) -> list[dict[str, Any]]:
        """Every request since start or the last :meth:`clear_log`."""
        return list(self.call(site, "GET", "log"))

    def clear_log(self, site: str) -> None:
        """Clear the request log."""
        self.call(site, "DELETE", "log")

    def comment_hits(self, site: str) -> int:
        """How many requests reached the comment endpoint."""
        return int(self.call(site, "GET", "comment-hits")["hits"])

    def reset(self, site: str) -> None:
        """Back to the generated state (log and comment hits cleared)."""
        self.call(site, "POST", "reset")
