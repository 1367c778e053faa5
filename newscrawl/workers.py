"""Worker processes for the CPU work of a crawl: article extraction and database writes.

Scrapy runs a crawl on one thread, so a crawl that parses every article and writes it to a
database is bound to one core while a second one idles. Threads do not help: lxml's XPath
queries, SQLAlchemy and the near-duplicate index are Python code that holds the GIL. So the
extract pipeline hands each article response to an *extract* worker process
(``newscrawl.pages.extraction``) and the persist pipeline hands each batch to a *writer* process
(``newscrawl.db.writer``); the reactor thread is left with Scrapy's own work and the light
pipelines. ``NEWSCRAWL_EXTRACT_PROCESSES = 0`` and ``NEWSCRAWL_DB_WRITER_PROCESS = False`` run
the same functions in the crawl's own process instead.

:class:`WorkerPool` wraps :class:`concurrent.futures.ProcessPoolExecutor` (the standard
library's pool: it restarts nothing by itself, but it reports a dead worker as
``BrokenProcessPool`` instead of hanging) for use from Scrapy's asyncio reactor:

- processes are *spawned*, not forked: a fork of the reactor's process would copy its threads'
  locks in whatever state they are in;
- each worker ignores SIGINT, so that Ctrl-C in a terminal (sent to the whole process group)
  lets Scrapy shut down gracefully and the workers finish what they were given;
- on Linux each worker asks the kernel to kill it when the crawl's process dies, so that a
  crawl killed with SIGKILL leaves no worker behind, and a writer killed mid-transaction leaves
  the database as it was before that transaction;
- workers run at a lower CPU priority (``NEWSCRAWL_WORKER_NICENESS``, see
  :func:`worker_niceness`): the reactor thread decides how fast a crawl goes, while a worker has
  a queue in front of it and catches up when the reactor waits for the network.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import functools
import logging
import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

__all__ = [
    "DEFAULT_START_AFTER",
    "RemoteTraceback",
    "WorkerPool",
    "require_asyncio_reactor",
    "worker_niceness",
    "workers_start_after",
]

logger = logging.getLogger(__name__)

_T = TypeVar("_T")

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>

#: The highest niceness Unix gives a process (the lowest priority).
MAX_NICENESS = 19

#: The default of ``NEWSCRAWL_WORKERS_START_AFTER``: articles a crawl handles in its own process
#: before it starts its worker processes (see :func:`workers_start_after`).
DEFAULT_START_AFTER = 100


def _die_with_parent(parent_pid: int) -> None:
    """Have the kernel SIGKILL this process when its parent dies (Linux only; else a no-op)."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        logger.warning("prctl(PR_SET_PDEATHSIG) failed: errno %d", ctypes.get_errno())
    if os.getppid() != parent_pid:  # the parent died before the prctl took effect
        os._exit(1)


