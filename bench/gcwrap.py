"""Run a module with the cyclic GC's work counted: ``python -m bench.gcwrap OUT.json -m MODULE ARGS…``.

At exit, OUT.json gets every collection (wall-clock end time, CPU seconds, generation, from
``gc.callbacks``), so that the collector's share of any time window can be summed, and the
process's peak RSS (VmHWM of /proc/self/status, read at exit: the peak of this program alone, not
of the parent it was forked from). ``python -m bench`` runs every crawl through it, the bare
spider and newscrawl alike.
"""

from __future__ import annotations

import atexit
import gc
import json
import runpy
import sys
import time
from typing import Any


def _vmhwm_kb() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main() -> None:
    out, flag, module, *args = sys.argv[1:]
    if flag != "-m":
        raise SystemExit("usage: python -m bench.gcwrap OUT.json -m MODULE [ARGS…]")
    events: list[tuple[float, float, int]] = []
    start = [0.0]
    clock = time.process_time

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            start[0] = clock()
        else:
            events.append((time.time(), clock() - start[0], info["generation"]))

    def dump() -> None:
        data: dict[str, Any] = {"events": events, "vmhwm_kb": _vmhwm_kb()}
        with open(out, "w", encoding="utf-8") as fh:
            json.dump(data, fh)

    gc.callbacks.append(callback)
    atexit.register(dump)
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
