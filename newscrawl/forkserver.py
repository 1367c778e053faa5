"""Start crawl processes by fork from a server that has imported a crawl's modules once.

A ``scrapy crawl`` process spends about 2 s of CPU importing Scrapy, Twisted, SQLAlchemy, lxml,
trafilatura and newscrawl before its first request, and then holds some 120 MB of their code
and objects, again in every crawl process. With many sites at once (``newscrawl crawl --all``,
``--parallel N``) that is most of a round's CPU outside the crawls themselves and most of its
memory. So :func:`newscrawl.runner.start_crawl` (``fork=True``) can start a crawl from the
standard library's fork server, :mod:`multiprocessing`'s ``forkserver`` context: one process,
started with the first such crawl and ended with its parent, imports those modules once
(:mod:`newscrawl._preload`), freezes them out of the garbage collector's reach
(:func:`gc.freeze`, so that a collection in a child does not write to, and so copy, every shared
page), and forks a child for each crawl. The children share the imported pages with the server
until they write to them.

Who forks: ``newscrawl crawl`` with several sites (one server for the command), and the Celery
worker's jobs (``newscrawl.distributed.tasks``: one server for the worker; its jobs are threads,
since a prefork pool process is daemonic and :mod:`multiprocessing` refuses a daemonic process
children). Not ``newscrawl crawl SITE``: a server started for one crawl saves nothing. Why a fork
server rather than :func:`os.fork` of the caller: the command and the worker have threads (one per
running crawl waits for it), and a fork copies their locks in whatever state they are in; the fork
server is single-threaded and has run nothing but imports.

A child (:func:`_crawl`) takes the environment, working directory and output the parent would
give ``python -m scrapy crawl …`` (:func:`newscrawl.runner.crawl_command`'s arguments), drops
the settings module the server may have seen (it reads the environment when imported), leads a
process group of its own if asked, and runs :func:`scrapy.cmdline.execute`: its exit code is
Scrapy's, as it would be for the command.
"""

from __future__ import annotations

import atexit
import gc
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Mapping, Sequence
from multiprocessing.connection import wait
from multiprocessing.context import ForkServerProcess
from multiprocessing.reduction import DupFd
from typing import Any

__all__ = ["PRELOAD_MODULE", "ForkedCrawl", "fork_crawl", "stop_server"]

#: The module the fork server imports (its import does the preloading).
PRELOAD_MODULE = "newscrawl._preload"

_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload([PRELOAD_MODULE])
_POLL_LOCK = threading.Lock()


class _InheritedFd:
    """A file descriptor of this process, handed to the child as its own copy.

    Pickled only while the fork server's child is being started: :func:`DupFd` then sends the
    descriptor over the server's socket (``SCM_RIGHTS``), and the child gets it back by index.
    """

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def __reduce__(self) -> tuple[Any, tuple[Any]]:
        return (_detach, (DupFd(self.fd),))


def _detach(dup: Any) -> int:
    return int(dup.detach())


def _crawl(
    argv: Sequence[str], env: Mapping[str, str], stdout: int, stderr: int, own_group: bool
) -> None:
    """The child: ``scrapy crawl`` as :func:`newscrawl.runner.crawl_command` would run it."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the server ignores it (newscrawl._preload)
    if own_group:
        os.setpgid(0, 0)
    os.environ.clear()
    os.environ.update(env)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(stdout, 1)
    os.dup2(stderr, 2)
    for fd in {stdout, stderr} - {1, 2}:
        os.close(fd)
    # Imported (if at all) with the server's environment: Scrapy must read it afresh.
    sys.modules.pop("newscrawl.settings", None)
    from scrapy.cmdline import execute

    try:
        execute(list(argv))
    finally:
        # What an interpreter does as it exits, and a forked child (ended by os._exit) would
        # skip: collect garbage, so that a Deferred's unhandled failure (a component refusing
        # its settings at start) is logged as ``scrapy crawl`` logs it, and run the exit
        # handlers (logging's flush among them). CPython has no public name for the latter.
        gc.collect()
        atexit._run_exitfuncs()


class ForkedCrawl:
    """A crawl child of the fork server, with the part of :class:`subprocess.Popen` that
    :class:`newscrawl.runner.RunningCrawl` uses.

    :meth:`poll` and :meth:`wait` may be called from different threads. The server writes a
    child's exit code once, to a pipe that the first poll reads; a second read at the same time
    would find it empty and take 255. So every poll holds :data:`_POLL_LOCK`, as does
    :meth:`multiprocessing.Process.start` (which polls every child it started), and
    :meth:`wait` blocks on the pipe outside it.
    """

    def __init__(self, process: ForkServerProcess) -> None:
        self._process = process

    @property
    def pid(self) -> int:
        pid = self._process.pid
        assert pid is not None  # started
        return pid

    @property
    def returncode(self) -> int | None:
        """As :attr:`subprocess.Popen.returncode`: negative for a signal that ended it."""
        with _POLL_LOCK:
            return self._process.exitcode

    def poll(self) -> int | None:
        return self.returncode

    def wait(self) -> int:
        wait([self._process.sentinel])
        code = self.returncode
        assert code is not None
        return code

    def send_signal(self, signum: int) -> None:
        with _POLL_LOCK:
            if self._process.exitcode is None:
                os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def fork_crawl(
    argv: Sequence[str],
    env: Mapping[str, str],
    *,
    stdout: int | None = None,
    stderr: int | None = None,
    own_group: bool = False,
) -> ForkedCrawl:
    """Start ``scrapy`` with *argv* (``["scrapy", "crawl", …]``) in a child of the fork server.

    Its output goes to the descriptors *stdout* and *stderr* (default: this process's 1 and 2).
    """
    out = 1 if stdout is None else stdout
    err = 2 if stderr is None else stderr
    process = _CONTEXT.Process(
        target=_crawl,
        args=(list(argv), dict(env), _InheritedFd(out), _InheritedFd(err), own_group),
        name=f"newscrawl {' '.join(argv[1:3])}",
        daemon=False,
    )
    with _POLL_LOCK:
        process.start()
    return ForkedCrawl(process)


def stop_server() -> None:
    """End the fork server, if this process started one, and reap it.

    The server ends by itself when this process ends; stopping it first makes its (and so its
    children's) CPU time this process's children's (``getrusage(RUSAGE_CHILDREN)``), and leaves no
    process behind the command. :mod:`multiprocessing` has no public call for it: its own tests
    use ``ForkServer._stop``, which every version since 3.8 has; without it this does nothing.
    """
    from multiprocessing import forkserver

    stop = getattr(forkserver._forkserver, "_stop", None)
    if stop is not None:
        stop()