def _start_worker(
    parent_pid: int,
    niceness: int,
    initializer: Callable[..., None] | None,
    initargs: tuple[Any, ...],
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(parent_pid)
    if niceness:
        os.nice(niceness)
    if initializer is not None:
        initializer(*initargs)


def require_asyncio_reactor(setting: str) -> None:
    """Raise a ValueError naming *setting* when Scrapy runs on a reactor other than asyncio's.

    Without any reactor installed (a pipeline driven by ``asyncio.run`` in a test), the pool
    needs nothing more than the running asyncio loop.
    """
    from scrapy.utils.reactor import is_asyncio_reactor_installed, is_reactor_installed

    if is_reactor_installed() and not is_asyncio_reactor_installed():
        raise ValueError(
            f"setting {setting}: worker processes need Scrapy's asyncio reactor "
            "(TWISTED_REACTOR = twisted.internet.asyncioreactor.AsyncioSelectorReactor); "
            f"turn {setting} off (0 / False) to do the work in the crawl's own process"
        )


def worker_niceness(settings: BaseSettings) -> int:
    """``NEWSCRAWL_WORKER_NICENESS``: how much lower the workers' CPU priority is than the crawl's.

    On a machine whose cores are all busy, the kernel then runs the reactor thread first (with 5,
    about 3 parts of a shared core in 4; ``nice(1)``'s scale, 0 to 19). 5 rather than more: a
    writer starved for long lets the crawl wait on back-pressure (PostgreSQL crawls were faster at
    5 than at 10, bench/RESULTS.md). Raises ValueError naming the setting for anything else.
    """
    value = settings.get("NEWSCRAWL_WORKER_NICENESS", 0)
    try:
        niceness = int(str(value).strip())
    except ValueError:
        niceness = -1
    if not 0 <= niceness <= MAX_NICENESS:
        raise ValueError(
            f"setting NEWSCRAWL_WORKER_NICENESS must be a whole number from 0 to {MAX_NICENESS}, "
            f"not {value!r}"
        )
    return niceness


def workers_start_after(settings: BaseSettings) -> int:
    """``NEWSCRAWL_WORKERS_START_AFTER``: the articles a crawl handles before its workers start.

    Spawning a worker costs about 0.6 s of CPU (a new interpreter importing lxml, trafilatura,
    SQLAlchemy and numpy), as much as extracting a thousand articles in the crawl's own process
    costs the reactor; most scheduled incremental crawls find a few dozen new articles. So the
    extract workers start at the crawl's article number ``N + 1`` and the writer with the first
    batch handed over once the crawl has had *N* articles; before that the crawl's own process
    does the work, and a crawl that never gets there spawns nothing. 0 starts the workers when
    the crawl opens. Raises ValueError naming the setting for anything but a whole number >= 0.
    """
    value = settings.get("NEWSCRAWL_WORKERS_START_AFTER", DEFAULT_START_AFTER)
    try:
        count = int(str(value).strip())
    except ValueError:
        count = -1
    if count < 0:
        raise ValueError(
            "setting NEWSCRAWL_WORKERS_START_AFTER must be a whole number of articles, 0 or more "
            f"(0: start the worker processes with the crawl), not {value!r}"
        )
    return count


class RemoteTraceback(Exception):
    """The traceback of an exception raised in a worker (set as that exception's ``__cause__``)."""

    def __str__(self) -> str:
        return str(self.args[0])


def _run_batch(calls: list[tuple[Callable[..., Any], tuple[Any, ...]]]) -> list[tuple[bool, Any]]:
    """In a worker: run each call; ``(True, result)`` or ``(False, (exception, traceback))``."""
    results: list[tuple[bool, Any]] = []
    for fn, args in calls:
        try:
            results.append((True, fn(*args)))
        except Exception as exc:  # noqa: BLE001 - handed to the caller, which raises it
            trace = "".join(traceback.format_exception(exc))
            try:
                pickle.dumps(exc)
            except Exception:  # noqa: BLE001 - an exception that can't cross the process boundary
                exc = RuntimeError(f"{type(exc).__name__}: {exc}")
            results.append((False, (exc, trace)))
    return results


@dataclass(slots=True)
class _Call:
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    future: asyncio.Future[Any]


class WorkerPool:
    """*processes* spawned worker processes running functions for the reactor thread.

    ``await pool.run(fn, *args)`` runs ``fn(*args)`` in a worker and returns its result (or
    raises its exception). *fn* and its arguments must be picklable; *initializer* runs once in
    each worker with *initargs*, e.g. to load a profile or open a database engine that later
    calls use. Calls to a one-process pool run in the order they were made. *niceness* (0 to 19)
    lowers the workers' CPU priority below the caller's.

    Calls travel in batches: each process is given one batch at a time, and the calls made while
    all are busy (up to *max_batch*) go together as the next one. Handing over a task costs the
    reactor's process about 0.26 ms of CPU (a future, wake-ups of the executor's two threads,
    their share of the GIL); in batches of 16 it is 0.03 ms per call (measured on this kind of
    2-core machine with 25 KB arguments). An idle pool still takes a call at once.
    """

    def __init__(
        self,
        name: str,
        processes: int,
        initializer: Callable[..., None] | None = None,
        initargs: tuple[Any, ...] = (),
        max_batch: int = 64,
        niceness: int = 0,
    ) -> None:
        if processes < 1:
            raise ValueError(f"a worker pool needs at least one process, not {processes}")
        if not 0 <= niceness <= MAX_NICENESS:
            raise ValueError(f"a worker's niceness is 0 to {MAX_NICENESS}, not {niceness}")
        self.name = name
        self.processes = processes
        self.max_batch = max_batch
        self._executor = ProcessPoolExecutor(
            max_workers=processes,
            mp_context=get_context("spawn"),
            initializer=_start_worker,
            initargs=(os.getpid(), niceness, initializer, initargs),
        )
        self._waiting: list[_Call] = []
        self._running = 0  # batches given to the processes and not finished

    async def run(self, fn: Callable[..., _T], *args: Any) -> _T:
        future: asyncio.Future[_T] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Call(fn, args, future))
        if self._running < self.processes:
            self._submit()
        return await future

    def _submit(self) -> None:
        calls = self._waiting[: self.max_batch]
        del self._waiting[: self.max_batch]
        self._running += 1
        batch = self._executor.submit(_run_batch, [(call.fn, call.args) for call in calls])
        asyncio.wrap_future(batch).add_done_callback(functools.partial(self._finished, calls))

    def _finished(self, calls: list[_Call], batch: asyncio.Future[list[tuple[bool, Any]]]) -> None:
        self._running -= 1
        pending = [call for call in calls if not call.future.done()]
        if batch.cancelled():
            for call in pending:
                call.future.cancel()
        elif (error := batch.exception()) is not None:  # e.g. BrokenProcessPool: a worker died
            for call in pending:
                call.future.set_exception(error)
        else:
            for call, (ok, value) in zip(calls, batch.result(), strict=True):
                if call.future.done():
                    continue
                if ok:
                    call.future.set_result(value)
                else:
                    exc, trace = value
                    exc.__cause__ = RemoteTraceback(trace)
                    call.future.set_exception(exc)
        if self._waiting:
            self._submit()

    def close(self) -> None:
        """Wait for the calls already made, then stop the workers."""
        self._executor.shutdown(wait=True)
